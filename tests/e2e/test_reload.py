"""SIGHUP reload of config, zone files and latency map; broken files keep the old data serving."""

import re
import threading
import time

import dns.exception
import dns.rcode

from e2e_helpers import addresses, make_query, wait_for, write_files

CONFIG = """\
default_regions: [us-east-1, eu-west-2]
latency_map: latency.csv
zones:
  - origin: reload.test.
    file: reload.test.zone
    latency_records:
      - name: geo
        type: A
        ttl: 60
        sets:
          - { id: use1, region: us-east-1, values: [192.0.2.1] }
          - { id: euw2, region: eu-west-2, values: [192.0.2.2] }
"""

CONFIG_WITH_SECOND_ZONE = CONFIG + """\
  - origin: added.test.
    file: added.test.zone
"""

ADDED_ZONE = """\
$ORIGIN added.test.
$TTL 300
@ IN SOA ns.added.test. hostmaster.added.test. 1 7200 3600 1209600 300
@ IN NS ns
ns IN A 192.0.2.77
"""


def zone(x_addr, serial=1, extra=""):
    return f"""\
$ORIGIN reload.test.
$TTL 300
@   IN SOA ns.reload.test. hostmaster.reload.test. {serial} 7200 3600 1209600 300
@   IN NS  ns
ns  IN A   192.0.2.53
x   IN A   {x_addr}
{extra}"""


BROKEN_LINE = 7   # line number of the broken record in BROKEN_ZONE
BROKEN_ZONE = zone("198.51.100.9", serial=3, extra="bad IN A 999.1.1.1\n")

MAP_USE1 = "prefix,region,rtt_ms\n10.5.0.0/24,us-east-1,5\n10.5.0.0/24,eu-west-2,50\n"
MAP_EUW2 = "prefix,region,rtt_ms\n10.5.0.0/24,us-east-1,50\n10.5.0.0/24,eu-west-2,5\n"
BROKEN_MAP_LINE = 3
BROKEN_MAP = "prefix,region,rtt_ms\n10.5.0.0/24,us-east-1,5\n10.5.0.0/33,eu-west-2,oops\n"


def initial_files():
    return {"nearcast.yaml": CONFIG, "reload.test.zone": zone("198.51.100.1"), "latency.csv": MAP_USE1}


def x_addr(server):
    r = server.udp(make_query("x.reload.test.", "A"))
    assert r.rcode() == dns.rcode.NOERROR
    return addresses(r)


def geo_addr(server):
    r = server.udp(make_query("geo.reload.test.", "A", ecs=("10.5.0.0", 24)))
    assert r.rcode() == dns.rcode.NOERROR
    return addresses(r)


def test_reload_zone_and_latency_map(server_factory):
    s = server_factory(initial_files())
    assert x_addr(s) == {"198.51.100.1"}
    assert geo_addr(s) == {"192.0.2.1"}
    write_files(s.dir, {"reload.test.zone": zone("198.51.100.2", serial=2), "latency.csv": MAP_EUW2})
    s.sighup()
    wait_for(lambda: x_addr(s) == {"198.51.100.2"}, 5, what="new zone data after SIGHUP")
    wait_for(lambda: geo_addr(s) == {"192.0.2.2"}, 5, what="new latency map after SIGHUP")
    assert s.alive()


def test_reload_config_adds_zone(server_factory):
    s = server_factory(initial_files())
    r = s.udp(make_query("ns.added.test.", "A"))
    assert r.rcode() == dns.rcode.REFUSED
    write_files(s.dir, {"added.test.zone": ADDED_ZONE, "nearcast.yaml": CONFIG_WITH_SECOND_ZONE})
    s.sighup()
    wait_for(lambda: addresses(s.udp(make_query("ns.added.test.", "A"))) == {"192.0.2.77"}, 5,
             what="zone added to the config served after SIGHUP")
    assert x_addr(s) == {"198.51.100.1"}


def test_broken_zone_file_keeps_old_data(server_factory):
    s = server_factory(initial_files())
    assert x_addr(s) == {"198.51.100.1"}
    assert BROKEN_ZONE.splitlines()[BROKEN_LINE - 1].startswith("bad ")
    write_files(s.dir, {"reload.test.zone": BROKEN_ZONE})
    s.sighup()
    pat = re.compile(rf"reload\.test\.zone:{BROKEN_LINE}:")
    wait_for(lambda: pat.search(s.stderr()), 5, what=f"'reload.test.zone:{BROKEN_LINE}:' in stderr")
    assert s.alive()
    # old data still served, for a while
    for _ in range(5):
        assert x_addr(s) == {"198.51.100.1"}, "broken reload must not replace the old data"
        assert geo_addr(s) == {"192.0.2.1"}
        time.sleep(0.1)
    # fixing the file and reloading again works
    write_files(s.dir, {"reload.test.zone": zone("198.51.100.4", serial=4)})
    s.sighup()
    wait_for(lambda: x_addr(s) == {"198.51.100.4"}, 5, what="recovery after fixing the zone file")


