"""Heap allocations of the running server per query (issue #5: none per UDP query in steady state).

The real `nearcast serve` runs with bench/malloc_count.c preloaded, which counts
malloc, calloc, realloc, posix_memalign, aligned_alloc, memalign (and free) in a
shared-memory file, per thread too, and flags the threads that call recvmmsg
(the UDP threads).  After a warm-up, each kind of query is sent over UDP and
the allocations counted while it is answered.

The idle server allocates too: the store sync runs once a second (about 400
allocations).  Each measuring window therefore starts just after that tick
and lasts at most WINDOW seconds, and the same number of windows of the same
length is measured with no queries: the idle count is subtracted and both
are printed, with the idle allocations per second.

Debug builds allocate on the query path (unspecialized generics), so this
measures a release build: $NEARCAST_BIN when it is one (a path with a
`release` component), else $NEARCAST_ALLOC_BIN, else the test is skipped:

    swift build -c release --product nearcast
    NEARCAST_BIN=$PWD/.build/release/nearcast python3 -m pytest tests/e2e/test_allocations.py -s -q

Over TCP, one connection with pipelined queries is measured the same way
(a new connection costs NIO's allocations for the channel, not asserted).
"""

from __future__ import annotations

import os
import shutil
import socket
import struct
import subprocess
import time
from collections import Counter
from pathlib import Path

import dns.edns
import dns.message
import pytest

import e2e_helpers
import zonedata
from e2e_helpers import REPO, Server, addresses, get_ecs, make_query, tcp_read_frame, write_files

WARMUP = 2_000          # queries of each kind before measuring
MEASURED = 20_000       # measured UDP queries of each kind (6 kinds)
TCP_MEASURED = 20_000   # measured TCP queries, all kinds together
WINDOW = 0.6            # seconds; the store sync ticks once a second
BOUND = 0.01            # allowed allocations per UDP query (expected: 0)

# slots of the counter file (bench/malloc_count.c)
S_PID, S_FIRST_ALLOC, S_LAST_ALLOC, S_FREE = 2, 3, 8, 9
S_TRACE_LIMIT, S_TRACE_CLAIMED, S_TRACE_MAX, S_RECORD_SLOTS = 16, 17, 18, 19
S_THREADS_OFFSET, S_THREADS_MAX, S_TRACE_OFFSET = 20, 21, 22
THREAD_RECVMMSG = 1


# --------------------------------------------------------------------------
# the counter file
# --------------------------------------------------------------------------

class Counts:
    """One reading: allocations in total and per thread class (udp: called recvmmsg; tcp: NIO event loop)."""

    def __init__(self, path: Path, pid: int):
        raw = path.read_bytes()
        s = struct.unpack(f"={len(raw) // 8}Q", raw)
        assert raw[:8] == b"MALLOCNT" and s[S_PID] == pid, "counter file not written by the server"
        self.total = sum(s[S_FIRST_ALLOC:S_LAST_ALLOC + 1])
        self.frees = s[S_FREE]
        self.by_class = Counter()
        self.udp_threads = 0
        base = s[S_THREADS_OFFSET]
        for i in range(s[S_THREADS_MAX]):
            tid, allocs, flags, _ = s[base + 4 * i: base + 4 * i + 4]
            if tid or allocs:
                self.by_class[thread_class(pid, tid, flags)] += allocs
                self.udp_threads += bool(flags & THREAD_RECVMMSG)

    def __sub__(self, other: "Counts") -> Counter:
        d = Counter({k: self.by_class[k] - other.by_class[k] for k in set(self.by_class) | set(other.by_class)})
        d["total"] = self.total - other.total
        return d


_names: dict = {}


def thread_class(pid: int, tid: int, flags: int) -> str:
    if flags & THREAD_RECVMMSG:
        return "udp"
    if tid not in _names:
        try:
            _names[tid] = Path(f"/proc/{pid}/task/{tid}/comm").read_text().strip()
        except OSError:
            _names[tid] = "?"   # exited
    return "tcp" if _names[tid].startswith("NIO-ELT") else "other"


