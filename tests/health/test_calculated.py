"""CALCULATED checks: healthy when at least HealthThreshold of their child checks are healthy, following the
children at once, and driving record sets like any check (Route 53: "Route 53 ... adds up the number of
health checks that Route 53 health checkers consider to be healthy and compares that number with the value
of HealthThreshold")."""

from .health_helpers import wait_until


def test_calculated_check_drives_a_record_set(health, http_endpoint):
    ep = http_endpoint
    children = [health.http(ep, f"/c{i}") for i in range(3)]
    calc = health.calculated(children, 2)
    name = health.watch(calc)

    def children_down(*down):
        for i in range(3):
            ep.set(f"/c{i}", status=503 if i in down else 200)
        wait_until(lambda: all(health.decided(children[i]) is (i not in down) for i in range(3)), timeout=10,
                   what=f"children {down} unhealthy")

    health.wait_dns(name, True)
    children_down(0)                        # 2 of 3 healthy: still healthy
    assert health.dns_healthy(name) and health.decided(calc) is True
    children_down(0, 1)                     # 1 of 3: unhealthy
    health.wait_dns(name, False, timeout=2)
    assert health.decided(calc) is False
    assert not [r for r in ep.snapshot() if calc in (r.user_agent or "")], "a calculated check sent a request"
    children_down(1)                        # one child back: healthy again
    health.wait_dns(name, True, timeout=2)
    children_down()
    health.wait_dns(name, True)


def test_calculated_thresholds_inversion_and_nesting(health, http_endpoint):
    ep = http_endpoint
    a, b = health.http(ep, "/a"), health.http(ep, "/b")
    always = health.calculated([a, b], 0)                     # 0: always healthy
    never = health.calculated([a, b], 3)                      # more than the children: never
    inverted = health.calculated([a, b], 2, Inverted=True)
    inverted_child = health.calculated([a, health.http(ep, "/b", Inverted=True)], 2)  # b counted inverted
    nested = health.calculated([health.calculated([a], 1), b], 2)
    names = {c: health.watch(c) for c in (always, never, inverted, inverted_child, nested)}

    def dns(check):
        return health.dns_healthy(names[check])

    wait_until(lambda: (dns(always), dns(never), dns(inverted), dns(inverted_child), dns(nested))
               == (True, False, False, False, True), timeout=10, what="statuses with both children up")
    ep.set("/a", status=503)
    ep.set("/b", status=503)
    wait_until(lambda: health.decided(a) is False and health.decided(b) is False, what="both children down")
    wait_until(lambda: (dns(always), dns(never), dns(inverted), dns(inverted_child), dns(nested))
               == (True, False, True, False, False), timeout=5, what="statuses with both children down")
    ep.set("/a", status=200)
    wait_until(lambda: (dns(always), dns(never), dns(inverted), dns(inverted_child), dns(nested))
               == (True, False, True, True, False), timeout=10, what="statuses with a up, b down")
