"""Health checks: CreateHealthCheck (idempotency, defaults, validation), GetHealthCheck, ListHealthChecks,
UpdateHealthCheck, DeleteHealthCheck, GetHealthCheckStatus, GetHealthCheckLastFailureReason,
GetHealthCheckCount, health check tags, and record sets naming health checks."""

import re
import uuid

import pytest

from .api_helpers import (
    XMLNS, ApiServer, apply, assert_error, create, delete, error_of, latency, list_all, make_client, raw_request, upsert,
    xml_body,
)

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MSG_EXISTS = "A different health check has already been created with the specified caller reference."
MSG_MISMATCH = ("The value of HealthCheckVersion in the request doesn't match the value of HealthCheckVersion "
                "in the health check.")
HTTP = {"Type": "HTTP", "IPAddress": "198.51.100.10"}


def no_such(check_id):
    return f"A health check with id {check_id} does not exist."


def new_check(r53, config=None, ref=None):
    """Creates a health check; returns the HealthCheck of the response."""
    resp = r53.create_health_check(CallerReference=ref or str(uuid.uuid4()), HealthCheckConfig=config or HTTP)
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 201
    return resp["HealthCheck"]


def config_of(r53, check_id):
    return r53.get_health_check(HealthCheckId=check_id)["HealthCheck"]["HealthCheckConfig"]


def all_checks(r53, page=None):
    """Every health check, following NextMarker."""
    out, kw = [], ({"MaxItems": str(page)} if page else {})
    while True:
        r = r53.list_health_checks(**kw)
        out += r["HealthChecks"]
        if not r["IsTruncated"]:
            return out
        kw["Marker"] = r["NextMarker"]


# --------------------------------------------------------------------------
# create and read
# --------------------------------------------------------------------------

def test_create_returns_201_location_and_defaults(api, r53):
    ref = str(uuid.uuid4())
    resp = r53.create_health_check(CallerReference=ref, HealthCheckConfig=HTTP)
    meta = resp["ResponseMetadata"]
    hc = resp["HealthCheck"]
    assert meta["HTTPStatusCode"] == 201
    assert UUID_RE.match(hc["Id"]), hc["Id"]
    assert resp["Location"].endswith(f"/2013-04-01/healthcheck/{hc['Id']}")
    assert hc["CallerReference"] == ref
    assert hc["HealthCheckVersion"] == 1
    # Route 53's defaults, echoed
    assert hc["HealthCheckConfig"] == {
        "IPAddress": "198.51.100.10", "Port": 80, "Type": "HTTP", "RequestInterval": 30, "FailureThreshold": 3,
        "MeasureLatency": False, "Inverted": False, "Disabled": False, "EnableSNI": False}
    assert r53.get_health_check(HealthCheckId=hc["Id"])["HealthCheck"] == hc


def test_https_defaults_port_443_and_sni(api, r53):
    for kind in ("HTTPS", "HTTPS_STR_MATCH"):
        config = {"Type": kind, "FullyQualifiedDomainName": "api.example.org"}
        if kind.endswith("STR_MATCH"):
            config["SearchString"] = "ok"
        got = new_check(r53, config)["HealthCheckConfig"]
        assert (got["Port"], got["EnableSNI"], got["FullyQualifiedDomainName"]) == (443, True, "api.example.org")
        assert "IPAddress" not in got


def test_every_field_round_trips(api, r53):
    config = {
        "IPAddress": "2001:db8::10", "Port": 8443, "Type": "HTTPS_STR_MATCH", "ResourcePath": "/health?deep=1&x=<y>",
        "FullyQualifiedDomainName": "svc.example.org", "SearchString": "status: \"UP\" & ready", "RequestInterval": 10,
        "FailureThreshold": 7, "MeasureLatency": True, "Inverted": True, "Disabled": True, "EnableSNI": False,
        "Regions": ["us-east-1", "eu-west-1", "ap-southeast-1"],
    }
    hc = new_check(r53, config)
    assert hc["HealthCheckConfig"] == config
    assert config_of(r53, hc["Id"]) == config
    listed = [c for c in all_checks(r53) if c["Id"] == hc["Id"]]
    assert listed == [hc]


