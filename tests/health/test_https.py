"""HTTPS checks against a TLS endpoint with a self-signed certificate made at test time: healthy (Route 53 does
not validate certificates), following the status code and body like HTTP; the Host header and the TLS server
name are Route 53's (FullyQualifiedDomainName when given, else the IP address; the port unless it is the
default)."""

from .health_helpers import wait_until


def test_https_check_accepts_a_self_signed_certificate(health, https_endpoint):
    ep = https_endpoint
    check = health.http(ep, "/tls")
    name = health.watch(check)
    health.wait_report(check, "Success: HTTP Status Code 200, OK")
    health.wait_dns(name, True)
    first = ep.snapshot()[0]
    assert first.path == "/tls"
    assert first.host == f"127.0.0.1:{ep.port}"
    assert first.server_name is None                      # no SNI for an IP address
    assert first.user_agent.startswith("Amazon-Route53-Health-Check-Service (ref " + check)
    assert ep.handshake_failures == 0

    ep.set(status=503)
    health.wait_dns(name, False)
    assert health.report(check) == "Failure: HTTP Status Code 503, Service Unavailable"
    ep.set(status=200)
    health.wait_dns(name, True)


def test_https_string_match_over_tls(health, https_endpoint):
    ep = https_endpoint
    ep.set("/s", body="service: UP\n")
    check = health.http(ep, "/s", kind="HTTPS_STR_MATCH", SearchString="UP")
    name = health.watch(check)
    health.wait_report(check, "Success: HTTP Status Code 200, OK")
    ep.set("/s", body="service: up\n")           # the search is case-sensitive
    health.wait_report(check, "Failure: HTTP Status Code 200, OK. The response body didn't contain")
    health.wait_dns(name, False)


def test_host_header_and_sni_name_the_domain(health, https_endpoint, http_endpoint):
    """With IPAddress and FullyQualifiedDomainName, the checker connects to the address and names the domain:
    Host is the domain (":port" added, the port not being 443/80), SNI the domain when EnableSNI."""
    check = health.http(https_endpoint, "/sni", FullyQualifiedDomainName="app.nearcast-test.net", EnableSNI=True)
    health.wait_report(check, "Success")
    r = https_endpoint.snapshot()[-1]
    assert r.host == f"app.nearcast-test.net:{https_endpoint.port}"
    assert r.server_name == "app.nearcast-test.net"

    no_sni = health.http(https_endpoint, "/nosni", FullyQualifiedDomainName="app.nearcast-test.net",
                         EnableSNI=False)
    health.wait_report(no_sni, "Success")
    r = [x for x in https_endpoint.snapshot() if x.path == "/nosni"][-1]
    assert r.server_name is None and r.host == f"app.nearcast-test.net:{https_endpoint.port}"

    plain = health.http(http_endpoint, "/h", FullyQualifiedDomainName="plain.nearcast-test.net")
    health.wait_report(plain, "Success")
    assert http_endpoint.hosts("/h")[-1] == f"plain.nearcast-test.net:{http_endpoint.port}"


def test_protocol_mismatches_fail(health, https_endpoint, http_endpoint):
    http_on_tls = health.at_port("HTTP", https_endpoint.port)
    tls_on_http = health.at_port("HTTPS", http_endpoint.port)
    for check in (http_on_tls, tls_on_http):
        health.wait_dns(health.watch(check), False)
    assert health.report(tls_on_http).startswith("Failure: TLS negotiation failed"), health.report(tls_on_http)
    assert health.report(http_on_tls).startswith("Failure: "), health.report(http_on_tls)
    wait_until(lambda: https_endpoint.handshake_failures >= 1)
