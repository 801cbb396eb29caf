"""Alias trees (Route 53's "complex configurations"): latency aliases at www, EvaluateTargetHealth=true, to
per-region groups whose members carry health checks —
    eu.<zone>  failover: PRIMARY 192.0.2.21 (check eu-p), SECONDARY 192.0.2.22 (check eu-s)
    us.<zone>  weighted: 192.0.2.31 (check us-a), 192.0.2.32 (check us-b)
    ap.<zone>  failover: PRIMARY 192.0.2.41 (check ap-p), SECONDARY 192.0.2.42 (check ap-s)
When a region's whole branch is unhealthy the latency group backs out of it and the next-best region's branch
answers; with EvaluateTargetHealth=false (www-noeval) the dead branch is used regardless, and answers as if its
members were all healthy (the primary). The ECS scope stays the latency map's /16."""

import pytest

from .health_helpers import AP_CLIENT, EU_CLIENT, answer, create, rrset, served, wait_until

EU, US, AP = "eu-west-1", "us-east-1", "ap-southeast-1"
ADDR = {"eu-p": "192.0.2.21", "eu-s": "192.0.2.22", "us-a": "192.0.2.31", "us-b": "192.0.2.32",
        "ap-p": "192.0.2.41", "ap-s": "192.0.2.42"}
CLIENT = {"eu": EU_CLIENT, "ap": AP_CLIENT}


class Tree:
    def __init__(self, api, health, ep):
        self.api, self.health, self.ep = api, health, ep
        z = health.zone
        self.zone = z
        n = z["name"]
        self.check = {key: health.http(ep, f"/{key}") for key in ADDR}

        def member(key, name, **policy):
            return create(rrset(name, "A", [ADDR[key]], set_id=key, HealthCheckId=self.check[key], **policy))

        def alias(name, region, target, evaluate):
            return create(rrset(name, "A", set_id=region, region=region,
                                alias={"HostedZoneId": z["id"], "DNSName": target, "EvaluateTargetHealth": evaluate}))

        self.www, self.noeval = f"www.{n}", f"www-noeval.{n}"
        branches = {EU: f"eu.{n}", US: f"us.{n}", AP: f"ap.{n}"}
        served(health.r53, z,
               member("eu-p", branches[EU], Failover="PRIMARY"), member("eu-s", branches[EU], Failover="SECONDARY"),
               member("us-a", branches[US], Weight=1), member("us-b", branches[US], Weight=1),
               member("ap-p", branches[AP], Failover="PRIMARY"), member("ap-s", branches[AP], Failover="SECONDARY"),
               *[alias(self.www, region, target, True) for region, target in branches.items()],
               *[alias(self.noeval, region, target, False) for region, target in branches.items()])
        self.wait_decided(set())

    def down(self, *keys):
        for key in keys:
            self.ep.set(f"/{key}", status=503)

    def up(self, *keys):
        for key in keys:
            self.ep.set(f"/{key}", status=200)

    def wait_decided(self, unhealthy):
        wait_until(lambda: all(self.health.decided(self.check[k]) is (k not in unhealthy) for k in ADDR),
                   timeout=10, what=f"checks {sorted(unhealthy)} unhealthy, the rest healthy")

    def set_down(self, *keys):
        """Makes exactly `keys` unhealthy and waits until that is decided."""
        self.up(*[k for k in ADDR if k not in keys])
        self.down(*keys)
        self.wait_decided(set(keys))

    def answers(self, client, name=None, n=12):
        """The set of member keys answered over n queries, and the ECS scopes seen."""
        keys, scopes = set(), set()
        by_addr = {v: k for k, v in ADDR.items()}
        for _ in range(n):
            got, scope = answer(self.api, name or self.www, CLIENT[client])
            assert len(got) == 1, got
            keys.add(by_addr[next(iter(got))])
            scopes.add(scope)
        return keys, scopes


