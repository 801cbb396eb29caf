"""SigV4 authentication: service route53, any region in the scope; wrong or missing signatures get
Route 53's 403 errors and change nothing."""

import datetime
import uuid

import pytest

from .api_helpers import (
    ACCESS_KEY, MSG_BAD_TOKEN, MSG_SIGNATURE, SECRET_KEY, ApiServer, assert_error, batch_xml, change_xml,
    error_of, list_all, make_client, raw_request, rrset, create, signing_clock, xml_body,
)


@pytest.mark.parametrize("region", ["us-east-1", "eu-central-1", "ap-southeast-2", "us-gov-west-1", "moon-1"])
def test_any_region_in_the_scope(api, region):
    c = make_client(api, region=region)
    assert "HostedZones" in c.list_hosted_zones()


def test_unknown_access_key(api, r53):
    before = r53.get_hosted_zone_count()["HostedZoneCount"]
    bad = make_client(api, key="AKIDUNKNOWN000000000", secret=SECRET_KEY)
    err = error_of(bad.create_hosted_zone, Name="unknown-key.example.org.", CallerReference=str(uuid.uuid4()))
    assert_error(err, "InvalidClientTokenId", 403, MSG_BAD_TOKEN)
    assert r53.get_hosted_zone_count()["HostedZoneCount"] == before


def test_wrong_secret(api, r53, zone):
    before = list_all(r53, zone["id"])
    bad = make_client(api, secret="not-the-secret")
    err = error_of(bad.change_resource_record_sets, HostedZoneId=zone["id"],
                   ChangeBatch={"Changes": [create(rrset(f"x.{zone['name']}", "A", ["192.0.2.1"]))]})
    assert_error(err, "SignatureDoesNotMatch", 403, startswith=MSG_SIGNATURE)
    assert list_all(r53, zone["id"]) == before
    err = error_of(bad.delete_hosted_zone, Id=zone["id"])
    assert_error(err, "SignatureDoesNotMatch", 403, startswith=MSG_SIGNATURE)
    assert r53.get_hosted_zone(Id=zone["id"])


def test_missing_authorization(api, r53, zone):
    before = list_all(r53, zone["id"])
    r = raw_request(api, "POST", f"/2013-04-01/hostedzone/{zone['id']}/rrset",
                    batch_xml(change_xml("CREATE", f"noauth.{zone['name']}", "A")), sign=False)
    assert r.status == 403, r
    assert r.code == "MissingAuthenticationToken", r
    assert r.message, r
    assert list_all(r53, zone["id"]) == before
    r = raw_request(api, "GET", "/2013-04-01/hostedzone", sign=False)
    assert (r.status, r.code) == (403, "MissingAuthenticationToken"), r


def test_error_envelope(api):
    r = raw_request(api, "GET", "/2013-04-01/hostedzone", sign=False)
    assert r.text.startswith('<?xml version="1.0"?>\n<ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/">')
    assert r.headers["Content-Type"].startswith("text/xml")
    req_id = r.headers.get("x-amzn-RequestId")
    assert req_id and f"<RequestId>{req_id}</RequestId>" in r.text
    assert "<Type>Sender</Type>" in r.text


def test_body_changed_after_signing(api, r53, zone):
    before = list_all(r53, zone["id"])
    signed = batch_xml(change_xml("CREATE", f"a.{zone['name']}", "A", values=["192.0.2.1"]))
    tampered = batch_xml(change_xml("CREATE", f"a.{zone['name']}", "A", values=["192.0.2.6"]))
    r = raw_request(api, "POST", f"/2013-04-01/hostedzone/{zone['id']}/rrset", signed, tamper_body=tampered.encode())
    assert (r.status, r.code) == (403, "SignatureDoesNotMatch"), r
    assert list_all(r53, zone["id"]) == before


def test_query_changed_after_signing(api, r53, zone):
    """The query string is signed: changing it breaks the signature."""
    from .api_helpers import AWSRequest, Credentials, SigV4Auth, requests
    url = f"{api.endpoint}/2013-04-01/hostedzone?maxitems=1"
    req = AWSRequest(method="GET", url=url, data=b"")
    SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "route53", "us-east-1").add_auth(req)
    p = req.prepare()
    resp = requests.get(url.replace("maxitems=1", "maxitems=2"), headers=dict(p.headers), timeout=10)
    assert resp.status_code == 403 and "SignatureDoesNotMatch" in resp.text


def test_expired_signature(api):
    old = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - datetime.timedelta(minutes=20)
    with signing_clock(old):
        r = raw_request(api, "GET", "/2013-04-01/hostedzone")
    assert (r.status, r.code) == (403, "SignatureDoesNotMatch"), r
    assert r.message.startswith("Signature expired: "), r


def test_signature_from_the_future(api):
    future = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) + datetime.timedelta(minutes=20)
    with signing_clock(future):
        r = raw_request(api, "GET", "/2013-04-01/hostedzone")
    assert (r.status, r.code) == (403, "SignatureDoesNotMatch"), r
    assert r.message.startswith("Signature not yet current: "), r


def test_wrong_service_in_scope(api, r53):
    before = r53.get_hosted_zone_count()["HostedZoneCount"]
    body = xml_body("CreateHostedZoneRequest", f"<Name>svc.example.org.</Name><CallerReference>{uuid.uuid4()}</CallerReference>")
    r = raw_request(api, "POST", "/2013-04-01/hostedzone", body, service="s3")
    assert r.status == 403 and r.code in ("SignatureDoesNotMatch", "InvalidSignatureException", "IncompleteSignature"), r
    assert r53.get_hosted_zone_count()["HostedZoneCount"] == before


def test_garbage_authorization_header(api):
    for value in ["AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256 Credential=x", "Bearer abc", "AWS4-HMAC-SHA256 " + "A=" * 2000]:
        r = raw_request(api, "GET", "/2013-04-01/hostedzone", sign=False,
                        headers={"Authorization": value, "X-Amz-Date": "20240101T000000Z"})
        assert r.status in (400, 403), (value[:40], r)
        assert r.code, r


def test_config_credentials(tmp_path):
    """Keys from the config file (api.credentials) are accepted; others are not."""
    extra = "  credentials:\n    - { access_key_id: AKIDFROMCONFIG, secret_access_key: config-secret }\n"
    s = ApiServer(tmp_path / "cfgcreds", credentials=None, config_extra=extra)
    try:
        ok = make_client(s, key="AKIDFROMCONFIG", secret="config-secret")
        assert "HostedZones" in ok.list_hosted_zones()
        bad = make_client(s, key=ACCESS_KEY, secret=SECRET_KEY)
        assert_error(error_of(bad.list_hosted_zones), "InvalidClientTokenId", 403, MSG_BAD_TOKEN)
        # configured keys mean no generated file
        assert not (s.data_dir / "credentials").exists()
    finally:
        s.stop()