def test_tcp_by_address_and_by_name(api, r53):
    by_ip = new_check(r53, {"Type": "TCP", "IPAddress": "198.51.100.20", "Port": 5432})["HealthCheckConfig"]
    assert by_ip == {"IPAddress": "198.51.100.20", "Port": 5432, "Type": "TCP", "RequestInterval": 30,
                     "FailureThreshold": 3, "MeasureLatency": False, "Inverted": False, "Disabled": False,
                     "EnableSNI": False}
    by_name = new_check(r53, {"Type": "TCP", "FullyQualifiedDomainName": "db.example.org", "Port": 5432})
    assert by_name["HealthCheckConfig"]["FullyQualifiedDomainName"] == "db.example.org"


def test_calculated_echoes_only_its_settings(api, r53):
    a, b = new_check(r53), new_check(r53)
    hc = new_check(r53, {"Type": "CALCULATED", "HealthThreshold": 1, "ChildHealthChecks": [a["Id"], b["Id"]],
                         "Inverted": True})
    assert hc["HealthCheckConfig"] == {"Type": "CALCULATED", "Inverted": True, "Disabled": False,
                                       "HealthThreshold": 1, "ChildHealthChecks": [a["Id"], b["Id"]]}
    zero = new_check(r53, {"Type": "CALCULATED", "HealthThreshold": 0})
    assert zero["HealthCheckConfig"] == {"Type": "CALCULATED", "Inverted": False, "Disabled": False,
                                         "HealthThreshold": 0}


PRIVATE = ["127.0.0.1", "10.20.30.40", "192.168.1.1", "169.254.10.10", "100.64.0.1", "::1", "fd12::1", "fe80::1"]


@pytest.mark.parametrize("address", PRIVATE)
def test_private_and_loopback_addresses_are_allowed(api, r53, address):
    """Unlike Route 53: Nearcast's checkers run next to the services they check."""
    hc = new_check(r53, {"Type": "TCP", "IPAddress": address, "Port": 8080})
    assert hc["HealthCheckConfig"]["IPAddress"] == address


def test_config_can_restore_route53s_address_restriction(tmp_path):
    server = ApiServer(tmp_path, config_extra="health_checks:\n  restrict_private_addresses: true\n")
    try:
        r53 = make_client(server)
        for address in PRIVATE:
            err = error_of(r53.create_health_check, CallerReference=str(uuid.uuid4()),
                           HealthCheckConfig={"Type": "TCP", "IPAddress": address, "Port": 8080})
            assert_error(err, "InvalidInput", 400, f"Invalid parameter : IP address '{address}' is in a local, private, "
                         "non-routable or multicast range; health checks cannot check it.")
        assert new_check(r53, {"Type": "TCP", "IPAddress": "8.8.8.8", "Port": 53})["HealthCheckConfig"]["Port"] == 53
        assert r53.get_health_check_count()["HealthCheckCount"] == 1
    finally:
        server.stop_checked()


# --------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------