class Preloaded:
    """The server with malloc_count preloaded, and its counter file."""

    def __init__(self, server: Server, counts: Path):
        self.server, self.path = server, counts
        self.pid = server.proc.pid

    def read(self) -> Counts:
        return Counts(self.path, self.pid)

    def after_tick(self, max_wait=2.0, settle=0.03):
        """Returns just after the idle server's periodic allocations (the once-a-second store sync)."""
        start = self.read().total
        deadline = time.monotonic() + max_wait
        while time.monotonic() < deadline and self.read().total == start:
            time.sleep(0.002)
        last, since = self.read().total, time.monotonic()
        while time.monotonic() - since < settle:
            time.sleep(0.002)
            now = self.read().total
            if now != last:
                last, since = now, time.monotonic()

    def busy(self, send, queries):
        """Sends `queries` with `send(batch)` in windows of at most WINDOW s, each starting right after a
        tick; returns (allocations by class, the windows' lengths)."""
        diff, lengths, i = Counter(), [], 0
        while i < len(queries):
            self.after_tick()
            before, t0 = self.read(), time.monotonic()
            while i < len(queries) and time.monotonic() - t0 < WINDOW:
                send(queries[i:i + 100])
                i += 100
            lengths.append(time.monotonic() - t0)
            diff.update(self.read() - before)
        return diff, lengths

    def idle(self, lengths):
        """The same windows with no queries: allocations by class."""
        diff = Counter()
        for length in lengths:
            self.after_tick()
            before = self.read()
            time.sleep(length)
            diff.update(self.read() - before)
        return diff

    # -- backtraces, for the failure message
    def traces(self, send, queries, n=64, udp_only=True) -> str:
        fd = os.open(self.path, os.O_RDWR)
        try:
            header = struct.unpack("=32Q", os.pread(fd, 32 * 8, 0))
            os.pwrite(fd, struct.pack("=Q", 0), S_TRACE_LIMIT * 8)
            os.pwrite(fd, struct.pack("=Q", 0), S_TRACE_CLAIMED * 8)
            os.pwrite(fd, bytes(8 * header[S_TRACE_MAX] * header[S_RECORD_SLOTS]), header[S_TRACE_OFFSET] * 8)
            os.pwrite(fd, struct.pack("=Q", n), S_TRACE_LIMIT * 8)
            send(queries)
            os.pwrite(fd, struct.pack("=Q", 0), S_TRACE_LIMIT * 8)
        finally:
            os.close(fd)
        raw = self.path.read_bytes()
        s = struct.unpack(f"={len(raw) // 8}Q", raw)
        udp_tids = {s[s[S_THREADS_OFFSET] + 4 * i] for i in range(s[S_THREADS_MAX])
                    if s[s[S_THREADS_OFFSET] + 4 * i + 2] & THREAD_RECVMMSG}
        stacks = Counter()
        rs = s[S_RECORD_SLOTS]
        for i in range(min(s[S_TRACE_CLAIMED], s[S_TRACE_MAX])):
            r = s[s[S_TRACE_OFFSET] + i * rs: s[S_TRACE_OFFSET] + (i + 1) * rs]
            if r[0] and (r[2] in udp_tids or not udp_only):
                stacks[tuple(r[4: 4 + r[3]])] += 1
        names = symbolize(self.pid, {a for st in stacks for a in st})
        out = []
        for st, k in stacks.most_common(6):
            out.append(f"-- {k} allocation(s) at:")
            out += [f"     {names[a]}" for a in st if a in names][:16]
        return "\n".join(out) or "(no allocation recorded on the UDP threads)"


