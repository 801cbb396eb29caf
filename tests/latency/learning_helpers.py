"""Helpers for the latency-learning end-to-end tests: a `nearcast serve` with a
`latency:` section and a zone with latency records, signed JSON requests to
the node's `/nearcast/latency/` endpoints, DNS queries with ECS."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

TESTS = Path(__file__).resolve().parents[1]
for sub in ("e2e", "api"):
    if str(TESTS / sub) not in sys.path:
        sys.path.insert(0, str(TESTS / sub))

from e2e_helpers import NEARCAST_BIN, Server, addresses, free_port, get_ecs  # noqa: E402

ACCESS_KEY = "AKIDNEARCASTLATENCY"
SECRET_KEY = "nearcast-latency-test-secret"

# region -> the A value of its latency record set
REGION_A = {"us-east-1": "192.0.2.1", "eu-central-1": "192.0.2.2", "ap-southeast-1": "192.0.2.3"}
A_REGION = {v: k for k, v in REGION_A.items()}

ZONE = """\
$ORIGIN example.test.
$TTL 300
@   SOA ns1 hostmaster 1 3600 600 86400 60
@   NS  ns1
ns1 A   192.0.2.53
"""

CONFIG = """\
default_regions: [us-east-1]
zones:
  - origin: example.test.
    file: example.test.zone
    latency_records:
      - name: www
        type: A
        ttl: 60
        sets:
          - {{ id: use1, region: us-east-1, values: [192.0.2.1] }}
          - {{ id: euc1, region: eu-central-1, values: [192.0.2.2] }}
          - {{ id: apse1, region: ap-southeast-1, values: [192.0.2.3] }}
latency:
{latency}
{extra}"""


class LearningServer(Server):
    """`nearcast serve` with latency learning; `latency` is the indented body of the `latency:` section."""

    def __init__(self, workdir: Path, latency: str = "  rebuild_interval: 1h\n  geo: {tor_geoip: false}",
                 extra: str = "", data_dir: Path | None = None):
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "example.test.zone").write_text(ZONE)
        config = workdir / "nearcast.yaml"
        config.write_text(CONFIG.format(latency=latency, extra=extra))
        self.data_dir = data_dir or workdir / "data"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        super().__init__(workdir, ["--config", str(config), "--data-dir", str(self.data_dir)], v6=False, api=True,
                         env={"NEARCAST_ACCESS_KEY_ID": ACCESS_KEY, "NEARCAST_SECRET_ACCESS_KEY": SECRET_KEY})
        self.endpoint = f"http://127.0.0.1:{self.api_port}"

    def call(self, method: str, operation: str, body: bytes | str = b"", query: dict | None = None,
             content_type: str | None = None, sign: bool = True) -> tuple[int, dict]:
        """One request to /nearcast/latency/<operation>; returns (status, parsed JSON)."""
        if isinstance(body, str):
            body = body.encode()
        url = f"{self.endpoint}/nearcast/latency/{operation}"
        if query:
            url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
        headers = {"Content-Type": content_type} if content_type else {}
        request = AWSRequest(method=method, url=url, data=body, headers=headers)
        if sign:
            SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "route53", "us-east-1").add_auth(request)
        prepared = request.prepare()
        response = requests.request(method, prepared.url, data=body, headers=dict(prepared.headers), timeout=60)
        return response.status_code, response.json()

    def ingest(self, csv: str, partial: bool = False, source: str | None = None) -> tuple[int, dict]:
        query = {"partial": "true" if partial else "false"}
        if source:
            query["source"] = source
        return self.call("POST", "measurements", csv, query, "text/csv")

    def rebuild(self) -> dict:
        status, body = self.call("POST", "rebuild")
        assert status == 200, body
        return body

    def explain(self, client: str, name: str | None = None) -> dict:
        query = {"client": client}
        if name:
            query["name"] = name
        status, body = self.call("GET", "explain", query=query)
        assert status == 200, body
        return body

    def region_for(self, client_network: str, prefix_len: int = 24) -> tuple[str, int]:
        """The region whose address `www.example.test A` answers for an ECS client, and the ECS scope."""
        response = self.query("www.example.test.", "A", ecs=(client_network, prefix_len))
        values = addresses(response)
        assert len(values) == 1, response
        return A_REGION[values.pop()], get_ecs(response).scopelen


def csv_rows(rows, start_ms: int | None = None) -> str:
    """CSV text from (seconds_ago, client, region, rtt_ms) tuples."""
    now = time.time() if start_ms is None else start_ms / 1000
    lines = ["time,client,region,rtt_ms"]
    for ago, client, region, rtt in rows:
        lines.append(f"{now - ago:.3f},{client},{region},{rtt}")
    return "\n".join(lines) + "\n"


def estimates(explanation: dict) -> dict:
    """region -> its estimate entry from an explain response."""
    return {entry["region"]: entry for entry in explanation["regions"]}


def addresses_in(country: str, count: int, geoip: Path = Path("/usr/share/tor/geoip")) -> list[str]:
    """`count` IPv4 addresses that Debian's tor tables place in `country`, each inside a range of at least
    65,536 and each in a /16 of its own."""
    found: dict[int, str] = {}
    for line in geoip.read_text().splitlines():
        if line.startswith("#") or not line:
            continue
        start, end, code = line.split(",")
        value = int(start) + 256 + 7
        if code == country and int(end) - int(start) >= 65535 and value >> 16 not in found:
            found[value >> 16] = ".".join(str(value >> shift & 255) for shift in (24, 16, 8, 0))
            if len(found) == count:
                return list(found.values())
    raise AssertionError(f"fewer than {count} ranges for {country}")


def first_address_in(country: str) -> str:
    """An IPv4 address that Debian's tor tables place in `country` (inside a range of at least 65,536)."""
    return addresses_in(country, 1)[0]


__all__ = ["ACCESS_KEY", "SECRET_KEY", "NEARCAST_BIN", "LearningServer", "csv_rows", "addresses_in", "estimates", "first_address_in", "free_port", "json"]
