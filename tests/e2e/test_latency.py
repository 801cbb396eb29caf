"""Latency record sets: ranking by network, ECS echo and scope (RFC 7871), fallbacks."""

import dns.flags
import dns.rcode
import pytest

from e2e_helpers import IPV6, addresses, get_ecs, make_query, assert_response_basics
from zonedata import GEO_A, GEO_AAAA


def ecs_query(server, prefix, srclen, rdtype="A", name="geo.example.com.", tcp=False):
    q = make_query(name, rdtype, ecs=(prefix, srclen))
    r = server.tcp(q) if tcp else server.udp(q)
    assert_response_basics(q, r)
    assert r.rcode() == dns.rcode.NOERROR
    assert r.flags & dns.flags.AA
    return r


def assert_ecs(r, family, srclen, address, scope):
    ecs = get_ecs(r)
    assert ecs is not None, "response to an ECS query must carry ECS"
    assert ecs.family == family
    assert ecs.srclen == srclen, "SOURCE PREFIX-LENGTH must be echoed"
    assert ecs.address == address, "ADDRESS must be echoed"
    assert ecs.scopelen == scope, f"scope {ecs.scopelen}, want {scope}"


@pytest.mark.parametrize("prefix,region,scope", [
    ("10.1.0.0", "eu-west-2", 23),       # 10.1.0.0/24 + 10.1.1.0/24 same ranking -> /23
    ("10.1.1.0", "eu-west-2", 23),
    ("10.2.0.0", "ap-northeast-1", 24),  # adjacent /24s with different rankings
    ("10.2.1.0", "us-east-1", 24),
    ("10.3.5.0", "ap-northeast-1", 24),  # more specific inside 10.3.0.0/16
    ("10.3.200.0", "eu-west-2", 17),     # rest of the /16: widest block not touching 10.3.5.0/24
    ("10.3.4.0", "eu-west-2", 24),       # sibling of the more specific /24
    ("10.4.1.0", "eu-west-2", 24),       # same ranking as 10.4.2.0/24 but not CIDR-aligned
    ("10.4.2.0", "eu-west-2", 24),
    ("10.6.7.0", "ap-northeast-1", 16),  # same order as its covering /16 -> the /16 is one block
    ("10.6.200.0", "ap-northeast-1", 16),
])
def test_ecs_picks_region_and_scope(server, prefix, region, scope):
    r = ecs_query(server, prefix, 24)
    assert addresses(r) == GEO_A[region], f"{prefix}/24 should get {region}"
    assert_ecs(r, 1, 24, prefix, scope)
    assert r.answer[0].ttl == 60


def test_different_networks_get_different_answers(server):
    seen = {frozenset(addresses(ecs_query(server, p, 24))) for p in ("10.1.0.0", "10.2.0.0", "10.2.1.0", "10.7.0.0")}
    assert len(seen) == 4


def test_ecs_longer_source_prefix(server):
    r = ecs_query(server, "10.2.1.77", 32)
    assert addresses(r) == GEO_A["us-east-1"]
    assert_ecs(r, 1, 32, "10.2.1.77", 24)


def test_ecs_source_prefix_zero_uses_source_address(server):
    """RFC 7871 7.1.2: SOURCE PREFIX-LENGTH 0 -> answer from the query's source (127.0.0.1, in 127/8 ->
    sa-east-1) and SCOPE 0."""
    r = ecs_query(server, "0.0.0.0", 0)
    assert addresses(r) == GEO_A["sa-east-1"]
    assert_ecs(r, 1, 0, "0.0.0.0", 0)


def test_no_ecs_uses_source_address_and_sends_no_ecs(server):
    q = make_query("geo.example.com.", "A", edns=0)
    r = server.udp(q)
    assert addresses(r) == GEO_A["sa-east-1"], "127.0.0.1 is in 127.0.0.0/8 -> sa-east-1"
    assert get_ecs(r) is None, "no ECS in the reply when the query had none"
    q = make_query("geo.example.com.", "A", edns=-1)
    r = server.udp(q)
    assert addresses(r) == GEO_A["sa-east-1"]
    assert r.edns == -1


def test_multi_value_set(server):
    r = server.query("geo.example.com.", "A")
    assert len(r.answer) == 1 and len(r.answer[0]) == 2
    assert addresses(r) == {"192.0.2.4", "192.0.2.44"}


def test_client_not_in_map_gets_default_regions(server):
    r = ecs_query(server, "203.0.113.0", 24)
    assert addresses(r) == GEO_A["us-east-1"], "default_regions starts with us-east-1"
    ecs = get_ecs(r)
    assert ecs is not None
    assert 1 <= ecs.scopelen <= 24, f"scope {ecs.scopelen}: must not claim the answer is valid for everyone"


def test_unranked_first_region_is_skipped(server):
    # 10.9.0.0/24 ranks ca-central-1 first, but geo has no ca-central-1 set -> eu-west-2 (next ranked)
    r = ecs_query(server, "10.9.0.0", 24)
    assert addresses(r) == GEO_A["eu-west-2"]


