"""ChangeResourceRecordSets: CREATE, UPSERT, DELETE of simple, latency and alias sets; atomicity;
policies Nearcast does not answer yet are refused cleanly."""

import dns.rcode
import pytest

from .api_helpers import (
    AP_CLIENT, EU_CLIENT, OTHER_CLIENT, REGION_A, addresses, apply, assert_error, batch_error, create, delete,
    find, latency, list_all, non_apex, rrset, upsert, values, wait_insync,
)


def test_create_latency_sets_in_three_regions(api, r53, zone):
    name = f"www.{zone['name']}"
    ci = apply(r53, zone["id"], *[create(latency(name, "A", reg, [ip])) for reg, ip in REGION_A.items()],
               comment="three regions")
    assert ci["Comment"] == "three regions"
    assert ci["Id"].startswith("/change/C")
    sets = non_apex(list_all(r53, zone["id"]), zone["name"])
    assert [(s["Name"], s["Type"], s["SetIdentifier"]) for s in sets] == [
        (name, "A", "ap-southeast-1"), (name, "A", "eu-west-1"), (name, "A", "us-east-1")]
    for s in sets:
        assert s["Region"] == s["SetIdentifier"]
        assert s["TTL"] == 60
        assert values(s) == [REGION_A[s["Region"]]]
    wait_insync(r53, ci["Id"])
    assert addresses(api.dns(name, ecs=(EU_CLIENT, 24))) == {REGION_A["eu-west-1"]}
    assert addresses(api.dns(name, ecs=(AP_CLIENT, 24))) == {REGION_A["ap-southeast-1"]}
    assert addresses(api.dns(name, ecs=(OTHER_CLIENT, 24))) == {REGION_A["us-east-1"]}
    assert addresses(api.dns(name)) == {REGION_A["us-east-1"]}   # 127.0.0.1 is in no prefix


def test_many_types_round_trip(api, r53, zone):
    z = zone["name"]
    want = {
        (f"a.{z}", "A"): ["192.0.2.1", "192.0.2.2"],
        (f"a.{z}", "AAAA"): ["2001:db8::1"],
        (f"a.{z}", "TXT"): ['"hello world"', '"two" "strings"'],
        (f"a.{z}", "MX"): ["10 mail.example.net."],
        (f"c.{z}", "CNAME"): ["target.example.net."],
        (f"_sip._tcp.{z}", "SRV"): ["10 60 5060 sip.example.net."],
        (f"a.{z}", "CAA"): ['0 issue "letsencrypt.org"'],
        (f"p.{z}", "PTR"): ["host.example.net."],
    }
    ci = apply(r53, zone["id"], *[create(rrset(n, t, v, ttl=300)) for (n, t), v in want.items()])
    sets = non_apex(list_all(r53, zone["id"]), z)
    got = {(s["Name"], s["Type"]): values(s) for s in sets}
    assert got == {k: sorted(v) for k, v in want.items()}
    assert all(s["TTL"] == 300 for s in sets)
    wait_insync(r53, ci["Id"])
    assert addresses(api.dns(f"a.{z}")) == {"192.0.2.1", "192.0.2.2"}
    assert addresses(api.dns(f"a.{z}", "AAAA"), "AAAA") == {"2001:db8::1"}
    r = api.dns(f"a.{z}", "TXT")
    assert sorted(b"".join(rd.strings) for rrs in r.answer for rd in rrs) == [b"hello world", b"twostrings"]
    r = api.dns(f"c.{z}", "A")
    assert r.answer and r.answer[0].rdtype == 5   # CNAME
    r = api.dns(f"_sip._tcp.{z}", "SRV")
    assert [rd.to_text() for rrs in r.answer for rd in rrs] == ["10 60 5060 sip.example.net."]


def test_upsert_creates_then_replaces(api, r53, zone):
    name = f"up.{zone['name']}"
    apply(r53, zone["id"], upsert(rrset(name, "A", ["192.0.2.10"], ttl=30)))
    s = find(list_all(r53, zone["id"]), name, "A")
    assert values(s) == ["192.0.2.10"] and s["TTL"] == 30
    ci = apply(r53, zone["id"], upsert(rrset(name, "A", ["192.0.2.11", "192.0.2.12"], ttl=120)))
    s = find(list_all(r53, zone["id"]), name, "A")
    assert values(s) == ["192.0.2.11", "192.0.2.12"] and s["TTL"] == 120
    wait_insync(r53, ci["Id"])
    r = api.dns(name)
    assert addresses(r) == {"192.0.2.11", "192.0.2.12"}
    assert r.answer[0].ttl == 120


