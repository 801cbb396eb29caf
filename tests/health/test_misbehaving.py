"""Endpoints that are slow, refuse, or accept and never answer are failed checks — with Route 53's time
limits (HTTP: a status code within 2 s of connecting; timeouts are not scaled by time_scale) — and never stall
the checker: other checks keep being sent and decided meanwhile, and the hanging connections are closed."""

import time

from .health_helpers import wait_until

NO_STATUS = "Failure: The endpoint did not send an HTTP status code within the timeout limit."
REFUSED = "Failure: The endpoint refused the connection."


def test_a_slow_answer_within_the_limit_is_healthy_beyond_it_a_failure(health, http_endpoint):
    ep = http_endpoint
    check = health.http(ep, "/slow")
    name = health.watch(check)
    health.wait_dns(name, True)

    # 1 s: inside Route 53's 2 s for the status code — still healthy, every answer delivered
    since = ep.mark()
    ep.set(delay=1.0)
    wait_until(lambda: ep.count(since=since, delivered=True) >= 2, what="two answers slowed by 1 s")
    assert health.dns_healthy(name)
    assert health.report(check) == "Success: HTTP Status Code 200, OK"

    # 3 s: the checker gives up after 2 s, hangs up, and counts a failure
    since = ep.mark()
    t0 = time.monotonic()
    ep.set(delay=3.0)
    health.wait_dns(name, False, timeout=10)
    took = time.monotonic() - t0
    assert health.report(check) == NO_STATUS
    # the checker hung up 2 s after sending its request (Route 53's limit for the status code), not later
    # (the endpoint notices the hang-up within 20 ms)
    first = wait_until(lambda: ep.snapshot(since)[0] if ep.snapshot(since)[0].hung_up is not None else None,
                       timeout=2, what="the endpoint to see the checker hang up on its 3 s answer")
    assert 1.8 <= first.hung_up <= 2.5, f"the checker hung up {first.hung_up:.2f}s after its request (limit: 2 s)"
    assert took < 1.0 + 2.0 + 1.5, f"the failure took {took:.1f}s to reach DNS"

    ep.set(delay=0)
    health.wait_dns(name, True, timeout=10)
    assert health.report(check) == "Success: HTTP Status Code 200, OK"


def test_an_endpoint_that_never_answers_does_not_stall_other_checks(health, http_endpoint, black_hole):
    ep = http_endpoint
    hole = health.at_port("HTTP", black_hole.port)
    hole_tls = health.at_port("HTTPS", black_hole.port)
    lively = health.http(ep, "/lively", threshold=1)
    hole_name, tls_name, lively_name = health.watch(hole), health.watch(hole_tls), health.watch(lively)

    # while each black hole request waits out its 2 s, the lively check goes on every 0.5 s
    wait_until(lambda: black_hole.accepted >= 2, timeout=5, what="both black hole checks to connect")
    start = ep.count(path="/lively")
    health.wait_dns(hole_name, False, timeout=10)
    health.wait_dns(tls_name, False, timeout=10)
    assert health.report(hole) == NO_STATUS
    assert health.report(hole_tls).startswith("Failure:"), health.report(hole_tls)
    assert ep.count(path="/lively") >= start + 3, "the lively check stalled while another waited"

    # and the lively check is still decided promptly: fail it, see DNS follow within a couple of intervals
    since = ep.mark()
    ep.set("/lively", status=503)
    health.wait_dns(lively_name, False, timeout=5)
    assert ep.count(since=since, status=503) <= 3

    # every hung connection is closed by the checker: never more than one per check open at a time
    assert black_hole.max_open <= 2 + 1, f"{black_hole.max_open} connections to the black hole at once"
    health.delete(hole)
    health.delete(hole_tls)
    wait_until(lambda: black_hole.open_connections == 0, timeout=5,
               what="the deleted checks' connections to be closed")


def test_a_port_with_nothing_listening_fails(health, dead_port):
    for kind in ("HTTP", "HTTPS", "TCP", "HTTP_STR_MATCH"):
        extra = {"SearchString": "ok"} if kind.endswith("STR_MATCH") else {}
        check = health.at_port(kind, dead_port.port, **extra)
        health.wait_dns(health.watch(check), False)
        assert health.report(check) == REFUSED, kind
