"""UDP truncation (RFC 1035 4.2.1, RFC 6891 7) and DNS over TCP (RFC 7766)."""

import socket
import struct
import time

import dns.flags
import dns.message
import dns.rcode

from e2e_helpers import (get_ecs, make_query, tcp_read_frame, assert_response_basics)
import zonedata

BIG_STRINGS = sorted(s.encode() for s in zonedata.BIG_TXT)
MID_STRINGS = sorted(s.encode() for s in zonedata.MID_TXT)


def udp_exchange(server, q):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(2)
        s.sendto(q.to_wire(), server.addr())
        raw, _ = s.recvfrom(65535)
    return raw, dns.message.from_wire(raw)


def txt_strings(r):
    return sorted(st for rr in r.answer for rd in rr for st in rd.strings)


def assert_truncated(q, raw, r, limit, with_opt):
    assert_response_basics(q, r)
    assert r.flags & dns.flags.TC, "TC must be set when the answer does not fit"
    assert len(raw) <= limit, f"{len(raw)} bytes sent, limit {limit}"
    assert len(r.answer) == 0 and len(r.authority) == 0, "a truncated reply holds no records"
    if with_opt:
        assert r.edns == 0, "the OPT RR stays in a truncated reply"
        assert len(r.additional) == 0
    else:
        assert r.edns == -1
        assert len(r.additional) == 0


# -- truncation -------------------------------------------------------------------------

def test_big_without_edns_truncated_at_512(server):
    q = make_query("big.example.com.", "TXT", edns=-1)
    raw, r = udp_exchange(server, q)
    assert_truncated(q, raw, r, 512, with_opt=False)


def test_mid_without_edns_truncated_at_512(server):
    q = make_query("mid.example.com.", "TXT", edns=-1)
    raw, r = udp_exchange(server, q)
    assert_truncated(q, raw, r, 512, with_opt=False)


def test_mid_fits_with_edns_payload(server):
    q = make_query("mid.example.com.", "TXT", edns=0, payload=1232)
    raw, r = udp_exchange(server, q)
    assert not r.flags & dns.flags.TC
    assert txt_strings(r) == MID_STRINGS
    assert 512 < len(raw) <= 1232


def test_client_payload_size_respected(server):
    q = make_query("mid.example.com.", "TXT", edns=0, payload=700)
    raw, r = udp_exchange(server, q)
    assert_truncated(q, raw, r, 700, with_opt=True)


def test_server_max_udp_payload_caps_client_payload(server):
    """Default max_udp_payload is 1232: a 4096 client buffer does not let ~3 kB through."""
    q = make_query("big.example.com.", "TXT", edns=0, payload=4096)
    raw, r = udp_exchange(server, q)
    assert_truncated(q, raw, r, 1232, with_opt=True)


def test_truncated_reply_keeps_ecs(server):
    q = make_query("big.example.com.", "TXT", ecs=("10.1.0.0", 24), payload=4096)
    raw, r = udp_exchange(server, q)
    assert r.flags & dns.flags.TC
    assert len(r.answer) == 0
    ecs = get_ecs(r)
    assert ecs is not None, "ECS stays in the OPT of a truncated reply"


def test_big_over_tcp_is_complete(server):
    q = make_query("big.example.com.", "TXT", edns=-1)
    r = server.tcp(q, timeout=5)
    assert_response_basics(q, r)
    assert not r.flags & dns.flags.TC
    assert r.flags & dns.flags.AA
    assert txt_strings(r) == BIG_STRINGS


def test_big_over_tcp_with_edns_is_complete(server):
    q = make_query("big.example.com.", "TXT", edns=0, payload=1232)
    r = server.tcp(q, timeout=5)
    assert not r.flags & dns.flags.TC
    assert txt_strings(r) == BIG_STRINGS


def test_small_answer_not_truncated_without_edns(server):
    q = make_query("www.example.com.", "A", edns=-1)
    raw, r = udp_exchange(server, q)
    assert not r.flags & dns.flags.TC
    assert len(raw) <= 512


# -- TCP ---------------------------------------------------------------------------------

def frame(q):
    w = q.to_wire()
    return struct.pack("!H", len(w)) + w


def test_tcp_two_byte_length_framing(server):
    q = make_query("www.example.com.", "A", qid=0x1111)
    with server.tcp_connect() as s:
        s.sendall(frame(q))
        (n,) = struct.unpack("!H", s.recv(2, socket.MSG_WAITALL))
        body = s.recv(n, socket.MSG_WAITALL)
        assert len(body) == n
    r = dns.message.from_wire(body)
    assert r.id == 0x1111 and r.answer[0][0].address == "192.0.2.80"


