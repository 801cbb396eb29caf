#!/usr/bin/env python3
"""Interleaved A/B of two servers under one replayed UDP load, for differences
smaller than the drift of a shared machine.

    python3 bench/interleave.py A B [--scenario latency-ecs-varying] [--pairs 30] [--seconds 1] [--big | --b-big]

A and B are Nearcast binaries, or `gdnsd` or `knot` for the benchmark's
peers (Knot serves the static zone only: `static` and `nxdomain`). The
scenario's queries are those of `bench/run` — varying ECS replays
bench/data's packets; static, latency without ECS, fixed ECS and NXDOMAIN
send dnsperf's questions, written as packets here — always sent by the
replay generator (lighter than dnsperf, so rates are higher than in
`bench/run`). Both servers run at once (one UDP thread each, their own ports); the replay load goes to
one, then the other, for `--seconds` each, `--pairs` times, alternating who
goes first. Each turn's server CPU comes from /proc, so both sides of a pair
share the machine's state of the moment. Prints per server the medians of
q/s and of user, system and total CPU µs per query (the total exact, from the
scheduler's clock; the user/system split sampled in clock ticks, so ±10% per
turn), then the median of the pairs' ratios (A ÷ B) and their geometric
mean with its 95% confidence interval. `--big` gives both servers the 1,000,000-prefix map
and its queries; `--b-big` only B (A keeps the 1,000-prefix map: one
binary against itself, for the cost of the map's size). Run `bench/run` once first: it installs the peers,
compiles the replay generator and generates bench/data.
"""
import argparse
import ipaddress
import json
import math
import os
import re
import statistics
import struct
import subprocess
import tempfile

from bench import HERE, Server
from gen_data import ecs_option, encode_name, query_packet

SCENARIOS = ["latency-ecs-varying", "latency-ecs-fixed", "latency-no-ecs", "static", "nxdomain"]

TICK_US = 1e6 / os.sysconf("SC_CLK_TCK")


def user_system_ticks(pid):
    fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return int(fields[11]), int(fields[12])


def runtimes_us(pid):
    """The CPU time each of `pid`'s threads has run (thread id → µs), from the
    scheduler's nanosecond clock (/proc/PID/task/*/sched): exact, where the
    user/system split in /proc/PID/stat is sampled in ticks."""
    times = {}
    for task in os.listdir("/proc/%d/task" % pid):
        try:
            for line in open("/proc/%d/task/%s/sched" % (pid, task)):
                if line.startswith("se.sum_exec_runtime"):
                    times[task] = float(line.split(":")[1]) * 1000
        except FileNotFoundError:
            pass  # a thread that ended meanwhile
    return times


ENDED_THREAD_TURNS = []  # the server of each turn whose CPU misses a thread that ended during it


def runtime_between(before, after):
    """CPU µs run between two `runtimes_us` readings: by the threads alive at
    the second (a new one from 0). A thread that ended in between takes its
    time in the turn with it — gdnsd replaces a thread when it loads the big
    map —, so summing whole-process totals could even go negative; such
    turns are counted in ENDED_THREAD_TURNS, reported, and left out of the
    total CPU figures (`turn` gives them a total of NaN)."""
    return sum(after[task] - before.get(task, 0.0) for task in after)


def queries(scenario, data, meta, scratch):
    """The replay file of `scenario`: bench/data's varying-ECS packets, or,
    for the others, the questions `bench/run` gives dnsperf (no EDNS unless
    the scenario has ECS), written to `scratch`."""
    if scenario == "latency-ecs-varying":
        return os.path.join(data, "queries", "ecs_varying.bin")
    if scenario == "latency-ecs-fixed":
        subnet = ipaddress.IPv4Network(meta["fixed_ecs_prefix"])
        packets = [query_packet("www.bench.test", ecs=ecs_option(int(subnet.network_address), subnet.prefixlen))]
    else:
        names = {"static": ["static.bench.test"], "latency-no-ecs": ["www.bench.test"],
                 "nxdomain": ["nx%d.bench.test" % i for i in range(1000)]}[scenario]
        packets = [struct.pack("!6H", 0, 0, 1, 0, 0, 0) + encode_name(name) + struct.pack("!HH", 1, 1) for name in names]
    path = os.path.join(scratch, scenario + ".bin")
    with open(path, "wb") as out:
        for packet in packets:
            out.write(struct.pack("!H", len(packet)) + packet)
    return path


def start(binary, data, meta, port, scratch):
    """A started Server: the benchmark's gdnsd or Knot, or Nearcast `binary` on `port` with its own store."""
    if binary in ("gdnsd", "knot"):
        server = Server(binary, data, meta, None, 1)
    else:
        server = Server("nearcast", data, meta, binary, 1)
        server.port = port
        server.cmd[server.cmd.index("--listen") + 1] = "127.0.0.1:%d" % port
        server.cmd += ["--data-dir", os.path.join(scratch, str(port))]
        server.log = os.path.join(scratch, "%d.log" % port)
    server.start(timeout=300)
    return server


