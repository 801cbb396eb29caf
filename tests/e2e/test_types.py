"""Every supported RR type round-trips from the zone file to the wire (RFC 1035, 3596, 2782, 3403, 4034,
4255, 6698, 8659, 9460, 3597 for unknown types)."""

import dns.flags
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import pytest

import zonedata
from e2e_helpers import find_rrset, make_query, assert_response_basics, start_server

ORIGIN = dns.name.from_text("types.test.")


@pytest.fixture(scope="module")
def types_server(tmp_path_factory):
    s = start_server(tmp_path_factory.mktemp("types"), zonedata.types_files(), v6=False)
    yield s
    s.stop()


def expected_rdatas(rtype, texts):
    t = dns.rdatatype.from_text(rtype)
    return {dns.rdata.from_text(dns.rdataclass.IN, t, txt, origin=ORIGIN, relativize=False) for txt in texts}


@pytest.mark.parametrize("owner,rtype,ttl,texts", zonedata.TYPES_RECORDS,
                         ids=[f"{r[1]}" for r in zonedata.TYPES_RECORDS])
def test_type_round_trip(types_server, owner, rtype, ttl, texts):
    qname = dns.name.from_text(owner, origin=ORIGIN)
    q = make_query(qname, rtype, edns=0)
    r = types_server.udp(q)
    assert_response_basics(q, r)
    assert r.rcode() == dns.rcode.NOERROR
    assert r.flags & dns.flags.AA, f"{rtype}: AA not set"
    rrset = find_rrset(r.answer, qname, rtype)
    assert rrset is not None, f"no {rtype} RRset in answer:\n{r}"
    assert rrset.ttl == ttl
    got = set(rrset)
    want = expected_rdatas(rtype, texts)
    assert got == want, f"{rtype}: got {[rd.to_text() for rd in got]}, want {[rd.to_text() for rd in want]}"


def test_type_round_trip_over_tcp(types_server):
    for owner, rtype, ttl, texts in zonedata.TYPES_RECORDS:
        qname = dns.name.from_text(owner, origin=ORIGIN)
        r = types_server.tcp(make_query(qname, rtype))
        rrset = find_rrset(r.answer, qname, rtype)
        assert rrset is not None, f"{rtype} over TCP"
        assert set(rrset) == expected_rdatas(rtype, texts)


def test_txt_multi_string_order_preserved(types_server):
    r = types_server.query("txt.types.test.", "TXT")
    assert r.answer[0][0].strings == (b"hello world", b"v=DKIM1; k=rsa", b'with "quote"')


def test_unknown_type_rdata_bytes(types_server):
    r = types_server.query("unknown.types.test.", 65400)
    rd = r.answer[0][0]
    assert rd.rdtype == 65400
    assert rd.to_wire() == bytes.fromhex("0a000001")


def test_multiline_soa_parsed(types_server):
    r = types_server.query("types.test.", "SOA")
    soa = r.answer[0][0]
    assert (soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum) == (2024010101, 7200, 3600, 1209600, 300)
    assert soa.mname == dns.name.from_text("ns.types.test.")
    assert soa.rname == dns.name.from_text("hostmaster.types.test.")


def test_owner_inherited_from_previous_line(types_server):
    r = types_server.query("types.test.", "NS")
    ns = find_rrset(r.answer, "types.test.", "NS")
    assert ns is not None
    assert [rd.target.to_text() for rd in ns] == ["ns.types.test."]


def test_ds_at_delegation_is_authoritative(types_server):
    r = types_server.query("sec.types.test.", "DS")
    assert r.flags & dns.flags.AA
    assert find_rrset(r.answer, "sec.types.test.", "DS") is not None


def test_unknown_type_query_for_absent_type_is_nodata(types_server):
    r = types_server.query("a.types.test.", 65401)
    assert r.rcode() == dns.rcode.NOERROR
    assert not r.answer
    assert find_rrset(r.authority, "types.test.", "SOA") is not None


def test_mx_target_not_compressed_wrongly(types_server):
    """The rdata names decode to the right targets when the response is compressed."""
    r = types_server.query("mx.types.test.", "MX")
    assert {(rd.preference, rd.exchange.to_text()) for rd in r.answer[0]} == {
        (10, "mail.types.test."), (20, "mail2.types.test.")}


@pytest.mark.parametrize("qname,rtype,ttl,texts", zonedata.SYNTAX_EXPECT, ids=[e[0].split(".")[0] for e in zonedata.SYNTAX_EXPECT])
def test_master_file_syntax_variants(types_server, qname, rtype, ttl, texts):
    r = types_server.query(qname, rtype)
    assert r.rcode() == dns.rcode.NOERROR
    rrset = find_rrset(r.answer, qname, rtype)
    assert rrset is not None, r.to_text()
    assert rrset.ttl == ttl
    assert set(rrset) == expected_rdatas(rtype, texts)
