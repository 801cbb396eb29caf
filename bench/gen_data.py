#!/usr/bin/env python3
"""Generate equivalent data for Nearcast, gdnsd, Knot and PowerDNS, plus query files.

One zone `bench.test.`:
  static.bench.test  A 192.0.2.10            (plain record, every server)
  www.bench.test     A, latency-routed over 4 regions (Nearcast, gdnsd, PowerDNS)
and a latency map of N random, disjoint IPv4 /24 prefixes, each with a random
ranking of the 4 regions. Clients in no prefix get the default order
(REGIONS[0] first) on every server. `--records N` adds N static records
(host-N A/AAAA/TXT) to every server's zone: the memory target counts
1,000,000 prefixes plus 100,000 records.

Writes (under --out):
  nearcast/  nearcast.yaml, bench.test.zone, latency.csv
  gdnsd/     config, zones/bench.test, geoip/nets
  knot/      knot.conf, bench.test.zone          (static zone only)
  pdns/      pdns.conf, named.conf, bench.test.zone (LUA A record with view())
  queries/   dnsperf query files and replay packet files per scenario
  meta.json  ports and the fixed ECS prefix
"""
import argparse, json, os, random, struct, ipaddress

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-1", "ap-northeast-1"]
ANSWERS = {"us-east-1": "192.0.2.1", "eu-west-1": "192.0.2.2",
           "ap-southeast-1": "192.0.2.3", "ap-northeast-1": "192.0.2.4"}
STATIC = "192.0.2.10"
ORIGIN = "bench.test."
PORTS = {"nearcast": 5401, "gdnsd": 5402, "knot": 5403, "pdns": 5404}

SOA_NS = """$ORIGIN bench.test.
$TTL 300
@       IN SOA ns1.bench.test. hostmaster.bench.test. 1 3600 600 86400 300
@       IN NS  ns1.bench.test.
ns1     IN A   192.0.2.53
static  IN A   {static}
""".format(static=STATIC)


def gen_prefixes(n, rng):
    """n distinct /24s from 1.0.0.0-223.255.255.0 (as ints of the /24 network)."""
    seen = set()
    lo, hi = 1 << 16, 224 << 16  # /24 index range
    while len(seen) < n:
        seen.add(rng.randrange(lo, hi))
    return sorted(seen)


def p24(idx):
    return "%d.%d.%d.0/24" % (idx >> 16, (idx >> 8) & 255, idx & 255)


def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def ecs_option(addr_int, plen=24):
    nbytes = (plen + 7) // 8
    addr = struct.pack("!I", addr_int)[:nbytes]
    data = struct.pack("!HBB", 1, plen, 0) + addr
    return struct.pack("!HH", 8, len(data)) + data


def query_packet(qname, qtype=1, ecs=None, qid=0):
    hdr = struct.pack("!HHHHHH", qid, 0x0000, 1, 0, 0, 1)  # RD=0, one OPT
    q = encode_name(qname) + struct.pack("!HH", qtype, 1)
    opts = ecs or b""
    opt = b"\0" + struct.pack("!HHIH", 41, 1232, 0, len(opts)) + opts
    return hdr + q + opt


