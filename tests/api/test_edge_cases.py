"""Edge cases found in review: values are absolute, names with escapes, alias
loops, config zones the API may not shadow, paths that normalize differently."""

import dns.rcode

from .api_helpers import (
    ApiServer, apply, assert_error, batch_error, create, error_of, make_client, raw_request, rrset, wait_insync,
)


def test_record_values_are_absolute_without_a_trailing_dot(api, r53, zone):
    """Route 53 takes `target.example.net` as the absolute name, not relative to the zone."""
    name = f"alias-target.{zone['name']}"
    change = apply(r53, zone["id"], create(rrset(name, "CNAME", ["target.example.net"])))
    wait_insync(r53, change["Id"])
    answer = api.dns(name, "CNAME")
    assert [rr.target.to_text() for rrset_ in answer.answer for rr in rrset_] == ["target.example.net."], answer


def test_zone_name_with_escaped_bytes_is_created_and_served(api, r53):
    """A name with bytes outside a-z0-9 (Route 53 escapes them in octal) makes a working zone."""
    zone = api.new_zone(r53, name="caf\\303\\251.nearcast-test.com.")
    assert zone["name"] == "caf\\303\\251.nearcast-test.com."
    soa = api.dns("caf\\195\\169.nearcast-test.com.", "SOA")
    assert soa.rcode() == dns.rcode.NOERROR and soa.answer, soa


def test_alias_loop_in_one_batch_is_rejected(api, r53, zone):
    a, b = f"loop-a.{zone['name']}", f"loop-b.{zone['name']}"
    alias = lambda target: {"HostedZoneId": zone["id"], "DNSName": target, "EvaluateTargetHealth": False}  # noqa: E731
    err = batch_error(r53, zone["id"], create(rrset(a, "A", alias=alias(b))), create(rrset(b, "A", alias=alias(a))))
    assert_error(err, "InvalidChangeBatch", 400, contains="but that target is the alias itself")
    names = [s["Name"] for s in r53.list_resource_record_sets(HostedZoneId=zone["id"])["ResourceRecordSets"]]
    assert a not in names and b not in names


def test_hosted_zone_may_not_overlap_a_config_zone(tmp_path):
    """Config zones are read-only to the API: no hosted zone at, above or below one."""
    zone_file = "$TTL 60\n@ SOA ns hm 1 2 3 4 5\n@ NS ns\nns A 192.0.2.53\nwww A 192.0.2.80\n"
    (tmp_path / "srv").mkdir()
    (tmp_path / "srv" / "cfg.zone").write_text(zone_file)
    server = ApiServer(tmp_path / "srv", config_extra="zones:\n  - { origin: cfg.nearcast-test.com., file: cfg.zone }\n")
    try:
        r53 = make_client(server)
        for name in ("cfg.nearcast-test.com.", "www.cfg.nearcast-test.com.", "nearcast-test.com."):
            err = error_of(r53.create_hosted_zone, Name=name, CallerReference=f"overlap-{name}")
            assert_error(err, "ConflictingDomainExists", 400)
        assert [rr.address for rrset_ in server.dns("www.cfg.nearcast-test.com.").answer for rr in rrset_] == ["192.0.2.80"]
        assert r53.get_hosted_zone_count()["HostedZoneCount"] == 0
    finally:
        server.stop()


def test_paths_with_dot_segments_match_no_operation(api, zone):
    """The signature covers the normalized path; the server must not route a different raw one.
    The request is signed for /2013-04-01/hostedzone/<id> and sent as .../x/../<id> (http.client
    keeps the raw path, unlike requests)."""
    import http.client

    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    from .api_helpers import ACCESS_KEY, SECRET_KEY

    signed = AWSRequest(method="GET", url=f"{api.endpoint}/2013-04-01/hostedzone/{zone['id']}", data=b"")
    SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "route53", "us-east-1").add_auth(signed)
    for raw_path in (f"/2013-04-01/hostedzone/x/../{zone['id']}", f"/2013-04-01/hostedzone/./{zone['id']}"):
        connection = http.client.HTTPConnection("127.0.0.1", api.api_port, timeout=10)
        connection.request("GET", raw_path, headers=dict(signed.headers))
        response = connection.getresponse()
        body = response.read().decode()
        connection.close()
        assert response.status == 403 and "InvalidSignatureException" in body, (raw_path, response.status, body)
