"""Self-tests of the controllable endpoints (no nearcast involved): if these fail, the health tests cannot be
trusted."""

import http.client
import socket
import ssl
import time

import pytest

from .endpoints import Behaviour, BlackHole, DeadPort, HTTPEndpoint, TCPListener, connect_result
from .health_helpers import wait_until


def get(ep, path="/", host=None, timeout=5):
    if ep.tls:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        conn = http.client.HTTPSConnection("127.0.0.1", ep.port, timeout=timeout, context=ctx)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", ep.port, timeout=timeout)
    try:
        conn.putrequest("GET", path, skip_host=host is not None)
        if host is not None:
            conn.putheader("Host", host)
        conn.endheaders()
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def test_http_endpoint_switches_status_body_and_counts(http_endpoint):
    ep = http_endpoint
    assert get(ep) == (200, b"ok\n")
    ep.set(status=503, body=b"down")
    assert get(ep, "/x?y=1", host="svc.example.org:8080") == (503, b"down")
    ep.set("/special", status=302, body=b"moved")
    assert get(ep, "/special") == (302, b"moved")
    assert get(ep, "/other") == (503, b"down")
    assert ep.count() == 4
    assert ep.count(status=503) == 2
    assert ep.count(path="/special") == 1
    assert ep.hosts()[1] == "svc.example.org:8080"
    assert ep.snapshot()[1].path == "/x?y=1"
    assert wait_until(lambda: all(r.delivered for r in ep.snapshot()), timeout=5)  # set just after sending
    assert wait_until(lambda: ep.open_connections == 0, timeout=5)


def test_http_endpoint_delay(http_endpoint):
    ep = http_endpoint
    ep.set(delay=0.6)
    t0 = time.monotonic()
    assert get(ep)[0] == 200
    assert time.monotonic() - t0 >= 0.55
    # a client that gives up before the delay ends: counted, and its hang-up noticed
    ep.set(delay=1.5)
    with pytest.raises((socket.timeout, TimeoutError)):
        get(ep, timeout=0.3)
    assert ep.count() == 2
    assert wait_until(lambda: ep.snapshot()[1].status == 200, timeout=5)
    assert 0.25 <= ep.snapshot()[1].hung_up <= 0.8, ep.snapshot()[1]   # it noticed when the client hung up


def test_http_endpoint_queue_then_setting(http_endpoint):
    ep = http_endpoint
    ep.queue([Behaviour(503), Behaviour(500, b"x")], then=Behaviour(404, b"gone", delay=0.3))
    assert get(ep) == (503, b"ok\n")
    assert get(ep, "/any") == (500, b"x")
    t0 = time.monotonic()
    assert get(ep) == (404, b"gone") and time.monotonic() - t0 >= 0.25
    assert get(ep) == (404, b"gone")
    ep.queue([Behaviour(201)], path="/p")            # a path's own queue, then its setting
    ep.set("/p", status=202)
    assert get(ep, "/p")[0] == 201 and get(ep, "/p")[0] == 202 and get(ep, "/q")[0] == 404


def test_https_endpoint_with_self_signed_certificate(https_endpoint):
    ep = https_endpoint
    assert get(ep) == (200, b"ok\n")
    ep.set(status=500)
    assert get(ep)[0] == 500
    assert ep.count() == 2
    # verifying clients refuse it: it is self-signed
    with pytest.raises(ssl.SSLError):
        with socket.create_connection(("127.0.0.1", ep.port), timeout=5) as s:
            ssl.create_default_context().wrap_socket(s, server_hostname="health.nearcast-test.net")


def test_https_endpoint_records_sni(https_endpoint):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", https_endpoint.port), timeout=5) as raw:
        with ctx.wrap_socket(raw, server_hostname="sni.example.org") as s:
            s.sendall(b"GET /sni HTTP/1.1\r\nHost: sni.example.org\r\nConnection: close\r\n\r\n")
            assert s.recv(100).startswith(b"HTTP/1.1 200")
    assert wait_until(lambda: https_endpoint.snapshot() and https_endpoint.snapshot()[-1].server_name == "sni.example.org")


def test_tcp_listener_closes_and_reopens_on_the_same_port(tcp_listener):
    port = tcp_listener.port
    assert connect_result(port) == "connected"
    assert wait_until(lambda: tcp_listener.accepted == 1)
    tcp_listener.close()
    assert connect_result(port) == "refused"
    tcp_listener.open()
    assert tcp_listener.port == port
    assert connect_result(port) == "connected"
    assert wait_until(lambda: tcp_listener.accepted == 2)


def test_dead_port_refuses(dead_port):
    assert connect_result(dead_port.port) == "refused"


def test_black_hole_accepts_and_never_answers(black_hole):
    with socket.create_connection(("127.0.0.1", black_hole.port), timeout=5) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        s.settimeout(0.3)
        with pytest.raises((socket.timeout, TimeoutError)):
            s.recv(10)
        assert wait_until(lambda: black_hole.open_connections == 1)
    assert wait_until(lambda: black_hole.open_connections == 0)
    assert black_hole.accepted == 1


def test_endpoints_release_their_ports():
    for cls in (HTTPEndpoint, TCPListener, BlackHole, DeadPort):
        ep = cls()
        port = ep.port
        ep.close()
        assert connect_result(port) == "refused", cls.__name__
