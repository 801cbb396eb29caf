"""Two nodes sharing one store (one data directory): each serves what the other committed, and each health
check is decided from both nodes' observations with Route 53's rule — healthy while more than 18% of the
observers see it healthy. The nodes send their checks from different loopback addresses (127.0.0.1 and
127.0.0.2), so one endpoint can answer each of them differently."""

import http.server
import threading
import time
import uuid

import pytest

from .api_helpers import ApiServer, addresses, apply, create, make_client, rrset, wait_for


class ByClientEndpoint:
    """An HTTP endpoint that answers 503 to the client addresses in `failing`, 200 to the rest."""

    def __init__(self):
        self.failing = set()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(503 if self.client_address[0] in outer.failing else 200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def node_config(n):
    return f"""health_checks:
  time_scale: 0.05
  observer: node-{n}
  source_address: 127.0.0.{n}
"""


@pytest.fixture(scope="module")
def endpoint():
    e = ByClientEndpoint()
    yield e
    e.close()


@pytest.fixture(scope="module")
def nodes(tmp_path_factory):
    data = tmp_path_factory.mktemp("shared-data")
    first = ApiServer(tmp_path_factory.mktemp("node1"), data_dir=data, config_extra=node_config(1))
    second = ApiServer(tmp_path_factory.mktemp("node2"), data_dir=data, config_extra=node_config(2))
    yield first, second
    for node in (first, second):
        node.stop_checked()


def test_each_node_serves_what_the_other_committed(nodes):
    first, second = nodes
    r1, r2 = make_client(first), make_client(second)
    zone = first.new_zone(r1)
    apply(r1, zone["id"], create(rrset(f"a.{zone['name']}", "A", ["192.0.2.1"])))
    assert wait_for(lambda: addresses(second.dns(f"a.{zone['name']}")) == {"192.0.2.1"}, timeout=5)
    apply(r2, zone["id"], create(rrset(f"b.{zone['name']}", "A", ["192.0.2.2"])))
    assert addresses(second.dns(f"b.{zone['name']}")) == {"192.0.2.2"}
    assert wait_for(lambda: addresses(first.dns(f"b.{zone['name']}")) == {"192.0.2.2"}, timeout=5)
    # and the first node's next own change keeps the second node's
    apply(r1, zone["id"], create(rrset(f"c.{zone['name']}", "A", ["192.0.2.3"])))
    assert addresses(first.dns(f"b.{zone['name']}")) == {"192.0.2.2"}


def test_status_is_decided_from_both_observers_with_the_18_percent_rule(nodes, endpoint):
    first, second = nodes
    r1, r2 = make_client(first), make_client(second)
    check = r1.create_health_check(CallerReference=str(uuid.uuid4()), HealthCheckConfig={
        "Type": "HTTP", "IPAddress": "127.0.0.1", "Port": endpoint.port, "RequestInterval": 10,
        "FailureThreshold": 1})["HealthCheck"]["Id"]
    zone = first.new_zone(r1)
    name = f"f.{zone['name']}"
    apply(r1, zone["id"],
          create(rrset(name, "A", ["192.0.2.10"], set_id="p", Failover="PRIMARY", HealthCheckId=check)),
          create(rrset(name, "A", ["192.0.2.20"], set_id="s", Failover="SECONDARY")))

    def observers(client):
        observations = client.get_health_check_status(HealthCheckId=check)["HealthCheckObservations"]
        return {o["Region"]: o["StatusReport"]["Status"] for o in observations}

    def everywhere(answer):
        return all(addresses(node.dns(name)) == {answer} for node in (first, second))

    # Both observers report to both nodes.
    assert wait_for(lambda: set(observers(r1)) == {"node-1", "node-2"} == set(observers(r2)), timeout=10), observers(r1)
    assert wait_for(lambda: everywhere("192.0.2.10"), timeout=5)

    # One observer of two (50%) sees it healthy: more than 18%, so healthy on both nodes.
    endpoint.failing = {"127.0.0.2"}
    assert wait_for(lambda: observers(r1).get("node-2", "").startswith("Failure"), timeout=10), observers(r1)
    assert observers(r1)["node-1"].startswith("Success")
    time.sleep(1.5)  # more than one exchange period: a status change would have reached DNS by now
    assert everywhere("192.0.2.10")

    # No observer sees it healthy: unhealthy on both nodes, which answer the secondary.
    endpoint.failing = {"127.0.0.1", "127.0.0.2"}
    assert wait_for(lambda: everywhere("192.0.2.20"), timeout=10)
    assert all(status.startswith("Failure") for status in observers(r2).values())

    endpoint.failing = set()
    assert wait_for(lambda: everywhere("192.0.2.10"), timeout=10)