@pytest.mark.parametrize("config,message", [
    ({"Type": "TCP", "IPAddress": "198.51.100.1"}, "TCP health checks must have a port specified."),
    ({"Type": "TCP", "IPAddress": "198.51.100.1", "Port": 22, "ResourcePath": "/"},
     "TCP health checks must not have a resource path specified."),
    ({"Type": "TCP", "IPAddress": "198.51.100.1", "Port": 22, "FullyQualifiedDomainName": "a.example.org"},
     "TCP health checks that have IP address must not have a fully qualified domain name specified."),
    ({"Type": "HTTP", "Port": 80}, "Basic health checks must have an IP address or a fully qualified domain name specified."),
    ({"Type": "HTTP_STR_MATCH", "IPAddress": "198.51.100.1"}, "Basic health checks must have a search string specified."),
    ({"Type": "HTTPS", "IPAddress": "198.51.100.1", "SearchString": "x"},
     "Basic health checks must not have a search string specified."),
    ({"Type": "HTTP", "IPAddress": "198.51.100.1", "HealthThreshold": 1},
     "Basic health checks must not have a health threshold specified."),
    ({"Type": "HTTP", "IPAddress": "198.51.100.1", "RequestInterval": 20},
     "Invalid parameter : RequestInterval must be 10 or 30, not 20."),
    ({"Type": "HTTP", "IPAddress": "198.51.100.999"},
     "Invalid parameter : IP address '198.51.100.999' is not a valid IPv4 or IPv6 address."),
    ({"Type": "HTTP", "FullyQualifiedDomainName": "bad name.example.org"},
     "Invalid parameter : FullyQualifiedDomainName 'bad name.example.org' must consist of letters, digits, "
     "hyphens, underscores and dots."),
    ({"Type": "TCP", "IPAddress": "198.51.100.1", "Port": 22, "AlarmIdentifier": {"Region": "us-east-1", "Name": "a"}},
     "Invalid parameter : Basic health checks must not have an metric region specified."),
    ({"Type": "HTTP", "IPAddress": "198.51.100.1", "InsufficientDataHealthStatus": "Healthy"},
     "Basic health checks must not have an insufficient data health state specified."),
    ({"Type": "CALCULATED", "ChildHealthChecks": []},
     "Invalid parameter : Calculated health checks must have a health threshold specified."),
    ({"Type": "CALCULATED", "HealthThreshold": 1, "FailureThreshold": 3},
     "Calculated health checks must not have a failure threshold specified."),
    ({"Type": "CALCULATED", "HealthThreshold": 1, "Port": 80}, "Calculated health checks must not have a port specified."),
    ({"Type": "CALCULATED", "HealthThreshold": 1, "ChildHealthChecks": ["00000000-0000-0000-0000-000000000000"]},
     "Invalid parameter : Child health check 00000000-0000-0000-0000-000000000000 does not exist."),
    ({"Type": "CLOUDWATCH_METRIC"},
     "Invalid parameter : Nearcast does not run CLOUDWATCH_METRIC health checks (they need AWS services); "
     "use HTTP, HTTPS, HTTP_STR_MATCH, HTTPS_STR_MATCH, TCP or CALCULATED."),
    ({"Type": "RECOVERY_CONTROL"},
     "Invalid parameter : Nearcast does not run RECOVERY_CONTROL health checks (they need AWS services); "
     "use HTTP, HTTPS, HTTP_STR_MATCH, HTTPS_STR_MATCH, TCP or CALCULATED."),
])
def test_invalid_config(api, r53, config, message):
    before = r53.get_health_check_count()["HealthCheckCount"]
    err = error_of(r53.create_health_check, CallerReference=str(uuid.uuid4()), HealthCheckConfig=config)
    assert_error(err, "InvalidInput", 400, message)
    assert r53.get_health_check_count()["HealthCheckCount"] == before


def test_ranges_and_lengths_are_reported_together(api, r53_raw):
    """Values botocore would refuse client-side, checked by the server in Route 53's member wording."""
    config = {"Type": "HTTP", "IPAddress": "198.51.100.1", "Port": 0, "FailureThreshold": 11, "RequestInterval": 5,
              "ResourcePath": "/" + "p" * 255, "Regions": ["us-east-1", "eu-west-1"]}
    err = error_of(r53_raw.create_health_check, CallerReference="r" * 65, HealthCheckConfig=config)
    assert_error(err, "InvalidInput", 400, (
        "6 validation errors detected: "
        f"Value '{'r' * 65}' at 'callerReference' failed to satisfy constraint: Member must have length less than or equal to 64; "
        "Value '0' at 'healthCheckConfig.port' failed to satisfy constraint: Member must have value greater than or equal to 1; "
        f"Value '/{'p' * 255}' at 'healthCheckConfig.resourcePath' failed to satisfy constraint: Member must have length less than or equal to 255; "
        "Value '5' at 'healthCheckConfig.requestInterval' failed to satisfy constraint: Member must have value greater than or equal to 10; "
        "Value '11' at 'healthCheckConfig.failureThreshold' failed to satisfy constraint: Member must have value less than or equal to 10; "
        "Value '[us-east-1, eu-west-1]' at 'healthCheckConfig.regions' failed to satisfy constraint: Member must have length greater than or equal to 3"))
    err = error_of(r53_raw.create_health_check, CallerReference=str(uuid.uuid4()),
                   HealthCheckConfig={"Type": "CALCULATED", "HealthThreshold": 257})
    assert_error(err, "InvalidInput", 400, "1 validation error detected: Value '257' at 'healthCheckConfig.healthThreshold' "
                 "failed to satisfy constraint: Member must have value less than or equal to 256")


