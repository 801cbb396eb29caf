"""A check's status flips after exactly FailureThreshold consecutive results that disagree with it — counted
at the endpoint — in both directions, and DNS follows at once. GetHealthCheckStatus shows the status text of
each request (Route 53's per-checker report), so it says "Failure" from the first failed request on; the
decided status (DNS, /metrics) waits for the threshold."""

import time
import uuid

import pytest

from .endpoints import Behaviour
from .health_helpers import wait_until

# The request after the threshold-th is held this long by the endpoint (below Route 53's 2 s limit, so it still
# counts as the same kind of result): DNS must show the new status before that request is answered.
HOLD = 1.5


def follow_transition(health, ep, name, check, status, want_healthy, threshold, timeout=15.0):
    """Switches `ep` to answer `status`: exactly `threshold` answers at once, then every answer held HOLD s.
    Polls DNS and the endpoint until DNS shows `want_healthy`, and asserts that
    - DNS flips only once the endpoint has sent `threshold` such answers, never before;
    - DNS flips before the next answer is sent (that request is in flight, held), so the flip came from
      exactly `threshold` results;
    - while threshold - 1 answers had been counted by the checker (GetHealthCheckStatus already reports the
      last one), DNS and /metrics still showed the old status."""
    verb = "Success" if want_healthy else "Failure"
    old = "healthy" if not want_healthy else "unhealthy"
    since = ep.mark()
    ep.queue([Behaviour(status)] * threshold, then=Behaviour(status, delay=HOLD))
    saw_one_short = threshold == 1
    deadline = time.monotonic() + timeout
    while True:
        dns_now = health.dns_healthy(name)
        sent = ep.count(status=status, since=since)  # read after DNS: at least what the checker had counted
        if dns_now == want_healthy:
            assert sent >= threshold, (
                f"DNS stopped showing {old} after only {sent} answer(s) {status} (FailureThreshold {threshold})")
            assert sent == threshold, (
                f"DNS still showed {old} when answer {sent} of {status} was sent (FailureThreshold {threshold}): "
                f"answer {threshold} was sent {HOLD}+ s earlier")
            break
        if not saw_one_short and sent == threshold - 1:
            # one short of the threshold: the report tells the last result, the status holds
            report = health.report(check)
            decided = health.decided(check)
            dns_again = health.dns_healthy(name)
            if report.startswith(verb) and ep.count(status=status, since=since) == threshold - 1:
                assert decided is (not want_healthy), f"/metrics flipped after {threshold - 1} answer(s) {status}"
                assert dns_again is (not want_healthy), f"DNS flipped after {threshold - 1} answer(s) {status}"
                saw_one_short = True
        assert time.monotonic() < deadline, (
            f"DNS never stopped showing {old} within {timeout}s ({ep.count(status=status, since=since)} "
            f"answers {status}; report {health.report(check)!r})")
        time.sleep(0.01)
    assert saw_one_short, (f"never observed the state one result short of the threshold ({threshold - 1} "
                           f"answer(s) {status} counted, report {verb}…, status unchanged)")
    wait_until(lambda: health.decided(check) is want_healthy, timeout=1, what="/metrics to agree with DNS")
    assert health.report(check).startswith(verb)
    ep.set(delay=0)


@pytest.mark.parametrize("threshold", [1, 3, 5])
def test_status_flips_after_exactly_failure_threshold_results(health, http_endpoint, threshold):
    ep = http_endpoint
    check = health.http(ep, "/health", threshold=threshold)
    name = health.watch(check)
    wait_until(lambda: ep.count(status=200, delivered=True) >= threshold and health.dns_healthy(name))
    assert health.report(check) == "Success: HTTP Status Code 200, OK"

    follow_transition(health, ep, name, check, 503, want_healthy=False, threshold=threshold)
    assert health.report(check) == "Failure: HTTP Status Code 503, Service Unavailable"

    follow_transition(health, ep, name, check, 200, want_healthy=True, threshold=threshold)
    assert health.report(check) == "Success: HTTP Status Code 200, OK"

    # each decided change is counted in /metrics and logged, once
    assert health.transitions(check) == {"unhealthy": 1, "healthy": 1}
    logged = [line for line in health.api.stderr().splitlines()
              if "health check status changed" in line and f"check={check}" in line]
    assert len(logged) == 2, logged
    assert "new=unhealthy" in logged[0] and "old=healthy" in logged[0] and "503" in logged[0], logged[0]
    assert "new=healthy" in logged[1] and "old=unhealthy" in logged[1], logged[1]