def symbolize(pid: int, addresses: set) -> dict:
    """address -> 'function file:line' with llvm-symbolizer (Swift's toolchain has it); best effort."""
    tool = shutil.which("llvm-symbolizer")
    if not tool or not shutil.which("readelf") or not addresses:
        return {}
    regions = []
    for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
        p = line.split()
        if len(p) >= 6 and p[5].startswith("/") and not p[5].endswith("malloc_count.so"):
            lo, hi = (int(x, 16) for x in p[0].split("-"))
            regions.append((lo, hi, int(p[2], 16), p[5]))
    per_file: dict = {}
    for a in addresses:
        for lo, hi, off, path in regions:
            if lo <= a < hi:
                per_file.setdefault(path, []).append((a, a - lo + off - 1))   # -1: inside the call
                break
    names = {}
    for path, items in per_file.items():
        segments = []
        for line in subprocess.run(["readelf", "-lW", path], capture_output=True, text=True).stdout.splitlines():
            p = line.split()
            if p and p[0] == "LOAD":
                segments.append((int(p[1], 16), int(p[2], 16), int(p[4], 16)))
        vaddrs = [next((o - fo + va for fo, va, size in segments if fo <= o < fo + size), o) for _, o in items]
        out = subprocess.run([tool, "--obj", path, "--demangle", "--no-inlines", *map(hex, vaddrs)],
                             capture_output=True, text=True).stdout.strip().split("\n\n")
        for (a, _), text in zip(items, out):
            fn, _, where = text.partition("\n")
            names[a] = (fn, f"{where}  [{os.path.basename(path)}]")
    demangler = shutil.which("swift-demangle")
    if demangler and names:
        keys = list(names)
        out = subprocess.run([demangler, "--simplified", "--compact"], input="\n".join(names[k][0] for k in keys),
                             capture_output=True, text=True).stdout.splitlines()
        if len(out) == len(keys):
            for k, fn in zip(keys, out):
                names[k] = (fn, names[k][1])
    return {a: f"{fn}  {where}" for a, (fn, where) in names.items()}


# --------------------------------------------------------------------------
# fixtures
# --------------------------------------------------------------------------

def binary() -> str:
    if "release" in Path(e2e_helpers.NEARCAST_BIN).resolve().parts:
        return e2e_helpers.NEARCAST_BIN
    explicit = os.environ.get("NEARCAST_ALLOC_BIN")
    if explicit:
        return explicit
    pytest.skip(f"{e2e_helpers.NEARCAST_BIN} is not a release build (debug builds allocate per query); "
                "swift build -c release --product nearcast, then NEARCAST_BIN=.build/release/nearcast "
                "or NEARCAST_ALLOC_BIN=<binary>")


def start_preloaded(tmp_path_factory, latency):
    cc = next((c for c in ("gcc", "cc", "clang") if shutil.which(c)), None)   # clang: Swift's toolchain has one
    if not cc:
        pytest.fail("a C compiler (gcc, cc or clang) is needed to build bench/malloc_count.c", pytrace=False)
    bin_path = str(Path(binary()).resolve())
    d = tmp_path_factory.mktemp("allocations")
    lib = d / "malloc_count.so"
    subprocess.run([cc, "-O2", "-shared", "-fPIC", "-o", str(lib), str(REPO / "bench" / "malloc_count.c")],
                   check=True)
    counts = d / "counts"
    # a long TCP idle timeout: the measured TCP connection waits for the ticks between windows
    files = zonedata.standard_files(config=zonedata.CONFIG.replace("tcp_idle_timeout_ms: 1000",
                                                                    "tcp_idle_timeout_ms: 60000"), latency=latency)
    write_files(d, files)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(e2e_helpers, "NEARCAST_BIN", bin_path)
        server = Server(d, ["--config", str(d / "nearcast.yaml")], v6=False,
                        env={"LD_PRELOAD": str(lib), "MALLOC_COUNT_FILE": str(counts)})
        try:
            yield Preloaded(server, counts)
        finally:
            server.stop_checked()


@pytest.fixture(scope="module")
def preloaded(tmp_path_factory):
    yield from start_preloaded(tmp_path_factory, zonedata.LATENCY_CSV)


def large_map_network(n: int) -> str:
    """The n-th /24 of the large map: every other /24 from 12.0.0.0, so none merge."""
    return f"{12 + (n >> 15)}.{(n >> 7) & 0xff}.{(n & 0x7f) * 2}.0"


@pytest.fixture(scope="module")
def preloaded_large_map(tmp_path_factory):
    """The same server with 40,000 more /24s in its latency map (about 80,000 ranges): a map large
    enough that the UDP threads prefetch each batch's lookups (LatencyMap.isLarge)."""
    extra = "".join(f"{large_map_network(n)}/24,{('us-east-1', 'eu-west-2')[n % 2]},{5 + n % 3}\n" for n in range(40_000))
    yield from start_preloaded(tmp_path_factory, zonedata.LATENCY_CSV + extra)


# --------------------------------------------------------------------------
# queries
# --------------------------------------------------------------------------