def test_schema_errors(api, r53_raw):
    err = error_of(r53_raw.create_health_check, CallerReference=str(uuid.uuid4()),
                   HealthCheckConfig={"Type": "HTTP", "IPAddress": "198.51.100.1",
                                      "Regions": ["us-east-1", "eu-west-1", "mars-1"]})
    assert_error(err, "InvalidInput", 400, startswith="Invalid XML ; cvc-enumeration-valid: Value 'mars-1' is not facet-valid")
    body = xml_body("CreateHealthCheckRequest", "<CallerReference>x</CallerReference>"
                    "<HealthCheckConfig><Type>ICMP</Type><IPAddress>198.51.100.1</IPAddress></HealthCheckConfig>")
    r = raw_request(api, "POST", "/2013-04-01/healthcheck", body)
    assert (r.status, r.code) == (400, "InvalidInput"), r
    assert r.message == ("Invalid XML ; cvc-enumeration-valid: Value 'ICMP' is not facet-valid with respect to enumeration "
                         "'[HTTP, HTTPS, HTTP_STR_MATCH, HTTPS_STR_MATCH, TCP, CALCULATED, CLOUDWATCH_METRIC, "
                         "RECOVERY_CONTROL]'. It must be a value from the enumeration.")


# --------------------------------------------------------------------------
# caller reference idempotency
# --------------------------------------------------------------------------

def test_same_reference_and_config_returns_the_existing_check(api, r53):
    ref = str(uuid.uuid4())
    first = new_check(r53, HTTP, ref=ref)
    count = r53.get_health_check_count()["HealthCheckCount"]
    again = new_check(r53, dict(HTTP), ref=ref)
    assert again == first
    # the defaults written out are the same settings
    assert new_check(r53, {**HTTP, "Port": 80, "RequestInterval": 30}, ref=ref)["Id"] == first["Id"]
    assert r53.get_health_check_count()["HealthCheckCount"] == count


def test_same_reference_with_other_settings_is_409(api, r53):
    ref = str(uuid.uuid4())
    new_check(r53, HTTP, ref=ref)
    err = error_of(r53.create_health_check, CallerReference=ref, HealthCheckConfig={**HTTP, "Port": 8080})
    assert_error(err, "HealthCheckAlreadyExists", 409, MSG_EXISTS)


def test_reference_of_a_deleted_check_is_409(api, r53):
    ref = str(uuid.uuid4())
    hc = new_check(r53, HTTP, ref=ref)
    r53.delete_health_check(HealthCheckId=hc["Id"])
    err = error_of(r53.create_health_check, CallerReference=ref, HealthCheckConfig=HTTP)
    assert_error(err, "HealthCheckAlreadyExists", 409, MSG_EXISTS)


# --------------------------------------------------------------------------
# update
# --------------------------------------------------------------------------

def test_update_sets_fields_and_raises_the_version(api, r53):
    hc = new_check(r53, {**HTTP, "FullyQualifiedDomainName": "www.example.org", "ResourcePath": "/a"})
    r = r53.update_health_check(HealthCheckId=hc["Id"], HealthCheckVersion=1, IPAddress="198.51.100.11", Port=8080,
                                FailureThreshold=5, Inverted=True, Disabled=True, EnableSNI=True,
                                Regions=["us-west-1", "us-west-2", "sa-east-1"])["HealthCheck"]
    assert r["HealthCheckVersion"] == 2
    assert r["HealthCheckConfig"] == {
        "IPAddress": "198.51.100.11", "Port": 8080, "Type": "HTTP", "ResourcePath": "/a",
        "FullyQualifiedDomainName": "www.example.org", "RequestInterval": 30, "FailureThreshold": 5,
        "MeasureLatency": False, "Inverted": True, "Disabled": True, "EnableSNI": True,
        "Regions": ["us-west-1", "us-west-2", "sa-east-1"]}
    assert r53.get_health_check(HealthCheckId=hc["Id"])["HealthCheck"] == r
    # without HealthCheckVersion the update applies to whatever version is current
    r = r53.update_health_check(HealthCheckId=hc["Id"], ResourcePath="/b")["HealthCheck"]
    assert (r["HealthCheckVersion"], r["HealthCheckConfig"]["ResourcePath"]) == (3, "/b")


def test_version_mismatch_is_409_and_changes_nothing(api, r53):
    hc = new_check(r53)
    r53.update_health_check(HealthCheckId=hc["Id"], HealthCheckVersion=1, Port=81)
    err = error_of(r53.update_health_check, HealthCheckId=hc["Id"], HealthCheckVersion=1, Port=82)
    assert_error(err, "HealthCheckVersionMismatch", 409, MSG_MISMATCH)
    got = r53.get_health_check(HealthCheckId=hc["Id"])["HealthCheck"]
    assert (got["HealthCheckVersion"], got["HealthCheckConfig"]["Port"]) == (2, 81)


