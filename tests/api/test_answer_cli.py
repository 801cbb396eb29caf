"""`nearcast answer --data-dir` explains answers for hosted zones made through the API."""

import json
import subprocess
import uuid

from .api_helpers import (  # also puts tests/e2e on sys.path
    addresses, apply, create, free_port, latency, rrset, wait_for, wait_insync,
)

from e2e_helpers import NEARCAST_BIN  # noqa: E402


def test_answer_reads_hosted_zones_from_the_store(api, r53, zone):
    name = f"www.{zone['name']}"
    change = apply(r53, zone["id"],
                   create(latency(name, "A", "eu-west-1", ["192.0.2.51"], set_id="euw1")),
                   create(latency(name, "A", "ap-southeast-1", ["192.0.2.52"], set_id="apse1")))
    wait_insync(r53, change["Id"])
    for ecs, region, address in (("10.1.7.0/24", "eu-west-1", "192.0.2.51"), ("10.2.7.0/24", "ap-southeast-1", "192.0.2.52")):
        out = subprocess.run([NEARCAST_BIN, "answer", name, "A", "--config", str(api.dir / "nearcast.yaml"),
                              "--data-dir", str(api.data_dir), "--ecs", ecs, "--json"],
                             capture_output=True, text=True, timeout=30)
        assert out.returncode == 0, out.stderr + out.stdout
        result = json.loads(out.stdout)
        assert result["region"] == region and result["set_identifier"] in ("euw1", "apse1"), result
        assert result["answers"] == [f"{name} 60 IN A {address}"], result
        assert result["scope"] == 16, result


def test_answer_shows_the_health_checks_the_nodes_decided(api, r53, zone):
    """A failover pair whose primary's TCP check fails (nothing listens on its port): the running node answers
    the secondary, and `nearcast answer --data-dir` shows the same choice, the set it skipped and why."""
    check = r53.create_health_check(CallerReference=str(uuid.uuid4()), HealthCheckConfig={
        "Type": "TCP", "IPAddress": "127.0.0.1", "Port": free_port(), "RequestInterval": 10,
        "FailureThreshold": 1})["HealthCheck"]["Id"]
    name = f"f.{zone['name']}"
    wait_insync(r53, apply(r53, zone["id"],
                           create(rrset(name, "A", ["192.0.2.61"], set_id="main", Failover="PRIMARY", HealthCheckId=check)),
                           create(rrset(name, "A", ["192.0.2.62"], set_id="spare", Failover="SECONDARY")))["Id"])
    # The API's test server checks every 10 s (no time_scale): the first request fails at once.
    assert wait_for(lambda: addresses(api.dns(name)) == {"192.0.2.62"}, timeout=15)

    def answer(*extra):
        out = subprocess.run([NEARCAST_BIN, "answer", name, "A", "--config", str(api.dir / "nearcast.yaml"),
                              "--data-dir", str(api.data_dir), *extra], capture_output=True, text=True, timeout=30)
        assert out.returncode == 0, out.stderr + out.stdout
        return out.stdout

    # Observations reach the store within a second of being made.
    result = wait_for(lambda: (lambda r: r if r["answers"] == [f"{name} 60 IN A 192.0.2.62"] else None)(
        json.loads(answer("--json"))), timeout=5)
    step = result["steps"][0]
    assert step["policy"] == "failover" and step["chosen"] == ["spare"], result
    assert step["skipped"] == [{"set_identifier": "main", "reason": f"health check {check} is unhealthy"}], result
    assert f"skipped:        set 'main' of {name} A: health check {check} is unhealthy" in answer()
