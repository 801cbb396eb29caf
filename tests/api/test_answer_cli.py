"""`nearcast answer --data-dir` explains answers for hosted zones made through the API."""

import json
import subprocess

from .api_helpers import apply, create, latency, wait_insync  # also puts tests/e2e on sys.path

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
