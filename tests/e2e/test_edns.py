"""EDNS(0) (RFC 6891) and the ECS option in non-latency answers (RFC 7871)."""

import dns.edns
import dns.flags
import dns.rcode

from e2e_helpers import find_rrset, get_ecs, make_query, assert_response_basics


def test_opt_in_response_when_query_had_opt(server):
    q = make_query("www.example.com.", "A", edns=0, payload=1232)
    r = server.udp(q)
    assert_response_basics(q, r)
    assert r.edns == 0, "response must carry an OPT RR when the query did"
    assert r.payload >= 512
    assert r.answer[0][0].address == "192.0.2.80"


def test_no_opt_in_response_when_query_had_none(server):
    q = make_query("www.example.com.", "A", edns=-1)
    r = server.udp(q)
    assert r.edns == -1, "no OPT RR in a response to a query without one"
    assert not r.options


def test_no_opt_in_nxdomain_without_edns(server):
    r = server.query("nope.example.com.", "A", edns=-1)
    assert r.edns == -1


def test_opt_in_negative_and_referral_responses(server):
    for name in ("nope.example.com.", "www.child.example.com.", "www.not-served.invalid."):
        r = server.query(name, "A", edns=0)
        assert r.edns == 0, f"{name}: no OPT in the response"


def test_badvers_for_edns_version_1(server):
    q = make_query("www.example.com.", "A", edns=1)
    r = server.udp(q)
    assert r.id == q.id and r.flags & dns.flags.QR
    assert r.rcode() == dns.rcode.BADVERS, f"rcode {dns.rcode.to_text(r.rcode())}, want BADVERS (16)"
    assert r.edns == 0, "the BADVERS reply carries the version the server supports (0)"
    assert len(r.answer) == 0


def test_badvers_over_tcp(server):
    q = make_query("www.example.com.", "A", edns=1)
    r = server.tcp(q)
    assert r.rcode() == dns.rcode.BADVERS
    assert r.edns == 0


def test_unknown_option_ignored_and_not_echoed(server):
    unknown = dns.edns.GenericOption(65001, b"\x01\x02\x03")
    q = make_query("www.example.com.", "A", options=[unknown])
    r = server.udp(q)
    assert_response_basics(q, r)
    assert r.rcode() == dns.rcode.NOERROR
    assert r.answer[0][0].address == "192.0.2.80"
    assert r.edns == 0
    assert all(o.otype != 65001 for o in r.options), "unknown options must not be echoed"


def test_unknown_option_beside_ecs(server):
    unknown = dns.edns.GenericOption(65002, b"")
    q = make_query("www.example.com.", "A", options=[unknown], ecs=("10.2.0.0", 24))
    r = server.udp(q)
    assert [o.otype for o in r.options] == [dns.edns.OptionType.ECS]


def test_do_bit_copied(server):
    r = server.query("www.example.com.", "A", want_dnssec=True)
    assert r.ednsflags & dns.flags.DO, "DO bit must be copied into the response (RFC 3225)"
    r = server.query("www.example.com.", "A", edns=0, want_dnssec=False)
    assert not r.ednsflags & dns.flags.DO


def test_do_bit_copied_on_nxdomain(server):
    r = server.query("nope.example.com.", "A", want_dnssec=True)
    assert r.rcode() == dns.rcode.NXDOMAIN
    assert r.ednsflags & dns.flags.DO


def test_static_answer_with_ecs_has_scope_zero(server):
    q = make_query("www.example.com.", "A", ecs=("10.1.0.0", 24))
    r = server.udp(q)
    assert r.answer[0][0].address == "192.0.2.80"
    ecs = get_ecs(r)
    assert ecs is not None, "ECS must be echoed when the query had ECS"
    assert (ecs.family, ecs.srclen, ecs.address) == (1, 24, "10.1.0.0")
    assert ecs.scopelen == 0, "a static answer is valid for every client: scope 0"


def test_nxdomain_with_ecs_has_scope_zero(server):
    r = server.query("nope.example.com.", "A", ecs=("10.1.0.0", 24))
    assert r.rcode() == dns.rcode.NXDOMAIN
    ecs = get_ecs(r)
    assert ecs is not None and ecs.scopelen == 0


def test_nodata_with_ecs_has_scope_zero(server):
    r = server.query("www.example.com.", "SRV", ecs=("2001:db8:1::", 48))
    assert r.rcode() == dns.rcode.NOERROR and not r.answer
    ecs = get_ecs(r)
    assert ecs is not None and ecs.scopelen == 0
    assert (ecs.family, ecs.srclen) == (2, 48)


def test_nodata_for_latency_name_other_type_with_ecs(server):
    r = server.query("geo.example.com.", "TXT", ecs=("10.1.0.0", 24))
    assert r.rcode() == dns.rcode.NOERROR and not r.answer
    assert find_rrset(r.authority, "example.com.", "SOA") is not None
    ecs = get_ecs(r)
    assert ecs is not None and ecs.scopelen == 0


def test_payload_size_below_512_treated_as_512(server):
    """RFC 6891 6.2.5: values below 512 are treated as 512."""
    q = make_query("mid.example.com.", "TXT", edns=0, payload=100)
    r = server.udp(q)
    # ~850-byte answer: does not fit in 512 -> TC, but a small answer must still come back whole
    assert r.flags & dns.flags.TC
    q = make_query("www.example.com.", "A", edns=0, payload=100)
    r = server.udp(q)
    assert not r.flags & dns.flags.TC
    assert r.answer[0][0].address == "192.0.2.80"