def extra_records(count):
    """`count` static records: per host, an A; every 4th also AAAA, every 10th also TXT."""
    lines, n = [], 0
    while len(lines) < count:
        lines.append("host-%d 300 IN A 198.18.%d.%d" % (n, n // 256 % 256, n % 256))
        if n % 4 == 0 and len(lines) < count:
            lines.append("host-%d 300 IN AAAA 2001:db8::%x:%x" % (n, n >> 16, n & 0xffff))
        if n % 10 == 0 and len(lines) < count:
            lines.append('host-%d 300 IN TXT "bench record %d"' % (n, n))
        n += 1
    return "".join(l + "\n" for l in lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--prefixes", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--ecs-queries", type=int, default=20000,
                    help="distinct packets in the varying-ECS replay file")
    ap.add_argument("--records", type=int, default=0,
                    help="extra static records in the zone, for every server (A, AAAA and TXT of host-N)")
    ap.add_argument("--no-pdns", action="store_true",
                    help="skip the PowerDNS Lua record (for huge maps)")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    out = os.path.abspath(a.out)
    for d in ["nearcast", "gdnsd/zones", "gdnsd/geoip", "knot", "pdns", "queries", "run"]:
        os.makedirs(os.path.join(out, d), exist_ok=True)

    zone_head = SOA_NS + extra_records(a.records)
    prefixes = gen_prefixes(a.prefixes, rng)
    rankings = []
    for _ in prefixes:
        r = REGIONS[:]
        rng.shuffle(r)
        rankings.append(r)

    # ---------------- Nearcast ----------------
    with open(os.path.join(out, "nearcast/bench.test.zone"), "w") as f:
        f.write(zone_head)
    sets = "\n".join("          - { id: %s, region: %s, values: [%s] }" % (r, r, ANSWERS[r])
                     for r in REGIONS)
    with open(os.path.join(out, "nearcast/nearcast.yaml"), "w") as f:
        f.write("""threads: 1
default_regions: [%s]
latency_map: latency.csv
zones:
  - origin: bench.test.
    file: bench.test.zone
    latency_records:
      - name: www
        type: A
        ttl: 60
        sets:
%s
""" % (", ".join(REGIONS), sets))
    with open(os.path.join(out, "nearcast/latency.csv"), "w") as f:
        f.write("prefix,region,rtt_ms\n")
        for idx, rank in zip(prefixes, rankings):
            p = p24(idx)
            for i, r in enumerate(rank):
                f.write("%s,%s,%d\n" % (p, r, 10 + 20 * i))

    # ---------------- gdnsd ----------------
    g = os.path.join(out, "gdnsd")
    with open(os.path.join(g, "config"), "w") as f:
        f.write("""options => {
  listen => [ 127.0.0.1 ]
  dns_port => %d
  udp_threads => 1
  tcp_threads => 1
  run_dir => %s/run/gdnsd
  state_dir => %s/run/gdnsd-state
}
plugins => {
  geoip => {
    maps => {
      m => {
        datacenters => [ %s ]
        nets => nets
      }
    }
    resources => {
      www => {
        map => m
        dcmap => { %s }
      }
    }
  }
}
""" % (PORTS["gdnsd"], out, out, ", ".join(REGIONS),
       ", ".join("%s => %s" % (r, ANSWERS[r]) for r in REGIONS)))
    with open(os.path.join(g, "zones/bench.test"), "w") as f:
        f.write(zone_head + "www     60 DYNA geoip!www\n")
    with open(os.path.join(g, "geoip/nets"), "w") as f:
        for idx, rank in zip(prefixes, rankings):
            f.write("%s => [ %s ]\n" % (p24(idx), ", ".join(rank)))

    # ---------------- Knot (static zone only) ----------------
    k = os.path.join(out, "knot")
    with open(os.path.join(k, "bench.test.zone"), "w") as f:
        f.write(zone_head)
    with open(os.path.join(k, "knot.conf"), "w") as f:
        f.write("""server:
    listen: 127.0.0.1@%d
    rundir: %s/run/knot
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: %s/run/knot-db
log:
  - target: stderr
    any: warning
zone:
  - domain: bench.test.
    file: %s/bench.test.zone
    journal-content: none
    zonefile-sync: -1
""" % (PORTS["knot"], out, out, k))

    # ---------------- PowerDNS (bind backend + LUA record) ----------------
    p = os.path.join(out, "pdns")
    with open(os.path.join(p, "pdns.conf"), "w") as f:
        f.write("""launch=bind
bind-config=%s/named.conf
bind-check-interval=0
enable-lua-records=yes
edns-subnet-processing=yes
local-address=127.0.0.1
local-port=%d
receiver-threads=1
distributor-threads=1
reuseport=no
guardian=no
daemon=no
disable-syslog=yes
loglevel=3
socket-dir=%s/run/pdns
webserver=no
api=no
""" % (p, PORTS["pdns"], out))
    with open(os.path.join(p, "named.conf"), "w") as f:
        f.write('zone "bench.test" { type master; file "%s/bench.test.zone"; };\n' % p)
    zone = zone_head
    if not a.no_pdns:
        # view() takes {netmasks}, {answers} pairs and returns the first pair whose
        # netmasks contain bestwho (the ECS address when present). Prefixes are
        # disjoint /24s, so grouping them by best region is equivalent to LPM;
        # the 0.0.0.0/0 catch-all last gives the default region.
        groups = {r: [] for r in REGIONS}
        for idx, rank in zip(prefixes, rankings):
            groups[rank[0]].append(p24(idx))
        pairs = []
        for r in REGIONS:
            if groups[r]:
                pairs.append("{{%s},{'%s'}}" % (",".join("'%s'" % x for x in groups[r]), ANSWERS[r]))
        pairs.append("{{'0.0.0.0/0','::/0'},{'%s'}}" % ANSWERS[REGIONS[0]])
        lua = "view({%s})" % ",".join(pairs)
        zone += 'www     60 IN LUA A "%s"\n' % lua
    with open(os.path.join(p, "bench.test.zone"), "w") as f:
        f.write(zone)

    # ---------------- queries ----------------
    q = os.path.join(out, "queries")
    with open(os.path.join(q, "static.txt"), "w") as f:
        f.write("static.bench.test A\n")
    with open(os.path.join(q, "latency.txt"), "w") as f:
        f.write("www.bench.test A\n")
    with open(os.path.join(q, "nxdomain.txt"), "w") as f:
        for i in range(1000):
            f.write("nx%d.bench.test A\n" % i)
    # fixed ECS: a mapped prefix whose best region is not the default
    fixed_i = next(i for i, r in enumerate(rankings) if r[0] != REGIONS[0])
    fixed_net = prefixes[fixed_i] << 8
    fixed_hex = ecs_option(fixed_net)[4:].hex()   # family, plen, scope, addr
    # varying ECS: 90% mapped /24s (random order), 10% unmapped random /24s
    mapped = set(prefixes)
    with open(os.path.join(q, "ecs_varying.bin"), "wb") as f:
        for i in range(a.ecs_queries):
            if rng.random() < 0.9:
                net = rng.choice(prefixes)
            else:
                while True:
                    net = rng.randrange(1 << 16, 224 << 16)
                    if net not in mapped:
                        break
            pkt = query_packet("www.bench.test", ecs=ecs_option(net << 8))
            f.write(struct.pack("!H", len(pkt)) + pkt)
    # expected answers for a sample of networks (checked with dig before measuring)
    rank_of = dict(zip(prefixes, rankings))
    with open(os.path.join(q, "ecs_expected.txt"), "w") as f:
        for i in range(40):
            net = rng.choice(prefixes) if i % 4 else rng.randrange(1 << 16, 224 << 16)
            best = rank_of[net][0] if net in rank_of else REGIONS[0]
            f.write("%s %s\n" % (p24(net), ANSWERS[best]))
    meta = {"ports": PORTS, "prefixes": a.prefixes, "fixed_ecs_prefix": p24(prefixes[fixed_i]),
            "fixed_ecs_expected": ANSWERS[rankings[fixed_i][0]],
            "dnsperf_ecs_option": "8:" + fixed_hex, "regions": REGIONS, "answers": ANSWERS,
            "pdns_lua": not a.no_pdns, "ecs_queries": a.ecs_queries}
    with open(os.path.join(out, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)


if __name__ == "__main__":
    main()
