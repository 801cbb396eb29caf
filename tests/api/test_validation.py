"""ChangeResourceRecordSets validation: every rule of the issue, compared with Route 53's error code,
HTTP status and message (/work/notes/route53-errors.md, section numbers in the test docstrings).
After every rejected batch the zone is unchanged."""

import pytest

from .api_helpers import (
    apply, assert_error, batch_error, create, delete, latency, list_all, rrset, upsert,
)


@pytest.fixture
def z(api, r53, zone):
    """A zone holding: www A (simple), cn CNAME, lat A latency in us-east-1 and eu-west-1, txt TXT."""
    n = zone["name"]
    apply(r53, zone["id"],
          create(rrset(f"www.{n}", "A", ["192.0.2.1"], ttl=300)),
          create(rrset(f"cn.{n}", "CNAME", ["target.example.net."])),
          create(latency(f"lat.{n}", "A", "us-east-1", ["192.0.2.11"], set_id="use1")),
          create(latency(f"lat.{n}", "A", "eu-west-1", ["192.0.2.12"], set_id="euw1")),
          create(rrset(f"txt.{n}", "TXT", ['"v=1"'])))
    zone["before"] = list_all(r53, zone["id"])
    return zone


@pytest.fixture
def rejected(r53, z):
    """Calls ChangeResourceRecordSets expecting an error, then checks that the zone did not change."""
    def run(*changes, client=None):
        err = batch_error(client or r53, z["id"], *changes)
        assert list_all(r53, z["id"]) == z["before"], "a rejected batch changed the zone"
        return err
    return run


def test_create_existing_set(z, rejected):
    """1.1"""
    err = rejected(create(rrset(f"www.{z['name']}", "A", ["192.0.2.1"], ttl=300)))
    assert_error(err, "InvalidChangeBatch", 400,
                 f"[Tried to create resource record set [name='www.{z['name']}', type='A'] but it already exists]")


def test_create_existing_set_with_identifier(z, rejected):
    """1.1 with a set identifier"""
    err = rejected(create(latency(f"lat.{z['name']}", "A", "ap-southeast-1", ["192.0.2.13"], set_id="use1")))
    assert_error(err, "InvalidChangeBatch", 400,
                 f"[Tried to create resource record set [name='lat.{z['name']}', type='A', set-identifier='use1'] "
                 f"but it already exists]")


def test_delete_missing_set(z, rejected):
    """1.2"""
    err = rejected(delete(rrset(f"nope.{z['name']}", "A", ["192.0.2.1"])))
    assert_error(err, "InvalidChangeBatch", 400,
                 f"[Tried to delete resource record set [name='nope.{z['name']}', type='A'] but it was not found]")


def test_delete_with_different_values(z, rejected):
    """1.3"""
    err = rejected(delete(rrset(f"www.{z['name']}", "A", ["192.0.2.2"], ttl=300)))
    assert_error(err, "InvalidChangeBatch", 400,
                 f"[Tried to delete resource record set [name='www.{z['name']}', type='A'] "
                 f"but the values provided do not match the current values]")


def test_delete_with_different_ttl(z, rejected):
    """1.3 (TTL differs)"""
    err = rejected(delete(rrset(f"www.{z['name']}", "A", ["192.0.2.1"], ttl=60)))
    assert_error(err, "InvalidChangeBatch", 400,
                 f"[Tried to delete resource record set [name='www.{z['name']}', type='A'] "
                 f"but the values provided do not match the current values]")


def test_cname_beside_other_data(z, rejected):
    """1.4"""
    err = rejected(create(rrset(f"www.{z['name']}", "CNAME", ["elsewhere.example.net."])))
    assert_error(err, "InvalidChangeBatch", 400,
                 f"[RRSet of type CNAME with DNS name www.{z['name']} is not permitted as it conflicts with other "
                 f"records with the same DNS name in zone {z['name']}]")


def test_other_data_beside_cname(z, rejected):
    """1.5"""
    err = rejected(create(rrset(f"cn.{z['name']}", "TXT", ['"x"'])))
    assert_error(err, "InvalidChangeBatch", 400,
                 f"[RRSet of type TXT with DNS name cn.{z['name']} is not permitted because a conflicting RRSet of "
                 f"type CNAME with the same DNS name already exists in zone {z['name']}]")


def test_second_cname(z, rejected):
    """1.6"""
    err = rejected(create(rrset(f"cn.{z['name']}", "CNAME", ["other.example.net."])))
    assert_error(err, "InvalidChangeBatch", 400,
                 f"[Tried to create resource record set [name='cn.{z['name']}', type='CNAME'] but it already exists]")


