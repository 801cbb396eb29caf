#!/usr/bin/env python3
"""Start Nearcast, gdnsd, Knot and PowerDNS side by side and measure each scenario.

Called by bench/run after the data is generated. Every server runs with one
worker thread on its own port on 127.0.0.1; scenarios are measured one server
at a time (the others idle). Per run we record:
  q/s         answers per second, from the load generator
  CPU us/q    (utime+stime of the server process over the run) / answers
  p50/p99     answer latency seen by the load generator (closed loop, so these
              are queueing latencies at saturation, not idle latencies)
  client us/q load generator CPU per answer (it shares the 2 cores)
"""
import argparse, datetime, json, os, resource, signal, statistics, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TICK = os.sysconf("SC_CLK_TCK")

SCENARIOS = [
    # name, data set, servers, load generator, description
    ("static", "small", ["nearcast", "gdnsd", "knot", "pdns"], "dnsperf", "static A, UDP"),
    ("latency-no-ecs", "small", ["nearcast", "gdnsd", "pdns"], "dnsperf", "latency A, no ECS (resolver address 127.0.0.1, unmapped -> default region)"),
    ("latency-ecs-fixed", "small", ["nearcast", "gdnsd", "pdns"], "dnsperf", "latency A, one fixed ECS /24 (mapped)"),
    ("latency-ecs-varying", "small", ["nearcast", "gdnsd", "pdns"], "replay", "latency A, ECS over 20,000 packets / ~1,000 networks (90% mapped)"),
    ("nxdomain", "small", ["nearcast", "gdnsd", "knot", "pdns"], "dnsperf", "1,000 nonexistent names"),
    ("tcp-pipelined", "small", ["nearcast", "gdnsd", "knot", "pdns"], "dnsperf-tcp", "static A over TCP, 4 connections, 200 in flight"),
    ("map-1M-ecs-varying", "big", ["nearcast", "gdnsd"], "replay", "latency A, ECS varying, 1,000,000-prefix map"),
]


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)


def rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0


def dig(port, name, subnet=None, tcp=False):
    cmd = ["dig", "+short", "+tries=1", "+time=1", "@127.0.0.1", "-p", str(port), name]
    if subnet:
        cmd.append("+subnet=" + subnet)
    if tcp:
        cmd.append("+tcp")
    r = subprocess.run(cmd, capture_output=True, text=True)
    return r.stdout.strip()


def gdnsd_config(data, threads):
    """gdnsd's config directory, with `threads` UDP threads (a copy under run/ when not 1)."""
    base = os.path.join(data, "gdnsd")
    if threads == 1:
        return base
    conf = os.path.join(data, "run", "gdnsd-threads-%d" % threads)
    os.makedirs(conf, exist_ok=True)
    with open(os.path.join(base, "config")) as f:
        text = f.read().replace("udp_threads => 1", "udp_threads => %d" % threads)
    with open(os.path.join(conf, "config"), "w") as f:
        f.write(text)
    for sub in ["zones", "geoip"]:
        link = os.path.join(conf, sub)
        if not os.path.lexists(link):
            os.symlink(os.path.join(base, sub), link)
    return conf


