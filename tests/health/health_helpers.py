"""Helpers for the health check end-to-end suite.

The server is the Route 53 API suite's `ApiServer` (tests/api/api_helpers.py: a real `nearcast serve` with
the API on and the latency map 10.1.0.0/16 → eu-west-1, us-east-1, ap-southeast-1; 10.2.0.0/16 →
ap-southeast-1, us-east-1, eu-west-1; every other client → us-east-1 first), started with a
`health_checks` section that scales RequestInterval by 0.05 (10 s → 0.5 s; timeouts are not scaled).
"""

from __future__ import annotations

import os
import re
import sys
import time
import uuid
from pathlib import Path

import requests

TESTS = Path(__file__).resolve().parents[1]
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

from api.api_helpers import (  # noqa: E402
    AP_CLIENT, EU_CLIENT, OTHER_CLIENT, ApiServer, addresses, apply, create, delete, get_ecs, latency, make_client,
    rrset, run_aws, upsert, wait_insync,
)

__all__ = [
    "AP_CLIENT", "EU_CLIENT", "OTHER_CLIENT", "ApiServer", "addresses", "apply", "create", "delete", "get_ecs",
    "latency", "make_client", "rrset", "run_aws", "upsert", "wait_insync",
]

OBSERVER = "test-node"
TIME_SCALE = 0.05
INTERVAL = 10 * TIME_SCALE          # RequestInterval 10 s, scaled: 0.5 s between requests
HEALTH_CONFIG = f"""\
health_checks:
  time_scale: {TIME_SCALE}      # RequestInterval 10 s becomes 0.5 s between requests (timeouts are not scaled)
  observer: {OBSERVER}
"""

PRIMARY, SECONDARY = "192.0.2.1", "192.0.2.2"