def test_tcp_length_prefix_split_across_writes(server):
    q = make_query("www.example.com.", "A", qid=0x1112)
    data = frame(q)
    with server.tcp_connect() as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for i in range(len(data)):
            s.sendall(data[i:i + 1])
            time.sleep(0.002)
        r = dns.message.from_wire(tcp_read_frame(s))
    assert r.id == 0x1112 and r.answer[0][0].address == "192.0.2.80"


def test_tcp_several_queries_on_one_connection(server):
    with server.tcp_connect() as s:
        for i, (name, addr) in enumerate([("www.example.com.", "192.0.2.80"), ("mail.example.com.", "192.0.2.25"),
                                          ("ns1.example.com.", "192.0.2.253")]):
            q = make_query(name, "A", qid=0x2000 + i)
            s.sendall(frame(q))
            r = dns.message.from_wire(tcp_read_frame(s))
            assert r.id == 0x2000 + i
            assert r.answer[0][0].address == addr


def test_tcp_pipelined_queries_in_one_send(server):
    names = {0x3000 + i: n for i, n in enumerate(
        ["www.example.com.", "mail.example.com.", "ns1.example.com.", "ns2.example.com.", "nope.example.com.",
         "big.example.com.", "c1.example.com.", "a.b.example.com."])}
    qs = {qid: make_query(n, "TXT" if n.startswith("big") else "A", qid=qid) for qid, n in names.items()}
    payload = b"".join(frame(q) for q in qs.values())
    with server.tcp_connect(timeout=5) as s:
        s.sendall(payload)
        got = {}
        for _ in qs:
            r = dns.message.from_wire(tcp_read_frame(s))
            got[r.id] = r
    assert set(got) == set(qs), "every pipelined query gets exactly one answer with its ID"
    for qid, r in got.items():
        assert r.question[0].name == qs[qid].question[0].name, "answer paired with the wrong question"
    assert got[0x3000].answer[0][0].address == "192.0.2.80"
    assert got[0x3004].rcode() == dns.rcode.NXDOMAIN
    assert txt_strings(got[0x3005]) == BIG_STRINGS


def test_tcp_idle_connection_closed_by_server(server):
    """tcp_idle_timeout_ms is 1000 in the test config."""
    with server.tcp_connect(timeout=6) as s:
        # still usable after a short pause
        time.sleep(0.3)
        q = make_query("www.example.com.", "A", qid=0x4000)
        s.sendall(frame(q))
        assert dns.message.from_wire(tcp_read_frame(s)).id == 0x4000
        t0 = time.monotonic()
        data = s.recv(1)   # blocks until the server closes (or the 6 s socket timeout)
        elapsed = time.monotonic() - t0
    assert data == b"", "server sent data on an idle connection"
    assert 0.5 <= elapsed <= 4.0, f"closed after {elapsed:.2f}s of idleness (timeout 1000 ms)"


def test_tcp_fresh_idle_connection_closed(server):
    with server.tcp_connect(timeout=6) as s:
        t0 = time.monotonic()
        data = s.recv(1)
        elapsed = time.monotonic() - t0
    assert data == b""
    assert elapsed <= 4.0


def test_tcp_partial_frame_then_idle_closed(server):
    q = make_query("www.example.com.", "A", qid=0x4100)
    data = frame(q)
    with server.tcp_connect(timeout=6) as s:
        s.sendall(data[: len(data) - 5])   # length says more is coming
        t0 = time.monotonic()
        got = s.recv(1)
        elapsed = time.monotonic() - t0
    assert got == b"", "no answer to an incomplete frame"
    assert elapsed <= 4.0, f"closed only after {elapsed:.2f}s"


def test_tcp_partial_length_prefix_then_idle_closed(server):
    with server.tcp_connect(timeout=6) as s:
        s.sendall(b"\x00")
        t0 = time.monotonic()
        got = s.recv(1)
        elapsed = time.monotonic() - t0
    assert got == b"" and elapsed <= 4.0


def test_tcp_still_serving_after_idle_closes(server):
    r = server.query("www.example.com.", "A", tcp=True)
    assert r.answer[0][0].address == "192.0.2.80"


def test_large_referral_truncated_without_edns(server):
    """12 NS + 24 glue records (~800 bytes) do not fit in 512 bytes: TC (RFC 9471: in-domain glue must fit)."""
    q = make_query("www.many.example.com.", "A", edns=-1)
    raw, r = udp_exchange(server, q)
    assert len(raw) <= 512
    assert r.flags & dns.flags.TC, f"referral of {len(raw)} bytes without TC:\n{r}"