ECS_KIND = "latency A, ECS /24s"
CNAME_KIND = "CNAME chain"
MIXED = [  # (qname, type, make_query options): the other answers the in-place responder writes
    ("x.wild.test.", "A", {}),                          # wildcard
    ("www.child.example.com.", "A", {}),                # referral with glue
    ("big.example.com.", "TXT", {}),                    # truncated (TC) over 512 bytes
    ("big.example.com.", "TXT", {"payload": 4096, "edns": 0}),
    ("www.example.com.", "MX", {}),                     # additional section
    ("www.example.com.", "SRV", {}),                    # NODATA
    ("wWw.ExAmPlE.cOm.", "A", {"want_dnssec": True}),   # 0x20 case, DO bit
    ("example.com.", "NS", {}),
    ("www.other.invalid.", "A", {}),                    # REFUSED
]


def kinds(n: int) -> dict:
    """name -> (wire queries, expected (rcode, minimum answer count) or None)."""
    def wires(make):
        return [make(i).to_wire() for i in range(n)]
    return {
        "static A": (wires(lambda i: make_query("www.example.com.", "A")), (0, 1)),
        # ECS over 65,536 /24s: the mapped prefixes, the /16s around them and unmapped networks
        ECS_KIND: (wires(lambda i: make_query(
            "geo.example.com.", "A", ecs=dns.edns.ECSOption(f"10.{(i * 7) % 256}.{(i * 13) % 256}.0", 24))), (0, 1)),
        "latency AAAA, IPv6 ECS": (wires(lambda i: make_query(
            "geo6.example.com.", "AAAA", ecs=dns.edns.ECSOption(f"2001:db8:{i % 8:x}::", 48))), (0, 1)),
        "latency A, no ECS": (wires(lambda i: make_query("geo.example.com.", "A")), (0, 1)),
        "NXDOMAIN": (wires(lambda i: make_query(f"nx{i % 997}.example.com.", "A")), (3, 0)),
        "mixed": (wires(lambda i: make_query(MIXED[i % len(MIXED)][0], MIXED[i % len(MIXED)][1],
                                              **MIXED[i % len(MIXED)][2])), None),
    }


def udp_sender(preloaded: Preloaded, expect):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(2.0)
    sock.connect(preloaded.server.addr())

    def send(batch, replies=None):
        for i in range(0, len(batch), 20):        # 20 in flight
            part = batch[i:i + 20]
            for w in part:
                sock.send(w)
            for _ in part:
                reply = sock.recv(65535)
                if expect:
                    rcode, min_answers = expect
                    flags, ancount = struct.unpack("!H", reply[2:4])[0], struct.unpack("!H", reply[6:8])[0]
                    assert flags & 0xF == rcode and ancount >= min_answers, f"unexpected reply {reply!r}"
                if replies is not None:
                    replies.append(reply)
    return sock, send


def tcp_sender(preloaded: Preloaded):
    sock = preloaded.server.tcp_connect(timeout=5.0)

    def send(batch):
        for i in range(0, len(batch), 20):        # pipelined, 20 at a time
            part = batch[i:i + 20]
            sock.sendall(b"".join(struct.pack("!H", len(w)) + w for w in part))
            for w in part:
                assert tcp_read_frame(sock)[:2] == w[:2], "reply out of order"
    return sock, send


# --------------------------------------------------------------------------
# the tests
# --------------------------------------------------------------------------

def per_query(diff: Counter, idle: Counter, n: int, cls="total") -> float:
    return (diff[cls] - idle[cls]) / n


def measure_udp(p: Preloaded, send, wires) -> tuple:
    """Warm-up, then MEASURED queries in windows after the ticks, and the same windows idle."""
    send(wires[:WARMUP])
    busy, lengths = p.busy(send, wires[WARMUP:WARMUP + MEASURED])
    return busy, p.idle(lengths), lengths


def report(name, busy, idle, lengths):
    print(f"UDP {name:24} {MEASURED} queries in {len(lengths)} window(s), {sum(lengths):.2f} s: "
          f"{busy['total']} allocations ({busy['udp']} on the UDP threads); "
          f"the same windows idle: {idle['total']}; {per_query(busy, idle, MEASURED):.5f} per query")