@pytest.mark.parametrize("name", ["www.example.org.", "other-{zone}"])
def test_name_outside_zone(z, rejected, name):
    """1.7 (a sibling whose text ends with the zone name is outside too)"""
    name = name.format(zone=z["name"])
    err = rejected(create(rrset(name, "A", ["192.0.2.1"])))
    assert_error(err, "InvalidChangeBatch", 400, f"[RRSet with DNS name {name} is not permitted in zone {z['name']}]")


def test_missing_set_identifier(z, rejected):
    """1.8: Name is echoed as sent"""
    name = f"lat2.{z['name']}".rstrip(".")
    err = rejected(create(rrset(name, "A", ["192.0.2.1"], region="us-east-1")))
    assert_error(err, "InvalidInput", 400,
                 f"Invalid request: Missing field 'SetIdentifier' in Change with [Action=CREATE, Name={name}, "
                 f"Type=A, SetIdentifier=null]")


def test_set_identifier_without_policy(z, rejected):
    """1.9"""
    name = f"x.{z['name']}"
    err = rejected(create(rrset(name, "A", ["192.0.2.1"], set_id="lonely")))
    assert_error(err, "InvalidInput", 400,
                 "Invalid request: Expected exactly one of [Weight, Region, Failover, GeoLocation, MultiValueAnswer, "
                 f"GeoProximityLocation, or CidrRoutingConfig], but found none in Change with [Action=CREATE, "
                 f"Name={name}, Type=A, SetIdentifier=lonely]")


def test_two_routing_policies(z, rejected):
    """1.10: Region and Weight together: Route 53's rule runs before Nearcast's own support check."""
    name = f"x.{z['name']}"
    err = rejected(create(rrset(name, "A", ["192.0.2.1"], set_id="two", region="us-east-1", Weight=1)))
    assert_error(err, "InvalidInput", 400,
                 "Invalid request: Expected exactly one of [Weight, Region, Failover, GeoLocation, MultiValueAnswer, "
                 f"GeoProximityLocation, or CidrRoutingConfig], but found more than one in Change with [Action=CREATE, "
                 f"Name={name}, Type=A, SetIdentifier=two]")


def test_second_latency_set_in_same_region(z, rejected):
    """1.11"""
    err = rejected(create(latency(f"lat.{z['name']}", "A", "eu-west-1", ["192.0.2.99"], set_id="euw1-bis")))
    assert_error(err, "InvalidChangeBatch", 400,
                 f"[RRSet with DNS name lat.{z['name']}, type A, SetIdentifier euw1-bis, and Region Name=eu-west-1 "
                 f"cannot be created because a latency RRSet with the same name, type and region already exists.]")


def test_simple_set_beside_latency_sets(z, rejected):
    """1.12a"""
    err = rejected(create(rrset(f"lat.{z['name']}", "A", ["192.0.2.1"])))
    assert_error(err, "InvalidChangeBatch", 400,
                 f"[RRSet with DNS name lat.{z['name']}, type A cannot be created as other RRSets exist with the same "
                 f"name and type.]")


def test_latency_set_beside_simple_set(z, rejected):
    """1.12c"""
    err = rejected(create(latency(f"www.{z['name']}", "A", "eu-west-1", ["192.0.2.1"], set_id="euw1")))
    assert_error(err, "InvalidChangeBatch", 400,
                 f"[RRSet with DNS name www.{z['name']}, type A, SetIdentifier euw1 cannot be created as a "
                 f"non-latency set exists with the same name and type.]")


def test_latency_sets_of_another_type_may_share_the_name(api, r53, z):
    """Not an error: latency AAAA beside simple A at the same name."""
    apply(r53, z["id"], create(latency(f"www.{z['name']}", "AAAA", "eu-west-1", ["2001:db8::1"])))


def test_no_records_and_no_alias(z, rejected):
    """1.13a (TTL without ResourceRecords)"""
    name = f"empty.{z['name']}"
    err = rejected(create(rrset(name, "A", None, ttl=60)))
    assert_error(err, "InvalidInput", 400,
                 "Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or "
                 f"TrafficPolicyInstanceId], but found none in Change with [Action=CREATE, Name={name}, Type=A, "
                 "SetIdentifier=null]")


def test_delete_with_name_and_type_only(z, rejected):
    """1.28"""
    name = f"www.{z['name']}"
    err = rejected(delete({"Name": name, "Type": "A"}))
    assert_error(err, "InvalidInput", 400,
                 "Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or "
                 f"TrafficPolicyInstanceId], but found none in Change with [Action=DELETE, Name={name}, Type=A, "
                 "SetIdentifier=null]")


