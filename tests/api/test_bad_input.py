"""Bad input over raw (signed) HTTP: malformed XML, unknown elements, wrong enums, oversized values,
unknown ids, wrong methods and paths. Always Route 53's code and a 4xx status with a message; never a 500,
never a partial change."""

import random
import time
import uuid

import pytest
import requests

from .api_helpers import (
    XMLNS, ApiServer, batch_xml, change_xml, list_all, make_client, raw_request, xml_body,
)


@pytest.fixture
def zz(api, r53, zone):
    zone["before"] = list_all(r53, zone["id"])
    zone["path"] = f"/2013-04-01/hostedzone/{zone['id']}/rrset"
    return zone


def unchanged(r53, zz):
    assert list_all(r53, zz["id"]) == zz["before"], "a rejected request changed the zone"


def post_batch(api, zz, body):
    return raw_request(api, "POST", zz["path"], body)


def check(r, status, code, message=None, startswith=None):
    assert r.status == status and r.code == code, r
    assert r.message is not None, r
    if message is not None:
        assert r.message == message, r
    if startswith is not None:
        assert r.message.startswith(startswith), r


def test_malformed_xml(api, r53, zz):
    for body in ["<ChangeResourceRecordSetsRequest", "not xml at all", "<a><b></a>",
                 batch_xml(change_xml("CREATE", f"m.{zz['name']}", "A"))[:-10]]:
        r = post_batch(api, zz, body)
        assert r.status == 400 and r.code in ("InvalidInput", "MalformedInput"), r
        assert r.message, r
    unchanged(r53, zz)


def test_empty_body(api, r53, zz):
    r = post_batch(api, zz, b"")
    assert r.status == 400 and r.code in ("InvalidInput", "MalformedInput"), r
    unchanged(r53, zz)


def test_wrong_root_element(api, r53, zz):
    """1.29"""
    body = f'<?xml version="1.0"?><ChangeBatch xmlns="{XMLNS}"><Changes/></ChangeBatch>'
    check(post_batch(api, zz, body), 400, "MalformedInput", "ChangeBatch is not valid, expected ChangeResourceRecordSetsRequest")
    body = xml_body("CreateHostedZoneRequest", "<Name>x.example.</Name>")
    check(post_batch(api, zz, body), 400, "MalformedInput",
          "CreateHostedZoneRequest is not valid, expected ChangeResourceRecordSetsRequest")
    unchanged(r53, zz)


def test_unknown_element(api, r53, zz):
    """4.2"""
    good = change_xml("CREATE", f"ok.{zz['name']}", "A")
    bad = change_xml("CREATE", f"u.{zz['name']}", "A", extra="<Bogus>1</Bogus>")
    r = post_batch(api, zz, batch_xml(good, bad))
    check(r, 400, "InvalidInput", startswith="Invalid XML ; cvc-complex-type.2.4.a: Invalid content was found "
                                            "starting with element 'Bogus'")
    unchanged(r53, zz)


def test_unknown_element_in_create_hosted_zone(api, r53):
    before = r53.get_hosted_zone_count()["HostedZoneCount"]
    body = xml_body("CreateHostedZoneRequest", f"<Name>uk-{uuid.uuid4().hex[:6]}.example.org.</Name>"
                    f"<CallerReference>{uuid.uuid4()}</CallerReference><Extra/>")
    r = raw_request(api, "POST", "/2013-04-01/hostedzone", body)
    check(r, 400, "InvalidInput", startswith="Invalid XML ; cvc-complex-type.2.4.a: Invalid content was found "
                                            "starting with element 'Extra'")
    assert r53.get_hosted_zone_count()["HostedZoneCount"] == before


def test_missing_required_element(api, r53):
    before = r53.get_hosted_zone_count()["HostedZoneCount"]
    body = xml_body("CreateHostedZoneRequest", "<Name>nocaller.example.org.</Name>")
    r = raw_request(api, "POST", "/2013-04-01/hostedzone", body)
    check(r, 400, "InvalidInput", startswith="Invalid XML ; cvc-complex-type.2.4.b: The content of element "
                                            "'CreateHostedZoneRequest' is not complete.")
    assert "CallerReference" in r.message
    assert r53.get_hosted_zone_count()["HostedZoneCount"] == before