def test_upsert_latency_set(api, r53, zone):
    name = f"lat.{zone['name']}"
    apply(r53, zone["id"], *[create(latency(name, "A", reg, [ip])) for reg, ip in REGION_A.items()])
    ci = apply(r53, zone["id"], upsert(latency(name, "A", "eu-west-1", ["198.51.100.9"])))
    s = find(list_all(r53, zone["id"]), name, "A", "eu-west-1")
    assert values(s) == ["198.51.100.9"]
    wait_insync(r53, ci["Id"])
    assert addresses(api.dns(name, ecs=(EU_CLIENT, 24))) == {"198.51.100.9"}
    assert addresses(api.dns(name, ecs=(AP_CLIENT, 24))) == {REGION_A["ap-southeast-1"]}


def test_delete_requires_the_current_values_in_any_order(api, r53, zone):
    name = f"del.{zone['name']}"
    apply(r53, zone["id"], create(rrset(name, "A", ["192.0.2.1", "192.0.2.2"])))
    ci = apply(r53, zone["id"], delete(rrset(name, "A", ["192.0.2.2", "192.0.2.1"])))
    assert find(list_all(r53, zone["id"]), name, "A") is None
    wait_insync(r53, ci["Id"])
    assert api.dns(name).rcode() == dns.rcode.NXDOMAIN


def test_delete_one_latency_region_falls_back(api, r53, zone):
    name = f"fb.{zone['name']}"
    apply(r53, zone["id"], *[create(latency(name, "A", reg, [ip])) for reg, ip in REGION_A.items()])
    ci = apply(r53, zone["id"], delete(latency(name, "A", "eu-west-1", [REGION_A["eu-west-1"]])))
    wait_insync(r53, ci["Id"])
    # 10.1/16 ranks eu-west-1, us-east-1, ap-southeast-1: now us-east-1
    assert addresses(api.dns(name, ecs=(EU_CLIENT, 24))) == {REGION_A["us-east-1"]}


def test_delete_then_create_same_set_in_one_batch(api, r53, zone):
    name = f"swap.{zone['name']}"
    apply(r53, zone["id"], create(rrset(name, "A", ["192.0.2.1"])))
    apply(r53, zone["id"], delete(rrset(name, "A", ["192.0.2.1"])), create(rrset(name, "A", ["192.0.2.99"], ttl=99)))
    s = find(list_all(r53, zone["id"]), name, "A")
    assert values(s) == ["192.0.2.99"] and s["TTL"] == 99


def test_names_are_stored_lowercase_and_absolute(api, r53, zone):
    base = zone["name"].rstrip(".")
    apply(r53, zone["id"], create(rrset(f"MiXeD.{base.upper()}", "A", ["192.0.2.5"])))
    assert find(list_all(r53, zone["id"]), f"mixed.{zone['name']}", "A") is not None


def test_batch_is_atomic(api, r53, zone):
    """A valid CREATE beside a failing DELETE: nothing is applied, nothing is served."""
    ok = rrset(f"atomic.{zone['name']}", "A", ["192.0.2.1"])
    bad = rrset(f"missing.{zone['name']}", "A", ["192.0.2.2"])
    before = list_all(r53, zone["id"])
    err = batch_error(r53, zone["id"], create(ok), delete(bad))
    assert_error(err, "InvalidChangeBatch", 400,
                 f"[Tried to delete resource record set [name='missing.{zone['name']}', type='A'] but it was not found]")
    assert list_all(r53, zone["id"]) == before
    assert api.dns(ok["Name"]).rcode() == dns.rcode.NXDOMAIN


