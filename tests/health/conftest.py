"""Fixtures for the health check end-to-end suite (helpers: health_helpers.py; endpoints: endpoints.py)."""

import pytest

from .endpoints import BlackHole, DeadPort, HTTPEndpoint, TCPListener, self_signed_cert
from .health_helpers import HEALTH_CONFIG, ApiServer, Health, make_client, run_aws


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    """A `nearcast serve` with the API on, the API suite's latency map and health checks every 0.5 s
    (time_scale 0.05), observer `test-node`; one per module."""
    s = ApiServer(tmp_path_factory.mktemp("health"), config_extra=HEALTH_CONFIG)
    yield s
    s.stop_checked()


@pytest.fixture(scope="module")
def r53(api):
    return make_client(api)


@pytest.fixture
def health(api, r53):
    """Creates checks and watcher record sets; deletes the checks after the test."""
    h = Health(api, r53)
    yield h
    h.cleanup()


@pytest.fixture(scope="module")
def aws(api):
    """Runs `aws route53 ARGS --endpoint-url <api> --output json`; returns a CliResult (rc, json, stderr)."""
    def run(*args, **kw):
        return run_aws(api, *args, **kw)
    return run


def _stopped(factory):
    made = []

    def make(*args, **kw):
        ep = factory(*args, **kw)
        made.append(ep)
        return ep
    return made, make


@pytest.fixture
def http_endpoints():
    """Factory of HTTP endpoints, stopped after the test."""
    made, make = _stopped(HTTPEndpoint)
    yield make
    for ep in made:
        ep.stop()


@pytest.fixture
def http_endpoint(http_endpoints):
    return http_endpoints()


@pytest.fixture(scope="session")
def certificate(tmp_path_factory):
    """(cert.pem, key.pem) of a self-signed certificate made for this run."""
    return self_signed_cert(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def https_endpoint(certificate):
    ep = HTTPEndpoint(tls=True, certfile=certificate[0], keyfile=certificate[1])
    yield ep
    ep.stop()


@pytest.fixture
def tcp_listener():
    ep = TCPListener()
    yield ep
    ep.close()


@pytest.fixture
def dead_port():
    ep = DeadPort()
    yield ep
    ep.close()


@pytest.fixture
def black_hole():
    ep = BlackHole()
    yield ep
    ep.close()
