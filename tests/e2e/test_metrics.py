"""/metrics counts every DNS request: responses per transport and RCODE,
truncated responses, answers from the answer cache, dropped requests.

One UDP thread and one event loop, so a repeated question from one socket
reaches the same answer cache; the standard data set publishes no new
snapshot while the tests run, so the cache is never emptied under them.
"""

import re
import socket
import struct

import dns.message
import pytest
import requests

import zonedata
from e2e_helpers import Server, make_query, write_files


@pytest.fixture(scope="module")
def metered(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("metrics")
    write_files(workdir, zonedata.standard_files())
    s = Server(workdir, ["--config", str(workdir / "nearcast.yaml")], threads=1, api=True)
    yield s
    s.stop_checked()


def scrape(server) -> dict:
    """Every nearcast_dns_* sample: (name, ((label, value), ...)) → value."""
    text = requests.get(f"http://127.0.0.1:{server.api_port}/metrics", timeout=5).text
    samples = {}
    for m in re.finditer(r"^(nearcast_dns_\w+)\{([^}]*)\}\s+(\S+)$", text, re.M):
        samples[(m.group(1), tuple(sorted(re.findall(r'(\w+)="([^"]*)"', m.group(2)))))] = float(m.group(3))
    return samples


def changes(server, action) -> dict:
    """The samples `action()` changed, as name{labels} → increase."""
    before = scrape(server)
    action()
    after = scrape(server)
    return {name + "{" + ",".join(f"{k}={v}" for k, v in labels) + "}": after[(name, labels)] - before.get((name, labels), 0)
            for (name, labels) in after if after[(name, labels)] != before.get((name, labels), 0)}


def udp_raw(server, wire: bytes):
    """Sends `wire`; the reply, or None after 0.5 s."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(0.5)
        s.sendto(wire, (server.host, server.port))
        try:
            return s.recvfrom(65535)[0]
        except socket.timeout:
            return None


def test_every_response_is_counted_once_by_transport_and_rcode(metered):
    def ask():
        assert metered.udp(make_query("www.example.com.", "A")).rcode() == 0
        assert metered.udp(make_query("nothing-here.example.com.", "A")).rcode() == 3
        assert metered.udp(make_query("www.example.org.", "A")).rcode() == 5
        assert metered.udp(make_query("www.example.com.", "A", edns=1)).rcode() == 16  # BADVERS
        status = make_query("www.example.com.", "A")
        status.set_opcode(2)
        assert metered.udp(status).rcode() == 4  # NOTIMP
        runt_question = struct.pack("!6H", 7, 0, 1, 0, 0, 0) + b"\x03www"  # the question ends mid-name
        reply = udp_raw(metered, runt_question)
        assert reply is not None and reply[3] & 0x0F == 1  # FORMERR
        assert metered.tcp(make_query("www.example.com.", "AAAA")).rcode() == 0
    assert changes(metered, ask) == {
        "nearcast_dns_responses_total{rcode=NOERROR,transport=udp}": 1,
        "nearcast_dns_responses_total{rcode=NXDOMAIN,transport=udp}": 1,
        "nearcast_dns_responses_total{rcode=REFUSED,transport=udp}": 1,
        "nearcast_dns_responses_total{rcode=BADVERS,transport=udp}": 1,
        "nearcast_dns_responses_total{rcode=NOTIMP,transport=udp}": 1,
        "nearcast_dns_responses_total{rcode=FORMERR,transport=udp}": 1,
        "nearcast_dns_responses_total{rcode=NOERROR,transport=tcp}": 1,
    }


def test_a_repeated_question_is_answered_from_the_cache(metered):
    query = make_query("www.example.com.", "MX")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(2)

        def ask(times):
            for _ in range(times):
                s.sendto(query.to_wire(), (metered.host, metered.port))
                assert dns.message.from_wire(s.recvfrom(65535)[0]).rcode() == 0

        assert changes(metered, lambda: ask(1)) == {"nearcast_dns_responses_total{rcode=NOERROR,transport=udp}": 1}
        assert changes(metered, lambda: ask(3)) == {
            "nearcast_dns_responses_total{rcode=NOERROR,transport=udp}": 3,
            "nearcast_dns_answer_cache_hits_total{transport=udp}": 3,
        }


def test_tcp_has_its_own_cache(metered):
    def ask():
        assert metered.udp(make_query("www.example.com.", "TXT")).rcode() == 0  # kept in the UDP thread's cache
        for _ in range(2):
            assert metered.tcp(make_query("www.example.com.", "TXT")).rcode() == 0
    assert changes(metered, ask) == {
        "nearcast_dns_responses_total{rcode=NOERROR,transport=udp}": 1,
        "nearcast_dns_responses_total{rcode=NOERROR,transport=tcp}": 2,
        "nearcast_dns_answer_cache_hits_total{transport=tcp}": 1,  # the event loop's cache: the first TCP query misses
    }


def test_truncated_responses_are_counted(metered):
    def ask():
        assert metered.udp(make_query("big.example.com.", "TXT", edns=-1)).flags & 0x0200  # TC
    assert changes(metered, ask) == {
        "nearcast_dns_responses_total{rcode=NOERROR,transport=udp}": 1,
        "nearcast_dns_truncated_total{transport=udp}": 1,
    }


def test_requests_without_a_response_are_counted_as_dropped(metered):
    def send():
        assert udp_raw(metered, b"\x00\x01\x00") is None  # shorter than a header
        response = make_query("www.example.com.", "A").to_wire()
        assert udp_raw(metered, response[:2] + bytes([response[2] | 0x80]) + response[3:]) is None  # QR set
        with socket.create_connection((metered.host, metered.port), timeout=2) as s:
            s.sendall(struct.pack("!H", 5) + b"\x00\x01\x00\x00\x00")  # a runt frame closes the connection
            assert s.recv(2) == b""
    assert changes(metered, send) == {
        "nearcast_dns_dropped_total{transport=udp}": 2,
        "nearcast_dns_dropped_total{transport=tcp}": 1,
    }


def test_every_series_is_shown_before_any_query(tmp_path):
    write_files(tmp_path, zonedata.standard_files())
    s = Server(tmp_path, ["--config", str(tmp_path / "nearcast.yaml")], threads=1, api=True)
    try:
        samples = scrape(s)
        text = requests.get(f"http://127.0.0.1:{s.api_port}/metrics", timeout=5).text
        assert "nearcast_latency_" not in text  # no latency learning configured: none of its metrics
    finally:
        s.stop()
    names = {name for name, _ in samples}
    assert names == {"nearcast_dns_responses_total", "nearcast_dns_truncated_total",
                     "nearcast_dns_answer_cache_hits_total", "nearcast_dns_dropped_total"}
    rcodes = {dict(labels)["rcode"] for name, labels in samples if name == "nearcast_dns_responses_total"}
    assert rcodes == {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "BADVERS", "other"}
    # Only the readiness probe (a REFUSED UDP query for probe.invalid.) was answered.
    assert sum(v for (name, _), v in samples.items() if name == "nearcast_dns_responses_total") >= 1
    assert all(v == 0 for (name, _), v in samples.items() if name != "nearcast_dns_responses_total")