def test_alias_and_records(z, rejected):
    """1.13b"""
    name = f"both.{z['name']}"
    s = rrset(name, "A", ["192.0.2.1"], ttl=60)
    s["AliasTarget"] = {"HostedZoneId": z["id"], "DNSName": f"www.{z['name']}", "EvaluateTargetHealth": False}
    err = rejected(create(s))
    assert_error(err, "InvalidInput", 400,
                 "Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or "
                 f"TrafficPolicyInstanceId], but found more than one in Change with [Action=CREATE, Name={name}, "
                 "Type=A, SetIdentifier=null]")


def test_negative_ttl(z, rejected, r53_raw):
    """1.14 (boto3 blocks this client-side; other SDKs send it)"""
    err = rejected(create(rrset(f"neg.{z['name']}", "A", ["192.0.2.1"], ttl=-5)), client=r53_raw)
    assert_error(err, "InvalidInput", 400,
                 "1 validation error detected: Value '-5' at 'changeBatch.changes.1.member.resourceRecordSet.tTL' "
                 "failed to satisfy constraint: Member must have value greater than or equal to 0")


def test_ttl_too_large(z, rejected):
    """1.14, second change of the batch (index 2 in the path)"""
    err = rejected(create(rrset(f"ok.{z['name']}", "A", ["192.0.2.1"])),
                   create(rrset(f"big.{z['name']}", "A", ["192.0.2.1"], ttl=2147483648)))
    assert_error(err, "InvalidInput", 400,
                 "1 validation error detected: Value '2147483648' at 'changeBatch.changes.2.member.resourceRecordSet.tTL' "
                 "failed to satisfy constraint: Member must have value less than or equal to 2147483647")


@pytest.mark.parametrize("rtype,value,code,desc", [
    ("A", "192.0.2.300", "ARRDATAIllegalIPv4Address", "Value is not a valid IPv4 address"),
    ("A", "not-an-ip", "ARRDATAIllegalIPv4Address", "Value is not a valid IPv4 address"),
    ("AAAA", "2001:db8::zz", "AAAARRDATAIllegalIPv6Address", "Value is not a valid IPv6 address"),
    ("TXT", "unquoted text", "InvalidCharacterString", "Value should be enclosed in quotation marks"),
    ("TXT", '"' + "x" * 256 + '"', "CharacterStringTooLong", "Value is too long"),
])
def test_invalid_values(z, rejected, rtype, value, code, desc):
    """1.15a-d"""
    err = rejected(create(rrset(f"val.{z['name']}", rtype, [value])))
    assert_error(err, "InvalidChangeBatch", 400,
                 f"[Invalid Resource Record: 'FATAL problem: {code} ({desc}) encountered with '{value}'']")


def test_txt_of_255_bytes_is_fine(api, r53, z):
    apply(r53, z["id"], create(rrset(f"long.{z['name']}", "TXT", ['"' + "y" * 255 + '"'])))


def test_several_problems_are_reported_together(z, rejected):
    """0.2: all messages of the batch, in order, '[a, b]'"""
    n = z["name"]
    err = rejected(delete(rrset(f"cn.{n}", "CNAME", ["wrong.example.net."])),
                   create(rrset(f"www.{n}", "A", ["192.0.2.1"], ttl=300)))
    assert_error(err, "InvalidChangeBatch", 400,
                 f"[Tried to delete resource record set [name='cn.{n}', type='CNAME'] but the values provided do not "
                 f"match the current values, Tried to create resource record set [name='www.{n}', type='A'] but it "
                 f"already exists]")


def test_same_set_twice_in_a_batch(z, rejected):
    """1.24"""
    n = z["name"]
    s = rrset(f"twice.{n}", "A", ["192.0.2.1"])
    err = rejected(create(s), create(s))
    assert_error(err, "InvalidChangeBatch", 400,
                 f"[The request contains an invalid set of changes for a resource record set 'A twice.{n}']")


def test_too_many_records(z, rejected):
    """1.25"""
    ips = [f"10.{i // 250}.{i % 250}.1" for i in range(1001)]
    err = rejected(create(rrset(f"many.{z['name']}", "A", ips)))
    assert_error(err, "InvalidChangeBatch", 400, "[Number of records limit of 1000 exceeded.]")


def test_upsert_counts_twice(z, rejected):
    """1.25: 501 records UPSERTed count as 1002"""
    ips = [f"10.{i // 250}.{i % 250}.1" for i in range(501)]
    err = rejected(upsert(rrset(f"many.{z['name']}", "A", ips)))
    assert_error(err, "InvalidChangeBatch", 400, "[Number of records limit of 1000 exceeded.]")


