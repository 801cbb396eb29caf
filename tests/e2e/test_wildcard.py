"""Wildcards (RFC 1034 4.3.3, RFC 4592)."""

import dns.flags
import dns.name
import dns.rcode
import dns.rdatatype

from e2e_helpers import find_rrset, make_query, assert_response_basics


def addrs(r):
    return sorted(rd.address for rr in r.answer if rr.rdtype == dns.rdatatype.A for rd in rr)


def assert_nodata(r):
    assert r.rcode() == dns.rcode.NOERROR, dns.rcode.to_text(r.rcode())
    assert r.flags & dns.flags.AA
    assert len(r.answer) == 0, r.to_text()
    assert find_rrset(r.authority, "wild.test.", "SOA") is not None


def assert_nxdomain(r):
    assert r.rcode() == dns.rcode.NXDOMAIN, dns.rcode.to_text(r.rcode())
    assert r.flags & dns.flags.AA
    assert len(r.answer) == 0, r.to_text()
    assert find_rrset(r.authority, "wild.test.", "SOA") is not None


def test_wildcard_synthesizes_owner_as_qname(server):
    q = make_query("anything.wild.test.", "A")
    r = server.udp(q)
    assert_response_basics(q, r)
    assert r.rcode() == dns.rcode.NOERROR
    assert r.flags & dns.flags.AA
    assert len(r.answer) == 1
    assert r.answer[0].name.to_text() == "anything.wild.test.", "owner must be the query name, not *.wild.test"
    assert addrs(r) == ["192.0.2.100"]
    assert r.answer[0].ttl == 300


def test_wildcard_owner_keeps_query_case(server):
    r = server.query("AnyThing.Wild.TEST.", "A")
    assert r.answer[0].name.to_text() == "AnyThing.Wild.TEST."


def test_wildcard_other_type(server):
    r = server.query("foo.wild.test.", "TXT")
    assert r.answer[0].name.to_text() == "foo.wild.test."
    assert [s for rd in r.answer[0] for s in rd.strings] == [b"wild"]


def test_wildcard_nodata_for_missing_type(server):
    r = server.query("anything.wild.test.", "AAAA")
    assert_nodata(r)


def test_existing_name_not_wildcard_matched(server):
    r = server.query("exists.wild.test.", "A")
    assert addrs(r) == ["192.0.2.101"]
    # TXT exists at the wildcard but exists.wild.test has no TXT: NODATA, not the wildcard's TXT
    r = server.query("exists.wild.test.", "TXT")
    assert_nodata(r)


def test_empty_non_terminal_blocks_wildcard(server):
    r = server.query("ent.wild.test.", "A")
    assert_nodata(r)


def test_name_below_existing_name_without_own_wildcard_is_nxdomain(server):
    # closest encloser is exists.wild.test; *.exists.wild.test does not exist (RFC 4592 3.3.1)
    r = server.query("x.exists.wild.test.", "A")
    assert_nxdomain(r)
    # closest encloser is the ENT ent.wild.test; *.ent.wild.test does not exist
    r = server.query("x.ent.wild.test.", "A")
    assert_nxdomain(r)


def test_multi_label_match(server):
    r = server.query("a.b.wild.test.", "A")
    assert r.rcode() == dns.rcode.NOERROR
    assert r.answer[0].name.to_text() == "a.b.wild.test."
    assert addrs(r) == ["192.0.2.100"]


def test_literal_asterisk_query(server):
    r = server.query("*.wild.test.", "A")
    assert r.rcode() == dns.rcode.NOERROR
    assert r.answer[0].name.to_text() == "*.wild.test."
    assert addrs(r) == ["192.0.2.100"]


def test_wildcard_cname(server):
    q = make_query("host.cn.wild.test.", "A")
    r = server.udp(q)
    assert_response_basics(q, r)
    assert r.rcode() == dns.rcode.NOERROR
    assert r.flags & dns.flags.AA
    cn = find_rrset(r.answer, "host.cn.wild.test.", "CNAME")
    assert cn is not None, r.to_text()
    assert cn[0].target == dns.name.from_text("target.wild.test.")
    assert r.answer[0].rdtype == dns.rdatatype.CNAME, "CNAME must come first"
    a = find_rrset(r.answer, "target.wild.test.", "A")
    assert a is not None and [rd.address for rd in a] == ["192.0.2.103"]


def test_wildcard_cname_qtype_cname(server):
    r = server.query("other.cn.wild.test.", "CNAME")
    assert len(r.answer) == 1
    assert r.answer[0].name.to_text() == "other.cn.wild.test."
    assert r.answer[0][0].target == dns.name.from_text("target.wild.test.")


def test_wildcard_not_applied_below_zone_cut(server):
    q = make_query("x.sub.wild.test.", "A")
    r = server.udp(q)
    assert_response_basics(q, r)
    assert r.rcode() == dns.rcode.NOERROR
    assert not r.flags & dns.flags.AA, "referral must not have AA"
    assert len(r.answer) == 0, f"wildcard applied below a zone cut:\n{r}"
    ns = find_rrset(r.authority, "sub.wild.test.", "NS")
    assert ns is not None, r.to_text()


def test_wildcard_not_applied_at_zone_cut(server):
    r = server.query("sub.wild.test.", "A")
    assert len(r.answer) == 0
    assert not r.flags & dns.flags.AA
    assert find_rrset(r.authority, "sub.wild.test.", "NS") is not None


def test_wildcard_with_ecs_has_scope_zero(server):
    from e2e_helpers import get_ecs
    r = server.query("anything.wild.test.", "A", ecs=("10.1.0.0", 24))
    ecs = get_ecs(r)
    assert ecs is not None and ecs.scopelen == 0


def test_latency_name_blocks_wildcard(server):
    """lat.wild.test exists (as a latency record): A gets the latency answer, TXT is NODATA rather than
    the wildcard's TXT, and names below it are NXDOMAIN."""
    r = server.query("lat.wild.test.", "A", ecs=("10.1.0.0", 24))
    assert addrs(r) == ["192.0.2.72"]
    r = server.query("lat.wild.test.", "TXT")
    assert_nodata(r)
    r = server.query("x.lat.wild.test.", "A")
    assert_nxdomain(r)