@pytest.mark.parametrize("field,value", [("TTL", "sixty"), ("TTL", "1.5"), ("TTL", "")])
def test_non_numeric_ttl(api, r53, zz, field, value):
    r = post_batch(api, zz, batch_xml(change_xml("CREATE", f"t.{zz['name']}", "A", ttl=value)))
    assert r.status == 400 and r.code == "InvalidInput", r
    assert r.message.startswith("Invalid XML"), r
    unchanged(r53, zz)


def test_wrong_enum_action_raw(api, r53, zz):
    r = post_batch(api, zz, batch_xml(change_xml("create", f"e.{zz['name']}", "A")))
    check(r, 400, "InvalidInput", "Invalid XML ; cvc-enumeration-valid: Value 'create' is not facet-valid with "
                                  "respect to enumeration '[CREATE, DELETE, UPSERT]'. It must be a value from the "
                                  "enumeration.")
    unchanged(r53, zz)


def test_lowercase_type_is_not_in_the_enum(api, r53, zz):
    r = post_batch(api, zz, batch_xml(change_xml("CREATE", f"e.{zz['name']}", "a")))
    check(r, 400, "InvalidInput", startswith="Invalid XML ; cvc-enumeration-valid: Value 'a' is not facet-valid")
    unchanged(r53, zz)


def test_bad_boolean(api, r53, zz):
    alias = (f"<AliasTarget><HostedZoneId>{zz['id']}</HostedZoneId><DNSName>{zz['name']}</DNSName>"
             f"<EvaluateTargetHealth>maybe</EvaluateTargetHealth></AliasTarget>")
    body = batch_xml(f"<Change><Action>CREATE</Action><ResourceRecordSet><Name>b.{zz['name']}</Name><Type>A</Type>"
                     f"{alias}</ResourceRecordSet></Change>")
    r = post_batch(api, zz, body)
    assert r.status == 400 and r.code == "InvalidInput", r
    unchanged(r53, zz)


def test_oversized_comment_and_caller_reference(api, r53):
    before = r53.get_hosted_zone_count()["HostedZoneCount"]
    long_comment = xml_body("CreateHostedZoneRequest",
                            f"<Name>c-{uuid.uuid4().hex[:6]}.example.org.</Name><CallerReference>{uuid.uuid4()}</CallerReference>"
                            f"<HostedZoneConfig><Comment>{'c' * 257}</Comment></HostedZoneConfig>")
    r = raw_request(api, "POST", "/2013-04-01/hostedzone", long_comment)
    assert (r.status, r.code) == (400, "InvalidInput"), r
    long_ref = xml_body("CreateHostedZoneRequest",
                        f"<Name>r-{uuid.uuid4().hex[:6]}.example.org.</Name><CallerReference>{'r' * 129}</CallerReference>")
    r = raw_request(api, "POST", "/2013-04-01/hostedzone", long_ref)
    assert (r.status, r.code) == (400, "InvalidInput"), r
    assert r53.get_hosted_zone_count()["HostedZoneCount"] == before


def test_oversized_comment_on_update(api, r53, zz):
    body = xml_body("UpdateHostedZoneCommentRequest", f"<Comment>{'c' * 257}</Comment>")
    r = raw_request(api, "POST", f"/2013-04-01/hostedzone/{zz['id']}", body)
    assert (r.status, r.code) == (400, "InvalidInput"), r
    assert r53.get_hosted_zone(Id=zz["id"])["HostedZone"]["Config"].get("Comment") is None


def test_huge_body(api, r53, zz):
    big = batch_xml(change_xml("CREATE", f"h.{zz['name']}", "TXT", values=['"' + "x" * 200 + '"'] * 30000))
    assert len(big) > 4 * 1024 * 1024
    r = post_batch(api, zz, big)
    assert 400 <= r.status < 500, r
    assert r.code, r
    unchanged(r53, zz)


def test_huge_value(api, r53, zz):
    r = post_batch(api, zz, batch_xml(change_xml("CREATE", f"v.{zz['name']}", "TXT", values=['"' + "v" * 40000 + '"'])))
    assert (r.status, r.code) == (400, "InvalidChangeBatch"), r
    unchanged(r53, zz)


def test_entities_are_not_expanded(api, r53, zz):
    body = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            f'<ChangeResourceRecordSetsRequest xmlns="{XMLNS}"><ChangeBatch><Changes>'
            + change_xml("CREATE", f"xxe.{zz['name']}", "TXT", values=['"&e;"']) +
            '</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>')
    r = post_batch(api, zz, body)
    assert r.status < 500, r
    assert "root:" not in r.text
    for s in list_all(r53, zz["id"]):
        assert all("root:" not in rr["Value"] for rr in s.get("ResourceRecords", []))


