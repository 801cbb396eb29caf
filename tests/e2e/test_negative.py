"""NXDOMAIN and NODATA (RFC 1034 4.3.2, RFC 2308)."""

import dns.flags
import dns.name
import dns.rcode
import dns.rdatatype

from e2e_helpers import find_rrset, make_query, assert_response_basics


def assert_negative(r, zone, rcode, ttl):
    assert r.rcode() == rcode, f"rcode {dns.rcode.to_text(r.rcode())}, want {dns.rcode.to_text(rcode)}\n{r}"
    assert r.flags & dns.flags.AA, "negative answers from the authority must have AA"
    assert len(r.answer) == 0, r.to_text()
    soa = find_rrset(r.authority, zone, "SOA")
    assert soa is not None, f"no SOA of {zone} in authority:\n{r}"
    assert len(soa) == 1
    assert soa.ttl == ttl, f"negative SOA TTL {soa.ttl}, want {ttl} (min(SOA TTL, MINIMUM), RFC 2308 3)"
    others = [rr for rr in r.authority if rr.rdtype != dns.rdatatype.SOA]
    assert others == [], f"unexpected records in authority: {others}"


def test_nxdomain_has_aa_and_soa(server):
    q = make_query("nope.example.com.", "A")
    r = server.udp(q)
    assert_response_basics(q, r)
    assert_negative(r, "example.com.", dns.rcode.NXDOMAIN, 300)


def test_nxdomain_soa_ttl_is_minimum_when_minimum_smaller(server):
    # example.com.: SOA TTL 3600, MINIMUM 300
    r = server.query("does.not.exist.example.com.", "AAAA")
    assert_negative(r, "example.com.", dns.rcode.NXDOMAIN, 300)


def test_nxdomain_soa_ttl_is_soa_ttl_when_ttl_smaller(server):
    # soattl.test.: SOA TTL 60, MINIMUM 3600
    r = server.query("nope.soattl.test.", "A")
    assert_negative(r, "soattl.test.", dns.rcode.NXDOMAIN, 60)


def test_nodata_has_aa_and_soa(server):
    r = server.query("www.example.com.", "SRV")
    assert_negative(r, "example.com.", dns.rcode.NOERROR, 300)


def test_nodata_soa_ttl_is_soa_ttl_when_ttl_smaller(server):
    r = server.query("ns.soattl.test.", "AAAA")
    assert_negative(r, "soattl.test.", dns.rcode.NOERROR, 60)


def test_nodata_at_apex(server):
    r = server.query("example.com.", "TXT")
    assert_negative(r, "example.com.", dns.rcode.NOERROR, 300)


def test_empty_non_terminal_is_nodata(server):
    # only a.b.example.com exists
    r = server.query("b.example.com.", "A")
    assert_negative(r, "example.com.", dns.rcode.NOERROR, 300)
    r = server.query("B.Example.Com.", "TXT")
    assert_negative(r, "example.com.", dns.rcode.NOERROR, 300)


def test_name_under_empty_non_terminal_is_nxdomain(server):
    r = server.query("x.b.example.com.", "A")
    assert_negative(r, "example.com.", dns.rcode.NXDOMAIN, 300)


def test_existing_name_under_ent_answers(server):
    r = server.query("a.b.example.com.", "A")
    assert r.rcode() == dns.rcode.NOERROR
    assert [rd.address for rd in r.answer[0]] == ["192.0.2.11"]


def test_nxdomain_below_existing_leaf(server):
    r = server.query("foo.www.example.com.", "A")
    assert_negative(r, "example.com.", dns.rcode.NXDOMAIN, 300)


def test_negative_soa_owner_is_zone_apex_not_qname(server):
    r = server.query("nope.example.com.", "A")
    soa = r.authority[0]
    assert soa.name == dns.name.from_text("example.com.")
    assert soa[0].mname == dns.name.from_text("ns1.example.com.")
    assert soa[0].minimum == 300


def test_empty_non_terminal_of_latency_name_is_nodata(server):
    # only the latency record svc.region.example.com exists
    r = server.query("region.example.com.", "A")
    assert_negative(r, "example.com.", dns.rcode.NOERROR, 300)
    r = server.query("svc.region.example.com.", "A", ecs=("10.1.0.0", 24))
    assert {rd.address for rd in r.answer[0]} == {"192.0.2.62"}
    r = server.query("x.svc.region.example.com.", "A")
    assert_negative(r, "example.com.", dns.rcode.NXDOMAIN, 300)
