"""Weighted, failover and multivalue answer record sets created through the API and answered over DNS
(health checks are exercised in tests/health; here every set is healthy)."""

import collections

import dns.rcode

from .api_helpers import EU_CLIENT, addresses, apply, create, find, get_ecs, latency, list_all, rrset, wait_insync, delete


def served(api, r53, zone, *changes):
    wait_insync(r53, apply(r53, zone["id"], *changes)["Id"])


def test_weighted_answers_follow_the_weights(api, r53, zone):
    name = f"w.{zone['name']}"
    served(api, r53, zone,
           create(rrset(name, "A", ["192.0.2.10"], set_id="heavy", Weight=3)),
           create(rrset(name, "A", ["192.0.2.11"], set_id="light", Weight=1)),
           create(rrset(name, "A", ["192.0.2.12"], set_id="off", Weight=0)))
    counts = collections.Counter(next(iter(addresses(api.dns(name)))) for _ in range(800))
    assert set(counts) == {"192.0.2.10", "192.0.2.11"}, counts   # weight 0 is never drawn while others are healthy
    assert 480 <= counts["192.0.2.10"] <= 720, counts              # 3:1 → 600 expected, σ ≈ 12
    stored = find(list_all(r53, zone["id"]), name, "A", "off")
    assert stored["Weight"] == 0


def test_failover_answers_the_primary(api, r53, zone):
    name = f"f.{zone['name']}"
    served(api, r53, zone,
           create(rrset(name, "A", ["192.0.2.21"], set_id="b", Failover="SECONDARY")),
           create(rrset(name, "A", ["192.0.2.20"], set_id="a", Failover="PRIMARY")))
    for _ in range(20):
        assert addresses(api.dns(name)) == {"192.0.2.20"}
    # without the primary, the secondary answers
    served(api, r53, zone, delete(rrset(name, "A", ["192.0.2.20"], set_id="a", Failover="PRIMARY")))
    assert addresses(api.dns(name)) == {"192.0.2.21"}


def test_multivalue_answers_up_to_eight_sets(api, r53, zone):
    name = f"m.{zone['name']}"
    served(api, r53, zone, *[create(rrset(name, "A", [f"192.0.2.{30 + i}"], set_id=f"v{i}", MultiValueAnswer=True))
                             for i in range(10)])
    seen = set()
    for _ in range(40):
        got = addresses(api.dns(name))
        assert len(got) == 8, got
        seen |= got
    assert seen == {f"192.0.2.{30 + i}" for i in range(10)}, "every set takes its turn"


def test_weighted_aliases_to_latency_groups_keep_the_ecs_scope(api, r53, zone):
    z = zone["name"]
    served(api, r53, zone,
           create(latency(f"lat.{z}", "A", "eu-west-1", ["192.0.2.41"])),
           create(latency(f"lat.{z}", "A", "us-east-1", ["192.0.2.42"])),
           create(rrset(f"top.{z}", "A", set_id="only", Weight=10,
                        alias={"HostedZoneId": zone["id"], "DNSName": f"lat.{z}", "EvaluateTargetHealth": True})))
    r = api.dns(f"top.{z}", ecs=(EU_CLIENT, 24))
    assert addresses(r) == {"192.0.2.41"}
    assert r.answer[0].name.to_text() == f"top.{z}"
    assert get_ecs(r).scopelen == 16   # the latency map's 10.1.0.0/16 decided it


def test_mixing_policies_in_one_group_changes_nothing(api, r53, zone):
    name = f"mix.{zone['name']}"
    before = list_all(r53, zone["id"])
    try:
        apply(r53, zone["id"], create(rrset(name, "A", ["192.0.2.1"], set_id="a", Weight=1)),
              create(rrset(name, "A", ["192.0.2.2"], set_id="b", Failover="PRIMARY")))
        raise AssertionError("a group mixing weighted and failover sets was accepted")
    except r53.exceptions.InvalidChangeBatch:
        pass
    assert list_all(r53, zone["id"]) == before
    assert api.dns(name).rcode() == dns.rcode.NXDOMAIN
