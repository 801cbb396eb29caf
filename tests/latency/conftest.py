"""Fixtures for the latency tests. The real-user-measurement ones run every
browser test twice: against the Swift harness's collectors ("harness") and
against `nearcast serve` with a `rum:` section ("node"; skipped while the node
does not serve the beacon)."""

from __future__ import annotations

import pytest

from rum_helpers import CHROMIUM, REGION_DELAYS_MS, UNTIMED_REGION, HarnessCollectors, HarnessTarget, NodeRUM, NodeTarget, RegionServer


@pytest.fixture(scope="module")
def region_servers():
    """region -> a local server whose probe object answers after REGION_DELAYS_MS[region] (with Timing-Allow-Origin,
    except UNTIMED_REGION's, whose URL also carries a query of its own)."""
    servers = {region: RegionServer(delay, timing_allowed=region != UNTIMED_REGION) for region, delay in REGION_DELAYS_MS.items()}
    yield servers
    for server in servers.values():
        server.stop()


@pytest.fixture(scope="module", params=["harness", "node"])
def collector(request, tmp_path_factory, region_servers):
    urls = {region: server.url for region, server in region_servers.items()}
    if request.param == "harness":
        harness = HarnessCollectors(tmp_path_factory.mktemp("rum-harness"), urls)
        yield HarnessTarget(harness)
        harness.stop()
    else:
        node = NodeRUM(tmp_path_factory.mktemp("rum-node"), urls)
        try:
            if not node.serves_beacon():
                pytest.skip("nearcast serve does not serve /nearcast/beacon.js on its rum.listen yet (RUM not wired)")
            yield NodeTarget(node)
        finally:
            node.stop_checked()


@pytest.fixture(scope="session")
def chromium():
    if not CHROMIUM:
        pytest.fail("chromium is not installed (apt-get install chromium)", pytrace=False)
    return CHROMIUM