class Server:
    def __init__(self, name, data, meta, nearcast_bin, threads):
        self.name, self.data, self.port = name, data, meta["ports"][name]
        run = os.path.join(data, "run")
        for d in ["knot", "knot-db", "pdns", "gdnsd", "gdnsd-state"]:
            os.makedirs(os.path.join(run, d), exist_ok=True)
        self.cmd = {
            "nearcast": [nearcast_bin, "serve", "--config", os.path.join(data, "nearcast/nearcast.yaml"),
                         "--listen", "127.0.0.1:%d" % self.port, "--threads", str(threads), "--api-listen", "off"],
            "gdnsd": ["gdnsd", "-c", gdnsd_config(data, threads), "start"],
            "knot": ["knotd", "-c", os.path.join(data, "knot/knot.conf")],
            "pdns": ["pdns_server", "--config-dir=" + os.path.join(data, "pdns")],
        }[name]
        self.log = os.path.join(run, name + ".log")
        self.proc = None

    def start(self, timeout):
        if dig(self.port, "static.bench.test") == "192.0.2.10":
            raise RuntimeError("something already answers on port %d (a server left from an earlier run?); stop it first"
                               % self.port)
        self.proc = subprocess.Popen(self.cmd, stdout=open(self.log, "w"), stderr=subprocess.STDOUT,
                                     start_new_session=True)
        t0 = time.time()
        while time.time() - t0 < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited (%s); see %s" % (self.name, self.proc.returncode, self.log))
            if dig(self.port, "static.bench.test") == "192.0.2.10":
                return time.time() - t0
            time.sleep(0.3)
        raise RuntimeError("%s did not answer within %ds; see %s" % (self.name, timeout, self.log))

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def check_equivalence(srv, data, meta):
    """Answers must match the generated map: fixed ECS, no ECS, and 40 sampled ECS /24s."""
    bad = []
    if dig(srv.port, "www.bench.test", meta["fixed_ecs_prefix"]) != meta["fixed_ecs_expected"]:
        bad.append("fixed ECS")
    default = meta["answers"][meta["regions"][0]]
    if dig(srv.port, "www.bench.test") != default:
        bad.append("no ECS")
    with open(os.path.join(data, "queries/ecs_expected.txt")) as f:
        sample = [l.split() for l in f][:40]
    wrong = sum(1 for net, want in sample if dig(srv.port, "www.bench.test", net) != want)
    if wrong:
        bad.append("%d/%d sampled ECS networks" % (wrong, len(sample)))
    return bad


def run_load(kind, srv, data, meta, seconds):
    q = os.path.join(data, "queries")
    port = str(srv.port)
    if kind == "replay":
        cmd = [os.path.join(HERE, "data/replay"), "-s", "127.0.0.1", "-p", port,
               "-f", os.path.join(q, "ecs_varying.bin"), "-w", "200", "-S", "4", "-l", str(seconds)]
    else:
        qfile = {"static": "static.txt", "latency-no-ecs": "latency.txt", "latency-ecs-fixed": "latency.txt",
                 "nxdomain": "nxdomain.txt", "tcp-pipelined": "static.txt"}[srv.scenario]
        cmd = ["dnsperf", "-s", "127.0.0.1", "-p", port, "-d", os.path.join(q, qfile),
               "-c", "4", "-T", "1", "-q", "200", "-t", "1", "-l", str(seconds), "-v"]
        if srv.scenario == "latency-ecs-fixed":
            cmd += ["-E", meta["dnsperf_ecs_option"]]
        if kind == "dnsperf-tcp":
            cmd += ["-m", "tcp"]
    out_path = "/dev/shm/nearcast-bench-load.out"
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    c0, t0 = cpu_ticks(srv.proc.pid), time.time()
    with open(out_path, "w") as out:
        subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, check=True)
    c1, t1 = cpu_ticks(srv.proc.pid), time.time()
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    client_cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    res = {"cmd": " ".join(cmd), "server_cpu_s": (c1 - c0) / TICK, "wall_s": t1 - t0}
    if kind == "replay":
        with open(out_path) as f:
            kv = dict(x.split("=") for x in f.read().split())
        res.update(qps=float(kv["qps"]), answered=int(kv["answered"]), lost=int(kv["lost"]),
                   p50_us=int(kv["p50_us"]), p99_us=int(kv["p99_us"]),
                   rcodes="NOERROR %s NXDOMAIN %s other %s" % (kv["noerror"], kv["nxdomain"], kv["other"]))
    else:
        lat, answered, qps, lost, rcodes = [], 0, 0.0, 0, ""
        with open(out_path) as f:
            for line in f:
                if line.startswith("> "):
                    try:  # "> NOERROR name type 0.000123"; timeouts ("> T ...") carry no latency
                        lat.append(float(line.rsplit(None, 1)[1]))
                    except ValueError:
                        pass
                elif "Queries completed:" in line:
                    answered = int(line.split()[2])
                elif "Queries lost:" in line:
                    lost = int(line.split()[2])
                elif "Queries per second:" in line:
                    qps = float(line.split()[3])
                elif "Response codes:" in line:
                    rcodes = line.split(":", 1)[1].strip()
        lat.sort()
        p = lambda f: int(lat[min(len(lat) - 1, int(len(lat) * f))] * 1e6) if lat else 0
        res.update(qps=qps, answered=answered, lost=lost, p50_us=p(0.50), p99_us=p(0.99), rcodes=rcodes)
    os.unlink(out_path)
    res["cpu_us_per_q"] = res["server_cpu_s"] * 1e6 / max(1, res["answered"])
    res["client_us_per_q"] = client_cpu * 1e6 / max(1, res["answered"])
    res["rss_mb"] = rss_mb(srv.proc.pid)
    return res