def wait_until(predicate, timeout=15.0, interval=0.02, what=None):
    """Polls `predicate` until it returns something truthy (returned) or `timeout` seconds pass (AssertionError
    naming `what` and the last value or exception)."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            last = predicate()
            if last:
                return last
        except AssertionError:
            raise
        except Exception as e:  # noqa: BLE001 - keep polling
            last = e
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or getattr(predicate, '__name__', 'it')}"
                                 f" (last: {last!r})")
        time.sleep(interval)


def served(r53, zone, *changes):
    """Applies a change batch and waits until DNS serves it (GetChange INSYNC)."""
    wait_insync(r53, apply(r53, zone["id"], *changes)["Id"])


def fd_count(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def socket_count(pid: int) -> int:
    n = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:"):
                n += 1
        except OSError:
            pass
    return n


class Health:
    """Health checks and the record sets that show their statuses, on one server; deletes its checks at the
    end (`cleanup`)."""

    def __init__(self, api, r53):
        self.api, self.r53 = api, r53
        self.created: list[str] = []
        self._zone = None
        self._names = 0

    # -- checks
    def create(self, config: dict, ref: str | None = None) -> str:
        resp = self.r53.create_health_check(CallerReference=ref or str(uuid.uuid4()), HealthCheckConfig=config)
        assert resp["ResponseMetadata"]["HTTPStatusCode"] == 201, resp
        check_id = resp["HealthCheck"]["Id"]
        self.created.append(check_id)
        return check_id

    def http(self, ep, path="/", kind=None, threshold=1, **extra) -> str:
        """An HTTP(S) check of `ep` (an HTTPEndpoint) by IP address, RequestInterval 10 (0.5 s scaled)."""
        config = {"Type": kind or ("HTTPS" if ep.tls else "HTTP"), "IPAddress": "127.0.0.1", "Port": ep.port,
                  "ResourcePath": path, "RequestInterval": 10, "FailureThreshold": threshold}
        config.update(extra)
        return self.create(config)

    def at_port(self, kind, port, threshold=1, **extra) -> str:
        """A check of type `kind` of 127.0.0.1:`port`, RequestInterval 10 (0.5 s scaled)."""
        config = {"Type": kind, "IPAddress": "127.0.0.1", "Port": port, "RequestInterval": 10,
                  "FailureThreshold": threshold}
        config.update(extra)
        return self.create(config)

    def tcp(self, port, threshold=1, **extra) -> str:
        return self.at_port("TCP", port, threshold, **extra)

    def calculated(self, children, threshold, **extra) -> str:
        config = {"Type": "CALCULATED", "ChildHealthChecks": list(children), "HealthThreshold": threshold}
        config.update(extra)
        return self.create(config)

    def delete(self, check_id):
        self.r53.delete_health_check(HealthCheckId=check_id)
        if check_id in self.created:
            self.created.remove(check_id)

    def cleanup(self):
        for check_id in list(self.created):
            try:
                self.delete(check_id)
            except Exception:  # noqa: BLE001 - the server may be gone already
                pass

    # -- what the server says about a check
    def observations(self, check_id) -> dict:
        """GetHealthCheckStatus: observer (Region) → StatusReport.Status."""
        obs = self.r53.get_health_check_status(HealthCheckId=check_id)["HealthCheckObservations"]
        return {o["Region"]: o["StatusReport"]["Status"] for o in obs}

    def report(self, check_id) -> str:
        """This node's status text of its last request ("" before the first result)."""
        return self.observations(check_id).get(OBSERVER, "")

    def metrics(self) -> dict:
        """/metrics: health check id → decided healthy (nearcast_health_check_healthy)."""
        text = requests.get(f"{self.api.endpoint}/metrics", timeout=5).text
        out = {}
        for m in re.finditer(r'^nearcast_health_check_healthy\{[^}]*health_check_id="([^"]+)"[^}]*\}\s+(\S+)\s*$',
                             text, re.M):
            out[m.group(1)] = float(m.group(2)) == 1.0
        return out

    def transitions(self, check_id) -> dict:
        """/metrics: nearcast_health_check_transitions_total of a check, by `to` ("healthy"/"unhealthy")."""
        text = requests.get(f"{self.api.endpoint}/metrics", timeout=5).text
        out = {}
        for m in re.finditer(r'^nearcast_health_check_transitions_total\{([^}]*)\}\s+(\S+)\s*$', text, re.M):
            labels = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
            if labels.get("health_check_id") == check_id:
                out[labels.get("to")] = float(m.group(2))
        return out

    def decided(self, check_id):
        """The decided status from /metrics (True healthy, False unhealthy, None not shown)."""
        return self.metrics().get(check_id)

    # -- a record set per check, so that DNS shows its status
    @property
    def zone(self):
        if self._zone is None:
            self._zone = self.api.new_zone(self.r53)
        return self._zone

    def new_name(self, label="n") -> str:
        self._names += 1
        return f"{label}{self._names}-{uuid.uuid4().hex[:6]}.{self.zone['name']}"

    def watch(self, check_id, name=None) -> str:
        """Failover PRIMARY (PRIMARY address, with the check) / SECONDARY (SECONDARY address, no check) at a new
        name: DNS answers PRIMARY while the check is healthy. Returns the name."""
        name = name or self.new_name("probe")
        served(self.r53, self.zone,
               create(rrset(name, "A", [PRIMARY], set_id="primary", Failover="PRIMARY", HealthCheckId=check_id)),
               create(rrset(name, "A", [SECONDARY], set_id="secondary", Failover="SECONDARY")))
        return name

    def dns_healthy(self, name, **kw) -> bool:
        """True when DNS answers the primary at `name` (see `watch`)."""
        got = addresses(self.api.dns(name, **kw))
        assert got in ({PRIMARY}, {SECONDARY}), got
        return got == {PRIMARY}

    def wait_dns(self, name, healthy: bool, timeout=15.0):
        return wait_until(lambda: self.dns_healthy(name) == healthy, timeout=timeout,
                          what=f"DNS at {name} to show {'healthy' if healthy else 'unhealthy'}")

    def wait_report(self, check_id, prefix: str, timeout=15.0, contains: str | None = None) -> str:
        def ok():
            r = self.report(check_id)
            return r if r.startswith(prefix) and (contains is None or contains in r) else None
        try:
            return wait_until(ok, timeout=timeout)
        except AssertionError:
            raise AssertionError(f"check {check_id}: status text {self.report(check_id)!r}, wanted {prefix!r}"
                                 f"{f' containing {contains!r}' if contains else ''} within {timeout}s") from None


def answer(api, name, client, rdtype="A", source_len=24):
    """(addresses, ECS scope) of a DNS query for `name` with ECS client/source_len."""
    r = api.dns(name, rdtype, ecs=(client, source_len))
    ecs = get_ecs(r)
    return addresses(r, rdtype), (ecs.scopelen if ecs else None)
