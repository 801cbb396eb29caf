"""Header flags, question echo, case handling, REFUSED, transports."""

import socket
import struct
import time
from pathlib import Path

import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdatatype

from e2e_helpers import (IPV6, QR, RA, assert_response_basics, find_rrset, make_query, tcp_read_frame,
                         wire_header, wire_question)


def test_authoritative_answer_has_aa_qr_and_no_ra(server):
    q = make_query("www.example.com.", "A")
    r = server.udp(q)
    assert_response_basics(q, r)
    assert r.rcode() == dns.rcode.NOERROR
    assert r.flags & dns.flags.AA
    assert not r.flags & dns.flags.RA
    assert not r.flags & dns.flags.TC
    rrset = find_rrset(r.answer, "www.example.com.", "A")
    assert rrset is not None, r.to_text()
    assert [rd.address for rd in rrset] == ["192.0.2.80"]
    assert rrset.ttl == 300


def test_default_ttl_from_dollar_ttl(server):
    r = server.query("www.example.com.", "AAAA")
    rrset = find_rrset(r.answer, "www.example.com.", "AAAA")
    assert rrset is not None and rrset.ttl == 3600
    assert [rd.address for rd in rrset] == ["2001:db8::80"]


def test_ra_never_set_even_when_rd_requested(server):
    for name, t in [("www.example.com.", "A"), ("nope.example.com.", "A"), ("www.example.com.", "SRV"),
                    ("www.child.example.com.", "A"), ("www.not-served.invalid.", "A")]:
        q = make_query(name, t, rd=True)
        r = server.udp(q)
        assert not r.flags & dns.flags.RA, f"RA set for {name} {t}"
        assert r.flags & dns.flags.QR


def test_rd_flag_copied(server):
    """RFC 1035 4.1.1: RD is copied into the response."""
    q = make_query("www.example.com.", "A", rd=True)
    r = server.udp(q)
    assert r.flags & dns.flags.RD
    q = make_query("www.example.com.", "A", rd=False)
    r = server.udp(q)
    assert not r.flags & dns.flags.RD


def test_id_and_question_echoed_raw(server):
    """Byte-level check: ID, QDCOUNT and the question section are echoed exactly."""
    for qid in (0x0000, 0xBEEF, 0xFFFF):
        qsec = wire_question("www.example.com.", 1)
        wire = wire_header(qid=qid, flags=0) + qsec
        resp = server.udp_raw(wire)
        assert resp is not None, "no response"
        rid, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", resp[:12])
        assert rid == qid
        assert flags & QR
        assert not flags & RA
        assert qd == 1
        assert resp[12:12 + len(qsec)] == qsec
        assert an == 1


def test_case_insensitive_match_and_case_preserved(server):
    q = make_query("WwW.ExAmPlE.CoM.", "A")
    r = server.udp(q)
    assert_response_basics(q, r)
    assert r.rcode() == dns.rcode.NOERROR
    assert r.flags & dns.flags.AA
    assert r.question[0].name.to_text() == "WwW.ExAmPlE.CoM.", "question case not preserved"
    assert len(r.answer) == 1
    assert r.answer[0].name.to_text() == "WwW.ExAmPlE.CoM.", "answer owner must keep the query's case"
    assert [rd.address for rd in r.answer[0]] == ["192.0.2.80"]


def test_case_preserved_raw_bytes(server):
    """The question bytes in the reply are identical to what was sent (0x20 mixed case)."""
    qsec = wire_question("wWw.EXAMPLE.com.", 1)
    resp = server.udp_raw(wire_header(qid=77) + qsec)
    assert resp is not None
    assert resp[12:12 + len(qsec)] == qsec


def test_uppercase_nxdomain_keeps_case(server):
    q = make_query("NoPe.EXAMPLE.COM.", "A")
    r = server.udp(q)
    assert r.rcode() == dns.rcode.NXDOMAIN
    assert r.question[0].name.to_text() == "NoPe.EXAMPLE.COM."


def test_refused_for_name_outside_served_zones(server):
    for name in ("www.not-served.invalid.", "com.", "example.org.", "notexample.com."):
        q = make_query(name, "A")
        r = server.udp(q)
        assert_response_basics(q, r)
        assert r.rcode() == dns.rcode.REFUSED, f"{name}: {dns.rcode.to_text(r.rcode())}"
        assert not r.flags & dns.flags.AA, f"{name}: AA set on REFUSED"
        assert len(r.answer) == 0
        assert len(r.authority) == 0


def test_refused_for_root(server):
    q = make_query(".", "NS")
    r = server.udp(q)
    assert r.rcode() == dns.rcode.REFUSED
    assert not r.flags & dns.flags.AA


def test_soa_and_ns_at_apex(server):
    r = server.query("example.com.", "SOA")
    assert r.flags & dns.flags.AA
    soa = find_rrset(r.answer, "example.com.", "SOA")
    assert soa is not None
    rd = soa[0]
    assert rd.mname == dns.name.from_text("ns1.example.com.")
    assert rd.serial == 2024010101 and rd.minimum == 300
    r = server.query("example.com.", "NS")
    ns = find_rrset(r.answer, "example.com.", "NS")
    assert ns is not None
    assert {rd.target.to_text() for rd in ns} == {"ns1.example.com.", "ns2.example.com."}