def median_of_rounds(runs):
    """One result from several rounds: the median of each measured number (so one noisy round moves
    nothing), the losses summed, and the server CPU per query's spread over the rounds."""
    if len(runs) == 1:
        return runs[0]
    med = lambda key: statistics.median(r[key] for r in runs)
    res = dict(runs[0])
    for key in ["qps", "cpu_us_per_q", "client_us_per_q", "p50_us", "p99_us", "rss_mb"]:
        res[key] = med(key)
    res["lost"] = sum(r["lost"] for r in runs)
    res["cpu_range"] = (min(r["cpu_us_per_q"] for r in runs), max(r["cpu_us_per_q"] for r in runs))
    res["rounds"] = runs
    return res


def fmt_table(results):
    lines = ["| scenario | server | q/s | server CPU µs/q | p50 µs | p99 µs | client CPU µs/q | RSS MB | lost | Nearcast ÷ peer, q/s | Nearcast ÷ peer, CPU/q |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for scen, rows in results.items():
        nc = rows.get("nearcast")
        for name, r in rows.items():
            if "error" in r:
                lines.append("| %s | %s | — | — | — | — | — | — | — | — | %s |" % (scen, name, r["error"]))
                continue
            ratio_q = ratio_c = ""
            if nc and name != "nearcast" and "error" not in nc:
                ratio_q = "%.2f×" % (nc["qps"] / r["qps"]) if r["qps"] else ""
                ratio_c = "%.2f×" % (nc["cpu_us_per_q"] / r["cpu_us_per_q"]) if r["cpu_us_per_q"] else ""
            note = " ⚠ " + "; ".join(r["mismatch"]) if r.get("mismatch") else ""
            cpu = "%.1f" % r["cpu_us_per_q"]
            if "cpu_range" in r:
                cpu += " (%.1f–%.1f)" % r["cpu_range"]
            lines.append("| %s | %s%s | %s | %s | %d | %d | %.1f | %.0f | %d | %s | %s |" % (
                scen, name, note, "{:,.0f}".format(r["qps"]), cpu, r["p50_us"], r["p99_us"],
                r["client_us_per_q"], r["rss_mb"], r["lost"], ratio_q, ratio_c))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--scenarios", default=",".join(s[0] for s in SCENARIOS))
    ap.add_argument("--servers", default="nearcast,gdnsd,knot,pdns")
    ap.add_argument("--nearcast-bin", default=os.path.join(ROOT, ".build/release/nearcast"))
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    ap.add_argument("--threads", type=int, default=1, help="UDP threads per server (Nearcast and gdnsd only when > 1)")
    ap.add_argument("--rounds", type=int, default=1,
                    help="measure each scenario this many times, the servers taking turns; report medians")
    a = ap.parse_args()
    want_scen, want_srv = a.scenarios.split(","), a.servers.split(",")
    if a.threads != 1 and set(want_srv) - {"nearcast", "gdnsd"}:
        ap.error("--threads other than 1 is supported for nearcast and gdnsd only (add --servers nearcast,gdnsd)")
    started = datetime.datetime.now(datetime.timezone.utc)
    results, servers, notes = {}, {}, []
    try:
        for dataset in ["small", "big"]:
            scen = [s for s in SCENARIOS if s[1] == dataset and s[0] in want_scen]
            if not scen:
                continue
            data = os.path.join(HERE, "data", dataset)
            meta = json.load(open(os.path.join(data, "meta.json")))
            names = [n for n in ["nearcast", "gdnsd", "knot", "pdns"]
                     if n in want_srv and any(n in s[2] for s in scen)]
            servers = {}
            for n in names:
                s = Server(n, data, meta, a.nearcast_bin, a.threads)
                try:
                    took = s.start(timeout=600)
                    print("[%s] %s up in %.1fs (RSS %.0f MB)" % (dataset, n, took, rss_mb(s.proc.pid)), flush=True)
                    servers[n] = s
                    if n != "knot":
                        s.mismatch = check_equivalence(s, data, meta)
                        if s.mismatch:
                            print("  WARNING %s answers differ from the map: %s" % (n, s.mismatch), flush=True)
                except RuntimeError as e:
                    print("  ERROR", e, flush=True)
                    notes.append(str(e))
                    s.stop()
            for name, _, srv_names, kind, desc in scen:
                results[name] = {}
                measured = [n for n in srv_names if n in want_srv]
                for n in measured:
                    if n not in servers:
                        results[name][n] = {"error": "server did not start"}
                runs = {n: [] for n in measured if n in servers}
                for _ in range(a.rounds):
                    for n in runs:
                        s = servers[n]
                        s.scenario = name
                        r = run_load(kind, s, data, meta, a.seconds)
                        r["mismatch"] = getattr(s, "mismatch", []) if name.startswith(("latency", "map")) else []
                        runs[n].append(r)
                        print("%-20s %-9s %9.0f q/s  %5.1f us/q  p50 %6d us  p99 %6d us  client %4.1f us/q  lost %d  [%s]" % (
                            name, n, r["qps"], r["cpu_us_per_q"], r["p50_us"], r["p99_us"],
                            r["client_us_per_q"], r["lost"], r["rcodes"]), flush=True)
                for n, rs in runs.items():
                    results[name][n] = median_of_rounds(rs)
            for s in servers.values():
                s.stop()
            servers = {}
    finally:
        for s in servers.values():
            s.stop()
    table = fmt_table(results)
    print()
    print(table)
    os.makedirs(a.out, exist_ok=True)
    stamp = started.strftime("%Y-%m-%dT%H%MZ")
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    with open(os.path.join(a.out, stamp + ".md"), "w") as f:
        f.write("# Benchmark run %s\n\n" % started.strftime("%Y-%m-%d %H:%M UTC"))
        f.write("Machine: %d cores (%s), %.0f GB RAM, %s\n\n" % (
            os.cpu_count(), cpu, os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30,
            open("/etc/debian_version").read().strip().join(["Debian ", ""])))
        f.write("Command: `%s` (from the repository root)\n\n" % " ".join(["bench/run"] + sys.argv[1:]))
        f.write("Server threads: %d\n\n" % a.threads)
        if a.rounds > 1:
            f.write("Rounds: %d, the servers taking turns; each number is the median of the rounds, "
                    "with the server CPU per query's range in parentheses.\n\n" % a.rounds)
        f.write(table + "\n\n")
        for n in notes:
            f.write("- %s\n" % n)
        f.write("\nLoad generator commands (per server, port differs):\n\n")
        for scen, rows in results.items():
            r = next((r for r in rows.values() if "cmd" in r), None)
            if r:
                f.write("- %s: `%s`\n" % (scen, r["cmd"]))
    with open(os.path.join(a.out, stamp + ".json"), "w") as f:
        json.dump(results, f, indent=1)
    print("\nwrote", os.path.join(a.out, stamp + ".md"))


if __name__ == "__main__":
    main()
