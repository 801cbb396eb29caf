"""Health checks at scale, side by side: Nearcast and gdnsd each monitor N HTTP endpoints every 10 s.

One nginx on 127.0.0.1:18080 answers every endpoint (N distinct loopback addresses 127.0.x.y reach it); the
two checkers run one after the other, never together, so nginx's request count belongs to one of them. For
each: warm up one interval, then sample for --seconds: requests nginx received per second, the checker's CPU
(utime+stime from /proc), resident memory, and open file descriptors. Prints a table and writes it to
bench/results/health-checks-<UTC time>.md. Run through bench/health-checks (installs and builds first).
"""
import argparse, concurrent.futures, datetime, os, platform, shutil, signal, subprocess, sys, tempfile, time, uuid

import boto3
from botocore.config import Config

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
PORT = 18080
KEY, SECRET = "AKIDBENCH", "bench-secret"


def addresses(n):
    """N loopback addresses, 127.0.1.1 upwards (all route to lo)."""
    return ["127.0.%d.%d" % (1 + i // 250, 1 + i % 250) for i in range(n)]


def clock_ticks():
    return os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / clock_ticks()


def status_kb(pid, key):
    for line in open("/proc/%d/status" % pid):
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def nginx_requests(log):
    with open(log, "rb") as f:
        return sum(1 for _ in f)


def start_nginx(work):
    conf = os.path.join(work, "nginx.conf")
    with open(conf, "w") as f:
        f.write("""worker_processes 1;
pid %(w)s/nginx.pid;
error_log %(w)s/nginx-error.log;
events { worker_connections 16384; }
http {
  access_log %(w)s/access.log;
  client_body_temp_path %(w)s; proxy_temp_path %(w)s; fastcgi_temp_path %(w)s; uwsgi_temp_path %(w)s; scgi_temp_path %(w)s;
  server { listen %(port)d reuseport; location / { return 200 "ok"; } }
}
""" % {"w": work, "port": PORT})
    proc = subprocess.Popen(["nginx", "-c", conf, "-g", "daemon off;"], start_new_session=True)
    time.sleep(0.5)
    return proc, os.path.join(work, "access.log")


def measure(name, pid, log, seconds, warmup):
    time.sleep(warmup)
    r0, c0, t0 = nginx_requests(log), cpu_seconds(pid), time.time()
    max_fds = 0
    while time.time() - t0 < seconds:
        max_fds = max(max_fds, fds(pid))
        time.sleep(0.5)
    r1, c1, t1 = nginx_requests(log), cpu_seconds(pid), time.time()
    requests = (r1 - r0) / (t1 - t0)
    cpu = (c1 - c0) / (t1 - t0)
    return {"server": name, "requests_per_s": requests, "cpu_s_per_s": cpu,
            "cpu_us_per_request": cpu / requests * 1e6 if requests else float("nan"),
            "rss_mb": status_kb(pid, "VmRSS") / 1024, "hwm_mb": status_kb(pid, "VmHWM") / 1024, "max_fds": max_fds}


def run_nearcast(work, n, seconds, nearcast):
    data = os.path.join(work, "nearcast-data")
    cfg = os.path.join(work, "nearcast.yaml")
    with open(cfg, "w") as f:
        f.write("""listen: ["127.0.0.1:5451"]
api:
  listen: 127.0.0.1:18053
  data_dir: %s
  credentials: [{access_key_id: %s, secret_access_key: %s}]
health_checks:
  observer: bench
""" % (data, KEY, SECRET))
    proc = subprocess.Popen([nearcast, "serve", "--config", cfg], stdout=open(os.path.join(work, "nearcast.log"), "w"),
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        client = boto3.client("route53", endpoint_url="http://127.0.0.1:18053", region_name="us-east-1",
                              aws_access_key_id=KEY, aws_secret_access_key=SECRET,
                              config=Config(retries={"total_max_attempts": 3}, max_pool_connections=16))
        deadline = time.time() + 30
        while True:
            try:
                client.get_health_check_count()
                break
            except Exception:
                if time.time() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.3)
        kinds = ["HTTP"] * 8 + ["TCP", "HTTP_STR_MATCH"]

        def create(i_address):
            i, address = i_address
            kind = kinds[i % len(kinds)]
            config = {"Type": kind, "IPAddress": address, "Port": PORT, "RequestInterval": 10, "FailureThreshold": 3}
            if kind == "HTTP_STR_MATCH":
                config["SearchString"] = "ok"
            return client.create_health_check(CallerReference=str(uuid.uuid4()), HealthCheckConfig=config)["HealthCheck"]["Id"]

        t0 = time.time()
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            ids = list(pool.map(create, enumerate(addresses(n))))
        print("   created %d checks in %.1f s" % (len(ids), time.time() - t0), flush=True)
        row = measure("nearcast", proc.pid, os.path.join(work, "access.log"), seconds, warmup=11)
        metrics = open_metrics()
        row["healthy"] = metrics.count("} 1.0")
        row["checks"] = len(ids)
        return row
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(20)


def open_metrics():
    import urllib.request
    return urllib.request.urlopen("http://127.0.0.1:18053/metrics", timeout=10).read().decode()


def run_gdnsd(work, n, seconds):
    g = os.path.join(work, "gdnsd")
    os.makedirs(os.path.join(g, "zones"), exist_ok=True)
    for d in ("run", "state"):
        os.makedirs(os.path.join(g, d), exist_ok=True)
    resources = "\n".join("    r%d => { a => %s }" % (i, a) for i, a in enumerate(addresses(n)))
    with open(os.path.join(g, "config"), "w") as f:
        f.write("""options => {
  listen => [ 127.0.0.1 ]
  dns_port => 5452
  udp_threads => 1
  tcp_threads => 1
  run_dir => %(g)s/run
  state_dir => %(g)s/state
}
service_types => {
  web => { plugin => http_status, port => %(port)d, url_path => /, interval => 10, timeout => 2 }
}
plugins => {
  multifo => {
    service_types => web
%(resources)s
  }
}
""" % {"g": g, "port": PORT, "resources": resources})
    with open(os.path.join(g, "zones", "hc.test"), "w") as f:
        f.write("@ SOA ns1 hostmaster 1 3600 600 86400 300\n@ NS ns1\nns1 A 192.0.2.53\n")
        for i in range(n):
            f.write("r%d DYNA multifo!r%d\n" % (i, i))
    proc = subprocess.Popen(["gdnsd", "-c", g, "-f", "start"], stdout=open(os.path.join(work, "gdnsd.log"), "w"),
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        time.sleep(2)
        if proc.poll() is not None:
            raise RuntimeError("gdnsd exited; see %s/gdnsd.log" % work)
        row = measure("gdnsd", proc.pid, os.path.join(work, "access.log"), seconds, warmup=11)
        row["checks"] = n
        row["healthy"] = None
        return row
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(20)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--checks", type=int, default=5000)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--nearcast", default=os.path.join(ROOT, ".build/release/nearcast"))
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="nearcast-health-bench-")
    nginx, _ = start_nginx(work)
    rows = []
    try:
        for name, run in (("nearcast", lambda: run_nearcast(work, a.checks, a.seconds, a.nearcast)),
                          ("gdnsd", lambda: run_gdnsd(work, a.checks, a.seconds))):
            print("== %s: %d checks every 10 s, %d s measured" % (name, a.checks, a.seconds), flush=True)
            rows.append(run())
    finally:
        nginx.send_signal(signal.SIGQUIT)
        nginx.wait(10)
    ratio = lambda key: rows[0][key] / rows[1][key] if rows[1][key] else float("nan")
    lines = ["| server | checks | requests/s seen by nginx | CPU s/s | CPU µs/request | RSS MB (peak) | max fds |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append("| %s | %d | %.0f | %.3f | %.0f | %.0f (%.0f) | %d |" % (
            r["server"], r["checks"], r["requests_per_s"], r["cpu_s_per_s"], r["cpu_us_per_request"],
            r["rss_mb"], r["hwm_mb"], r["max_fds"]))
    lines.append("")
    lines.append("Nearcast / gdnsd: requests/s %.2f×, CPU per request %.2f×, RSS %.2f×." % (
        ratio("requests_per_s"), ratio("cpu_us_per_request"), ratio("rss_mb")))
    if rows[0].get("healthy") is not None:
        lines.append("Nearcast's `/metrics` at the end: %d of %d checks healthy." % (rows[0]["healthy"], rows[0]["checks"]))
    table = "\n".join(lines)
    print(table)
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    stamp = datetime.datetime.utcnow().strftime("%Y-%m-%dT%H%MZ")
    os.makedirs(os.path.join(BENCH, "results"), exist_ok=True)
    with open(os.path.join(BENCH, "results", "health-checks-%s.md" % stamp), "w") as f:
        f.write("# Health checks at scale — %s\n\nCommand: `bench/health-checks --checks %d --seconds %d`\n\n"
                "Machine: %d cores (%s), %s\n\n%s\n" % (stamp, a.checks, a.seconds, os.cpu_count(), cpu,
                                                       platform.platform(), table))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
