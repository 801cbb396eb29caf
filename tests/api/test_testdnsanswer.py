"""TestDNSAnswer: the same engine as DNS; resolverip, edns0clientsubnetip and edns0clientsubnetmask."""

import pytest

from .api_helpers import (
    AP_CLIENT, EU_CLIENT, OTHER_CLIENT, REGION_A, XMLNS, addresses, apply, assert_error, create, error_of, latency,
    raw_request, rrset, wait_insync,
)


@pytest.fixture(scope="module")
def tz(api, r53):
    z = api.new_zone(r53)
    n = z["name"]
    ci = apply(r53, z["id"], *[create(latency(f"www.{n}", "A", reg, [ip])) for reg, ip in REGION_A.items()],
               create(rrset(f"static.{n}", "A", ["192.0.2.100", "192.0.2.101"])),
               create(rrset(f"alias-cn.{n}", "CNAME", [f"static.{n}"])),
               create(rrset(f"txt.{n}", "TXT", ['"hello"'])))
    wait_insync(r53, ci["Id"])
    return z


def answer(r53, zone, name, rtype="A", **kw):
    r = r53.test_dns_answer(HostedZoneId=zone["id"], RecordName=name, RecordType=rtype, **kw)
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    return r


@pytest.mark.parametrize("resolver,region", [
    ("10.1.200.9", "eu-west-1"), ("10.2.0.1", "ap-southeast-1"), ("198.51.100.1", "us-east-1"),
])
def test_resolver_ip_picks_region(r53, tz, resolver, region):
    r = answer(r53, tz, f"www.{tz['name']}", ResolverIP=resolver)
    assert r["RecordData"] == [REGION_A[region]]
    assert r["ResponseCode"] == "NOERROR"
    assert r["RecordName"] == f"www.{tz['name']}"
    assert r["RecordType"] == "A"
    assert r["Protocol"] in ("UDP", "TCP")
    assert r["Nameserver"]


def test_ecs_wins_over_resolver(r53, tz):
    r = answer(r53, tz, f"www.{tz['name']}", ResolverIP="10.1.0.1", EDNS0ClientSubnetIP=AP_CLIENT,
               EDNS0ClientSubnetMask="24")
    assert r["RecordData"] == [REGION_A["ap-southeast-1"]]
    r = answer(r53, tz, f"www.{tz['name']}", ResolverIP="10.2.0.1", EDNS0ClientSubnetIP=EU_CLIENT)
    assert r["RecordData"] == [REGION_A["eu-west-1"]]


def test_ecs_mask_is_honoured(r53, tz):
    """10.1.7.9 masked to /8 is 10.0.0.0/8, which is not inside 10.1.0.0/16: default order (us-east-1)."""
    r = answer(r53, tz, f"www.{tz['name']}", EDNS0ClientSubnetIP="10.1.7.9", EDNS0ClientSubnetMask="8")
    assert r["RecordData"] == [REGION_A["us-east-1"]]
    r = answer(r53, tz, f"www.{tz['name']}", EDNS0ClientSubnetIP="10.1.7.9", EDNS0ClientSubnetMask="16")
    assert r["RecordData"] == [REGION_A["eu-west-1"]]


@pytest.mark.parametrize("client", [EU_CLIENT, AP_CLIENT, OTHER_CLIENT, "10.1.255.0", "10.3.0.0"])
def test_same_answer_as_dns(api, r53, tz, client):
    for name in (f"www.{tz['name']}", f"static.{tz['name']}"):
        r = answer(r53, tz, name, EDNS0ClientSubnetIP=client, EDNS0ClientSubnetMask="24")
        d = api.dns(name, ecs=(client, 24))
        assert set(r["RecordData"]) == addresses(d), (name, client)


def test_nxdomain_and_nodata(r53, tz):
    r = answer(r53, tz, f"missing.{tz['name']}")
    assert r["ResponseCode"] == "NXDOMAIN" and r["RecordData"] == []
    r = answer(r53, tz, f"static.{tz['name']}", "AAAA")
    assert r["ResponseCode"] == "NOERROR" and r["RecordData"] == []


def test_other_types(r53, tz):
    assert answer(r53, tz, f"txt.{tz['name']}", "TXT")["RecordData"] == ['"hello"']
    r = answer(r53, tz, tz["name"], "NS")
    assert sorted(r["RecordData"]) == ["ns1.nearcast-test.net.", "ns2.nearcast-test.net."]
    r = answer(r53, tz, f"alias-cn.{tz['name']}", "CNAME")
    assert r["RecordData"] == [f"static.{tz['name']}"]


def test_unknown_zone(r53):
    err = error_of(r53.test_dns_answer, HostedZoneId="ZNOSUCHZONE0000006", RecordName="a.example.com",
                   RecordType="A")
    assert_error(err, "NoSuchHostedZone", 404, "No hosted zone found with ID: ZNOSUCHZONE0000006")


def test_bad_record_type(r53, tz):
    err = error_of(r53.test_dns_answer, HostedZoneId=tz["id"], RecordName=f"www.{tz['name']}", RecordType="BOGUS")
    assert_error(err, "InvalidInput", 400)
    assert "BOGUS" in err.message


def test_bad_resolver_ip(r53, tz):
    err = error_of(r53.test_dns_answer, HostedZoneId=tz["id"], RecordName=f"www.{tz['name']}", RecordType="A",
                   ResolverIP="not.an.ip")
    assert_error(err, "InvalidInput", 400)


def test_bad_ecs_mask(r53, tz):
    err = error_of(r53.test_dns_answer, HostedZoneId=tz["id"], RecordName=f"www.{tz['name']}", RecordType="A",
                   EDNS0ClientSubnetIP="10.1.0.0", EDNS0ClientSubnetMask="33")
    assert_error(err, "InvalidInput", 400)


def test_routing_steps_explain_the_answer(api, r53, tz):
    """Nearcast adds RoutingSteps to TestDNSAnswerResponse (SDKs ignore it): a weighted alias over the latency
    group shows both choices, outermost first."""
    n = tz["name"]
    wait_insync(r53, apply(r53, tz["id"], create(rrset(
        f"top.{n}", "A", set_id="all", Weight=5,
        alias={"HostedZoneId": tz["id"], "DNSName": f"www.{n}", "EvaluateTargetHealth": True})))["Id"])
    # boto3 parses the response as usual
    assert answer(r53, tz, f"top.{n}", ResolverIP="10.1.200.9")["RecordData"] == [REGION_A["eu-west-1"]]
    raw = raw_request(api, "GET", "/2013-04-01/testdnsanswer",
                      query={"hostedzoneid": tz["id"], "recordname": f"top.{n}", "recordtype": "A", "resolverip": "10.1.200.9"})
    assert raw.status == 200, raw
    ns = {"r": XMLNS}
    steps = raw.root.findall("r:RoutingSteps/r:RoutingStep", ns)
    assert [(s.findtext("r:Name", namespaces=ns), s.findtext("r:Policy", namespaces=ns)) for s in steps] == [
        (f"top.{n}", "weighted"), (f"www.{n}", "latency")]
    assert steps[0].findtext("r:Chosen/r:SetIdentifier", namespaces=ns) == "all"
    assert steps[1].findtext("r:Chosen/r:SetIdentifier", namespaces=ns) == "eu-west-1"
    assert steps[1].findtext("r:AllUnhealthy", namespaces=ns) == "false"
    assert steps[1].findall("r:Skipped/r:SkippedSet", ns) == []