def test_no_heap_allocations_per_udp_query(preloaded):
    p = preloaded
    queries = kinds(WARMUP + MEASURED)
    senders = {name: udp_sender(p, expect) for name, (_, expect) in queries.items()}
    tcp_sock, tcp_send = tcp_sender(p)
    try:
        replies = []
        senders[ECS_KIND][1](queries[ECS_KIND][0][:500], replies)
        parsed = [dns.message.from_wire(r) for r in replies]   # routed by the client subnet:
        assert len({frozenset(addresses(m)) for m in parsed}) >= 3, "ECS queries all got one answer"
        assert any(get_ecs(m) and get_ecs(m).scopelen > 0 for m in parsed), "no ECS scope > 0"

        before = p.read()
        t0 = time.monotonic()
        time.sleep(3.0)
        after = p.read()
        idle_rate = (after.total - before.total) / (time.monotonic() - t0)
        print(f"\nidle server: {idle_rate:.0f} allocations/s; {after.udp_threads} UDP threads "
              f"(binary {e2e_helpers.NEARCAST_BIN})")

        failures = []
        for name, (wires, _) in queries.items():
            busy, idle, lengths = measure_udp(p, senders[name][1], wires)
            report(name, busy, idle, lengths)
            if per_query(busy, idle, MEASURED) >= BOUND or busy["udp"] / MEASURED >= BOUND:
                failures.append(name)

        per_kind = TCP_MEASURED // len(queries)
        all_tcp = [w for wires, _ in queries.values() for w in wires[:per_kind]]
        tcp_send(all_tcp)   # warm-up on this connection
        all_tcp = [w for wires, _ in queries.values() for w in wires[WARMUP:WARMUP + per_kind]]
        tcp_busy, tcp_lengths = p.busy(tcp_send, all_tcp)
        tcp_idle = p.idle(tcp_lengths)
        print(f"TCP {len(all_tcp)} queries of these kinds, one connection, 20 pipelined, "
              f"{sum(tcp_lengths):.2f} s: {tcp_busy['total']} allocations ({tcp_busy['tcp']} on the event loops), "
              f"the same windows idle: {tcp_idle['total']}; {per_query(tcp_busy, tcp_idle, len(all_tcp)):.5f} per query")

        if per_query(tcp_busy, tcp_idle, len(all_tcp)) >= BOUND:
            failures.append("TCP, pipelined")
        if failures:
            name = next((f for f in failures if f in senders), ECS_KIND)
            where = p.traces(senders[name][1], queries[name][0][:200])
            pytest.fail(f"UDP queries allocate: {', '.join(failures)} (bound {BOUND} per query); "
                        f"allocations on the UDP threads while answering '{name}':\n{where}", pytrace=False)
    finally:
        tcp_sock.close()
        for sock, _ in senders.values():
            sock.close()


def test_no_heap_allocations_per_udp_cname_query(preloaded):
    p = preloaded
    names = ["c1.example.com.", "c4.example.com.", "geoalias.example.com.", "x.cn.wild.test."]   # 2, 1, 1, 1 CNAMEs
    wires = [make_query(names[i % len(names)], "A").to_wire() for i in range(WARMUP + MEASURED)]
    sock, send = udp_sender(p, (0, 2))
    try:
        busy, idle, lengths = measure_udp(p, send, wires)
        report(CNAME_KIND, busy, idle, lengths)
        assert per_query(busy, idle, MEASURED) < BOUND and busy["udp"] / MEASURED < BOUND, \
            p.traces(send, wires[:100])
    finally:
        sock.close()


def test_no_heap_allocations_per_udp_query_with_a_large_map(preloaded_large_map):
    """The batch prefetch of a large map's lookups (DatagramHandler.prepare) allocates nothing either."""
    p = preloaded_large_map
    wires = [make_query("geo.example.com.", "A", ecs=dns.edns.ECSOption(large_map_network((i * 7919) % 40_000), 24)).to_wire()
             for i in range(WARMUP + MEASURED)]
    sock, send = udp_sender(p, (0, 1))
    try:
        busy, idle, lengths = measure_udp(p, send, wires)
        report("latency A, ECS, large map", busy, idle, lengths)
        assert per_query(busy, idle, MEASURED) < BOUND and busy["udp"] / MEASURED < BOUND, \
            p.traces(send, wires[:100])
    finally:
        sock.close()
