"""ListResourceRecordSets: Route 53's order (reversed labels, then type, then set identifier), paging by
name/type/identifier, MaxItems capping, absolute names with Route 53's octal escaping."""

import pytest

from .api_helpers import (
    apply, assert_error, create, error_of, latency, list_all, rrset,
)


@pytest.fixture(scope="module")
def big(api, r53):
    """One zone with a mix of names, types and latency set identifiers."""
    z = api.new_zone(r53)
    n = z["name"]
    changes = [
        create(rrset(f"b.{n}", "A", ["192.0.2.1"])),
        create(rrset(f"a.b.{n}", "A", ["192.0.2.2"])),
        create(rrset(f"z.{n}", "TXT", ['"z"'])),
        create(rrset(f"a.{n}", "TXT", ['"a"'])),
        create(rrset(f"a.{n}", "MX", ["10 mx.example.net."])),
        create(rrset(f"a.{n}", "AAAA", ["2001:db8::1"])),
        create(rrset(f"a.{n}", "A", ["192.0.2.3"])),
        create(rrset(f"x.a.{n}", "A", ["192.0.2.4"])),
        create(rrset(f"mail.{n}", "CNAME", ["mx.example.net."])),
    ]
    for sid, region in [("s3", "us-east-1"), ("s1", "eu-west-1"), ("s2", "ap-southeast-1"),
                        ("s0", "us-west-2"), ("s4", "sa-east-1")]:
        changes.append(create(latency(f"m.{n}", "A", region, ["192.0.2.9"], set_id=sid)))
    apply(r53, z["id"], *changes)
    z["expected"] = [
        (n, "NS", None), (n, "SOA", None),
        (f"a.{n}", "A", None), (f"a.{n}", "AAAA", None), (f"a.{n}", "MX", None), (f"a.{n}", "TXT", None),
        (f"x.a.{n}", "A", None),
        (f"b.{n}", "A", None), (f"a.b.{n}", "A", None),
        (f"m.{n}", "A", "s0"), (f"m.{n}", "A", "s1"), (f"m.{n}", "A", "s2"), (f"m.{n}", "A", "s3"), (f"m.{n}", "A", "s4"),
        (f"mail.{n}", "CNAME", None),
        (f"z.{n}", "TXT", None),
    ]
    return z


def keys(sets):
    return [(s["Name"], s["Type"], s.get("SetIdentifier")) for s in sets]


def test_order(r53, big):
    r = r53.list_resource_record_sets(HostedZoneId=big["id"])
    assert r["IsTruncated"] is False
    assert r["MaxItems"] == "300"
    assert keys(r["ResourceRecordSets"]) == big["expected"]


@pytest.mark.parametrize("page", [1, 2, 3, 5])
def test_paging_covers_everything_once(r53, big, page):
    assert keys(list_all(r53, big["id"], page=page)) == big["expected"]


def test_page_boundary_inside_set_identifiers(r53, big):
    n = big["name"]
    r = r53.list_resource_record_sets(HostedZoneId=big["id"], StartRecordName=f"m.{n}", StartRecordType="A",
                                      StartRecordIdentifier="s1", MaxItems="2")
    assert keys(r["ResourceRecordSets"]) == [(f"m.{n}", "A", "s1"), (f"m.{n}", "A", "s2")]
    assert r["IsTruncated"] is True
    assert (r["NextRecordName"], r["NextRecordType"], r["NextRecordIdentifier"]) == (f"m.{n}", "A", "s3")
    assert r["MaxItems"] == "2"


def test_next_record_without_identifier(r53, big):
    n = big["name"]
    r = r53.list_resource_record_sets(HostedZoneId=big["id"], MaxItems="3")
    assert r["IsTruncated"] is True
    assert (r["NextRecordName"], r["NextRecordType"]) == (f"a.{n}", "AAAA")
    assert "NextRecordIdentifier" not in r