def test_invalid_utf8(api, r53, zz):
    body = batch_xml(change_xml("CREATE", f"u.{zz['name']}", "TXT", values=['"PLACEHOLDER"'])).encode()
    body = body.replace(b"PLACEHOLDER", b"\xff\xfe\xc3")
    r = post_batch(api, zz, body)
    assert r.status == 400, r
    unchanged(r53, zz)


@pytest.mark.parametrize("method,path", [
    ("GET", "/2013-04-01/hostedzone/{id}/rrset/extra"),
    ("GET", "/2013-04-01/nothing"),
    ("GET", "/2012-02-29/hostedzone"),
    ("GET", "/"),
    ("GET", "//hostedzone/"),
    ("GET", "/2013-04-01/hostedzone/hostedzone/{id}"),
])
def test_unknown_paths(api, r53, zz, method, path):
    """4.3: Route 53 answers unroutable paths with 403 InvalidSignatureException"""
    r = raw_request(api, method, path.format(id=zz["id"]))
    assert (r.status, r.code) == (403, "InvalidSignatureException"), r
    assert r.message, r


@pytest.mark.parametrize("method,path", [
    ("PUT", "/2013-04-01/hostedzone"),
    ("DELETE", "/2013-04-01/hostedzone"),
    ("PATCH", "/2013-04-01/hostedzone/{id}"),
    ("PUT", "/2013-04-01/hostedzone/{id}/rrset"),
    ("DELETE", "/2013-04-01/hostedzone/{id}/rrset"),
    ("POST", "/2013-04-01/change/C123"),
    ("DELETE", "/2013-04-01/hostedzonecount"),
])
def test_wrong_methods(api, r53, zz, method, path):
    """4.4: a valid path with the wrong method is not routable either"""
    r = raw_request(api, method, path.format(id=zz["id"]), b"<x/>" if method in ("PUT", "PATCH", "POST") else b"")
    assert r.status == 403 and r.code == "InvalidSignatureException", r
    assert r.message, r
    unchanged(r53, zz)
    assert r53.get_hosted_zone(Id=zz["id"])


@pytest.mark.parametrize("method,path,body", [
    ("GET", "/2013-04-01/hostedzone/ZUNKNOWN1", b""),
    ("DELETE", "/2013-04-01/hostedzone/ZUNKNOWN1", b""),
    ("GET", "/2013-04-01/hostedzone/ZUNKNOWN1/rrset", b""),
    ("POST", "/2013-04-01/hostedzone/ZUNKNOWN1/rrset", None),
    ("POST", "/2013-04-01/hostedzone/ZUNKNOWN1", None),
])
def test_unknown_zone_ids(api, method, path, body):
    if body is None and path.endswith("rrset"):
        body = batch_xml(change_xml("CREATE", "a.example.com.", "A"))
    elif body is None:
        body = xml_body("UpdateHostedZoneCommentRequest", "<Comment>x</Comment>")
    r = raw_request(api, method, path, body)
    assert (r.status, r.code, r.message) == (404, "NoSuchHostedZone", "No hosted zone found with ID: ZUNKNOWN1"), r


def test_unknown_change_id(api):
    r = raw_request(api, "GET", "/2013-04-01/change/CUNKNOWN1")
    assert (r.status, r.code, r.message) == (404, "NoSuchChange", "Could not find resource with ID: CUNKNOWN1"), r


@pytest.mark.parametrize("query", [{"maxitems": "abc"}, {"maxitems": "-1"}, {"maxitems": "0"}])
def test_bad_max_items(api, zz, query):
    for path in ("/2013-04-01/hostedzone", zz["path"], "/2013-04-01/hostedzonesbyname"):
        r = raw_request(api, "GET", path, query=query)
        assert (r.status, r.code) == (400, "InvalidInput"), (path, r)
        assert r.message, r


def test_bad_marker(api):
    r = raw_request(api, "GET", "/2013-04-01/hostedzone", query={"marker": "ZNOTAZONE"})
    assert (r.status, r.code) == (400, "InvalidInput"), r


def test_hosted_zones_by_name_bad_name(api):
    r = raw_request(api, "GET", "/2013-04-01/hostedzonesbyname", query={"dnsname": "a..b"})
    assert r.status == 400 and r.code in ("InvalidDomainName", "InvalidInput"), r