@pytest.fixture
def tree(api, health, http_endpoint):
    return Tree(api, health, http_endpoint)


def test_healthy_tree_answers_each_clients_region(tree):
    assert tree.answers("eu") == ({"eu-p"}, {16})
    assert tree.answers("ap") == ({"ap-p"}, {16})
    assert tree.answers("eu", tree.noeval) == ({"eu-p"}, {16})


def test_a_dead_member_is_handled_inside_its_branch(tree):
    tree.set_down("eu-p")
    assert tree.answers("eu") == ({"eu-s"}, {16})          # the branch's secondary; still eu-west-1
    assert tree.answers("eu", tree.noeval) == ({"eu-s"}, {16})


def test_a_dead_branch_is_backed_out_of_for_the_next_best_region(tree):
    tree.set_down("eu-p", "eu-s")                          # all of eu-west-1's branch
    keys, scopes = tree.answers("eu", n=30)
    assert keys == {"us-a", "us-b"} and scopes == {16}     # EU's next-best region: us-east-1, both weighted
    assert tree.answers("ap") == ({"ap-p"}, {16})          # unaffected
    # EvaluateTargetHealth false: the dead branch is used regardless, answering as if all were healthy
    assert tree.answers("eu", tree.noeval) == ({"eu-p"}, {16})

    tree.set_down("eu-p", "eu-s", "us-a")                  # us-east-1's branch half dead: its healthy member
    assert tree.answers("eu", n=20) == ({"us-b"}, {16})

    tree.set_down("eu-p", "eu-s", "us-a", "us-b")          # us-east-1's branch dead too: ap-southeast-1
    assert tree.answers("eu") == ({"ap-p"}, {16})
    assert tree.answers("eu", tree.noeval) == ({"eu-p"}, {16})

    tree.set_down("eu-s", "us-a", "us-b")                  # eu-west-1's primary back: EU returns home
    assert tree.answers("eu") == ({"eu-p"}, {16})


def test_every_branch_dead_answers_as_if_all_were_healthy(tree):
    tree.set_down(*ADDR)
    assert tree.answers("eu") == ({"eu-p"}, {16})
    assert tree.answers("ap") == ({"ap-p"}, {16})
    tree.set_down("eu-p", "eu-s", "us-a", "us-b", "ap-p")  # only ap's secondary lives: everyone gets it
    assert tree.answers("eu") == ({"ap-s"}, {16})
    assert tree.answers("ap") == ({"ap-s"}, {16})


def test_failover_and_weighted_parents_back_out_of_dead_branches(tree):
    """Not only latency parents: a failover pair of aliases (PRIMARY → eu branch, SECONDARY → ap branch) and a
    weighted pair (→ eu branch, → us branch), all with EvaluateTargetHealth."""
    z = tree.zone
    n = z["name"]
    fo, wt = f"fo.{n}", f"wt.{n}"

    def alias(name, set_id, target, **policy):
        return create(rrset(name, "A", set_id=set_id, **policy,
                            alias={"HostedZoneId": z["id"], "DNSName": target, "EvaluateTargetHealth": True}))

    served(tree.health.r53, z,
           alias(fo, "p", f"eu.{n}", Failover="PRIMARY"), alias(fo, "s", f"ap.{n}", Failover="SECONDARY"),
           alias(wt, "eu", f"eu.{n}", Weight=1), alias(wt, "us", f"us.{n}", Weight=1))
    assert tree.answers("eu", fo) == ({"eu-p"}, {0})          # no latency step: nothing depends on the client
    assert tree.answers("eu", wt, n=60)[0] == {"eu-p", "us-a", "us-b"}

    tree.set_down("eu-p", "eu-s")
    assert tree.answers("eu", fo) == ({"ap-p"}, {0})          # the primary's branch is dead: the secondary's
    assert tree.answers("eu", wt, n=40)[0] == {"us-a", "us-b"}  # the dead weighted branch is drawn no more
