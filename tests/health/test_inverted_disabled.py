"""Inverted flips the decided status; Disabled checks are healthy and send no requests; Disabled and Inverted
together is unhealthy (Route 53: "Route 53 considers the status of the health check to be healthy" when
disabled, and "if you configure Route 53 to invert the health check status ... healthy becomes unhealthy").
UpdateHealthCheck changes both on a running check."""

from .health_helpers import wait_until


def update(r53, check, **fields):
    version = r53.get_health_check(HealthCheckId=check)["HealthCheck"]["HealthCheckVersion"]
    return r53.update_health_check(HealthCheckId=check, HealthCheckVersion=version, **fields)["HealthCheck"]


def test_inverted_check_is_unhealthy_while_the_endpoint_is_up(health, http_endpoint):
    ep = http_endpoint
    check = health.http(ep, "/inv", Inverted=True)
    name = health.watch(check)
    health.wait_report(check, "Success: HTTP Status Code 200, OK")   # the request succeeds...
    health.wait_dns(name, False)                                    # ...and the status is inverted
    assert health.decided(check) is False
    ep.set(status=503)
    health.wait_dns(name, True)
    assert health.report(check).startswith("Failure")
    assert health.decided(check) is True


def test_disabled_check_is_healthy_and_sends_nothing(health, http_endpoint, dead_port):
    ep = http_endpoint
    ep.set(status=503)
    dead = health.create({"Type": "TCP", "IPAddress": "127.0.0.1", "Port": dead_port.port, "RequestInterval": 10,
                          "FailureThreshold": 1, "Disabled": True})
    silent = health.http(ep, "/disabled", Disabled=True)
    reference = health.http(ep, "/enabled")           # same endpoint, same interval, enabled
    names = {c: health.watch(c) for c in (dead, silent, reference)}
    # the enabled one fails (and is counted) several times...
    wait_until(lambda: ep.count(path="/enabled") >= 4 and not health.dns_healthy(names[reference]))
    # ...while the disabled ones sent nothing and stay healthy, even though their endpoints fail
    assert ep.count(path="/disabled") == 0
    assert health.dns_healthy(names[dead]) and health.dns_healthy(names[silent])
    assert health.decided(dead) is True and health.decided(silent) is True


def test_disabled_and_inverted_is_unhealthy(health, http_endpoint):
    check = health.http(http_endpoint, "/both", Disabled=True, Inverted=True)
    name = health.watch(check)
    health.wait_dns(name, False)
    assert health.decided(check) is False
    assert http_endpoint.count(path="/both") == 0


def test_update_inverts_disables_and_enables_a_running_check(health, http_endpoint):
    ep = http_endpoint
    check = health.http(ep, "/upd", threshold=2)
    reference = health.http(ep, "/reference")
    name = health.watch(check)
    wait_until(lambda: ep.count(path="/upd") >= 2 and health.dns_healthy(name))

    assert update(health.r53, check, Inverted=True)["HealthCheckConfig"]["Inverted"] is True
    health.wait_dns(name, False)

    ep.set(status=503)
    health.wait_dns(name, True)          # inverted: failing is healthy

    assert update(health.r53, check, Inverted=False)["HealthCheckConfig"]["Inverted"] is False
    health.wait_dns(name, False)         # an update keeps the current status: failing, not inverted

    hc = update(health.r53, check, Disabled=True)["HealthCheckConfig"]
    assert hc["Disabled"] is True
    health.wait_dns(name, True)          # disabled: healthy though the endpoint fails
    n, r = ep.count(path="/upd"), ep.count(path="/reference")
    wait_until(lambda: ep.count(path="/reference") >= r + 3)   # 1.5 s of the reference check's requests...
    assert ep.count(path="/upd") <= n + 1, "a disabled check kept sending requests"  # ...none from the disabled one

    assert update(health.r53, check, Disabled=False)["HealthCheckConfig"]["Disabled"] is False
    wait_until(lambda: ep.count(path="/upd") >= n + 2)  # requests again
    health.wait_dns(name, False)