def test_too_many_characters(z, rejected):
    """1.26"""
    chunk = '"' + "c" * 250 + '"'
    err = rejected(create(rrset(f"chars.{z['name']}", "TXT", [chunk[:-2] + f'{i:02d}"' for i in range(130)])))
    assert_error(err, "InvalidChangeBatch", 400, "[RDATA character limit of 32000 exceeded.]")


def test_delete_apex_soa(z, rejected):
    """1.27"""
    soa = next(s for s in z["before"] if s["Type"] == "SOA")
    err = rejected(delete(soa))
    assert_error(err, "InvalidChangeBatch", 400, "[A HostedZone must contain exactly one SOA record.]")


def test_delete_apex_ns(z, rejected):
    """1.27b"""
    ns = next(s for s in z["before"] if s["Type"] == "NS" and s["Name"] == z["name"])
    err = rejected(delete(ns))
    assert_error(err, "InvalidChangeBatch", 400,
                 "[A HostedZone must contain at least one NS record for the zone itself.]")


def test_unknown_region(z, rejected):
    """1.21 (inferred coral form)"""
    err = rejected(create(latency(f"lat.{z['name']}", "A", "mars-north-1", ["192.0.2.1"], set_id="mars")))
    assert_error(err, "InvalidInput", 400,
                 startswith="1 validation error detected: Value 'mars-north-1' at "
                            "'changeBatch.changes.1.member.resourceRecordSet.region' failed to satisfy constraint: "
                            "Member must satisfy enum value set: [")
    assert "eu-west-1" in err.message and "ap-southeast-1" in err.message


def test_invalid_action(z, rejected):
    """1.22 (boto3 does not check enums)"""
    err = rejected({"Action": "MERGE", "ResourceRecordSet": rrset(f"x.{z['name']}", "A", ["192.0.2.1"])})
    assert_error(err, "InvalidInput", 400,
                 "Invalid XML ; cvc-enumeration-valid: Value 'MERGE' is not facet-valid with respect to enumeration "
                 "'[CREATE, DELETE, UPSERT]'. It must be a value from the enumeration.")


def test_invalid_type(z, rejected):
    """1.22b"""
    err = rejected(create(rrset(f"x.{z['name']}", "BOGUS", ["192.0.2.1"])))
    assert_error(err, "InvalidInput", 400,
                 startswith="Invalid XML ; cvc-enumeration-valid: Value 'BOGUS' is not facet-valid with respect to "
                            "enumeration '[SOA, A, TXT, NS, CNAME, MX, NAPTR, PTR, SRV, SPF, AAAA, CAA")


def test_empty_change_list(z, rejected, r53_raw):
    """1.23"""
    err = rejected(client=r53_raw)
    assert_error(err, "InvalidInput", 400,
                 "Invalid XML ; cvc-complex-type.2.4.b: The content of element 'Changes' is not complete. One of "
                 "'{\"https://route53.amazonaws.com/doc/2013-04-01/\":Change}' is expected.")


def test_label_too_long_in_name(z, rejected):
    """1.16: a 64-byte label in a record name"""
    label = "l" * 64
    err = rejected(create(rrset(f"{label}.{z['name']}", "A", ["192.0.2.1"])))
    assert_error(err, "InvalidChangeBatch", 400,
                 startswith="[FATAL problem: DomainLabelTooLong (Domain label is too long) encountered with '")


def test_name_too_long(z, rejected):
    """1.16c: a name over 255 bytes"""
    name = ".".join(["n" * 60] * 4) + "." + z["name"]
    err = rejected(create(rrset(name, "A", ["192.0.2.1"])))
    assert_error(err, "InvalidChangeBatch", 400,
                 startswith="[FATAL problem: DomainNameTooLong (Domain name is too long) encountered with '")


def test_set_identifier_too_long(z, rejected):
    """Model: SetIdentifier 1..128"""
    sid = "s" * 129
    err = rejected(create(latency(f"lat.{z['name']}", "A", "ap-southeast-1", ["192.0.2.1"], set_id=sid)))
    assert_error(err, "InvalidInput", 400,
                 f"1 validation error detected: Value '{sid}' at 'changeBatch.changes.1.member.resourceRecordSet."
                 f"setIdentifier' failed to satisfy constraint: Member must have length less than or equal to 128")


def test_upsert_may_not_change_policy(z, rejected):
    """UPSERT of a latency set over a simple set is a 1.12c conflict too"""
    err = rejected(upsert(latency(f"www.{z['name']}", "A", "us-east-1", ["192.0.2.1"], set_id="x")))
    assert err.code == "InvalidChangeBatch" and err.status == 400
    assert "non-latency set exists" in err.message