def test_reset_elements(api, r53):
    hc = new_check(r53, {**HTTP, "FullyQualifiedDomainName": "www.example.org", "ResourcePath": "/x",
                         "Regions": ["us-east-1", "us-west-1", "us-west-2"]})
    r = r53.update_health_check(HealthCheckId=hc["Id"],
                                ResetElements=["FullyQualifiedDomainName", "ResourcePath", "Regions"])["HealthCheck"]
    kept = {k: v for k, v in hc["HealthCheckConfig"].items()
            if k not in ("FullyQualifiedDomainName", "ResourcePath", "Regions")}
    assert (r["HealthCheckConfig"], r["HealthCheckVersion"]) == (kept, 2)
    # Terraform clears a name or path by sending it empty: the same as resetting it
    hc = new_check(r53, {**HTTP, "FullyQualifiedDomainName": "www.example.org", "ResourcePath": "/x"})
    r = r53.update_health_check(HealthCheckId=hc["Id"], FullyQualifiedDomainName="", ResourcePath="")["HealthCheck"]
    assert not {"FullyQualifiedDomainName", "ResourcePath"} & r["HealthCheckConfig"].keys()
    a, b = new_check(r53), new_check(r53)
    calc = new_check(r53, {"Type": "CALCULATED", "HealthThreshold": 1, "ChildHealthChecks": [a["Id"]]})
    r = r53.update_health_check(HealthCheckId=calc["Id"], ChildHealthChecks=[a["Id"], b["Id"]], HealthThreshold=2)
    assert r["HealthCheck"]["HealthCheckConfig"]["ChildHealthChecks"] == [a["Id"], b["Id"]]
    r = r53.update_health_check(HealthCheckId=calc["Id"], ResetElements=["ChildHealthChecks"])
    assert "ChildHealthChecks" not in r["HealthCheck"]["HealthCheckConfig"]


def test_update_rules(api, r53):
    by_name = new_check(r53, {"Type": "HTTP", "FullyQualifiedDomainName": "www.example.org"})
    err = error_of(r53.update_health_check, HealthCheckId=by_name["Id"], IPAddress="198.51.100.1")
    assert_error(err, "InvalidInput", 400,
                 "Invalid parameter : An IP address cannot be added to a health check that was created without one.")
    err = error_of(r53.update_health_check, HealthCheckId=by_name["Id"], ResetElements=["FullyQualifiedDomainName"])
    assert_error(err, "InvalidInput", 400,
                 "Basic health checks must have an IP address or a fully qualified domain name specified.")
    calc = new_check(r53, {"Type": "CALCULATED", "HealthThreshold": 0})
    err = error_of(r53.update_health_check, HealthCheckId=calc["Id"], ChildHealthChecks=[calc["Id"]])
    assert_error(err, "InvalidInput", 400,
                 f"Invalid parameter : Health check {calc['Id']} cannot monitor itself through its child health checks.")
    assert config_of(r53, by_name["Id"]) == by_name["HealthCheckConfig"]
    assert r53.get_health_check(HealthCheckId=calc["Id"])["HealthCheck"]["HealthCheckVersion"] == 1


@pytest.mark.parametrize("element", ["<Type>TCP</Type>", "<RequestInterval>10</RequestInterval>",
                                     "<MeasureLatency>true</MeasureLatency>"])
def test_fields_that_cannot_change_are_schema_errors(api, r53, element):
    """UpdateHealthCheckRequest has no Type, RequestInterval or MeasureLatency: Route 53's schema refuses them."""
    hc = new_check(r53)
    r = raw_request(api, "POST", f"/2013-04-01/healthcheck/{hc['Id']}", xml_body("UpdateHealthCheckRequest", element))
    assert (r.status, r.code) == (400, "InvalidInput"), r
    name = element[1:element.index(">")]
    assert r.message == f"Invalid XML ; cvc-complex-type.2.4.a: Invalid content was found starting with element '{name}'."


def test_update_unknown_check(api, r53):
    check_id = str(uuid.uuid4())
    err = error_of(r53.update_health_check, HealthCheckId=check_id, Port=81)
    assert_error(err, "NoSuchHealthCheck", 404, no_such(check_id))


# --------------------------------------------------------------------------
# list, count, delete
# --------------------------------------------------------------------------

