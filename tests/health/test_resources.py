"""No leaked connections: checks of every kind against healthy, failing, refusing, slow and never-answering
endpoints hold at most one connection each while they run, and when they are deleted the server's open file
descriptors (/proc/<pid>/fd) return to what they were before, and every endpoint sees its connections closed."""

import threading

from .health_helpers import fd_count, socket_count, wait_until

SLACK = 3   # descriptors the API and store may open or close on their own meanwhile


class Sampler:
    """Samples the server's descriptor count every 10 ms in a thread."""

    def __init__(self, pid):
        self.pid, self.peak, self.samples = pid, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.wait(0.01):
            try:
                n = fd_count(self.pid)
            except FileNotFoundError:
                return
            self.peak = max(self.peak, n)
            self.samples += 1

    def stop(self):
        self._stop.set()
        self._thread.join(timeout=5)


def test_checks_leak_no_descriptors(api, r53, health, http_endpoints, https_endpoint, tcp_listener, black_hole,
                                    dead_port):
    pid = api.proc.pid
    r53.get_health_check_count()          # the API connection exists before the baseline
    health.zone                           # so does the hosted zone's store work
    base, base_sockets = fd_count(pid), socket_count(pid)

    ep, slow = http_endpoints(), http_endpoints()
    ep.set("/fail", status=503)
    slow.set(delay=3.0)
    kinds = {
        "ok": [health.http(ep, f"/ok{i}") for i in range(6)],
        "fail": [health.http(ep, "/fail") for _ in range(4)],
        "nomatch": [health.http(ep, "/m", kind="HTTP_STR_MATCH", SearchString="absent") for _ in range(3)],
        "tls": [health.http(https_endpoint, "/tls") for _ in range(3)],
        "tls-nomatch": [health.http(https_endpoint, "/t", kind="HTTPS_STR_MATCH", SearchString="absent")
                        for _ in range(2)],
        "tcp": [health.tcp(tcp_listener.port) for _ in range(3)],
        "closed": [health.at_port("HTTP", tcp_listener.port) for _ in range(2)],   # accepted, closed at once
        "refused": [health.at_port(k, dead_port.port) for k in ("HTTP", "HTTPS", "TCP")],
        "hole": [health.at_port(k, black_hole.port) for k in ("HTTP", "HTTPS", "HTTP", "HTTPS")],
        "slow": [health.http(slow, "/slow") for _ in range(3)],
    }
    checks = [c for cs in kinds.values() for c in cs]
    sampler = Sampler(pid)
    try:
        # several rounds of every kind: the black hole and slow checks each take 2 s + 0.5 s per request
        wait_until(lambda: black_hole.accepted >= 3 * len(kinds["hole"]) and slow.count() >= 3 * len(kinds["slow"])
                   and ep.count(path="/fail") >= 12 and tcp_listener.accepted >= 20, timeout=20,
                   what="three rounds of every kind of check")
        assert health.report(kinds["hole"][0]).startswith("Failure"), health.report(kinds["hole"][0])
        assert health.report(kinds["closed"][0]) == "Failure: The connection was closed by the endpoint.", \
            health.report(kinds["closed"][0])
        # one connection per check at most, and every hung one closed: the black hole never held more
        assert black_hole.max_open <= len(kinds["hole"]), black_hole.max_open
    finally:
        sampler.stop()
    assert sampler.samples > 100
    assert sampler.peak <= base + len(checks) + SLACK, (
        f"{sampler.peak} descriptors open while {len(checks)} checks ran (before: {base})")

    print(f"descriptors: {base} before, peak {sampler.peak} with {len(checks)} checks")
    for c in checks:
        health.delete(c)
    wait_until(lambda: fd_count(pid) <= base + SLACK, timeout=10,
               what=f"the server's descriptors to return to {base} (+{SLACK}); now {fd_count(pid)}")
    wait_until(lambda: socket_count(pid) <= base_sockets + SLACK, timeout=5, what="the sockets to be closed")
    wait_until(lambda: black_hole.open_connections == 0 and ep.open_connections == 0
               and slow.open_connections == 0 and https_endpoint.open_connections == 0, timeout=5,
               what="every endpoint's connections to be closed")
