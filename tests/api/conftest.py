"""Fixtures for the Route 53 API end-to-end suite (helpers live in api_helpers.py)."""

import pytest

from .api_helpers import ApiServer, make_client, run_aws


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    """A `nearcast serve` with the API on, a latency map and no config zones; one per module."""
    s = ApiServer(tmp_path_factory.mktemp("api"))
    yield s
    s.stop_checked()


@pytest.fixture(scope="module")
def r53(api):
    """boto3 Route 53 client for `api`."""
    return make_client(api)


@pytest.fixture(scope="module")
def r53_raw(api):
    """boto3 client without botocore's client-side parameter validation (negative TTL, empty lists...)."""
    return make_client(api, validate=False)


@pytest.fixture
def zone(api, r53):
    """A fresh hosted zone (dict with Id, Name, bare id `id`)."""
    return api.new_zone(r53)


@pytest.fixture(scope="module")
def aws(api):
    """Runs `aws route53 ARGS --endpoint-url <api> --output json` with the test keys; returns a CliResult
    (rc, json, stderr)."""
    def run(*args, **kw):
        return run_aws(api, *args, **kw)
    return run
