"""Real-user measurements end to end: headless Chromium loads a page that
includes the beacon from the collector; the beacon times three local "region"
servers (5, 80 and 200 ms; one hides its timing details) and reports; the
collector attributes the report to the browser's network. The collector is
`nearcast serve` with a `rum:` section (the estimates are checked with the
signed explain endpoint). `collector` times every region server and trusts
127.0.0.0/8 as a proxy; `partial_collector` times the fastest one and a region
whose URL nothing listens on; `untrusting_collector` trusts no proxy."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from rum_helpers import REGION_DELAYS_MS, UNREACHABLE_REGION, Browser, NodeRUM, PageServer, post_report, unreachable_url, wait_until

BY_SPEED = sorted(REGION_DELAYS_MS, key=REGION_DELAYS_MS.get)


@pytest.fixture(scope="module")
def partial_collector(tmp_path_factory, region_servers):
    """A node that trusts no proxy and times the fastest region server and UNREACHABLE_REGION, whose URL nothing
    listens on."""
    regions = {BY_SPEED[0]: region_servers[BY_SPEED[0]].url, UNREACHABLE_REGION: unreachable_url()}
    with NodeRUM(tmp_path_factory.mktemp("rum-partial"), regions, trusted_proxies=()) as node:
        yield node


@pytest.fixture(scope="module")
def untrusting_collector(tmp_path_factory, region_servers):
    """A node that times every region server and trusts no proxy."""
    regions = {region: server.url for region, server in region_servers.items()}
    with NodeRUM(tmp_path_factory.mktemp("rum-untrusting"), regions, trusted_proxies=()) as node:
        yield node


def js_errors(browser: Browser) -> list[str]:
    """Uncaught errors and rejections the page saw (a refused connection's own log line is no script error)."""
    return [line for line in browser.console() if "uncaught" in line.lower() or "page error" in line or "page rejection" in line]


def test_a_browser_measures_every_region_and_the_nearest_ranks_first(collector, region_servers, chromium, tmp_path):
    for server in region_servers.values():
        server.requests.clear()
    page = PageServer(f"{collector.rum_origin}/nearcast/beacon.js")
    browser = Browser(f"{page.origin}/", tmp_path / "chromium")
    try:
        rtts = wait_until(lambda: (lambda found: found if set(found) == set(REGION_DELAYS_MS) else None)(
            collector.rtts("127.0.0.1")), 90, 1.0, "the browser's measurements of every region")
    finally:
        browser.close()
        page.stop()
    assert sorted(rtts, key=rtts.get) == BY_SPEED, rtts
    for region, delay in REGION_DELAYS_MS.items():
        assert delay * 0.9 <= rtts[region] < delay + 400, (region, rtts)
    for region, server in region_servers.items():
        # one warm-up and one timed fetch, each with its own cache-busting query, as CORS requests from the page
        assert len(server.requests) == 2, (region, server.requests)
        busters = {tuple(parse_qs(urlsplit(r["path"]).query)["nc"]) for r in server.requests}
        assert urlsplit(server.url).query in server.requests[0]["path"]  # the configured query is kept
        assert len(busters) == 2
        assert {r["origin"] for r in server.requests} == {page.origin}
    assert js_errors(browser) == []
    explanation = collector.explain("127.0.0.1")
    assert explanation["bucket"] == "127.0.0.0/24"
    assert explanation["ranking"][:3] == BY_SPEED, explanation


def test_a_region_that_does_not_answer_is_left_out_without_disturbing_the_page(partial_collector, chromium, tmp_path):
    page = PageServer(f"{partial_collector.rum_origin}/nearcast/beacon.js")
    browser = Browser(f"{page.origin}/", tmp_path / "chromium")
    try:
        rtts = wait_until(lambda: partial_collector.rtts("127.0.0.1"), 60, 0.5, "the answering region's measurement")
        time.sleep(1)  # the report is one batch: nothing else may follow
        later = partial_collector.measured("127.0.0.1")
        assert list(rtts) == [BY_SPEED[0]] and UNREACHABLE_REGION not in rtts
        assert {region: e["rtt_ms"] for region, e in later.items()} == rtts and later[BY_SPEED[0]]["samples"] == 1, later
    finally:
        browser.close()
        page.stop()
    assert js_errors(browser) == []


def test_the_beacon_is_small_and_names_its_collector_and_regions(collector, region_servers):
    response = requests.get(f"{collector.rum_origin}/nearcast/beacon.js", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/javascript")
    assert len(response.content) < 3072
    assert f'"collector":"{collector.rum_origin}/nearcast/rum"'.replace("/", "\\/") in response.text
    for server in region_servers.values():
        assert server.url.replace("/", "\\/") in response.text


def test_a_trusted_proxy_forwards_the_clients_address(collector):
    response = post_report(collector.rum_origin, [("us-east-1", 42.5)],
                           {"X-Forwarded-For": "192.0.2.66, 198.51.100.77"})
    assert response.status_code == 204 and response.headers["Access-Control-Allow-Origin"] == "*"
    assert wait_until(lambda: collector.rtts("198.51.100.77"), 30, 0.5, "the forwarded client's measurement") == {
        "us-east-1": 42.5}
    assert collector.rtts("192.0.2.66") == {}  # the spoofable left-most entry counts for nothing


def test_forwarded_for_from_an_untrusted_peer_is_ignored(untrusting_collector):
    response = post_report(untrusting_collector.rum_origin, [("ap-southeast-1", 190)], {"X-Forwarded-For": "203.0.113.50"})
    assert response.status_code == 204
    assert wait_until(lambda: untrusting_collector.rtts("127.0.0.1"), 30, 0.5, "the peer's measurement") == {
        "ap-southeast-1": 190}
    assert untrusting_collector.rtts("203.0.113.50") == {}


@pytest.mark.parametrize("body, reason", [
    ("not json", "not a report"),
    ('{"results": [{"region": "eu-west-3", "rtt_ms": 5}]}', "results[0]: 'eu-west-3' is not a region"),
    ('{"results": [{"region": "us-east-1", "rtt_ms": 0}]}', "results[0]: rtt_ms must be above 0"),
    ('{"results": [{"region": "us-east-1", "rtt_ms": 61000}]}', "results[0]: rtt_ms must be above 0 and at most 60000"),
    ("x" * 20000, "report larger than"),
], ids=["not-json", "unmeasured-region", "zero-rtt", "rtt-over-a-minute", "too-large"])
def test_bad_reports_are_refused_with_a_reason(collector, body, reason):
    response = requests.post(f"{collector.rum_origin}/nearcast/rum", data=body, timeout=10, headers={"Content-Type": "text/plain"})
    assert response.status_code == 400 and response.text.startswith(reason), response.text
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_the_probe_object_can_be_timed_from_any_origin(collector):
    response = requests.get(f"{collector.rum_origin}/nearcast/probe-object?nc=1", timeout=10,
                            headers={"Origin": "https://shop.example.com"})
    assert response.status_code == 200 and 0 < len(response.content) <= 64
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Access-Control-Allow-Origin"] == "*" and response.headers["Timing-Allow-Origin"] == "*"
