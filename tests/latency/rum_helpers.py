"""Helpers for the real-user-measurement browser tests: local "region" servers
that serve the probe object after an artificial delay, a page server whose
page includes the beacon, headless Chromium, and the collector the tests run
against: `nearcast serve` with a `rum:` section (one node per configuration)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from learning_helpers import LearningServer, estimates, free_port

# region -> artificial delay (ms) of its probe object; far enough apart that the order survives a busy machine
REGION_DELAYS_MS = {"eu-central-1": 5, "us-east-1": 80, "ap-southeast-1": 200}
# the region whose probe object hides its timing details (the beacon's fallback path)
UNTIMED_REGION = "us-east-1"
# a region the beacon is told to time at a URL nothing listens on (see unreachable_url); one the test zone routes
# to, since the node's explain leaves out regions no record uses (a measurement of it would go unseen)
UNREACHABLE_REGION = "ap-southeast-1"
PROBE_HEADERS = {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store",
                 "Access-Control-Allow-Origin": "*", "Timing-Allow-Origin": "*"}
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


class NodeRUM(LearningServer):
    """`nearcast serve` with latency learning and a `rum:` section that times `regions` (region -> probe-object URL)
    and believes X-Forwarded-For from `trusted_proxies`; ready once its RUM listener serves the beacon.
    A context manager: leaving it stops the node (and fails the test if the node had died)."""

    def __init__(self, workdir: Path, regions: dict[str, str], trusted_proxies: tuple[str, ...] = ("127.0.0.0/8",)):
        self.rum_port = free_port()
        entries = ", ".join(f'{r}: "{u}"' for r, u in regions.items())
        rum = (f"rum:\n  listen: 127.0.0.1:{self.rum_port}\n  trusted_proxies: [{', '.join(trusted_proxies)}]\n"
               f"  regions: {{{entries}}}\n")
        super().__init__(workdir, extra=rum)
        self.rum_origin = f"http://127.0.0.1:{self.rum_port}"
        try:
            wait_until(self._serves_beacon, 10, 0.25, "the RUM listener")  # it starts after the DNS and API listeners
        except AssertionError:
            self.stop()
            pytest.fail(f"nearcast serve did not serve {self.rum_origin}/nearcast/beacon.js within 10 s\n"
                        f"stderr:\n{self.stderr()[-3000:]}", pytrace=False)

    def __enter__(self) -> NodeRUM:
        return self

    def __exit__(self, *exc):
        self.stop_checked()

    def _serves_beacon(self) -> bool:
        try:
            return requests.get(f"{self.rum_origin}/nearcast/beacon.js", timeout=2).status_code == 200
        except requests.ConnectionError:
            return False

    def measured(self, client: str) -> dict[str, dict]:
        """region -> explain's estimate for `client`'s network after a rebuild, counting only measured estimates."""
        self.rebuild()
        return {r: e for r, e in estimates(self.explain(client)).items() if e["source"] == "measured"}

    def rtts(self, client: str) -> dict[str, float]:
        """region -> RTT the node estimates for `client`'s network from its own measurements."""
        return {region: e["rtt_ms"] for region, e in self.measured(client).items()}


__all__ = ["CHROMIUM", "REGION_DELAYS_MS", "UNREACHABLE_REGION", "UNTIMED_REGION", "Browser", "NodeRUM", "PageServer",
           "RegionServer", "post_report", "unreachable_url", "wait_until"]
