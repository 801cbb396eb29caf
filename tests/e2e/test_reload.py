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
