"""End to end: `nearcast probe` against a fake controller that checks signatures with botocore, against
real local targets (TCP listener, UDP DNS responder), and against `nearcast serve` once the node has the
latency endpoints."""

from __future__ import annotations

import json
import signal
import socket
import time

import pytest
import requests

from probe_helpers import (ACCESS_KEY, DNSResponder, FakeController, TCPTarget, probe_env, run_probe, signed_get,
                           start_probe)


@pytest.fixture
def targets():
    """A TCP listener on 127.0.0.1, a DNS responder on 127.0.0.2, and a closed port on 127.0.0.3."""
    tcp = TCPTarget()
    dns = DNSResponder("127.0.0.2")
    closed = TCPTarget("127.0.0.3")
    closed_port = closed.port
    closed.stop()
    yield [
        {"address": "127.0.0.1", "kind": "configured", "port": tcp.port},
        {"address": "127.0.0.2", "kind": "resolver", "port": dns.port},
        {"address": "127.0.0.3", "kind": "client", "port": closed_port},
    ], dns
    tcp.stop()
    dns.stop()


@pytest.fixture
def controller(targets):
    fake = FakeController(targets[0])
    yield fake
    fake.stop()


def closed_url() -> str:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}"


def test_once_measures_every_reachable_target_and_posts_signed_json(controller, targets):
    started = time.time()
    result = run_probe("--region", "eu-west-1", "--controller", controller.url, "--once", "--methods", "tcp,dns")
    assert result.returncode == 0, result.stderr

    assert controller.requests, result.stderr
    assert all(r["signature_ok"] for r in controller.requests), [r["headers"] for r in controller.requests]
    fetch, *posts = controller.requests
    assert (fetch["method"], fetch["path"], fetch["query"]) == ("GET", "/nearcast/latency/probe-targets",
                                                                {"region": "eu-west-1"})
    assert posts and all(p["method"] == "POST" and p["path"] == "/nearcast/latency/measurements" for p in posts)
    assert all(p["query"] == {"source": "probe", "partial": "true"} for p in posts)
    assert all(p["headers"]["content-type"] == "application/json" for p in posts)

    rows = sorted(controller.measurements, key=lambda row: row["client"])
    # 127.0.0.1 answers TCP, 127.0.0.2 answers DNS (its TCP is refused), 127.0.0.3 nothing: no row, not a huge RTT.
    assert [row["client"] for row in rows] == ["127.0.0.1", "127.0.0.2"], result.stderr
    for row in rows:
        assert row["region"] == "eu-west-1" and row["source"] == "probe"
        assert 0 < row["rtt_ms"] < 2000
        assert started - 1 <= row["time"] <= time.time() + 1

    query = targets[1].queries[0]
    assert query[2] & 0x01 == 0, "RD must be clear"
    assert query[12:] == b"\x00\x00\x02\x00\x01", "the question is . NS IN"
    assert "round done: 2 of 3 targets measured" in result.stderr


def test_icmp_unavailable_is_logged_once_or_used(controller):
    result = run_probe("--region", "eu-west-1", "--controller", controller.url, "--once", "--methods", "icmp,tcp")
    assert result.returncode == 0, result.stderr
    allowed = True
    try:
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_ICMP).close()
    except PermissionError:
        allowed = False
    notices = result.stderr.count("ICMP echo sockets not permitted")
    assert notices == (0 if allowed else 1), result.stderr
    if allowed:
        # Every loopback target answers ping, 127.0.0.3 included.
        assert {row["client"] for row in controller.measurements} == {"127.0.0.1", "127.0.0.2", "127.0.0.3"}


def test_listen_serves_the_probe_object_while_probing(controller):
    port = TCPTarget().port  # a free port (the socket is closed again below)
    process = start_probe("--region", "eu-west-1", "--controller", controller.url, "--listen", f"127.0.0.1:{port}",
                          "--methods", "tcp")
    try:
        deadline = time.time() + 20
        while time.time() < deadline and not controller.measurements:
            time.sleep(0.1)
        assert controller.measurements, "no measurements posted within 20 s"
        with requests.Session() as session:
            for _ in range(2):  # keep-alive: both on one connection
                response = session.get(f"http://127.0.0.1:{port}/nearcast/probe-object?cb={time.time()}", timeout=5)
                assert response.status_code == 200
                assert 0 < len(response.content) < 64
                assert response.headers["Cache-Control"] == "no-store"
                assert response.headers["Access-Control-Allow-Origin"] == "*"
                assert response.headers["Timing-Allow-Origin"] == "*"
                assert response.headers["Connection"] == "keep-alive"
            assert session.get(f"http://127.0.0.1:{port}/elsewhere", timeout=5).status_code == 404
        assert process.poll() is None, "without --once the agent keeps running"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)


