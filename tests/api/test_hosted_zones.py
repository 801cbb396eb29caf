"""Hosted zones: CreateHostedZone, GetHostedZone, ListHostedZones(ByName), GetHostedZoneCount,
UpdateHostedZoneComment, DeleteHostedZone."""

import uuid

import dns.flags
import dns.rcode

from .api_helpers import (
    MSG_NOT_EMPTY, MSG_ZONE_EXISTS, NAME_SERVERS, apply, assert_error, bare_id, create, delete, error_of,
    list_all, rrset, wait_insync,
)


def test_create_returns_201_location_changeinfo_and_delegation_set(api, r53):
    name = f"create-{uuid.uuid4().hex[:8]}.example.org."
    ref = str(uuid.uuid4())
    resp = r53.create_hosted_zone(Name=name, CallerReference=ref, HostedZoneConfig={"Comment": "first zone"})
    meta = resp["ResponseMetadata"]
    assert meta["HTTPStatusCode"] == 201
    hz = resp["HostedZone"]
    assert hz["Id"].startswith("/hostedzone/Z") and len(bare_id(hz["Id"])) <= 32
    assert meta["HTTPHeaders"]["location"].endswith(f"/2013-04-01/hostedzone/{bare_id(hz['Id'])}")
    assert meta["HTTPHeaders"].get("x-amzn-requestid")
    assert hz["Name"] == name
    assert hz["CallerReference"] == ref
    assert hz["Config"]["Comment"] == "first zone"
    assert hz["Config"]["PrivateZone"] is False
    assert hz["ResourceRecordSetCount"] == 2
    ci = resp["ChangeInfo"]
    assert ci["Id"].startswith("/change/C")
    assert ci["Status"] in ("PENDING", "INSYNC")
    assert ci["SubmittedAt"].tzinfo is not None
    assert resp["DelegationSet"]["NameServers"] == NAME_SERVERS


def test_new_zone_has_soa_and_ns_listed_and_served(api, r53):
    z = api.new_zone(r53)
    wait_insync(r53, z["response"]["ChangeInfo"]["Id"])
    sets = list_all(r53, z["id"])
    assert [(s["Name"], s["Type"]) for s in sets] == [(z["name"], "NS"), (z["name"], "SOA")]
    ns, soa = sets
    assert ns["TTL"] == 172800
    assert sorted(r["Value"] for r in ns["ResourceRecords"]) == sorted(NAME_SERVERS)
    assert soa["TTL"] == 900
    (soa_value,) = [r["Value"] for r in soa["ResourceRecords"]]
    fields = soa_value.split()
    assert len(fields) == 7 and fields[0] == NAME_SERVERS[0]
    # DNS serves the apex
    r = api.dns(z["name"], "NS")
    assert r.rcode() == dns.rcode.NOERROR and r.flags & dns.flags.AA
    assert sorted(rd.target.to_text() for rrs in r.answer for rd in rrs) == sorted(NAME_SERVERS)
    r = api.dns(z["name"], "SOA")
    assert r.rcode() == dns.rcode.NOERROR
    (soa_rr,) = [rd for rrs in r.answer for rd in rrs]
    assert soa_rr.mname.to_text() == NAME_SERVERS[0]


def test_name_is_normalised_lowercase_absolute(api, r53):
    label = f"MiXeD-{uuid.uuid4().hex[:6]}"
    z = api.new_zone(r53, name=f"{label}.Example.NET")
    assert z["name"] == f"{label.lower()}.example.net."
    assert r53.get_hosted_zone(Id=z["id"])["HostedZone"]["Name"] == z["name"]


def test_caller_reference_reuse_is_rejected_with_409(api, r53):
    ref = str(uuid.uuid4())
    z = api.new_zone(r53, caller=ref)
    before = r53.get_hosted_zone_count()["HostedZoneCount"]
    for name in (z["name"], f"other-{uuid.uuid4().hex[:6]}.example.org."):
        err = error_of(r53.create_hosted_zone, Name=name, CallerReference=ref)
        assert_error(err, "HostedZoneAlreadyExists", 409, MSG_ZONE_EXISTS)
    assert r53.get_hosted_zone_count()["HostedZoneCount"] == before


