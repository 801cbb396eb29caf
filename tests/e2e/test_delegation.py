"""Delegations / referrals (RFC 1034 4.3.2 step 3b, RFC 4035 3.1.4.1 for DS)."""

import dns.flags
import dns.name
import dns.rcode
import dns.rdatatype

from e2e_helpers import find_rrset, make_query, assert_response_basics, get_ecs

CHILD_NS = {"ns1.child.example.com.", "ns2.child.example.com.", "ns.outside.invalid."}


def assert_child_referral(r):
    assert r.rcode() == dns.rcode.NOERROR, dns.rcode.to_text(r.rcode())
    assert not r.flags & dns.flags.AA, "a referral is not authoritative"
    assert len(r.answer) == 0, r.to_text()
    ns = find_rrset(r.authority, "child.example.com.", "NS")
    assert ns is not None, f"no child NS RRset in authority:\n{r}"
    assert {rd.target.to_text().lower() for rd in ns} == CHILD_NS
    assert find_rrset(r.authority, "example.com.", "SOA") is None, "no SOA in a referral"
    glue_a = find_rrset(r.additional, "ns1.child.example.com.", "A")
    glue_aaaa = find_rrset(r.additional, "ns1.child.example.com.", "AAAA")
    glue2 = find_rrset(r.additional, "ns2.child.example.com.", "A")
    assert glue_a is not None and [rd.address for rd in glue_a] == ["192.0.2.53"], r.to_text()
    assert glue_aaaa is not None and [rd.address for rd in glue_aaaa] == ["2001:db8::53"], r.to_text()
    assert glue2 is not None and [rd.address for rd in glue2] == ["192.0.2.54"], r.to_text()
    outside = [rr for rr in r.additional if rr.name == dns.name.from_text("ns.outside.invalid.")]
    assert outside == [], "no glue for out-of-bailiwick name servers"


def test_referral_below_delegation(server):
    q = make_query("www.child.example.com.", "A")
    r = server.udp(q)
    assert_response_basics(q, r)
    assert_child_referral(r)


def test_referral_deep_below_delegation(server):
    r = server.query("a.b.c.child.example.com.", "AAAA")
    assert_child_referral(r)


def test_referral_at_delegation_point(server):
    r = server.query("child.example.com.", "A")
    assert_child_referral(r)


def test_ns_query_at_delegation_point_is_referral(server):
    r = server.query("child.example.com.", "NS")
    assert_child_referral(r)


def test_glue_name_itself_gets_referral(server):
    """ns1.child.example.com is below the cut: its A is glue, not authoritative data."""
    r = server.query("ns1.child.example.com.", "A")
    assert_child_referral(r)


def test_referral_over_tcp(server):
    r = server.query("www.child.example.com.", "A", tcp=True)
    assert_child_referral(r)


def test_referral_case_insensitive(server):
    r = server.query("WWW.CHILD.Example.Com.", "A")
    assert_child_referral(r)


def test_ds_at_delegation_answered_by_parent(server):
    q = make_query("signed.example.com.", "DS")
    r = server.udp(q)
    assert_response_basics(q, r)
    assert r.rcode() == dns.rcode.NOERROR
    assert r.flags & dns.flags.AA, "DS is parent-side data: authoritative answer"
    ds = find_rrset(r.answer, "signed.example.com.", "DS")
    assert ds is not None, r.to_text()
    assert ds[0].key_tag == 12345 and ds[0].algorithm == 13 and ds[0].digest_type == 2
    assert ds[0].digest.hex().upper() == "2BB183AF5F22588179A53B0A98631FAD1A292118F5DF3C0E0D6C8C1D9C0E3C3D"


def test_ds_nodata_at_delegation_without_ds(server):
    r = server.query("child.example.com.", "DS")
    assert r.rcode() == dns.rcode.NOERROR
    assert r.flags & dns.flags.AA
    assert len(r.answer) == 0
    soa = find_rrset(r.authority, "example.com.", "SOA")
    assert soa is not None, f"DS NODATA needs the parent's SOA:\n{r}"
    assert soa.ttl == 300
    assert find_rrset(r.authority, "child.example.com.", "NS") is None


def test_ds_below_delegation_is_referral(server):
    r = server.query("x.child.example.com.", "DS")
    assert_child_referral(r)


def test_other_type_at_signed_delegation_is_referral(server):
    r = server.query("signed.example.com.", "A")
    assert not r.flags & dns.flags.AA
    assert len(r.answer) == 0
    ns = find_rrset(r.authority, "signed.example.com.", "NS")
    assert ns is not None
    glue = find_rrset(r.additional, "ns1.signed.example.com.", "A")
    assert glue is not None and glue[0].address == "192.0.2.55"


def test_referral_with_ecs_has_scope_zero(server):
    r = server.query("www.child.example.com.", "A", ecs=("10.1.0.0", 24))
    assert not r.flags & dns.flags.AA
    ecs = get_ecs(r)
    assert ecs is not None, "ECS must be echoed"
    assert ecs.scopelen == 0


# -- a child zone served by the same server ----------------------------------------------

def test_child_zone_served_here_answers_authoritatively(server):
    r = server.query("www.inner.example.com.", "A")
    assert r.flags & dns.flags.AA, "the most specific served zone answers, not the parent's referral"
    assert r.rcode() == dns.rcode.NOERROR
    assert [rd.address for rd in r.answer[0]] == ["192.0.2.150"]


def test_child_zone_apex_ns_and_soa_from_child(server):
    r = server.query("inner.example.com.", "SOA")
    assert r.flags & dns.flags.AA
    soa = find_rrset(r.answer, "inner.example.com.", "SOA")
    assert soa is not None and soa[0].serial == 7
    r = server.query("inner.example.com.", "NS")
    assert r.flags & dns.flags.AA
    assert find_rrset(r.answer, "inner.example.com.", "NS") is not None


def test_child_zone_nxdomain_uses_child_soa(server):
    r = server.query("nope.inner.example.com.", "A")
    assert r.rcode() == dns.rcode.NXDOMAIN
    soa = find_rrset(r.authority, "inner.example.com.", "SOA")
    assert soa is not None and soa.ttl == 120, r.to_text()


def test_ds_at_child_apex_answered_from_parent(server):
    """RFC 4035 3.1.4.1: DS belongs to the parent side; a server authoritative for both answers it
    from the parent zone."""
    r = server.query("inner.example.com.", "DS")
    assert r.flags & dns.flags.AA
    ds = find_rrset(r.answer, "inner.example.com.", "DS")
    assert ds is not None, f"DS must come from the parent zone:\n{r}"
    assert ds[0].key_tag == 2222