def test_large_referral_complete_with_edns(server):
    q = make_query("www.many.example.com.", "A", edns=0, payload=1232)
    raw, r = udp_exchange(server, q)
    assert not r.flags & dns.flags.TC
    assert not r.flags & dns.flags.AA
    ns = [rr for rr in r.authority if rr.rdtype == 2]
    assert len(ns) == 1 and len(ns[0]) == len(zonedata.MANYNS)
    glue = {(rr.name.to_text().lower(), rr.rdtype) for rr in r.additional if rr.rdtype in (1, 28)}
    assert glue == {(n, t) for n in zonedata.MANYNS for t in (1, 28)}


def test_large_referral_over_tcp(server):
    q = make_query("www.many.example.com.", "A", edns=-1)
    r = server.tcp(q)
    assert not r.flags & dns.flags.TC
    glue = [rr for rr in r.additional if rr.rdtype in (1, 28)]
    assert len(glue) == 2 * len(zonedata.MANYNS)


def test_configured_max_udp_payload_and_reload(server_factory):
    """max_udp_payload: 600 caps a 4096-byte client buffer; a reload applies a new value (docs: reload
    applies everything but listen/threads/tcp_idle_timeout_ms)."""
    files = zonedata.standard_files()
    files["nearcast.yaml"] = "max_udp_payload: 600\n" + files["nearcast.yaml"]
    s = server_factory(files, v6=False)
    q = make_query("mid.example.com.", "TXT", edns=0, payload=4096)
    raw, r = udp_exchange(s, q)
    assert_truncated(q, raw, r, 600, with_opt=True)
    files["nearcast.yaml"] = files["nearcast.yaml"].replace("max_udp_payload: 600", "max_udp_payload: 1232")
    from e2e_helpers import write_files, wait_for
    write_files(s.dir, {"nearcast.yaml": files["nearcast.yaml"]})
    s.sighup()

    def fits():
        raw, r = udp_exchange(s, make_query("mid.example.com.", "TXT", edns=0, payload=4096))
        return not r.flags & dns.flags.TC and txt_strings(r) == MID_STRINGS
    wait_for(fits, 5, what="the reloaded max_udp_payload")


def test_512_boundary_exact(server):
    """Without EDNS a response of exactly 512 bytes is sent whole; 513 bytes gets TC. The full size is
    measured over TCP (same message, no truncation)."""
    seen_fit = seen_tc = False
    for n in zonedata.EDGE_SIZES:
        q = make_query(f"e{n}.example.com.", "TXT", edns=-1)
        w = q.to_wire()
        with server.tcp_connect() as c:
            c.sendall(struct.pack("!H", len(w)) + w)
            full = len(tcp_read_frame(c))
        raw, r = udp_exchange(server, q)
        if full <= 512:
            seen_fit = True
            assert not r.flags & dns.flags.TC, f"e{n}: {full}-byte answer fits in 512 but TC was set"
            assert len(raw) == full and len(r.answer) == 1
        else:
            seen_tc = True
            assert r.flags & dns.flags.TC, f"e{n}: {full}-byte answer sent without TC"
            assert len(raw) <= 512 and len(r.answer) == 0
    assert seen_fit and seen_tc, "the edge records should straddle 512 bytes"


def test_edns_payload_boundary_exact(server):
    """With EDNS payload P: a response of exactly P bytes fits, P-1 gets TC."""
    q = make_query("mid.example.com.", "TXT", edns=0, payload=1232)
    w = q.to_wire()
    with server.tcp_connect() as c:
        c.sendall(struct.pack("!H", len(w)) + w)
        full = len(tcp_read_frame(c))
    assert 512 < full < 1232
    raw, r = udp_exchange(server, make_query("mid.example.com.", "TXT", edns=0, payload=full))
    assert not r.flags & dns.flags.TC, f"{full}-byte answer with payload {full} truncated"
    assert len(raw) == full
    raw, r = udp_exchange(server, make_query("mid.example.com.", "TXT", edns=0, payload=full - 1))
    assert r.flags & dns.flags.TC, f"{full}-byte answer sent with payload {full - 1}"


def test_tcp_query_then_half_close_still_answered(server):
    """A client that sends its query and shuts down its write side still gets the answer."""
    q = make_query("www.example.com.", "A", qid=0x4200)
    with server.tcp_connect() as s:
        s.sendall(frame(q))
        s.shutdown(socket.SHUT_WR)
        r = dns.message.from_wire(tcp_read_frame(s))
    assert r.id == 0x4200 and r.answer[0][0].address == "192.0.2.80"
