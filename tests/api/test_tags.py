"""Tags on hosted zones: ChangeTagsForResource, ListTagsForResource, ListTagsForResources."""

from .api_helpers import assert_error, error_of, raw_request


def tags_of(r53, zone_id):
    r = r53.list_tags_for_resource(ResourceType="hostedzone", ResourceId=zone_id)
    ts = r["ResourceTagSet"]
    assert ts["ResourceType"] == "hostedzone"
    assert ts["ResourceId"] == zone_id
    return {t["Key"]: t.get("Value") for t in ts.get("Tags", [])}


def test_add_overwrite_remove(api, r53, zone):
    zid = zone["id"]
    assert tags_of(r53, zid) == {}
    r53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=zid,
                                 AddTags=[{"Key": "env", "Value": "test"}, {"Key": "team", "Value": "dns"}])
    assert tags_of(r53, zid) == {"env": "test", "team": "dns"}
    r53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=zid, AddTags=[{"Key": "env", "Value": "prod"}])
    assert tags_of(r53, zid) == {"env": "prod", "team": "dns"}
    r53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=zid, RemoveTagKeys=["team"])
    assert tags_of(r53, zid) == {"env": "prod"}
    r53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=zid,
                                 AddTags=[{"Key": "k2", "Value": "v2"}], RemoveTagKeys=["env"])
    assert tags_of(r53, zid) == {"k2": "v2"}


def test_tags_are_per_zone(api, r53):
    a, b = api.new_zone(r53), api.new_zone(r53)
    r53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=a["id"], AddTags=[{"Key": "only", "Value": "a"}])
    assert tags_of(r53, b["id"]) == {}
    r = r53.list_tags_for_resources(ResourceType="hostedzone", ResourceIds=[a["id"], b["id"]])
    sets = {s["ResourceId"]: {t["Key"]: t["Value"] for t in s.get("Tags", [])} for s in r["ResourceTagSets"]}
    assert sets == {a["id"]: {"only": "a"}, b["id"]: {}}


def test_unicode_and_empty_values(api, r53, zone):
    r53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=zone["id"],
                                 AddTags=[{"Key": "name", "Value": "zürich <&> \"q\""}, {"Key": "empty", "Value": ""}])
    assert tags_of(r53, zone["id"]) == {"name": "zürich <&> \"q\"", "empty": ""}


def test_unknown_zone(api, r53):
    err = error_of(r53.list_tags_for_resource, ResourceType="hostedzone", ResourceId="ZNOSUCHZONE0000007")
    assert_error(err, "NoSuchHostedZone", 404, "No hosted zone found with ID: ZNOSUCHZONE0000007")
    err = error_of(r53.change_tags_for_resource, ResourceType="hostedzone", ResourceId="ZNOSUCHZONE0000007",
                   AddTags=[{"Key": "a", "Value": "b"}])
    assert_error(err, "NoSuchHostedZone", 404, "No hosted zone found with ID: ZNOSUCHZONE0000007")


def test_bad_resource_type(api, r53, zone):
    err = error_of(r53.list_tags_for_resource, ResourceType="foo", ResourceId=zone["id"])
    assert_error(err, "InvalidInput", 400, "Invalid resource type: foo")


def test_resource_id_too_long(api, zone):
    """2.15: '/hostedzone/<id>' in the path is over 32 characters"""
    long_id = "hostedzone" + zone["id"] + "X" * 20
    r = raw_request(api, "GET", f"/2013-04-01/tags/hostedzone/{long_id}")
    assert (r.status, r.code) == (400, "InvalidInput"), r
    assert r.message == (f"1 validation error detected: Value '{long_id}' at 'resourceId' failed to satisfy "
                         f"constraint: Member must have length less than or equal to 32")


def test_tags_of_a_deleted_zone(api, r53):
    z = api.new_zone(r53)
    r53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=z["id"], AddTags=[{"Key": "a", "Value": "b"}])
    r53.delete_hosted_zone(Id=z["id"])
    err = error_of(r53.list_tags_for_resource, ResourceType="hostedzone", ResourceId=z["id"])
    assert_error(err, "NoSuchHostedZone", 404)


def test_too_many_tags_in_one_request(api, r53, zone):
    """Model: AddTags 1..10 per request"""
    err = error_of(r53.change_tags_for_resource, ResourceType="hostedzone", ResourceId=zone["id"],
                   AddTags=[{"Key": f"k{i}", "Value": "v"} for i in range(11)])
    assert_error(err, "InvalidInput", 400)
    assert tags_of(r53, zone["id"]) == {}