def test_start_name_only(r53, big):
    n = big["name"]
    r = r53.list_resource_record_sets(HostedZoneId=big["id"], StartRecordName=f"b.{n}")
    assert keys(r["ResourceRecordSets"]) == big["expected"][7:]


def test_start_name_that_does_not_exist(r53, big):
    """Listing starts at the first set after the name in Route 53's order."""
    n = big["name"]
    r = r53.list_resource_record_sets(HostedZoneId=big["id"], StartRecordName=f"c.{n}")
    assert keys(r["ResourceRecordSets"]) == big["expected"][9:]


def test_start_name_and_type(r53, big):
    n = big["name"]
    r = r53.list_resource_record_sets(HostedZoneId=big["id"], StartRecordName=f"a.{n}", StartRecordType="MX")
    assert keys(r["ResourceRecordSets"]) == big["expected"][4:]


def test_start_name_relative_and_uppercase(r53, big):
    n = big["name"]
    r = r53.list_resource_record_sets(HostedZoneId=big["id"], StartRecordName=f"B.{n}".upper().rstrip("."))
    assert keys(r["ResourceRecordSets"])[0] == (f"b.{n}", "A", None)


def test_type_without_name(r53, big):
    """2.11: InvalidInput with an empty message"""
    err = error_of(r53.list_resource_record_sets, HostedZoneId=big["id"], StartRecordType="A")
    assert_error(err, "InvalidInput", 400)
    assert err.message in ("", None), err


def test_unknown_zone(r53):
    err = error_of(r53.list_resource_record_sets, HostedZoneId="ZNOSUCHZONE0000005")
    assert_error(err, "NoSuchHostedZone", 404, "No hosted zone found with ID: ZNOSUCHZONE0000005")


def test_max_items_capped_at_300(api, r53):
    z = api.new_zone(r53)
    apply(r53, z["id"], *[create(rrset(f"h{i:03d}.{z['name']}", "A", ["192.0.2.1"])) for i in range(305)])
    r = r53.list_resource_record_sets(HostedZoneId=z["id"], MaxItems="1000")
    assert len(r["ResourceRecordSets"]) == 300
    assert r["IsTruncated"] is True
    assert r["MaxItems"] == "300"
    rest = r53.list_resource_record_sets(HostedZoneId=z["id"], StartRecordName=r["NextRecordName"],
                                         StartRecordType=r["NextRecordType"])
    assert len(rest["ResourceRecordSets"]) == 307 - 300 and rest["IsTruncated"] is False


def test_escaping_of_names(api, r53):
    z = api.new_zone(r53)
    n = z["name"]
    apply(r53, z["id"],
          create(rrset(f"*.{n}", "A", ["192.0.2.1"])),
          create(rrset(f"a/b.{n}", "A", ["192.0.2.2"])),
          create(rrset(f"under_score.{n}", "TXT", ['"u"'])),
          create(rrset(f"x\\100y.{n}", "A", ["192.0.2.3"])))   # octal escape \100 = '@' as input
    names = {s["Name"] for s in list_all(r53, z["id"])}
    assert f"\\052.{n}" in names
    assert f"a\\057b.{n}" in names
    assert f"under_score.{n}" in names
    assert f"x\\100y.{n}" in names
    assert all(x.endswith(".") and x == x.lower() for x in names)


def test_order_of_characters_before_the_dot(api, r53):
    """Route 53 sorts by the reversed name as a string, trailing dot included: 'a-b.' sorts before 'a.'
    because '-' (45) < '.' (46) (documented for ListResourceRecordSets)."""
    z = api.new_zone(r53)
    n = z["name"]
    apply(r53, z["id"], create(rrset(f"a.{n}", "A", ["192.0.2.1"])), create(rrset(f"a-b.{n}", "A", ["192.0.2.2"])))
    got = [s["Name"] for s in list_all(r53, z["id"]) if s["Type"] == "A"]
    assert got == [f"a-b.{n}", f"a.{n}"]