def test_a_new_check_starts_healthy_and_needs_threshold_failures(health, http_endpoint):
    """Route 53 starts checking when a check is created; the first status is healthy."""
    ep = http_endpoint
    ep.set(status=500)
    check = health.http(ep, threshold=3)
    wait_until(lambda: ep.count() >= 1, timeout=2, what="the first request, before any record set or query")
    name = health.watch(check)
    assert wait_until(lambda: not health.dns_healthy(name), timeout=10)
    assert ep.count(status=500) >= 3
    assert health.report(check) == "Failure: HTTP Status Code 500, Internal Server Error"


def test_redirects_are_healthy_and_4xx_are_not(health, http_endpoint):
    """Route 53: healthy when the status code is 2xx or 3xx."""
    ep = http_endpoint
    check = health.http(ep)
    name = health.watch(check)
    for status, healthy, text in [(301, True, "Success: HTTP Status Code 301, Moved Permanently"),
                                  (404, False, "Failure: HTTP Status Code 404, Not Found"),
                                  (399, True, "Success: HTTP Status Code 399"),
                                  (400, False, "Failure: HTTP Status Code 400, Bad Request"),
                                  (204, True, "Success: HTTP Status Code 204, No Content")]:
        ep.set(status=status)
        health.wait_report(check, text)
        health.wait_dns(name, healthy)


def test_aws_cli_create_and_get_status(health, http_endpoint, aws):
    ep = http_endpoint
    ref = str(uuid.uuid4())
    made = aws("create-health-check", "--caller-reference", ref, "--health-check-config",
               f'{{"Type":"HTTP","IPAddress":"127.0.0.1","Port":{ep.port},"ResourcePath":"/cli",'
               f'"RequestInterval":10,"FailureThreshold":2}}')
    assert made.rc == 0, made
    check = made.json["HealthCheck"]["Id"]
    health.created.append(check)
    name = health.watch(check)

    def cli_status():
        r = aws("get-health-check-status", "--health-check-id", check)
        assert r.rc == 0, r
        return {o["Region"]: o["StatusReport"]["Status"] for o in r.json["HealthCheckObservations"]}

    assert wait_until(lambda: cli_status().get("test-node") == "Success: HTTP Status Code 200, OK", timeout=10)
    assert ep.count(path="/cli") >= 1
    ep.set(status=503)
    assert wait_until(lambda: cli_status()["test-node"].startswith("Failure: HTTP Status Code 503"), timeout=10)
    health.wait_dns(name, False)
    assert ep.count(status=503) >= 2
    r = aws("get-health-check-status", "--health-check-id", check)
    (o,) = r.json["HealthCheckObservations"]
    assert o["Region"] == "test-node" and o["IPAddress"] and o["StatusReport"]["CheckedTime"], o
    ep.set(status=200)
    health.wait_dns(name, True)
    assert cli_status()["test-node"] == "Success: HTTP Status Code 200, OK"


def test_last_failure_reason_outlives_recovery(health, http_endpoint, r53):
    """GetHealthCheckLastFailureReason shows each checker's latest failed request, also after it recovered;
    GetHealthCheckStatus shows the latest request."""
    ep = http_endpoint
    check = health.http(ep, threshold=1)
    name = health.watch(check)
    assert r53.get_health_check_last_failure_reason(HealthCheckId=check)["HealthCheckObservations"] == []
    ep.set(status=503)
    health.wait_dns(name, False)
    ep.set(status=200)
    health.wait_dns(name, True)
    health.wait_report(check, "Success: HTTP Status Code 200, OK")
    failures = r53.get_health_check_last_failure_reason(HealthCheckId=check)["HealthCheckObservations"]
    assert [(o["Region"], o["StatusReport"]["Status"]) for o in failures] == [
        ("test-node", "Failure: HTTP Status Code 503, Service Unavailable")]
    status = r53.get_health_check_status(HealthCheckId=check)["HealthCheckObservations"]
    assert failures[0]["StatusReport"]["CheckedTime"] < status[0]["StatusReport"]["CheckedTime"]
