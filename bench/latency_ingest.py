#!/usr/bin/env python3
"""Bulk ingestion end to end: `nearcast latency import` of a CSV file into a running
`nearcast serve` (release build) with latency learning on — HTTP, SigV4, parsing,
the raw log on disk and the aggregates — then one map rebuild.

    swift build -c release --product nearcast
    python3 bench/latency_ingest.py [--rows 5000000] [--networks 1000000]

Prints measurements per second for the import and the rebuild's time."""

import argparse
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REGIONS = ["us-east-1", "us-west-2", "sa-east-1", "eu-west-1", "eu-central-1", "af-south-1", "ap-south-1",
           "ap-southeast-1", "ap-northeast-1", "ap-southeast-2", "ca-central-1", "eu-west-2", "eu-north-1",
           "me-south-1", "ap-east-1", "us-east-2", "eu-south-1", "ap-northeast-2", "us-west-1", "eu-west-3"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--networks", type=int, default=1_000_000)
    parser.add_argument("--binary", default=str(ROOT / ".build/release/nearcast"))
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="nearcast-ingest-"))
    zone = "$ORIGIN bench.test.\n@ 300 SOA ns1 h 1 3600 600 86400 60\n@ 300 NS ns1\nns1 300 A 192.0.2.53\n"
    (work / "bench.zone").write_text(zone)
    sets = "\n".join(f"          - {{ id: r{i}, region: {r}, values: [10.0.0.{i + 1}] }}" for i, r in enumerate(REGIONS))
    (work / "nearcast.yaml").write_text(
        "zones:\n  - origin: bench.test.\n    file: bench.zone\n    latency_records:\n      - name: www\n        type: A\n"
        f"        ttl: 60\n        sets:\n{sets}\nlatency:\n  rebuild_interval: 24h\n  geo: {{tor_geoip: true}}\n")
    rng = random.Random(7)
    networks = [rng.randrange(1 << 24) << 8 for _ in range(args.networks)]
    now = time.time()
    csv = work / "measurements.csv"
    print(f"writing {args.rows:,} rows for {args.networks:,} networks ...", file=sys.stderr)
    with open(csv, "w") as f:
        f.write("time,client,region,rtt_ms\n")
        for i in range(args.rows):
            n = networks[i % args.networks] | 7
            f.write(f"{now - 3600 + i * 3600 / args.rows:.3f},{n >> 24}.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255},"
                    f"{REGIONS[(i // args.networks) % len(REGIONS)]},{rng.uniform(5, 300):.1f}\n")
    api, dns = free_port(), free_port()
    env = {**os.environ, "NEARCAST_ACCESS_KEY_ID": "AKIDBENCH", "NEARCAST_SECRET_ACCESS_KEY": "bench-secret"}
    server = subprocess.Popen([args.binary, "serve", "--config", str(work / "nearcast.yaml"), "--data-dir", str(work / "data"),
                               "--listen", f"127.0.0.1:{dns}", "--api-listen", f"127.0.0.1:{api}"],
                              env=env, stderr=open(work / "server.log", "w"))
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", api), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        client_env = {**os.environ, "AWS_ACCESS_KEY_ID": "AKIDBENCH", "AWS_SECRET_ACCESS_KEY": "bench-secret"}
        started = time.monotonic()
        done = subprocess.run([args.binary, "latency", "import", str(csv), "--endpoint", f"http://127.0.0.1:{api}"],
                              env=client_env, capture_output=True, text=True)
        seconds = time.monotonic() - started
        if done.returncode != 0:
            print(done.stdout, done.stderr, file=sys.stderr)
            return 1
        print(f"import: {args.rows:,} measurements in {seconds:.2f} s = {args.rows / seconds / 1e6:.2f} M/s "
              f"({csv.stat().st_size / 1e6:.0f} MB of CSV; {done.stdout.strip()})")
        started = time.monotonic()
        rebuild = subprocess.run(["python3", "-c", REBUILD, f"http://127.0.0.1:{api}"], capture_output=True, text=True)
        print(f"rebuild: {rebuild.stdout.strip()} (wall {time.monotonic() - started:.2f} s)")
    finally:
        server.terminate()
        server.wait(timeout=60)
    return 0


# POST /nearcast/latency/rebuild, signed as botocore signs.
REBUILD = """
import sys, requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
r = AWSRequest(method="POST", url=sys.argv[1] + "/nearcast/latency/rebuild", data=b"")
SigV4Auth(Credentials("AKIDBENCH", "bench-secret"), "route53", "us-east-1").add_auth(r)
p = r.prepare()
print(requests.post(p.url, headers=dict(p.headers), timeout=600).text)
"""

if __name__ == "__main__":
    sys.exit(main())