def test_controller_down_retries_with_backoff_then_exits_nonzero():
    started = time.time()
    result = run_probe("--region", "eu-west-1", "--controller", closed_url(), "--once", "--attempts", "3")
    assert result.returncode == 1
    assert result.stderr.count("fetching probe targets failed (attempt") == 2, result.stderr
    assert "controller unreachable" in result.stderr
    assert "retrying in 1.0 seconds" in result.stderr and "retrying in 2.0 seconds" in result.stderr
    assert "giving up" in result.stderr
    assert time.time() - started >= 3


def test_wrong_secret_is_reported(controller):
    env = probe_env({"NEARCAST_SECRET_ACCESS_KEY": "not-the-secret"})
    result = run_probe("--region", "eu-west-1", "--controller", controller.url, "--once", "--attempts", "1", env=env)
    assert result.returncode == 1
    assert "HTTP 403 SignatureDoesNotMatch" in result.stderr
    assert not controller.measurements


def test_credentials_file_and_profile(controller, tmp_path):
    from probe_helpers import SECRET_KEY

    credentials = tmp_path / "credentials"
    credentials.write_text(f"[default]\naws_access_key_id = WRONG\naws_secret_access_key = wrong\n\n"
                           f"[nearcast]\naws_access_key_id = {ACCESS_KEY}\naws_secret_access_key = {SECRET_KEY}\n")
    env = probe_env()
    del env["NEARCAST_ACCESS_KEY_ID"], env["NEARCAST_SECRET_ACCESS_KEY"]
    ok = run_probe("--region", "eu-west-1", "--controller", controller.url, "--once", "--methods", "tcp",
                   "--credentials-file", str(credentials), env=env)
    assert ok.returncode == 0, ok.stderr
    wrong = run_probe("--region", "eu-west-1", "--controller", controller.url, "--once", "--attempts", "1",
                      "--credentials-file", str(credentials), "--profile", "default", env=env)
    assert wrong.returncode == 1 and "HTTP 403" in wrong.stderr, wrong.stderr
    missing = run_probe("--region", "eu-west-1", "--controller", controller.url, "--once",
                        "--credentials-file", str(tmp_path / "none"), env=env)
    assert missing.returncode != 0 and "no API credentials" in missing.stderr


@pytest.mark.parametrize("args, message", [
    (["--rate", "0"], "--rate"),
    (["--methods", "tcp,udp"], "unknown probe method 'udp'"),
    (["--listen", "localhost"], "--listen wants ADDRESS:PORT"),
    (["--timeout", "0"], "--timeout"),
    (["--controller", "ftp://127.0.0.1"], "--controller wants a URL"),
])
def test_bad_options_exit_nonzero_with_a_clear_message(args, message):
    result = run_probe("--region", "eu-west-1", "--once", *args)
    assert result.returncode != 0
    assert message in result.stderr, result.stderr


def test_region_is_required():
    result = run_probe("--once")
    assert result.returncode != 0 and "--region" in result.stderr


def test_against_the_node(tmp_path):
    """`nearcast serve` with a configured probe target: one probe round gives 127.0.0.1 a measured eu-central-1
    estimate. (eu-central-1: a region the node's latency records use.)"""
    from learning_helpers import ACCESS_KEY as NODE_KEY, SECRET_KEY as NODE_SECRET, LearningServer

    tcp = TCPTarget()
    server = LearningServer(tmp_path / "node", latency=(
        "  rebuild_interval: 1h\n  geo: {tor_geoip: false}\n"
        f"  probe_targets: [{{address: 127.0.0.1, port: {tcp.port}}}]"))
    try:
        status, raw = signed_get(f"{server.endpoint}/nearcast/latency/probe-targets?region=eu-central-1", NODE_KEY, NODE_SECRET)
        assert status == 200, raw
        body = json.loads(raw)
        assert {"address": "127.0.0.1", "kind": "configured", "port": tcp.port} in body["targets"], body
        env = probe_env({"NEARCAST_ACCESS_KEY_ID": NODE_KEY, "NEARCAST_SECRET_ACCESS_KEY": NODE_SECRET})
        result = run_probe("--region", "eu-central-1", "--controller", server.endpoint, "--once", "--methods", "tcp", env=env)
        assert result.returncode == 0, result.stderr
        assert "1 accepted, 0 rejected" in result.stderr, result.stderr
        server.rebuild()
        explanation = server.explain("127.0.0.1")
        estimate = {entry["region"]: entry for entry in explanation["regions"]}["eu-central-1"]
        assert estimate["source"] == "measured", explanation
        assert 0 < estimate["rtt_ms"] < 2000
    finally:
        server.stop()
        tcp.stop()