def test_list_pages_in_creation_order(api, r53):
    mine = [new_check(r53)["Id"] for _ in range(5)]
    everything = [c["Id"] for c in all_checks(r53)]
    assert [i for i in everything if i in mine] == mine
    assert [c["Id"] for c in all_checks(r53, page=2)] == everything
    first = r53.list_health_checks(MaxItems="2")
    assert (first["IsTruncated"], first["Marker"], first["MaxItems"]) == (True, "", "2")
    assert len(first["HealthChecks"]) == 2 and first["NextMarker"] == everything[2]
    start = everything.index(mine[1])
    page = r53.list_health_checks(Marker=mine[1], MaxItems="3")
    assert [c["Id"] for c in page["HealthChecks"]] == everything[start:start + 3]
    assert page["Marker"] == mine[1]
    last = r53.list_health_checks(Marker=mine[-1])
    assert last["IsTruncated"] is False and "NextMarker" not in last and last["MaxItems"] == "100"
    assert last["HealthChecks"][0]["Id"] == mine[-1]


def test_list_with_bad_marker_or_max_items(api, r53):
    err = error_of(r53.list_health_checks, Marker="no-such-marker")
    assert_error(err, "InvalidInput", 400, "Invalid marker: no-such-marker")
    err = error_of(r53.list_health_checks, MaxItems="0")
    assert_error(err, "InvalidInput", 400, startswith="1 validation error detected: Value '0' at 'maxItems'")


