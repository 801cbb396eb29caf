"""Failover, weighted and multivalue answer record sets following their health checks over real DNS:
failover with a TCP check on the primary, weighted sets with string-matching checks (the 5,120-byte rule),
multivalue answers of up to eight healthy values."""

import collections

from .health_helpers import addresses, create, rrset, served, wait_until

QUERIES = 50


# --------------------------------------------------------------------------
# failover with a TCP check
# --------------------------------------------------------------------------

def test_failover_follows_a_tcp_check_of_the_primary(health, tcp_listener):
    check = health.tcp(tcp_listener.port)
    name = health.new_name("db")
    served(health.r53, health.zone,
           create(rrset(name, "A", ["192.0.2.51"], set_id="primary", Failover="PRIMARY", HealthCheckId=check)),
           create(rrset(name, "A", ["192.0.2.52"], set_id="secondary", Failover="SECONDARY")))

    def wait_answer(value):
        wait_until(lambda: addresses(health.api.dns(name)) == {value}, timeout=10, what=f"{name} to answer {value}")

    health.wait_report(check, "Success: TCP connection established.")
    wait_answer("192.0.2.51")
    wait_until(lambda: tcp_listener.accepted >= 1, what="the listener to accept the check's connection")

    tcp_listener.close()                       # nothing listens: connections are refused
    wait_answer("192.0.2.52")
    assert health.report(check) == "Failure: The endpoint refused the connection."
    for _ in range(10):
        assert addresses(health.api.dns(name)) == {"192.0.2.52"}

    accepted = tcp_listener.accepted
    tcp_listener.open()                        # the same port again
    wait_answer("192.0.2.51")
    wait_until(lambda: tcp_listener.accepted > accepted, what="the reopened listener to accept a connection")
    assert health.report(check) == "Success: TCP connection established."


def test_failover_with_both_unhealthy_answers_the_primary(health, tcp_listener, dead_port):
    primary = health.tcp(tcp_listener.port)
    secondary = health.tcp(dead_port.port)
    name = health.new_name("both")
    served(health.r53, health.zone,
           create(rrset(name, "A", ["192.0.2.61"], set_id="p", Failover="PRIMARY", HealthCheckId=primary)),
           create(rrset(name, "A", ["192.0.2.62"], set_id="s", Failover="SECONDARY", HealthCheckId=secondary)))
    wait_until(lambda: health.decided(secondary) is False, what="the secondary's check to fail")
    assert addresses(health.api.dns(name)) == {"192.0.2.61"}      # primary healthy
    tcp_listener.close()
    wait_until(lambda: health.decided(primary) is False, what="the primary's check to fail")
    for _ in range(10):                                            # both unhealthy: as if both were healthy
        assert addresses(health.api.dns(name)) == {"192.0.2.61"}


# --------------------------------------------------------------------------
# weighted with string matching
# --------------------------------------------------------------------------

SEARCH = "status=ready"
WEIGHTED = {"a": "192.0.2.71", "b": "192.0.2.72", "c": "192.0.2.73"}


def draws(health, name, n=QUERIES):
    counts = collections.Counter()
    for _ in range(n):
        got = addresses(health.api.dns(name))
        assert len(got) == 1, got
        counts[next(iter(got))] += 1
    return counts