def test_alias_to_same_zone_is_stored_and_answered(api, r53, zone):
    z = zone["name"]
    target = f"target.{z}"
    apply(r53, zone["id"], *[create(latency(target, "A", reg, [ip])) for reg, ip in REGION_A.items()],
          create(rrset(f"plain.{z}", "A", ["192.0.2.50"])))
    alias = {"HostedZoneId": zone["id"], "DNSName": target, "EvaluateTargetHealth": False}
    ci = apply(r53, zone["id"], create(rrset(f"alias.{z}", "A", alias=alias)),
               create(rrset(z, "A", alias={"HostedZoneId": zone["id"], "DNSName": f"plain.{z}",
                                            "EvaluateTargetHealth": False})))
    sets = list_all(r53, zone["id"])
    a = find(sets, f"alias.{z}", "A")
    assert a is not None and "TTL" not in a and "ResourceRecords" not in a
    assert a["AliasTarget"]["DNSName"] == target
    assert a["AliasTarget"]["HostedZoneId"].rsplit("/", 1)[-1] == zone["id"]
    assert a["AliasTarget"]["EvaluateTargetHealth"] is False
    assert find(sets, z, "A")["AliasTarget"]["DNSName"] == f"plain.{z}"
    wait_insync(r53, ci["Id"])
    # an alias is answered with the target's data, as an A record at the alias name (no CNAME)
    r = api.dns(f"alias.{z}", ecs=(EU_CLIENT, 24))
    assert addresses(r) == {REGION_A["eu-west-1"]}
    assert all(rrs.name.to_text() == f"alias.{z}" for rrs in r.answer)
    assert addresses(api.dns(f"alias.{z}", ecs=(AP_CLIENT, 24))) == {REGION_A["ap-southeast-1"]}
    assert addresses(api.dns(z)) == {"192.0.2.50"}   # alias at the apex


def test_alias_to_missing_target(api, r53, zone):
    z = zone["name"]
    alias = {"HostedZoneId": zone["id"], "DNSName": f"nothing.{z}", "EvaluateTargetHealth": False}
    err = batch_error(r53, zone["id"], create(rrset(f"al.{z}", "A", alias=alias)))
    assert_error(err, "InvalidChangeBatch", 400,
                 f"[Tried to create an alias that targets nothing.{z}, type A in zone {zone['id']}, "
                 f"but that target was not found]")
    assert non_apex(list_all(r53, zone["id"]), z) == []


def test_alias_to_other_zone_is_refused(api, r53, zone):
    other = api.new_zone(r53)
    apply(r53, other["id"], create(rrset(f"t.{other['name']}", "A", ["192.0.2.1"])))
    alias = {"HostedZoneId": other["id"], "DNSName": f"t.{other['name']}", "EvaluateTargetHealth": False}
    before = list_all(r53, zone["id"])
    err = batch_error(r53, zone["id"], create(rrset(f"x.{zone['name']}", "A", alias=alias)))
    assert_error(err, "InvalidInput", 400)
    assert err.message
    assert list_all(r53, zone["id"]) == before
    # an AWS service target (CloudFront's zone) is refused as well
    cf = {"HostedZoneId": "Z2FDTNDATAQYW2", "DNSName": "d111111abcdef8.cloudfront.net.", "EvaluateTargetHealth": False}
    assert_error(batch_error(r53, zone["id"], create(rrset(f"cf.{zone['name']}", "A", alias=cf))), "InvalidInput", 400)
    assert list_all(r53, zone["id"]) == before


def test_geolocation_is_refused(api, r53, zone):
    """Geolocation routing is not answered yet: refused whole, never stored."""
    name = f"pol.{zone['name']}"
    before = list_all(r53, zone["id"])
    policy = {"GeoLocation": {"CountryCode": "DE"}}
    s = rrset(name, "A", ["192.0.2.1"], set_id="one", **policy)
    err = batch_error(r53, zone["id"], create(s), create(rrset(f"ok.{zone['name']}", "A", ["192.0.2.2"])))
    assert_error(err, "InvalidInput", 400)
    assert list(policy)[0] in err.message, f"the message should name the policy: {err!r}"
    assert list_all(r53, zone["id"]) == before
    assert api.dns(f"ok.{zone['name']}").rcode() == dns.rcode.NXDOMAIN


def test_wildcard_names(api, r53, zone):
    z = zone["name"]
    ci = apply(r53, zone["id"], create(rrset(f"*.w.{z}", "A", ["192.0.2.77"])))
    sets = list_all(r53, zone["id"])
    assert find(sets, f"\\052.w.{z}", "A") is not None, [s["Name"] for s in sets]
    wait_insync(r53, ci["Id"])
    assert addresses(api.dns(f"anything.w.{z}")) == {"192.0.2.77"}
    # the escaped form addresses the same set
    apply(r53, zone["id"], delete(rrset(f"\\052.w.{z}", "A", ["192.0.2.77"])))
    assert find(list_all(r53, zone["id"]), f"\\052.w.{z}", "A") is None


def test_change_to_unknown_zone(api, r53):
    err = batch_error(r53, "ZNOSUCHZONE0000004", create(rrset("a.example.com.", "A", ["192.0.2.1"])))
    assert_error(err, "NoSuchHostedZone", 404, "No hosted zone found with ID: ZNOSUCHZONE0000004")