def test_mx_answer(server):
    r = server.query("www.example.com.", "MX")
    mx = find_rrset(r.answer, "www.example.com.", "MX")
    assert mx is not None
    assert [(rd.preference, rd.exchange.to_text()) for rd in mx] == [(10, "mail.example.com.")]


def test_tcp_basic_answer(server):
    q = make_query("www.example.com.", "A")
    r = server.tcp(q)
    assert_response_basics(q, r)
    assert r.flags & dns.flags.AA
    assert [rd.address for rd in r.answer[0]] == ["192.0.2.80"]


def test_ipv6_transport_udp_and_tcp(server):
    assert IPV6, "::1 is not usable on this host; the IPv6 transport cannot be tested"
    for tcp in (False, True):
        q = make_query("www.example.com.", "AAAA")
        r = server.tcp(q, v6=True) if tcp else server.udp(q, v6=True)
        assert_response_basics(q, r)
        assert r.flags & dns.flags.AA
        assert [rd.address for rd in r.answer[0]] == ["2001:db8::80"]


def test_class_chaos_is_not_answered_as_in(server):
    """A query of class CH for an IN name must not get the IN data."""
    q = dns.message.make_query("www.example.com.", "A", rdclass="CH")
    q.flags = 0
    r = server.udp(q)
    assert r.flags & dns.flags.QR
    assert len(r.answer) == 0
    assert r.rcode() in (dns.rcode.REFUSED, dns.rcode.NOTIMP, dns.rcode.NXDOMAIN)


def test_many_sequential_udp_queries(server):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(2)
        for i in range(200):
            q = make_query("www.example.com.", "A", qid=i)
            s.sendto(q.to_wire(), server.addr())
            data, _ = s.recvfrom(65535)
            r = dns.message.from_wire(data)
            assert r.id == i
            assert r.answer and r.answer[0][0].address == "192.0.2.80"


def test_tcp_response_is_length_framed(server):
    q = make_query("www.example.com.", "A", qid=4242)
    wire = q.to_wire()
    with server.tcp_connect() as s:
        s.sendall(struct.pack("!H", len(wire)) + wire)
        frame = tcp_read_frame(s)
    r = dns.message.from_wire(frame)
    assert r.id == 4242
    assert r.answer[0][0].address == "192.0.2.80"


# -- ANY (RFC 8482) --------------------------------------------------------------------

def test_any_query_gets_minimal_answer(server):
    q = make_query("www.example.com.", "ANY")
    r = server.udp(q)
    assert_response_basics(q, r)
    assert r.rcode() == dns.rcode.NOERROR
    assert r.flags & dns.flags.AA
    assert len(r.answer) == 1, f"RFC 8482: one RRset, not all of them; got {len(r.answer)}:\n{r}"
    rrset = r.answer[0]
    assert rrset.name == dns.name.from_text("www.example.com.")
    assert rrset.rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA, dns.rdatatype.TXT, dns.rdatatype.MX,
                            dns.rdatatype.HINFO)
    if rrset.rdtype == dns.rdatatype.HINFO:
        assert rrset[0].cpu == b"RFC8482"


def test_any_query_on_nonexistent_name_is_nxdomain(server):
    r = server.query("nope.example.com.", "ANY")
    assert r.rcode() == dns.rcode.NXDOMAIN
    assert r.flags & dns.flags.AA


def test_z_and_ad_bits_clear_in_response(server):
    """RFC 1035: Z is zero in responses; RFC 6840 5.8: AD only for authenticated data (none here)."""
    q = make_query("www.example.com.", "A")
    q.flags |= dns.flags.AD | 0x0040
    r = server.udp(q)
    assert r.rcode() == dns.rcode.NOERROR
    assert not r.flags & 0x0040, "Z bit set in the response"
    assert not r.flags & dns.flags.AD, "AD set without DNSSEC validation"


def test_unknown_edns_flags_not_echoed(server):
    """RFC 6891 6.1.4: the Z flags of OPT are set to zero by senders."""
    q = make_query("www.example.com.", "A", edns=0)
    q.ednsflags |= 0x4000 | 0x0001
    r = server.udp(q)
    assert r.edns == 0
    assert r.ednsflags & 0x7FFF == 0, f"unknown EDNS flags echoed: {r.ednsflags:#x}"


def test_udp_threads_are_numbered_apart_across_listen_addresses(server):
    """Two listen addresses of two threads each: nearcast-udp0..3 in `top -H`, not 0, 1, 0, 1."""
    assert IPV6, "::1 is not usable on this host; the second listen address cannot be tested"
    expected = [f"nearcast-udp{i}" for i in range(4)]  # start_server: --threads 2, 127.0.0.1 and [::1]
    tasks = Path(f"/proc/{server.proc.pid}/task")
    for _ in range(50):  # each thread names itself as it starts
        udp = sorted(n for n in ((t / "comm").read_text().strip() for t in tasks.iterdir()) if n.startswith("nearcast-udp"))
        if udp == expected:
            break
        time.sleep(0.1)
    assert udp == expected