def turn(server, queries, seconds):
    """(q/s, user µs/q, system µs/q, total µs/q) of one load turn; the total is exact, the split sampled
    (from the process's counters, which keep ended threads' time); the total is NaN when a thread ended
    during the turn (the exact clock is per thread, and the ended one's is gone)."""
    u0, s0 = user_system_ticks(server.proc.pid)
    r0 = runtimes_us(server.proc.pid)
    out = subprocess.run([os.path.join(HERE, "data/replay"), "-s", "127.0.0.1", "-p", str(server.port), "-f", queries,
                          "-w", "200", "-S", "4", "-l", str(seconds)], capture_output=True, text=True, check=True).stdout
    u1, s1 = user_system_ticks(server.proc.pid)
    r1 = runtimes_us(server.proc.pid)
    answered = int(re.search(r"answered=(\d+)", out).group(1))
    ended = set(r0) - set(r1)
    if ended:
        ENDED_THREAD_TURNS.append(os.path.basename(server.cmd[0]))
    total = math.nan if ended else runtime_between(r0, r1) / answered
    return answered / seconds, (u1 - u0) * TICK_US / answered, (s1 - s0) * TICK_US / answered, total


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--scenario", choices=SCENARIOS, default=SCENARIOS[0])
    ap.add_argument("--pairs", type=int, default=30)
    ap.add_argument("--seconds", type=int, default=1)
    size = ap.add_mutually_exclusive_group()
    size.add_argument("--big", action="store_true", help="both serve the 1,000,000-prefix map instead of the 1,000-prefix one")
    size.add_argument("--b-big", action="store_true", help="B serves the 1,000,000-prefix map, A the 1,000-prefix one")
    args = ap.parse_args()
    datas = [os.path.join(HERE, "data", "big" if big else "small") for big in (args.big, args.big or args.b_big)]
    names = [args.a, args.b]
    metas = [json.load(open(os.path.join(data, "meta.json"))) for data in datas]
    with tempfile.TemporaryDirectory() as scratch:
        loads = []
        for i, (data, meta) in enumerate(zip(datas, metas)):
            os.makedirs(os.path.join(scratch, "load%d" % i))
            loads.append(queries(args.scenario, data, meta, os.path.join(scratch, "load%d" % i)))
        servers = [start(binary, data, meta, 5411 + i, scratch)
                   for i, (binary, data, meta) in enumerate(zip(names, datas, metas))]
        try:
            turns = [[], []]
            for pair in range(args.pairs):
                for i in ([0, 1] if pair % 2 == 0 else [1, 0]):
                    turns[i].append(turn(servers[i], loads[i], args.seconds))
        finally:
            for server in servers:
                server.stop()
    def known(values):
        return [v for v in values if not math.isnan(v)]
    for name, data, runs in zip(names, datas, turns):
        qps, user, system, total = zip(*runs)
        print("%-28s q/s %8.0f   user %.3f   system %.3f   total %.3f µs/q   (medians of %d turns)"
              % (os.path.basename(name) + " (" + os.path.basename(data) + ")", statistics.median(qps), statistics.median(known(user)),
                 statistics.median(known(system)), statistics.median(known(total)), len(runs)))
    cpu_ratios = known(a[3] / b[3] for a, b in zip(*turns))
    print("A ÷ B, median of the pairs: q/s %.3f, CPU per query %.3f" % (
        statistics.median(a[0] / b[0] for a, b in zip(*turns)), statistics.median(cpu_ratios)))
    if ENDED_THREAD_TURNS:
        print("note: %d turn(s) lost a thread that ended mid-turn (%s); their pairs are left out of the CPU figures"
              % (len(ENDED_THREAD_TURNS), ", ".join(sorted(set(ENDED_THREAD_TURNS)))))
    print("A ÷ B, geometric mean of the pairs with its 95%% confidence interval: q/s %s, CPU per query %s" % (
        ratio_interval([a[0] / b[0] for a, b in zip(*turns)]), ratio_interval(cpu_ratios)))


def ratio_interval(ratios):
    """The geometric mean of `ratios` and its 95% confidence interval (t on the logs, as for paired samples)."""
    logs = [math.log(r) for r in ratios]
    mean = statistics.fmean(logs)
    if len(logs) < 2:
        return "%.3f" % math.exp(mean)
    t = T975[max(df for df in T975 if df <= len(logs) - 1)]  # the next smaller tabled df: a slightly wider interval
    half = t * statistics.stdev(logs) / math.sqrt(len(logs))
    return "%.3f (%.3f–%.3f)" % (math.exp(mean), math.exp(mean - half), math.exp(mean + half))


# Student's t, 97.5th percentile, by degrees of freedom.
T975 = {1: 12.71, 2: 4.30, 3: 3.18, 4: 2.78, 5: 2.57, 6: 2.45, 7: 2.36, 8: 2.31, 9: 2.26, 10: 2.23, 14: 2.14, 19: 2.09,
        24: 2.06, 29: 2.05, 39: 2.02, 49: 2.01, 59: 2.00, 119: 1.98}


if __name__ == "__main__":
    main()
