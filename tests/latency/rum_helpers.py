"""Helpers for the real-user-measurement browser tests: local "region" servers
that serve the probe object after an artificial delay, a page server whose
page includes the beacon, headless Chromium, and the two collectors the tests
run against (the Swift harness in RealUserMeasurementTests, or `nearcast serve`
with a `rum:` section)."""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import signal
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests

from learning_helpers import NEARCAST_BIN, LearningServer, estimates, free_port

# region -> artificial delay (ms) of its probe object; far enough apart that the order survives a busy machine
REGION_DELAYS_MS = {"eu-central-1": 5, "us-east-1": 80, "ap-southeast-1": 200}
# the region whose probe object hides its timing details (the beacon's fallback path)
UNTIMED_REGION = "us-east-1"
# a region whose URL nothing listens on (the harness's `partial` collector)
UNREACHABLE_REGION = "us-west-2"
PROBE_HEADERS = {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store",
                 "Access-Control-Allow-Origin": "*", "Timing-Allow-Origin": "*"}
HARNESS_TEST = "RealUserMeasurementTests.BrowserHarness"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class _Server:
    """A ThreadingHTTPServer on 127.0.0.1 (an ephemeral port) in a daemon thread."""

    def __init__(self, handler):
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.httpd.server_address[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class RegionServer(_Server):
    """Serves `/nearcast/probe-object` like a region's `nearcast probe`, after `delay_ms`; records each request.
    Without `timing_allowed` it leaves Timing-Allow-Origin out, so the beacon must time it with performance.now()."""

    def __init__(self, delay_ms: float, timing_allowed: bool = True):
        self.delay_ms = delay_ms
        self.requests: list[dict] = []  # {"path", "origin"}
        region = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive: the warm-up fetch's connection serves the timed one

            def do_GET(self):
                region.requests.append({"path": self.path, "origin": self.headers.get("Origin")})
                time.sleep(region.delay_ms / 1000)
                body = b"nearcast\n"
                self.send_response(200)
                for name, value in PROBE_HEADERS.items():
                    if timing_allowed or name != "Timing-Allow-Origin":
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        super().__init__(Handler)
        self.url = f"{self.origin}/nearcast/probe-object" + ("" if timing_allowed else "?timing=performance-now")


PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>shop</title>
<script>
  window.addEventListener('error', function (e) { console.error('page error: ' + e.message); });
  window.addEventListener('unhandledrejection', function (e) { console.error('page rejection: ' + e.reason); });
</script>
<script async src="{beacon}"></script>
</head><body><h1>A page with the Nearcast beacon</h1></body></html>
"""


class PageServer(_Server):
    """Serves a page at `/` that includes the beacon from `beacon_url` (another origin)."""

    def __init__(self, beacon_url: str):
        page = PAGE.replace("{beacon}", beacon_url).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args):
                pass

        super().__init__(Handler)


class Browser:
    """Headless Chromium showing one page; its console (and any uncaught error) goes to `console.log`."""

    def __init__(self, url: str, workdir: Path):
        workdir.mkdir(parents=True, exist_ok=True)
        self.log_path = workdir / "chromium.stderr"
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
             f"--user-data-dir={workdir / 'profile'}", "--enable-logging=stderr", "--v=0", url],
            stdout=subprocess.DEVNULL, stderr=self._log, start_new_session=True)

    def console(self) -> list[str]:
        """The page's console messages, as Chromium logs them."""
        text = self.log_path.read_text(errors="replace")
        return [line.split("] ", 1)[1] for line in text.splitlines() if ":CONSOLE" in line and "] " in line]

    def close(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._log.close()


def unreachable_url() -> str:
    """A probe-object URL on a local port nothing listens on."""
    return f"http://127.0.0.1:{free_port()}/nearcast/probe-object"


def wait_until(check, timeout: float, interval: float = 0.2, what: str = "condition"):
    """Calls `check` until it returns something truthy; returns that, or fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def post_report(collector_origin: str, results: list[tuple[str, float]], headers: dict | None = None) -> requests.Response:
    """POSTs a beacon report the way sendBeacon does (text/plain)."""
    body = json.dumps({"results": [{"region": r, "rtt_ms": ms} for r, ms in results]})
    return requests.post(f"{collector_origin}/nearcast/rum", data=body, timeout=10,
                         headers={"Content-Type": "text/plain;charset=UTF-8", **(headers or {})})


class HarnessCollectors:
    """Collectors served by the Swift test harness (`BrowserHarness` in RealUserMeasurementTests, run from the
    test bundle beside the nearcast binary): `direct` trusts no proxy, `proxied` trusts 127.0.0.0/8 and 10.0.0.0/8,
    `partial` has the fastest region and UNREACHABLE_REGION, whose URL nothing listens on.
    Their sinks write JSON lines that `measurements` reads."""

    BUNDLE = Path(os.environ.get("NEARCAST_TEST_BUNDLE", str(Path(NEARCAST_BIN).parent / "NearcastPackageTests.xctest")))

    def __init__(self, workdir: Path, regions: dict[str, str]):
        self.dir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        fastest = min(REGION_DELAYS_MS, key=REGION_DELAYS_MS.get)
        specs = [{"name": "direct", "regions": [[r, u] for r, u in regions.items()], "trusted_proxies": []},
                 {"name": "proxied", "regions": [[r, u] for r, u in regions.items()],
                  "trusted_proxies": ["127.0.0.0/8", "10.0.0.0/8"]},
                 {"name": "partial", "regions": [[fastest, regions[fastest]], [UNREACHABLE_REGION, unreachable_url()]],
                  "trusted_proxies": []}]
        (workdir / "collectors.json").write_text(json.dumps(specs))
        self._log = open(workdir / "harness.log", "wb")
        self.proc = subprocess.Popen(
            [str(self.BUNDLE), "--testing-library", "swift-testing", "--filter", HARNESS_TEST],
            env={**os.environ, "NEARCAST_RUM_HARNESS": str(workdir)}, stdout=self._log, stderr=subprocess.STDOUT)
        ports = wait_until(lambda: self._ports() if self.proc.poll() is None else self._died(), 60, what="the harness")
        self.origins = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}

    def _ports(self) -> dict | None:
        files = [self.dir / f"{name}.port" for name in ("direct", "proxied", "partial")]
        if all(f.exists() for f in files):
            return {f.stem: int(f.read_text()) for f in files}
        return None

    def _died(self):
        raise AssertionError(f"the harness exited: {(self.dir / 'harness.log').read_text(errors='replace')[-3000:]}")

    def measurements(self, name: str) -> list[dict]:
        path = self.dir / f"{name}.jsonl"
        return [json.loads(line) for line in path.read_text().splitlines() if line] if path.exists() else []

    def stop(self):
        (self.dir / "stop").touch()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log.close()
        log = (self.dir / "harness.log").read_text(errors="replace")
        assert self.proc.returncode == 0, log[-3000:]


class NodeRUM(LearningServer):
    """`nearcast serve` with latency learning and a `rum:` section that trusts 127.0.0.0/8 as a proxy."""

    def __init__(self, workdir: Path, regions: dict[str, str]):
        self.rum_port = free_port()
        entries = ", ".join(f'{r}: "{u}"' for r, u in regions.items())
        rum = (f"rum:\n  listen: 127.0.0.1:{self.rum_port}\n  trusted_proxies: [127.0.0.0/8]\n"
               f"  regions: {{{entries}}}\n")
        super().__init__(workdir, extra=rum)
        self.rum_origin = f"http://127.0.0.1:{self.rum_port}"

    def serves_beacon(self) -> bool:
        """Whether the node wired the RUM listener (it answers the beacon within 10 s)."""
        def answered():
            try:
                return requests.get(f"{self.rum_origin}/nearcast/beacon.js", timeout=2).status_code == 200
            except requests.ConnectionError:
                return False
        try:
            return wait_until(answered, 10, 0.25, "the RUM listener")
        except AssertionError:
            return False

    def measured(self, client: str) -> dict:
        """region -> estimate for `client` after a rebuild, counting only measured estimates."""
        self.rebuild()
        return {r: e for r, e in estimates(self.explain(client)).items() if e["source"] == "measured"}


def network_of(client: str) -> str:
    """The /24 (IPv4) or /48 (IPv6) a client's measurements are kept under."""
    return str(ipaddress.ip_network(f"{client}/{24 if '.' in client else 48}", strict=False))


class HarnessTarget:
    """The harness: `origin` trusts no proxy, `proxied_origin` trusts 127.0.0.0/8, `partial_origin` has a region
    nothing answers for; RTTs are the raw measurements."""
    name = "harness"

    def __init__(self, harness: HarnessCollectors):
        self.harness = harness
        self.origin = harness.origins["direct"]
        self.proxied_origin = harness.origins["proxied"]
        self.partial_origin = harness.origins["partial"]
        self.seen = {"direct": 0, "proxied": 0, "partial": 0}

    def forget_earlier(self):
        """From now on `rtts` counts only new measurements."""
        self.seen = {name: len(self.harness.measurements(name)) for name in self.seen}

    def rtts(self, client: str) -> dict[str, float]:
        """region -> RTT measured for `client`'s network, newest last wins."""
        found = {}
        for name, skip in self.seen.items():
            for m in self.harness.measurements(name)[skip:]:
                assert m["source"] == "rum"
                if m["client"] == network_of(client):
                    found[m["region"]] = m["rtt_ms"]
        return found


class NodeTarget:
    """The node: one RUM listener that trusts 127.0.0.0/8; RTTs are its measured estimates after a rebuild."""
    name = "node"

    def __init__(self, node: NodeRUM):
        self.node = node
        self.origin = self.proxied_origin = node.rum_origin

    def forget_earlier(self):
        pass  # each client network below is measured by one test only

    def rtts(self, client: str) -> dict[str, float]:
        return {region: e["rtt_ms"] for region, e in self.node.measured(client).items()}


__all__ = ["CHROMIUM", "REGION_DELAYS_MS", "UNREACHABLE_REGION", "UNTIMED_REGION", "Browser", "HarnessCollectors", "HarnessTarget", "NodeRUM", "NodeTarget",
           "PageServer", "RegionServer", "network_of", "post_report", "wait_until"]
