"""Fixtures for the latency tests. The real-user-measurement ones run against
`nearcast serve` with a `rum:` section."""

from __future__ import annotations

import pytest

from rum_helpers import CHROMIUM, REGION_DELAYS_MS, UNTIMED_REGION, NodeRUM, RegionServer


@pytest.fixture(scope="module")
def region_servers():
    """region -> a local server whose probe object answers after REGION_DELAYS_MS[region] (with Timing-Allow-Origin,
    except UNTIMED_REGION's, whose URL also carries a query of its own)."""
    servers = {region: RegionServer(delay, timing_allowed=region != UNTIMED_REGION) for region, delay in REGION_DELAYS_MS.items()}
    yield servers
    for server in servers.values():
        server.stop()


@pytest.fixture(scope="module")
def collector(tmp_path_factory, region_servers):
    """A node that times every region server and trusts 127.0.0.0/8 as a proxy."""
    with NodeRUM(tmp_path_factory.mktemp("rum-node"), {region: server.url for region, server in region_servers.items()}) as node:
        yield node


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM:
        pytest.fail("chromium is not installed (apt-get install chromium)", pytrace=False)
    return CHROMIUM