def test_broken_latency_map_keeps_old_data(server_factory):
    s = server_factory(initial_files())
    assert geo_addr(s) == {"192.0.2.1"}
    write_files(s.dir, {"latency.csv": BROKEN_MAP, "reload.test.zone": zone("198.51.100.5", serial=5)})
    s.sighup()
    pat = re.compile(rf"latency\.csv:{BROKEN_MAP_LINE}:")
    wait_for(lambda: pat.search(s.stderr()), 5, what=f"'latency.csv:{BROKEN_MAP_LINE}:' in stderr")
    assert s.alive()
    assert geo_addr(s) == {"192.0.2.1"}
    # the reload is all-or-nothing: the (valid) zone change is not half-applied
    assert x_addr(s) == {"198.51.100.1"}


def test_broken_config_keeps_old_data(server_factory):
    s = server_factory(initial_files())
    write_files(s.dir, {"nearcast.yaml": CONFIG + "  - origin: [unterminated\n"})
    s.sighup()
    wait_for(lambda: re.search(r"nearcast\.yaml:\d+:", s.stderr()), 5, what="'nearcast.yaml:N:' in stderr")
    assert s.alive()
    assert x_addr(s) == {"198.51.100.1"}
    assert geo_addr(s) == {"192.0.2.1"}