def test_weighted_sets_with_wrong_content_are_never_answered(health, http_endpoint):
    ep = http_endpoint
    checks = {}
    for key in WEIGHTED:
        ep.set(f"/{key}", body=f"<html>{SEARCH}</html>")
        checks[key] = health.http(ep, f"/{key}", kind="HTTP_STR_MATCH", SearchString=SEARCH)
    name = health.new_name("web")
    served(health.r53, health.zone, *[
        create(rrset(name, "A", [value], set_id=key, Weight=10, HealthCheckId=checks[key]))
        for key, value in WEIGHTED.items()])
    for key in WEIGHTED:
        health.wait_report(checks[key], "Success: HTTP Status Code 200, OK")
    assert set(draws(health, name)) == set(WEIGHTED.values())

    def b_is(healthy, text):
        health.wait_report(checks["b"], text)
        wait_until(lambda: health.decided(checks["b"]) is healthy, timeout=5, what=f"b to be healthy={healthy}")

    # wrong content, status 200: unhealthy, never answered
    ep.set("/b", body="<html>status=starting</html>")
    b_is(False, "Failure: HTTP Status Code 200, OK. The response body didn't contain the search string in its "
                "first 5120 bytes.")
    counts = draws(health, name)
    assert WEIGHTED["b"] not in counts, counts
    assert set(counts) == {WEIGHTED["a"], WEIGHTED["c"]}, counts

    # the search string ending exactly at byte 5,120: found
    ep.set("/b", body="x" * (5120 - len(SEARCH)) + SEARCH + "tail" * 100)
    b_is(True, "Success: HTTP Status Code 200, OK")
    assert WEIGHTED["b"] in draws(health, name)

    # one byte later, so it ends at byte 5,121: not found
    ep.set("/b", body="x" * (5120 - len(SEARCH) + 1) + SEARCH)
    b_is(False, "Failure: HTTP Status Code 200, OK. The response body didn't contain")
    assert WEIGHTED["b"] not in draws(health, name)

    # the right content with an error status is no success either
    ep.set("/b", status=500, body=SEARCH)
    b_is(False, "Failure: HTTP Status Code 500")
    assert WEIGHTED["b"] not in draws(health, name)

    ep.set("/b", status=200, body=SEARCH)
    b_is(True, "Success: HTTP Status Code 200, OK")
    assert set(draws(health, name)) == set(WEIGHTED.values())


def test_weighted_all_unhealthy_draws_among_all(health, http_endpoint):
    ep = http_endpoint
    ep.set(body="nothing to see")
    checks = {key: health.http(ep, f"/w{key}", kind="HTTP_STR_MATCH", SearchString=SEARCH) for key in WEIGHTED}
    name = health.new_name("allbad")
    served(health.r53, health.zone, *[
        create(rrset(name, "A", [value], set_id=key, Weight=1, HealthCheckId=checks[key]))
        for key, value in WEIGHTED.items()])
    wait_until(lambda: all(health.decided(c) is False for c in checks.values()), what="every check to fail")
    assert set(draws(health, name, 60)) == set(WEIGHTED.values())


# --------------------------------------------------------------------------
# multivalue answer
# --------------------------------------------------------------------------

def test_multivalue_answers_up_to_eight_healthy_values(health, http_endpoint):
    ep = http_endpoint
    values = {i: f"192.0.2.{100 + i}" for i in range(10)}
    checks = {i: health.http(ep, f"/mv{i}") for i in values}
    name = health.new_name("mv")
    served(health.r53, health.zone, *[
        create(rrset(name, "A", [values[i]], set_id=f"v{i}", MultiValueAnswer=True, HealthCheckId=checks[i]))
        for i in values])

    def wait_decided(unhealthy):
        wait_until(lambda: all(health.decided(checks[i]) is (i not in unhealthy) for i in values), timeout=10,
                   what=f"checks {sorted(unhealthy)} unhealthy, the rest healthy")

    def look(n=QUERIES):
        seen, sizes = set(), set()
        for _ in range(n):
            got = addresses(health.api.dns(name))
            seen |= got
            sizes.add(len(got))
        return seen, sizes

    wait_decided(set())
    seen, sizes = look()
    assert sizes == {8} and seen == set(values.values())

    ep.set("/mv3", status=503)                      # one unhealthy: 8 of the 9 others, never it
    wait_decided({3})
    seen, sizes = look()
    assert sizes == {8}
    assert seen == set(values.values()) - {values[3]}

    for i in (0, 1, 2):                             # four unhealthy: exactly the six healthy ones
        ep.set(f"/mv{i}", status=503)
    wait_decided({0, 1, 2, 3})
    seen, sizes = look(20)
    assert sizes == {6}
    assert seen == {values[i] for i in range(4, 10)}

    ep.set(status=503)                              # every one unhealthy: up to eight, as if all were healthy
    for i in (0, 1, 2, 3):
        ep.set(f"/mv{i}", status=503)
    wait_decided(set(values))
    seen, sizes = look()
    assert sizes == {8} and seen == set(values.values())

    ep.set(status=200)                              # all back but the ones with their own 503 setting
    wait_decided({0, 1, 2, 3})
    seen, sizes = look(20)
    assert sizes == {6}
