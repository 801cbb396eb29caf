"""CNAME processing (RFC 1034 4.3.2, RFC 2308 for negative answers after a CNAME)."""

import dns.flags
import dns.rcode
import dns.rdatatype

from e2e_helpers import find_rrset, make_query, assert_response_basics


def chain(r):
    """The answer section as [(owner, type, target-or-address)] in order."""
    out = []
    for rrset in r.answer:
        for rd in rrset:
            if rrset.rdtype == dns.rdatatype.CNAME:
                out.append((rrset.name.to_text().lower(), "CNAME", rd.target.to_text().lower()))
            else:
                out.append((rrset.name.to_text().lower(), dns.rdatatype.to_text(rrset.rdtype), rd.to_text()))
    return out


def test_chain_followed_in_zone_in_order(server):
    q = make_query("c1.example.com.", "A")
    r = server.udp(q)
    assert_response_basics(q, r)
    assert r.rcode() == dns.rcode.NOERROR
    assert r.flags & dns.flags.AA
    assert chain(r) == [
        ("c1.example.com.", "CNAME", "c2.example.com."),
        ("c2.example.com.", "CNAME", "c3.example.com."),
        ("c3.example.com.", "A", "192.0.2.30"),
    ]


def test_chain_first_owner_keeps_query_case(server):
    r = server.query("C1.Example.COM.", "A")
    assert r.answer[0].name.to_text() == "C1.Example.COM."
    assert len(chain(r)) == 3


def test_cname_ttls(server):
    r = server.query("c4.example.com.", "A")
    assert chain(r) == [("c4.example.com.", "CNAME", "c3.example.com."), ("c3.example.com.", "A", "192.0.2.30")]
    assert all(rr.ttl == 3600 for rr in r.answer)


def test_chain_to_nodata_target(server):
    r = server.query("c4.example.com.", "AAAA")
    assert r.rcode() == dns.rcode.NOERROR
    assert r.flags & dns.flags.AA
    assert chain(r) == [("c4.example.com.", "CNAME", "c3.example.com.")]
    assert find_rrset(r.authority, "example.com.", "SOA") is not None, "NODATA after CNAME needs the SOA"


def test_chain_to_missing_name_is_nxdomain_with_cnames(server):
    r = server.query("dangle2.example.com.", "A")
    assert r.rcode() == dns.rcode.NXDOMAIN, "RFC 6604: rcode reflects the last name in the chain"
    assert r.flags & dns.flags.AA
    assert chain(r) == [
        ("dangle2.example.com.", "CNAME", "dangle.example.com."),
        ("dangle.example.com.", "CNAME", "nothere.example.com."),
    ]
    soa = find_rrset(r.authority, "example.com.", "SOA")
    assert soa is not None and soa.ttl == 300


def test_chain_to_out_of_zone_target(server):
    r = server.query("ext2.example.com.", "A")
    assert r.rcode() == dns.rcode.NOERROR
    assert r.flags & dns.flags.AA
    assert chain(r) == [
        ("ext2.example.com.", "CNAME", "ext.example.com."),
        ("ext.example.com.", "CNAME", "target.outside.invalid."),
    ]
    assert len(r.authority) == 0 or all(rr.rdtype != dns.rdatatype.SOA for rr in r.authority), \
        "an out-of-zone target is not a negative answer: no SOA"


def test_cname_loop_terminates(server):
    q = make_query("loop1.example.com.", "A")
    r = server.udp(q, timeout=3)
    assert_response_basics(q, r)
    assert r.rcode() == dns.rcode.NOERROR
    got = chain(r)
    assert ("loop1.example.com.", "CNAME", "loop2.example.com.") in got
    assert ("loop2.example.com.", "CNAME", "loop1.example.com.") in got
    assert all(t == "CNAME" for _, t, _ in got)
    assert len(got) <= 16, f"loop expanded to {len(got)} records"
    # and the server keeps working
    r = server.query("www.example.com.", "A")
    assert r.answer[0][0].address == "192.0.2.80"


def test_cname_self_loop_terminates(server):
    r = server.query("self.example.com.", "A", tcp=True)
    assert r.rcode() == dns.rcode.NOERROR
    assert chain(r)[0] == ("self.example.com.", "CNAME", "self.example.com.")
    assert len(chain(r)) <= 16


def test_qtype_cname_returns_cname_itself(server):
    r = server.query("c1.example.com.", "CNAME")
    assert r.rcode() == dns.rcode.NOERROR
    assert r.flags & dns.flags.AA
    assert chain(r) == [("c1.example.com.", "CNAME", "c2.example.com.")]


def test_qtype_cname_on_dangling_cname_is_noerror(server):
    r = server.query("dangle.example.com.", "CNAME")
    assert r.rcode() == dns.rcode.NOERROR
    assert chain(r) == [("dangle.example.com.", "CNAME", "nothere.example.com.")]


def test_cname_chain_over_tcp_same_as_udp(server):
    ru = server.query("c1.example.com.", "A")
    rt = server.query("c1.example.com.", "A", tcp=True)
    assert chain(ru) == chain(rt)


def test_cname_into_delegation_gives_cname_plus_referral(server):
    """RFC 1034 4.3.2: after the CNAME, the new name is below a zone cut -> the referral goes in authority."""
    r = server.query("tochild.example.com.", "A")
    assert r.rcode() == dns.rcode.NOERROR
    assert chain(r) == [("tochild.example.com.", "CNAME", "www.child.example.com.")]
    ns = find_rrset(r.authority, "child.example.com.", "NS")
    assert ns is not None, f"no referral after the CNAME:\n{r}"
    assert find_rrset(r.authority, "example.com.", "SOA") is None
    assert find_rrset(r.additional, "ns1.child.example.com.", "A") is not None