def test_count_and_delete(api, r53):
    before = r53.get_health_check_count()["HealthCheckCount"]
    hc = new_check(r53)
    assert r53.get_health_check_count()["HealthCheckCount"] == before + 1
    assert r53.delete_health_check(HealthCheckId=hc["Id"])["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert r53.get_health_check_count()["HealthCheckCount"] == before
    for call in (r53.get_health_check, r53.delete_health_check, r53.get_health_check_status,
                 r53.get_health_check_last_failure_reason):
        assert_error(error_of(call, HealthCheckId=hc["Id"]), "NoSuchHealthCheck", 404, no_such(hc["Id"]))
    assert hc["Id"] not in [c["Id"] for c in all_checks(r53)]


def test_overlong_id(api, r53):
    long_id = "x" * 65
    err = error_of(r53.get_health_check, HealthCheckId=long_id)
    assert_error(err, "InvalidInput", 400, f"1 validation error detected: Value '{long_id}' at 'healthCheckId' failed "
                 "to satisfy constraint: Member must have length less than or equal to 64")


# --------------------------------------------------------------------------
# status
# --------------------------------------------------------------------------

def test_status_and_last_failure_reason_of_a_new_check(api, r53):
    hc = new_check(r53, {"Type": "TCP", "IPAddress": "127.0.0.1", "Port": 9})
    for call in (r53.get_health_check_status, r53.get_health_check_last_failure_reason):
        r = call(HealthCheckId=hc["Id"])
        assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
        observations = r["HealthCheckObservations"]
        assert isinstance(observations, list)
        for o in observations:
            assert set(o) == {"Region", "IPAddress", "StatusReport"}
            assert set(o["StatusReport"]) == {"Status", "CheckedTime"}
    raw = raw_request(api, "GET", f"/2013-04-01/healthcheck/{hc['Id']}/status")
    assert raw.status == 200 and raw.root.tag == f"{{{XMLNS}}}GetHealthCheckStatusResponse"
    assert raw.root.find(f"{{{XMLNS}}}HealthCheckObservations") is not None


# --------------------------------------------------------------------------
# tags
# --------------------------------------------------------------------------

def tags_of(r53, check_id):
    ts = r53.list_tags_for_resource(ResourceType="healthcheck", ResourceId=check_id)["ResourceTagSet"]
    assert (ts["ResourceType"], ts["ResourceId"]) == ("healthcheck", check_id)
    return {t["Key"]: t["Value"] for t in ts.get("Tags", [])}


def test_tags(api, r53):
    a, b = new_check(r53), new_check(r53)
    assert tags_of(r53, a["Id"]) == {}
    r53.change_tags_for_resource(ResourceType="healthcheck", ResourceId=a["Id"],
                                 AddTags=[{"Key": "Name", "Value": "eu web"}, {"Key": "team", "Value": "dns"}])
    r53.change_tags_for_resource(ResourceType="healthcheck", ResourceId=a["Id"], RemoveTagKeys=["team"])
    assert tags_of(r53, a["Id"]) == {"Name": "eu web"}
    r = r53.list_tags_for_resources(ResourceType="healthcheck", ResourceIds=[a["Id"], b["Id"]])
    assert {s["ResourceId"]: {t["Key"]: t["Value"] for t in s.get("Tags", [])} for s in r["ResourceTagSets"]} == {
        a["Id"]: {"Name": "eu web"}, b["Id"]: {}}
    r53.delete_health_check(HealthCheckId=a["Id"])
    for call, kw in ((r53.list_tags_for_resource, {}),
                     (r53.change_tags_for_resource, {"AddTags": [{"Key": "k", "Value": "v"}]})):
        err = error_of(call, ResourceType="healthcheck", ResourceId=a["Id"], **kw)
        assert_error(err, "NoSuchHealthCheck", 404, no_such(a["Id"]))
    err = error_of(r53.list_tags_for_resources, ResourceType="healthcheck", ResourceIds=[b["Id"], a["Id"]])
    assert_error(err, "NoSuchHealthCheck", 404, no_such(a["Id"]))


def test_zone_id_is_no_health_check(api, r53, zone):
    err = error_of(r53.list_tags_for_resource, ResourceType="healthcheck", ResourceId=zone["id"])
    assert_error(err, "NoSuchHealthCheck", 404, no_such(zone["id"]))


# --------------------------------------------------------------------------
# record sets naming health checks
# --------------------------------------------------------------------------

def test_record_set_with_unknown_health_check_changes_nothing(api, r53, zone):
    name = f"www.{zone['name']}"
    apply(r53, zone["id"], create(latency(name, "A", "us-east-1", ["192.0.2.1"])))
    before = list_all(r53, zone["id"])
    missing = str(uuid.uuid4())
    for change in (create(latency(name, "A", "eu-west-1", ["192.0.2.2"]) | {"HealthCheckId": missing}),
                   upsert(latency(name, "A", "us-east-1", ["192.0.2.1"]) | {"HealthCheckId": missing})):
        err = error_of(r53.change_resource_record_sets, HostedZoneId=zone["id"],
                       ChangeBatch={"Changes": [create(latency(name, "A", "ap-southeast-1", ["192.0.2.3"])), change]})
        assert_error(err, "NoSuchHealthCheck", 404, no_such(missing))
    assert list_all(r53, zone["id"]) == before


def test_check_named_by_a_record_set_can_be_deleted(api, r53, zone):
    """Route 53 allows it; the record set keeps the id and can still be deleted."""
    hc = new_check(r53)
    s = latency(f"api.{zone['name']}", "A", "eu-west-1", ["192.0.2.2"]) | {"HealthCheckId": hc["Id"]}
    apply(r53, zone["id"], create(s))
    r53.delete_health_check(HealthCheckId=hc["Id"])
    assert [x.get("HealthCheckId") for x in list_all(r53, zone["id"]) if x["Name"] == s["Name"]] == [hc["Id"]]
    apply(r53, zone["id"], delete(s))
    assert not [x for x in list_all(r53, zone["id"]) if x["Name"] == s["Name"]]


# --------------------------------------------------------------------------
# AWS CLI
# --------------------------------------------------------------------------

def test_aws_cli(api, aws):
    ref = str(uuid.uuid4())
    made = aws("create-health-check", "--caller-reference", ref, "--health-check-config",
               '{"Type":"HTTPS","FullyQualifiedDomainName":"cli.example.org","ResourcePath":"/up"}')
    assert made.rc == 0, made
    hc = made.json["HealthCheck"]
    assert made.json["Location"].endswith(hc["Id"])
    assert hc["HealthCheckConfig"]["Port"] == 443
    got = aws("get-health-check", "--health-check-id", hc["Id"])
    assert got.rc == 0 and got.json["HealthCheck"] == hc, got
    listed = aws("list-health-checks")
    assert listed.rc == 0 and hc["Id"] in [c["Id"] for c in listed.json["HealthChecks"]], listed
    updated = aws("update-health-check", "--health-check-id", hc["Id"], "--health-check-version", "1",
                  "--failure-threshold", "2")
    assert updated.rc == 0 and updated.json["HealthCheck"]["HealthCheckVersion"] == 2, updated
    assert aws("delete-health-check", "--health-check-id", hc["Id"]).rc == 0
    gone = aws("get-health-check", "--health-check-id", hc["Id"])
    assert gone.rc != 0 and "NoSuchHealthCheck" in gone.stderr, gone