def test_caller_reference_stays_used_after_delete(api, r53):
    ref = str(uuid.uuid4())
    z = api.new_zone(r53, caller=ref)
    r53.delete_hosted_zone(Id=z["id"])
    err = error_of(r53.create_hosted_zone, Name=z["name"], CallerReference=ref)
    assert_error(err, "HostedZoneAlreadyExists", 409, MSG_ZONE_EXISTS)


def test_get_hosted_zone(api, r53):
    z = api.new_zone(r53, comment="get me")
    got = r53.get_hosted_zone(Id=z["id"])
    assert got["HostedZone"]["Id"] == z["Id"]
    assert got["HostedZone"]["Name"] == z["name"]
    assert got["HostedZone"]["Config"]["Comment"] == "get me"
    assert got["HostedZone"]["ResourceRecordSetCount"] == 2
    assert got["DelegationSet"]["NameServers"] == NAME_SERVERS
    # the "/hostedzone/" form of the id is accepted too
    assert r53.get_hosted_zone(Id=z["Id"])["HostedZone"]["Id"] == z["Id"]


def test_get_unknown_zone(api, r53):
    err = error_of(r53.get_hosted_zone, Id="ZNOSUCHZONE0000001")
    assert_error(err, "NoSuchHostedZone", 404, "No hosted zone found with ID: ZNOSUCHZONE0000001")


def test_record_set_count_follows_changes(api, r53):
    z = api.new_zone(r53)
    apply(r53, z["id"], create(rrset(f"a.{z['name']}", "A", ["192.0.2.1"])),
          create(rrset(f"b.{z['name']}", "TXT", ['"x"'])))
    assert r53.get_hosted_zone(Id=z["id"])["HostedZone"]["ResourceRecordSetCount"] == 4


def test_hosted_zone_count(api, r53):
    before = r53.get_hosted_zone_count()["HostedZoneCount"]
    zs = [api.new_zone(r53) for _ in range(3)]
    assert r53.get_hosted_zone_count()["HostedZoneCount"] == before + 3
    r53.delete_hosted_zone(Id=zs[0]["id"])
    assert r53.get_hosted_zone_count()["HostedZoneCount"] == before + 2


def test_list_hosted_zones_marker_paging(api, r53):
    mine = {api.new_zone(r53)["Id"] for _ in range(5)}
    full = r53.list_hosted_zones()
    assert full["IsTruncated"] is False
    all_ids = [z["Id"] for z in full["HostedZones"]]
    assert mine <= set(all_ids)
    seen, kw, pages = [], {}, 0
    while True:
        page = r53.list_hosted_zones(MaxItems="2", **kw)
        pages += 1
        assert page["MaxItems"] == "2"
        assert len(page["HostedZones"]) <= 2
        seen += [z["Id"] for z in page["HostedZones"]]
        if kw:
            assert page["Marker"] == kw["Marker"]
        if not page["IsTruncated"]:
            assert "NextMarker" not in page
            break
        kw = {"Marker": page["NextMarker"]}
        assert pages < 100
    assert seen == all_ids, "paged listing differs from the full listing"
    assert len(seen) == len(set(seen))