def test_private_zone_and_delegation_set_refused(api, r53):
    before = r53.get_hosted_zone_count()["HostedZoneCount"]
    err_vpc = raw_request(api, "POST", "/2013-04-01/hostedzone", xml_body(
        "CreateHostedZoneRequest", f"<Name>p-{uuid.uuid4().hex[:6]}.example.org.</Name>"
        "<VPC><VPCRegion>us-east-1</VPCRegion><VPCId>vpc-1</VPCId></VPC>"
        f"<CallerReference>{uuid.uuid4()}</CallerReference>"))
    assert err_vpc.status == 400 and err_vpc.code, err_vpc
    err_ds = raw_request(api, "POST", "/2013-04-01/hostedzone", xml_body(
        "CreateHostedZoneRequest", f"<Name>d-{uuid.uuid4().hex[:6]}.example.org.</Name>"
        f"<CallerReference>{uuid.uuid4()}</CallerReference><DelegationSetId>N123</DelegationSetId>"))
    assert err_ds.status in (400, 404) and err_ds.code, err_ds
    assert r53.get_hosted_zone_count()["HostedZoneCount"] == before


def crash_lines(server):
    time.sleep(0.5)
    lines = server.stderr().splitlines()
    at = next((k for k, l in enumerate(lines) if "crashed" in l), None)
    return "\n".join(lines[at:at + 4]) if at is not None else "\n".join(lines[-10:])


@pytest.fixture
def own(tmp_path):
    """A server of its own, for inputs that might kill it."""
    s = ApiServer(tmp_path / "own")
    yield s
    s.stop()


@pytest.mark.parametrize("body", [
    b'<CreateHostedZoneRequest x\xf2lns="u"><Name>x.</Name></CreateHostedZoneRequest>',
    b'<CreateHostedZoneRequest><Na\xf2me>x.</Na\xf2me></CreateHostedZoneRequest>',
    b'<?xml version="1.0"?><ChangeResourceRecordSetsRequest \xc3\x28="1"><ChangeBatch/></ChangeResourceRecordSetsRequest>',
], ids=["attribute-name", "element-name", "attribute-name-2"])
def test_invalid_utf8_in_xml_names(own, body):
    """Bytes that are not UTF-8 inside an element or attribute name: 400, and the server lives on."""
    for path in ("/2013-04-01/hostedzone", "/2013-04-01/hostedzone/ZUNKNOWN1/rrset"):
        try:
            r = raw_request(own, "POST", path, body)
        except requests.exceptions.ConnectionError:
            pytest.fail(f"the server died on {body!r}: {crash_lines(own)}")
        assert r.status == 400 and r.code in ("InvalidInput", "MalformedInput"), r
    assert own.alive()


def test_random_garbage_never_500(own):
    api = own
    r53 = make_client(api)
    zz = api.new_zone(r53)
    zz["before"] = list_all(r53, zz["id"])
    zz["path"] = f"/2013-04-01/hostedzone/{zz['id']}/rrset"
    rnd = random.Random(1234)
    good = batch_xml(change_xml("CREATE", f"g.{zz['name']}", "A")).encode()
    paths = [("POST", zz["path"]), ("POST", "/2013-04-01/hostedzone"), ("POST", f"/2013-04-01/hostedzone/{zz['id']}"),
             ("POST", f"/2013-04-01/tags/hostedzone/{zz['id']}"), ("POST", "/2013-04-01/tags/hostedzone")]
    for i in range(150):
        b = bytearray(good)
        for _ in range(rnd.randint(1, 8)):
            op = rnd.random()
            pos = rnd.randrange(len(b))
            if op < 0.4:
                b[pos] = rnd.randrange(256)
            elif op < 0.7:
                del b[pos:pos + rnd.randint(1, 20)]
            else:
                b[pos:pos] = bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 10)))
        method, path = paths[i % len(paths)]
        try:
            r = raw_request(api, method, path, bytes(b))
        except requests.exceptions.ConnectionError:
            pytest.fail(f"the server died on input #{i} to {path}: {bytes(b)!r}\n{crash_lines(api)}")
        assert r.status < 500, (bytes(b)[:200], r)
        if r.status >= 400:
            assert r.code and r.message is not None, r
        else:
            assert path == zz["path"], f"garbage accepted by {path}: {bytes(b)!r}"
    # every set now in the zone is the apex or a (possibly mutated) single-record A set from an accepted batch
    for s in list_all(r53, zz["id"]):
        if s not in zz["before"]:
            assert s["Type"] == "A" and len(s["ResourceRecords"]) == 1, s