def test_declared_custom_region(server):
    r = ecs_query(server, "10.7.0.0", 24)
    assert addresses(r) == GEO_A["dc-paris"]


def test_record_without_set_for_best_region_uses_next(server):
    # geo6 has no dc-paris set: 10.7.0.0/24 ranks dc-paris, eu-west-2 -> eu-west-2
    r = ecs_query(server, "10.7.0.0", 24, rdtype="AAAA", name="geo6.example.com.")
    assert addresses(r, "AAAA") == GEO_AAAA["eu-west-2"]
    assert r.answer[0].ttl == 30


@pytest.mark.parametrize("prefix,region", [("2001:db8:1::", "ap-northeast-1"), ("2001:db8:2::", "sa-east-1")])
def test_ipv6_ecs(server, prefix, region):
    r = ecs_query(server, prefix, 48)
    assert addresses(r) == GEO_A[region]
    assert_ecs(r, 2, 48, prefix, 48)
    r = ecs_query(server, prefix, 48, rdtype="AAAA", name="geo6.example.com.")
    assert addresses(r, "AAAA") == GEO_AAAA[region]
    assert_ecs(r, 2, 48, prefix, 48)


@pytest.mark.parametrize("prefix", ["2001:db8:4::", "2001:db8:5::"])
def test_ipv6_ecs_merged_scope(server, prefix):
    r = ecs_query(server, prefix, 48)
    assert addresses(r) == GEO_A["eu-west-2"]
    assert_ecs(r, 2, 48, prefix, 47)


def test_ipv6_ecs_not_in_map(server):
    r = ecs_query(server, "2001:db8:ff00::", 40)
    assert addresses(r) == GEO_A["us-east-1"]
    ecs = get_ecs(r)
    assert ecs.family == 2 and ecs.srclen == 40 and ecs.scopelen >= 1


def test_ipv6_source_address_without_ecs(server):
    assert IPV6, "::1 not usable"
    # ::1 is not in the map -> default_regions (us-east-1)
    q = make_query("geo.example.com.", "A")
    r = server.udp(q, v6=True)
    assert addresses(r) == GEO_A["us-east-1"]


def test_latency_answer_tcp_same_as_udp(server):
    for prefix in ("10.1.0.0", "10.2.0.0", "10.2.1.0", "10.3.200.0"):
        ru = ecs_query(server, prefix, 24)
        rt = ecs_query(server, prefix, 24, tcp=True)
        assert addresses(ru) == addresses(rt)
        assert get_ecs(ru).scopelen == get_ecs(rt).scopelen
        assert ru.answer[0].ttl == rt.answer[0].ttl


def test_latency_answer_no_ecs_tcp_same_as_udp(server):
    ru = server.query("geo.example.com.", "A")
    rt = server.query("geo.example.com.", "A", tcp=True)
    assert addresses(ru) == addresses(rt) == GEO_A["sa-east-1"]


def test_latency_name_case_insensitive(server):
    r = ecs_query(server, "10.2.0.0", 24, name="GEO.Example.COM.")
    assert r.answer[0].name.to_text() == "GEO.Example.COM."
    assert addresses(r) == GEO_A["ap-northeast-1"]


def test_latency_aaaa_with_ipv4_ecs(server):
    """The ECS family decides the lookup, not the record type."""
    r = ecs_query(server, "10.1.0.0", 24, rdtype="AAAA", name="geo6.example.com.")
    assert addresses(r, "AAAA") == GEO_AAAA["eu-west-2"]
    assert_ecs(r, 1, 24, "10.1.0.0", 23)


def test_cname_to_latency_name_uses_latency_scope(server):
    """geoalias CNAME geo: the final answer depends on the client, so the scope is the latency scope,
    not 0 (a CNAME is static, but the answer as a whole is not)."""
    r = ecs_query(server, "10.1.0.0", 24, name="geoalias.example.com.")
    assert r.answer[0].rdtype == 5 and r.answer[0].name.to_text() == "geoalias.example.com."
    assert addresses(r) == GEO_A["eu-west-2"]
    assert_ecs(r, 1, 24, "10.1.0.0", 23)
    r = ecs_query(server, "10.2.0.0", 24, name="geoalias.example.com.")
    assert addresses(r) == GEO_A["ap-northeast-1"]
    assert_ecs(r, 1, 24, "10.2.0.0", 24)


def test_cname_to_latency_name_without_ecs(server):
    r = server.query("geoalias.example.com.", "A")
    assert addresses(r) == GEO_A["sa-east-1"]


def test_any_on_latency_name(server):
    r = ecs_query(server, "10.2.0.0", 24, rdtype="ANY")
    assert len(r.answer) <= 1
    if r.answer and r.answer[0].rdtype == 1:
        assert addresses(r) == GEO_A["ap-northeast-1"], "ANY must not leak another region's answer"


def test_ipv6_ecs_source_prefix_zero_uses_source_address(server):
    """Family 2, SOURCE PREFIX-LENGTH 0 over IPv4 transport: the source address (127.0.0.1) decides."""
    r = ecs_query(server, "::", 0)
    assert addresses(r) == GEO_A["sa-east-1"]
    assert_ecs(r, 2, 0, "::", 0)
