"""Latency routing with health checks, asked over real DNS with ECS from different networks.

www has one latency record set per region, each with its own HTTP health check on its own endpoint. The
latency map (tests/api/api_helpers.py) ranks the regions per client network:
    EU_CLIENT 10.1.7.0/24 (in 10.1.0.0/16): eu-west-1, us-east-1, ap-southeast-1
    AP_CLIENT 10.2.7.0/24 (in 10.2.0.0/16): ap-southeast-1, us-east-1, eu-west-1
    OTHER_CLIENT 192.0.2.0/24 (no prefix):   us-east-1 first (default_regions)
An unhealthy region is skipped for the next-best; when every region is unhealthy the group answers as if all
were healthy; TestDNSAnswer agrees with DNS throughout."""

import pytest

from .health_helpers import (
    AP_CLIENT, EU_CLIENT, OTHER_CLIENT, answer, create, latency, served, wait_until,
)

EU, US, AP = "eu-west-1", "us-east-1", "ap-southeast-1"
VALUE = {EU: "192.0.2.11", US: "192.0.2.12", AP: "192.0.2.13"}
CLIENTS = {"eu": EU_CLIENT, "ap": AP_CLIENT, "other": OTHER_CLIENT}


class Regions:
    """www.<zone> with a latency set per region, each checked (FailureThreshold 1) on its own endpoint."""

    def __init__(self, api, health, http_endpoints):
        self.api, self.health = api, health
        self.ep = {region: http_endpoints() for region in VALUE}
        self.check = {region: health.http(self.ep[region], f"/{region}") for region in VALUE}
        self.zone = health.zone
        self.name = f"www.{self.zone['name']}"
        served(health.r53, self.zone, *[
            create(latency(self.name, "A", region, [VALUE[region]]) | {"HealthCheckId": self.check[region]})
            for region in VALUE])
        self.wait_decided({region: True for region in VALUE})
        # the ECS scope of each client while everything is healthy
        self.scope = {c: answer(api, self.name, ip)[1] for c, ip in CLIENTS.items()}

    def down(self, *regions):
        for region in regions:
            self.ep[region].set(status=503)

    def up(self, *regions):
        for region in regions:
            self.ep[region].set(status=200)

    def wait_decided(self, want: dict):
        """Waits until /metrics shows the decided status `want` (region → healthy) of those regions' checks."""
        def ok():
            m = self.health.metrics()
            return all(m.get(self.check[region]) is healthy for region, healthy in want.items())
        wait_until(ok, timeout=10, what=f"decided statuses {want}")

    def answers(self, client) -> tuple:
        return answer(self.api, self.name, CLIENTS[client])

    def region_of(self, client):
        got, _ = self.answers(client)
        (value,) = got
        return {v: r for r, v in VALUE.items()}[value]

    def wait_region(self, client, region, timeout=10):
        wait_until(lambda: self.region_of(client) == region, timeout=timeout,
                   what=f"the {client} client to get {region}")


@pytest.fixture
def regions(api, health, http_endpoints):
    return Regions(api, health, http_endpoints)


def test_all_healthy_each_client_gets_its_best_region(regions):
    assert regions.region_of("eu") == EU
    assert regions.region_of("ap") == AP
    assert regions.region_of("other") == US
    assert regions.scope["eu"] == regions.scope["ap"] == 16   # decided by the map's /16 blocks


def test_unhealthy_best_region_sends_its_clients_to_the_next_best_and_back(regions):
    regions.down(EU)
    regions.wait_region("eu", US)                  # eu-west-1 skipped: the next-best region answers
    regions.wait_decided({EU: False, US: True, AP: True})
    for _ in range(10):                            # steady, and the others are unaffected
        assert regions.answers("eu") == ({VALUE[US]}, 16)
        assert regions.answers("ap") == ({VALUE[AP]}, 16)
        assert regions.answers("other") == ({VALUE[US]}, regions.scope["other"])

    regions.down(US)                               # the next-best too: the third region answers
    regions.wait_region("eu", AP)
    assert regions.answers("eu") == ({VALUE[AP]}, 16)
    regions.wait_region("other", AP)               # only ap-southeast-1 is healthy: every client gets it
    assert regions.answers("other") == ({VALUE[AP]}, regions.scope["other"])
    assert regions.answers("ap") == ({VALUE[AP]}, 16)

    regions.up(EU, US)                             # restored: back to the best region
    regions.wait_region("eu", EU)
    regions.wait_region("other", US)
    assert regions.answers("eu") == ({VALUE[EU]}, 16)
    assert regions.answers("ap") == ({VALUE[AP]}, 16)


def test_ap_clients_fall_back_along_their_own_ranking(regions):
    regions.down(AP)
    regions.wait_region("ap", US)
    assert regions.answers("ap") == ({VALUE[US]}, 16)
    assert regions.answers("eu") == ({VALUE[EU]}, 16)
    regions.down(US)
    regions.wait_region("ap", EU)                  # AP's third choice is eu-west-1
    regions.up(AP)
    regions.wait_region("ap", AP)


def test_every_region_unhealthy_answers_as_if_all_were_healthy(regions):
    regions.down(EU, US, AP)
    regions.wait_decided({EU: False, US: False, AP: False})
    for _ in range(10):
        assert regions.answers("eu") == ({VALUE[EU]}, 16)
        assert regions.answers("ap") == ({VALUE[AP]}, 16)
        assert regions.answers("other") == ({VALUE[US]}, regions.scope["other"])
    # one region comes back: it is the only healthy one, so everyone gets it
    regions.up(AP)
    regions.wait_region("eu", AP)
    regions.wait_region("other", AP)
    assert regions.answers("ap") == ({VALUE[AP]}, 16)


def test_testdnsanswer_agrees_with_dns_after_a_failover(regions, r53):
    regions.down(EU)
    regions.wait_region("eu", US)

    def tda(client, mask="24", **kw):
        r = r53.test_dns_answer(HostedZoneId=regions.zone["id"], RecordName=regions.name, RecordType="A",
                                EDNS0ClientSubnetIP=client, EDNS0ClientSubnetMask=mask, **kw)
        assert r["ResponseCode"] == "NOERROR", r
        return r["RecordData"]

    for key, client in CLIENTS.items():
        dns_values, _ = regions.answers(key)
        assert tda(client) == sorted(dns_values), key
    assert tda(EU_CLIENT) == [VALUE[US]]
    assert tda(AP_CLIENT) == [VALUE[AP]]
    # the resolver's address decides when there is no ECS
    r = r53.test_dns_answer(HostedZoneId=regions.zone["id"], RecordName=regions.name, RecordType="A",
                            ResolverIP="10.1.0.53")
    assert r["RecordData"] == [VALUE[US]]

    regions.up(EU)
    regions.wait_region("eu", EU)
    assert tda(EU_CLIENT) == [VALUE[EU]]
