"""Helpers for the probe-agent end-to-end tests (test_probe.py): a fake controller that checks every
request's SigV4 signature with botocore, local targets (a TCP listener, a UDP DNS responder), and
`nearcast probe` runs."""

from __future__ import annotations

import datetime
import http.server
import json
import os
import re
import socket
import subprocess
import sys
import threading
from pathlib import Path
from unittest import mock
from urllib.parse import parse_qsl, urlsplit

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

TESTS = Path(__file__).resolve().parents[1]
for sub in ("e2e", "api"):
    if str(TESTS / sub) not in sys.path:
        sys.path.insert(0, str(TESTS / sub))

from e2e_helpers import NEARCAST_BIN, require_binary  # noqa: E402

ACCESS_KEY = "AKIDNEARCASTPROBE"
SECRET_KEY = "nearcast-probe-test-secret"
PROBE_ENV_KEYS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "NEARCAST_ACCESS_KEY_ID", "NEARCAST_SECRET_ACCESS_KEY",
                  "AWS_SHARED_CREDENTIALS_FILE", "AWS_PROFILE")


def botocore_authorization(method: str, host: str, target: str, headers: dict, body: bytes) -> str | None:
    """The Authorization header botocore computes for this request, signing exactly the headers the request
    says it signed, at the time its X-Amz-Date says; None when the request carries no usable signature."""
    authorization = headers.get("authorization", "")
    match = re.search(r"SignedHeaders=([^,]+)", authorization)
    amz_date = headers.get("x-amz-date")
    if not match or not amz_date:
        return None
    signed = match.group(1).split(";")
    request = AWSRequest(method=method, url=f"http://{host}{target}", data=body)
    for name in signed:
        request.headers[name] = headers.get(name, "")
    when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ")
    with mock.patch("botocore.auth.get_current_datetime", lambda *a, **k: when):
        SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "route53", "us-east-1").add_auth(request)
    return request.headers["Authorization"]


class FakeController:
    """`/nearcast/latency/probe-targets` and `/nearcast/latency/measurements` as latency-api.md describes
    them, on 127.0.0.1. Every request must carry a signature equal to botocore's, else 403."""

    def __init__(self, targets: list[dict], interval_s: int = 300):
        self.targets = targets
        self.interval_s = interval_s
        self.requests: list[dict] = []     # method, path, query (dict), headers, body, signature_ok
        self.measurements: list[dict] = []
        self.lock = threading.Lock()
        controller = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                controller._handle(self)

            def do_POST(self):
                controller._handle(self)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _handle(self, handler):
        length = int(handler.headers.get("Content-Length", "0"))
        body = handler.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in handler.headers.items()}
        parts = urlsplit(handler.path)
        expected = botocore_authorization(handler.command, headers.get("host", ""), handler.path, headers, body)
        ok = expected is not None and expected == headers.get("authorization")
        record = dict(method=handler.command, path=parts.path, query=dict(parse_qsl(parts.query)), headers=headers,
                      body=body, signature_ok=ok)
        with self.lock:
            self.requests.append(record)
        if not ok:
            return self._reply(handler, 403, {"error": {"code": "SignatureDoesNotMatch", "message": "botocore disagrees"}})
        if handler.command == "GET" and parts.path == "/nearcast/latency/probe-targets":
            return self._reply(handler, 200, {"interval_s": self.interval_s, "targets": self.targets})
        if handler.command == "POST" and parts.path == "/nearcast/latency/measurements":
            rows = json.loads(body)["measurements"]
            with self.lock:
                self.measurements += rows
            return self._reply(handler, 200, {"accepted": len(rows), "rejected": 0, "kept": len(rows), "partial": True,
                                              "errors": []})
        return self._reply(handler, 400, {"error": {"code": "InvalidInput", "message": "unexpected request"}})

    @staticmethod
    def _reply(handler, status: int, document: dict):
        data = json.dumps(document).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class TCPTarget:
    """A listening TCP socket on 127.0.0.1 (the kernel completes handshakes; nothing is read)."""

    def __init__(self, host: str = "127.0.0.1"):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind((host, 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]

    def stop(self):
        self.sock.close()


class DNSResponder:
    """A UDP server on `host` that answers every query by echoing it with QR set."""

    def __init__(self, host: str = "127.0.0.1"):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((host, 0))
        self.sock.settimeout(0.1)
        self.port = self.sock.getsockname()[1]
        self.queries: list[bytes] = []
        self.running = True
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while self.running:
            try:
                data, peer = self.sock.recvfrom(1500)
            except (socket.timeout, OSError):
                continue
            self.queries.append(data)
            if len(data) >= 12:
                self.sock.sendto(data[:2] + bytes([data[2] | 0x80]) + data[3:], peer)

    def stop(self):
        self.running = False
        self.sock.close()


def signed_get(url: str, key: str, secret: str) -> tuple[int, bytes]:
    """A SigV4-signed GET (route53, us-east-1); returns status and raw body."""
    import requests

    request = AWSRequest(method="GET", url=url)
    SigV4Auth(Credentials(key, secret), "route53", "us-east-1").add_auth(request)
    prepared = request.prepare()
    response = requests.get(prepared.url, headers=dict(prepared.headers), timeout=30)
    return response.status_code, response.content


def probe_env(extra: dict | None = None) -> dict:
    """The environment for `nearcast probe`: the test keys, no other AWS settings."""
    env = {k: v for k, v in os.environ.items() if k not in PROBE_ENV_KEYS}
    env.update({"NEARCAST_ACCESS_KEY_ID": ACCESS_KEY, "NEARCAST_SECRET_ACCESS_KEY": SECRET_KEY})
    env.update(extra or {})
    return env


def run_probe(*args: str, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """`nearcast probe ARGS`, waited for."""
    require_binary()
    return subprocess.run([NEARCAST_BIN, "probe", *args], capture_output=True, text=True, timeout=timeout,
                          env=env if env is not None else probe_env())


def start_probe(*args: str, env: dict | None = None) -> subprocess.Popen:
    """`nearcast probe ARGS` in the background; the caller stops it."""
    require_binary()
    return subprocess.Popen([NEARCAST_BIN, "probe", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env if env is not None else probe_env())


__all__ = ["ACCESS_KEY", "SECRET_KEY", "DNSResponder", "FakeController", "NEARCAST_BIN", "TCPTarget",
           "botocore_authorization", "probe_env", "run_probe", "signed_get", "start_probe"]