def test_no_dropped_queries_during_repeated_reloads(server_factory):
    s = server_factory(initial_files())
    stop = threading.Event()
    stats = {"ok": 0, "timeouts": 0, "bad": []}

    def loop():
        i = 0
        while not stop.is_set():
            i += 1
            q = make_query("geo.reload.test.", "A", ecs=("10.5.0.0", 24)) if i % 2 else make_query("x.reload.test.", "A")
            try:
                r = s.udp(q, timeout=2.0)
            except dns.exception.Timeout:
                stats["timeouts"] += 1
                continue
            got = addresses(r)
            valid = {frozenset({"192.0.2.1"}), frozenset({"192.0.2.2"}),
                     frozenset({"198.51.100.1"}), frozenset({"198.51.100.2"})}
            if r.rcode() != dns.rcode.NOERROR or frozenset(got) not in valid:
                stats["bad"].append((q.question[0].name.to_text(), dns.rcode.to_text(r.rcode()), got))
            else:
                stats["ok"] += 1

    threads = [threading.Thread(target=loop) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        for n in range(20):
            if n % 2 == 0:
                write_files(s.dir, {"reload.test.zone": zone("198.51.100.2", serial=10 + n), "latency.csv": MAP_EUW2})
            else:
                write_files(s.dir, {"reload.test.zone": zone("198.51.100.1", serial=10 + n), "latency.csv": MAP_USE1})
            s.sighup()
            time.sleep(0.1)
        time.sleep(0.5)
    finally:
        stop.set()
        for t in threads:
            t.join(10)
    assert s.alive()
    assert stats["timeouts"] == 0, f"{stats['timeouts']} queries timed out during reloads ({stats['ok']} ok)"
    assert stats["bad"] == [], stats["bad"][:10]
    assert stats["ok"] > 50


def test_config_error_on_reload_keeps_old_data(server_factory):
    """A semantic config error (unknown region) on reload is reported; the server keeps serving."""
    s = server_factory(initial_files())
    write_files(s.dir, {"nearcast.yaml": CONFIG.replace("region: eu-west-2", "region: mars-north-1")})
    s.sighup()
    wait_for(lambda: re.search(r"nearcast\.yaml:12:", s.stderr()) or not s.alive(), 5,
             what="'nearcast.yaml:12:' (unknown region) in stderr")
    assert s.alive(), f"server died on reload of a config with an unknown region:\n{s.stderr()[-1500:]}"
    assert x_addr(s) == {"198.51.100.1"}
    assert geo_addr(s) == {"192.0.2.1"}


def test_reload_removing_zone_stops_serving_it(server_factory):
    files = initial_files()
    files.update({"nearcast.yaml": CONFIG_WITH_SECOND_ZONE, "added.test.zone": ADDED_ZONE})
    s = server_factory(files)
    assert addresses(s.udp(make_query("ns.added.test.", "A"))) == {"192.0.2.77"}
    write_files(s.dir, {"nearcast.yaml": CONFIG})
    s.sighup()
    wait_for(lambda: s.udp(make_query("ns.added.test.", "A")).rcode() == dns.rcode.REFUSED, 5,
             what="REFUSED for a zone removed from the config")
    assert x_addr(s) == {"198.51.100.1"}


def test_deleted_zone_file_keeps_old_data(server_factory):
    s = server_factory(initial_files())
    (s.dir / "reload.test.zone").unlink()
    s.sighup()
    wait_for(lambda: "reload.test.zone" in s.stderr(), 5, what="an error naming the missing zone file")
    assert s.alive()
    assert x_addr(s) == {"198.51.100.1"}


def test_open_tcp_connection_sees_new_data_after_reload(server_factory):
    import struct
    from e2e_helpers import tcp_read_frame
    import dns.message
    s = server_factory(initial_files())

    def ask(c, qid):
        w = make_query("x.reload.test.", "A", qid=qid).to_wire()
        c.sendall(struct.pack("!H", len(w)) + w)
        r = dns.message.from_wire(tcp_read_frame(c))
        assert r.id == qid
        return addresses(r)

    with s.tcp_connect(timeout=3) as c:
        assert ask(c, 1) == {"198.51.100.1"}
        write_files(s.dir, {"reload.test.zone": zone("198.51.100.2", serial=2)})
        s.sighup()
        deadline = time.monotonic() + 0.9   # stay under the 5 s default idle timeout; poll on the same connection
        got = None
        i = 2
        while time.monotonic() < deadline + 4:
            got = ask(c, i)
            i += 1
            if got == {"198.51.100.2"}:
                break
            time.sleep(0.1)
    assert got == {"198.51.100.2"}, "a connection opened before the reload must see the new data"


def test_watch_reloads_changed_zone_without_sighup(server_factory):
    s = server_factory(initial_files(), extra_args=["--watch"])
    assert x_addr(s) == {"198.51.100.1"}
    time.sleep(1.1)   # make sure the modification time moves on even on coarse-mtime filesystems
    write_files(s.dir, {"reload.test.zone": zone("198.51.100.2", serial=2)})
    wait_for(lambda: x_addr(s) == {"198.51.100.2"}, 6, what="--watch picking up the changed zone file")
    write_files(s.dir, {"latency.csv": MAP_EUW2})
    wait_for(lambda: geo_addr(s) == {"192.0.2.2"}, 6, what="--watch picking up the changed latency map")


def test_watch_follows_included_file(server_factory):
    """docs/configuration.md: --watch covers the zone files with their $INCLUDEs."""
    files = initial_files()
    files["reload.test.zone"] = zone("198.51.100.1") + "$INCLUDE part.zone\n"
    files["part.zone"] = "y IN A 203.0.113.1\n"
    s = server_factory(files, extra_args=["--watch"])
    y = lambda: addresses(s.udp(make_query("y.reload.test.", "A")))  # noqa: E731
    assert y() == {"203.0.113.1"}
    time.sleep(1.1)
    write_files(s.dir, {"part.zone": "y IN A 203.0.113.2\n"})
    wait_for(lambda: y() == {"203.0.113.2"}, 6, what="--watch picking up a change to an included file")


def test_sighup_rereads_included_file(server_factory):
    files = initial_files()
    files["reload.test.zone"] = zone("198.51.100.1") + "$INCLUDE part.zone\n"
    files["part.zone"] = "y IN A 203.0.113.1\n"
    s = server_factory(files)
    y = lambda: addresses(s.udp(make_query("y.reload.test.", "A")))  # noqa: E731
    assert y() == {"203.0.113.1"}
    write_files(s.dir, {"part.zone": "y IN A 203.0.113.3\nbroken IN A 1.2.3\n"})
    s.sighup()
    wait_for(lambda: re.search(r"part\.zone:2:", s.stderr()), 5, what="'part.zone:2:' for a broken included file")
    assert y() == {"203.0.113.1"}
    write_files(s.dir, {"part.zone": "y IN A 203.0.113.3\n"})
    s.sighup()
    wait_for(lambda: y() == {"203.0.113.3"}, 5, what="the fixed included file after SIGHUP")