def test_list_hosted_zones_by_name_order_and_paging(api, r53):
    tag = uuid.uuid4().hex[:6]
    # reversed-label order: test.<tag>.a < test.<tag>.a.x < test.<tag>.b < test.<tag>.zz
    names = [f"b.{tag}.test.", f"x.a.{tag}.test.", f"zz.{tag}.test.", f"a.{tag}.test."]
    ids = {n: api.new_zone(r53, name=n)["Id"] for n in names}
    want = [f"a.{tag}.test.", f"x.a.{tag}.test.", f"b.{tag}.test.", f"zz.{tag}.test."]
    r = r53.list_hosted_zones_by_name(DNSName=f"a.{tag}.test")
    got = [z["Name"] for z in r["HostedZones"] if z["Name"].endswith(f"{tag}.test.")]
    assert got == want
    assert r["HostedZones"][0]["Name"] == want[0], "listing must start at DNSName"
    assert r["DNSName"] in (f"a.{tag}.test", f"a.{tag}.test.")
    # page through one at a time from the first of ours
    seen, kw = [], {"DNSName": want[0]}
    for _ in range(len(want)):
        page = r53.list_hosted_zones_by_name(MaxItems="1", **kw)
        assert len(page["HostedZones"]) == 1
        seen.append(page["HostedZones"][0]["Name"])
        if not page["IsTruncated"]:
            break
        kw = {"DNSName": page["NextDNSName"], "HostedZoneId": page["NextHostedZoneId"]}
    assert seen[:len(want)] == want
    assert [ids[n] for n in want] == [ids[n] for n in seen[:len(want)]]
    # the whole listing is sorted
    everything = r53.list_hosted_zones_by_name()["HostedZones"]
    keys = [tuple(reversed(z["Name"].rstrip(".").split("."))) for z in everything]
    assert keys == sorted(keys)


def test_update_comment(api, r53):
    z = api.new_zone(r53, comment="old")
    r = r53.update_hosted_zone_comment(Id=z["id"], Comment="new comment")
    assert r["HostedZone"]["Config"]["Comment"] == "new comment"
    assert r["HostedZone"]["Id"] == z["Id"]
    assert r53.get_hosted_zone(Id=z["id"])["HostedZone"]["Config"]["Comment"] == "new comment"


def test_update_comment_unknown_zone(api, r53):
    err = error_of(r53.update_hosted_zone_comment, Id="ZNOSUCHZONE0000002", Comment="x")
    assert_error(err, "NoSuchHostedZone", 404, "No hosted zone found with ID: ZNOSUCHZONE0000002")


def test_delete_empty_zone_stops_serving_it(api, r53):
    z = api.new_zone(r53)
    wait_insync(r53, z["response"]["ChangeInfo"]["Id"])
    assert api.dns(z["name"], "SOA").rcode() == dns.rcode.NOERROR
    r = r53.delete_hosted_zone(Id=z["id"])
    assert r["ChangeInfo"]["Id"].startswith("/change/")
    wait_insync(r53, r["ChangeInfo"]["Id"])
    resp = api.dns(z["name"], "SOA")
    assert resp.rcode() == dns.rcode.REFUSED and not resp.answer
    assert_error(error_of(r53.get_hosted_zone, Id=z["id"]), "NoSuchHostedZone", 404,
                 f"No hosted zone found with ID: {z['id']}")
    assert z["Id"] not in [h["Id"] for h in r53.list_hosted_zones()["HostedZones"]]


def test_delete_non_empty_zone(api, r53):
    z = api.new_zone(r53)
    rec = rrset(f"www.{z['name']}", "A", ["192.0.2.7"])
    apply(r53, z["id"], create(rec))
    err = error_of(r53.delete_hosted_zone, Id=z["id"])
    assert_error(err, "HostedZoneNotEmpty", 400, MSG_NOT_EMPTY)
    # still there, records intact, still served
    assert r53.get_hosted_zone(Id=z["id"])["HostedZone"]["ResourceRecordSetCount"] == 3
    assert len(list_all(r53, z["id"])) == 3
    assert api.dns(f"www.{z['name']}").answer
    apply(r53, z["id"], delete(rec))
    r53.delete_hosted_zone(Id=z["id"])
    assert_error(error_of(r53.get_hosted_zone, Id=z["id"]), "NoSuchHostedZone", 404)


def test_delete_unknown_zone(api, r53):
    err = error_of(r53.delete_hosted_zone, Id="ZNOSUCHZONE0000003")
    assert_error(err, "NoSuchHostedZone", 404, "No hosted zone found with ID: ZNOSUCHZONE0000003")


def test_root_zone_is_refused(api, r53):
    before = r53.get_hosted_zone_count()["HostedZoneCount"]
    err = error_of(r53.create_hosted_zone, Name=".", CallerReference=str(uuid.uuid4()))
    assert err.code in ("InvalidDomainName", "InvalidInput") and err.status == 400, err
    assert r53.get_hosted_zone_count()["HostedZoneCount"] == before
