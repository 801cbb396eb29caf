"""The command line: `check`, `answer`, `serve --demo` with real clients (dig, kdig), signals."""

import json

import dns.rdatatype
import re
import shutil
import signal
import subprocess

import pytest

import zonedata
from e2e_helpers import run_cli, start_server, write_files, NEARCAST_BIN, require_binary


def tool(name):
    path = shutil.which(name)
    if not path:
        pytest.fail(f"{name} is not installed (apt-get install -y dnsutils knot-dnsutils)", pytrace=False)
    return path


# ---------------------------------------------------------------------------------------
# nearcast check
# ---------------------------------------------------------------------------------------

def test_check_valid_config(tmp_path):
    write_files(tmp_path, zonedata.standard_files())
    p = run_cli(["check", "nearcast.yaml"], cwd=tmp_path)
    assert p.returncode == 0, f"stdout:\n{p.stdout}\nstderr:\n{p.stderr}"
    assert "OK" in p.stdout


def test_check_valid_types_config(tmp_path):
    write_files(tmp_path, zonedata.types_files())
    p = run_cli(["check", str(tmp_path / "nearcast.yaml")])
    assert p.returncode == 0, f"stdout:\n{p.stdout}\nstderr:\n{p.stderr}"
    assert "OK" in p.stdout


BAD_CONFIG = """\
default_regions: [us-east-1]
latency_map: latency.csv
zones:
  - origin: bad.test.
    file: zones/bad.test.zone
    latency_records:
      - name: www
        type: A
        ttl: 60
        sets:
          - { id: a, region: us-east-1, values: [192.0.2.1] }
          - { id: b, region: us-east-1, values: [192.0.2.2] }
      - name: geo
        type: A
        ttl: 60
        sets:
          - { id: c, region: mars-north-1, values: [192.0.2.3] }
      - name: static
        type: A
        ttl: 60
        sets:
          - { id: d, region: eu-west-2, values: [192.0.2.4] }
  - origin: nosoa.test.
    file: zones/nosoa.test.zone
"""

BAD_ZONE = """\
$ORIGIN bad.test.
$TTL 300
@       IN SOA ns.bad.test. hostmaster.bad.test. 1 7200 3600 1209600 300
@       IN NS  ns
ns      IN A   192.0.2.1
host1   IN A   192.0.2.300
host2   IN BOGUSTYPE foo
static  IN A   192.0.2.9
"""

NOSOA_ZONE = """\
$ORIGIN nosoa.test.
$TTL 300
@       IN NS  ns
ns      IN A   192.0.2.1
"""

# each expected error: acceptable "path:line" prefixes (the error may sensibly be attached to
# more than one place, e.g. the duplicate's line or the first set's line)
EXPECTED_ERRORS = {
    "bad IPv4 address": [r"zones/bad\.test\.zone:6"],
    "unknown type": [r"zones/bad\.test\.zone:7"],
    "duplicate latency region": [r"nearcast\.yaml:(7|11|12)"],
    "unknown region": [r"nearcast\.yaml:(13|17)"],
    "latency set beside a static record": [r"nearcast\.yaml:(18|19|21|22)", r"zones/bad\.test\.zone:8"],
    "zone file without SOA": [r"zones/nosoa\.test\.zone:\d+", r"nearcast\.yaml:(23|24)"],
}


def check_bad(tmp_path):
    write_files(tmp_path, {
        "nearcast.yaml": BAD_CONFIG,
        "latency.csv": "10.0.0.0/8,us-east-1,10\n",
        "zones/bad.test.zone": BAD_ZONE,
        "zones/nosoa.test.zone": NOSOA_ZONE,
    })
    return run_cli(["check", "nearcast.yaml"], cwd=tmp_path)


def test_check_invalid_config_exit_code(tmp_path):
    p = check_bad(tmp_path)
    assert p.returncode == 1, f"exit {p.returncode}\nstdout:\n{p.stdout}\nstderr:\n{p.stderr}"
    assert "OK" not in p.stdout.split()


@pytest.mark.parametrize("what", list(EXPECTED_ERRORS))
def test_check_reports_every_error_with_file_and_line(tmp_path, what):
    p = check_bad(tmp_path)
    out = (p.stdout + "\n" + p.stderr).splitlines()
    pats = [re.compile(rf"^{pfx}: \S") for pfx in EXPECTED_ERRORS[what]]
    hits = [line for line in out if any(pt.search(line) for pt in pats)]
    assert hits, f"no '{what}' error at {EXPECTED_ERRORS[what]} in output:\n" + "\n".join(out)


def isolated_config(keep_lines):
    """BAD_CONFIG with only the latency record blocks whose first line number is in keep_lines,
    and the nosoa zone replaced by a valid one."""
    lines = BAD_CONFIG.splitlines(True)
    blocks = {7: (7, 12), 13: (13, 17), 18: (18, 22)}
    out = lines[:6]
    for start in keep_lines:
        a, b = blocks[start]
        out += lines[a - 1:b]
    return "".join(out)


@pytest.mark.parametrize("what,block,pattern", [
    ("duplicate latency region", 7, r"^nearcast\.yaml:\d+: .*"),
    ("unknown region", 13, r"^nearcast\.yaml:\d+: .*"),
    ("latency set beside a static record", 18, r"^(nearcast\.yaml|zones/bad\.test\.zone):\d+: .*"),
])
def test_check_single_config_error(tmp_path, what, block, pattern):
    """Each config-level error on its own (so that one crash does not hide the others)."""
    write_files(tmp_path, {
        "nearcast.yaml": isolated_config([block]),
        "latency.csv": "10.0.0.0/8,us-east-1,10\n",
        "zones/bad.test.zone": BAD_ZONE.replace("host1   IN A   192.0.2.300\n", "").replace("host2   IN BOGUSTYPE foo\n", ""),
    })
    p = run_cli(["check", "nearcast.yaml"], cwd=tmp_path)
    out = p.stdout + p.stderr
    assert p.returncode == 1, f"{what}: exit {p.returncode}\n{out[:3000]}"
    errs = [line for line in out.splitlines() if re.match(pattern, line)]
    assert len(errs) >= 1, f"{what}: no 'path:line: message' error:\n{out[:3000]}"


def test_check_errors_are_one_per_line_in_path_line_format(tmp_path):
    p = check_bad(tmp_path)
    lines = [line for line in (p.stdout + p.stderr).splitlines() if line.strip()]
    fmt = re.compile(r"^[^\s:][^:]*:\d+: .+")
    good = [line for line in lines if fmt.match(line)]
    assert len(good) >= len(EXPECTED_ERRORS), "every error on its own 'path:line: message' line:\n" + "\n".join(lines)


def test_check_reports_bad_latency_csv_line(tmp_path):
    files = zonedata.standard_files(latency="prefix,region,rtt_ms\n10.0.0.0/8,us-east-1,10\n10.0.0.0/40,us-east-1,5\n")
    write_files(tmp_path, files)
    p = run_cli(["check", "nearcast.yaml"], cwd=tmp_path)
    assert p.returncode == 1
    assert re.search(r"^latency\.csv:3: ", p.stdout + p.stderr, re.M), p.stdout + p.stderr


def test_check_missing_zone_file(tmp_path):
    files = zonedata.standard_files()
    del files["zones/wild.test.zone"]
    write_files(tmp_path, files)
    p = run_cli(["check", "nearcast.yaml"], cwd=tmp_path)
    assert p.returncode == 1
    assert "wild.test.zone" in p.stdout + p.stderr


# ---------------------------------------------------------------------------------------
# nearcast answer
# ---------------------------------------------------------------------------------------

def answer_json(args, cwd=None):
    p = run_cli(["answer", *args, "--json"], cwd=cwd)
    assert p.returncode == 0, f"exit {p.returncode}\nstdout:\n{p.stdout}\nstderr:\n{p.stderr}"
    try:
        return json.loads(p.stdout)
    except json.JSONDecodeError as e:
        pytest.fail(f"--json output is not JSON ({e}):\n{p.stdout}")


def answer_values(doc, rtype="A"):
    out = set()
    for a in doc["answers"]:
        parts = a.split()
        assert len(parts) >= 5, f"answer not in 'name ttl IN TYPE rdata' form: {a!r}"
        assert parts[2] == "IN" and parts[1].isdigit(), f"answer not in 'name ttl IN TYPE rdata' form: {a!r}"
        if parts[3] == rtype:
            out.add(" ".join(parts[4:]))
    return out


def test_answer_json_demo_ecs(tmp_path):
    doc = answer_json(["www.demo.nearcast.test", "A", "--demo", "--ecs", "81.2.69.0/24"])
    for key in ("rcode", "answers", "client_network", "ranking", "region", "scope"):
        assert key in doc, f"missing key {key}: {doc}"
    assert doc["rcode"] == "NOERROR"
    assert doc["region"] == "eu-west-2"
    assert answer_values(doc) == {"192.0.2.2"}
    assert "81.2.69.0" in doc["client_network"]
    assert isinstance(doc["scope"], int) and not isinstance(doc["scope"], bool)
    assert doc["ranking"] and doc["ranking"][0]["region"] == "eu-west-2"
    assert isinstance(doc["ranking"][0]["rtt_ms"], (int, float))


def test_answer_json_demo_client(tmp_path):
    doc = answer_json(["www.demo.nearcast.test.", "AAAA", "--demo", "--client", "1.0.16.9"])
    assert doc["region"] == "ap-northeast-1"
    assert answer_values(doc, "AAAA") == {"2001:db8::3"}
    # with --client the client is looked up as its own address (e.g. 1.0.16.9/32)
    assert "1.0.16." in doc["client_network"]


def test_answer_json_demo_unmapped_client(tmp_path):
    doc = answer_json(["www.demo.nearcast.test", "A", "--demo", "--client", "203.0.113.7"])
    assert doc["region"] == "us-east-1"
    assert answer_values(doc) == {"192.0.2.1"}
    assert doc["ranking"][0]["region"] == "us-east-1"
    assert doc["ranking"][0]["rtt_ms"] is None, "default-order regions have rtt_ms null"


def test_answer_json_with_config_matches_server_rules(tmp_path):
    write_files(tmp_path, zonedata.standard_files())
    cfg = str(tmp_path / "nearcast.yaml")
    doc = answer_json(["geo.example.com", "A", "--config", cfg, "--ecs", "10.1.0.0/24"])
    assert doc["region"] == "eu-west-2"
    assert doc["scope"] == 23
    assert answer_values(doc) == zonedata.GEO_A["eu-west-2"]
    assert [x["region"] for x in doc["ranking"][:3]] == ["eu-west-2", "us-east-1", "ap-northeast-1"]
    assert doc["ranking"][0]["rtt_ms"] == 5
    doc = answer_json(["geo.example.com", "A", "--config", cfg, "--client", "10.3.5.7"])
    assert doc["region"] == "ap-northeast-1"
    assert "10.3.5." in doc["client_network"]


def test_answer_json_static_and_negative(tmp_path):
    write_files(tmp_path, zonedata.standard_files())
    cfg = str(tmp_path / "nearcast.yaml")
    doc = answer_json(["www.example.com", "A", "--config", cfg])
    assert doc["rcode"] == "NOERROR" and answer_values(doc) == {"192.0.2.80"}
    assert doc["region"] is None
    assert doc["scope"] == 0
    doc = answer_json(["nope.example.com", "A", "--config", cfg])
    assert doc["rcode"] == "NXDOMAIN" and doc["answers"] == []


def test_answer_text_output(tmp_path):
    p = run_cli(["answer", "www.demo.nearcast.test", "A", "--demo", "--ecs", "81.2.69.0/24"])
    assert p.returncode == 0, p.stderr
    assert "192.0.2.2" in p.stdout
    assert "eu-west-2" in p.stdout


# ---------------------------------------------------------------------------------------
# the demo, through dig and kdig
# ---------------------------------------------------------------------------------------

def dig(server, *args, prog="dig"):
    p = subprocess.run([tool(prog), f"@{server.host}", "-p", str(server.port), *args],
                       capture_output=True, text=True, timeout=20)
    assert p.returncode == 0, f"{prog} failed: {p.stdout}\n{p.stderr}"
    return p.stdout


def test_dig_demo_subnet_eu(demo_server):
    out = dig(demo_server, "www.demo.nearcast.test", "A", "+subnet=81.2.69.0/24", "+short", "+tries=1", "+time=2")
    assert out.split() == ["192.0.2.2"]


def test_dig_demo_subnet_ap(demo_server):
    out = dig(demo_server, "www.demo.nearcast.test", "+subnet=1.0.16.0/24", "+short", "+tries=1", "+time=2")
    assert out.split() == ["192.0.2.3"]


def test_dig_demo_aaaa_and_no_subnet(demo_server):
    out = dig(demo_server, "www.demo.nearcast.test", "AAAA", "+subnet=81.2.69.0/24", "+short", "+tries=1")
    assert out.split() == ["2001:db8::2"]
    out = dig(demo_server, "www.demo.nearcast.test", "A", "+short", "+tries=1")
    assert out.split() == ["192.0.2.1"], "127.0.0.1 is not in the demo map -> us-east-1"


def test_dig_full_output_flags_and_ecs(demo_server):
    out = dig(demo_server, "www.demo.nearcast.test", "A", "+norec", "+subnet=81.2.69.0/24", "+tries=1")
    m = re.search(r";; flags: ([a-z ]+);", out)
    assert m, out
    flags = m.group(1).split()
    assert "qr" in flags and "aa" in flags and "ra" not in flags, out
    assert "status: NOERROR" in out
    assert re.search(r"CLIENT-SUBNET: 81\.2\.69\.0/24/\d+", out), out
    assert re.search(r"^www\.demo\.nearcast\.test\.\s+\d+\s+IN\s+A\s+192\.0\.2\.2$", out, re.M), out


def test_kdig_demo_over_tcp(demo_server):
    out = dig(demo_server, "www.demo.nearcast.test", "A", "+tcp", "+subnet=1.0.16.0/24", "+short", prog="kdig")
    assert out.split() == ["192.0.2.3"]


def test_kdig_demo_over_udp_with_subnet(demo_server):
    out = dig(demo_server, "www.demo.nearcast.test", "A", "+subnet=81.2.69.0/24", prog="kdig")
    assert "NOERROR" in out
    assert re.search(r"192\.0\.2\.2", out), out
    assert re.search(r"CLIENT-SUBNET: 81\.2\.69\.0/24/\d+", out), out


def test_dig_tcp_big_txt(server):
    out = dig(server, "big.example.com", "TXT", "+tcp", "+short", "+tries=1")
    assert len(out.strip().splitlines()) == len(zonedata.BIG_TXT)


def test_dig_falls_back_to_tcp_on_truncation(server):
    out = dig(server, "big.example.com", "TXT", "+noedns", "+tries=1")
    assert "Truncated, retrying in TCP mode" in out or "ANSWER: 12" in out, out
    assert "ANSWER: 12" in out, out


# ---------------------------------------------------------------------------------------
# signals
# ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_exits_cleanly(tmp_path, sig):
    s = start_server(tmp_path, demo=True, v6=False)
    try:
        s.proc.send_signal(sig)
        try:
            rc = s.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pytest.fail(f"nearcast did not exit within 5 s of {sig.name}")
        assert rc == 0, f"exit status {rc} after {sig.name}; stderr:\n{s.stderr()[-2000:]}"
    finally:
        s.stop()


def test_unknown_subcommand_fails():
    require_binary()
    p = subprocess.run([NEARCAST_BIN, "no-such-command"], capture_output=True, text=True, timeout=10)
    assert p.returncode != 0


def test_check_nonexistent_config(tmp_path):
    p = run_cli(["check", "missing.yaml"], cwd=tmp_path)
    assert p.returncode == 1
    assert "missing.yaml" in p.stdout + p.stderr


def test_answer_json_refused_and_nodata(tmp_path):
    write_files(tmp_path, zonedata.standard_files())
    cfg = str(tmp_path / "nearcast.yaml")
    doc = answer_json(["www.not-served.invalid", "A", "--config", cfg])
    assert doc["rcode"] == "REFUSED" and doc["answers"] == []
    doc = answer_json(["www.example.com", "SRV", "--config", cfg])
    assert doc["rcode"] == "NOERROR" and doc["answers"] == []


def test_answer_matches_server_for_many_clients(server, tmp_path):
    """One answer engine: `nearcast answer --ecs` gives the same records and scope as the server."""
    from e2e_helpers import make_query, get_ecs
    cfg = str(server.dir / "nearcast.yaml")
    for prefix in ("10.1.0.0/24", "10.2.1.0/24", "10.3.200.0/24", "10.9.0.0/24", "2001:db8:2::/48"):
        addr, ln = prefix.split("/")
        doc = answer_json(["geo.example.com", "A", "--config", cfg, "--ecs", prefix])
        r = server.udp(make_query("geo.example.com.", "A", ecs=(addr, int(ln))))
        assert answer_values(doc) == {rd.address for rr in r.answer for rd in rr}, prefix
        assert doc["scope"] == get_ecs(r).scopelen, prefix


CNAME_CONFIG = """\
default_regions: [us-east-1]
zones:
  - origin: cn.test.
    file: cn.test.zone
    latency_records:
      - name: alias
        type: A
        ttl: 60
        sets:
          - { id: a, region: us-east-1, values: [192.0.2.1] }
"""

CNAME_ZONE = """\
$ORIGIN cn.test.
$TTL 300
@     IN SOA ns.cn.test. h.cn.test. 1 7200 3600 1209600 300
@     IN NS  ns
ns    IN A   192.0.2.1
both  IN CNAME ns
both  IN A   192.0.2.2
alias IN CNAME ns
"""


def test_check_cname_rules(tmp_path):
    """CNAME and other data at one name (line 7), a latency set at a CNAME's name (config line 5 / zone line 8)."""
    write_files(tmp_path, {"nearcast.yaml": CNAME_CONFIG, "cn.test.zone": CNAME_ZONE})
    p = run_cli(["check", "nearcast.yaml"], cwd=tmp_path)
    out = p.stdout + p.stderr
    assert p.returncode == 1, out
    assert re.search(r"^cn\.test\.zone:(6|7): ", out, re.M), f"CNAME beside A not reported:\n{out}"
    assert re.search(r"^(nearcast\.yaml:(5|6|7|8|9|10)|cn\.test\.zone:8): ", out, re.M), \
        f"latency set at a CNAME name not reported:\n{out}"


def test_listen_addresses_from_config(tmp_path):
    """Without --listen, `listen:` in the config decides (UDP and TCP on each address, IPv6 in brackets)."""
    import time
    import dns.query
    from e2e_helpers import IPV6, free_port, make_query
    p4 = free_port("127.0.0.1")
    addrs = [f"127.0.0.1:{p4}"]
    p6 = None
    if IPV6:
        p6 = free_port("::1")
        addrs.append(f"[::1]:{p6}")
    files = zonedata.standard_files()
    files["nearcast.yaml"] = "listen: [" + ", ".join(f'"{a}"' for a in addrs) + "]\nthreads: 1\napi: {listen: \"off\"}\n" + files["nearcast.yaml"]
    write_files(tmp_path, files)
    require_binary()
    err = open(tmp_path / "stderr", "wb")
    proc = subprocess.Popen([NEARCAST_BIN, "serve", "--config", str(tmp_path / "nearcast.yaml")], stdout=err, stderr=err)
    try:
        targets = [("127.0.0.1", p4)] + ([("::1", p6)] if p6 else [])
        for host, port in targets:
            deadline = time.monotonic() + 20
            while True:
                assert proc.poll() is None, (tmp_path / "stderr").read_text()
                try:
                    r = dns.query.udp(make_query("www.example.com.", "A"), host, port=port, timeout=0.5)
                    break
                except Exception:  # noqa: BLE001
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
            assert r.answer[0][0].address == "192.0.2.80"
            r = dns.query.tcp(make_query("www.example.com.", "A"), host, port=port, timeout=2)
            assert r.answer[0][0].address == "192.0.2.80"
        assert IPV6, "::1 not usable: only the IPv4 listener was tested"
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
        err.close()


def test_sigterm_with_open_tcp_connections_exits_promptly(tmp_path):
    s = start_server(tmp_path, demo=True, v6=False)
    conns = []
    try:
        import socket as _s
        for _ in range(5):
            conns.append(_s.create_connection(s.addr(), timeout=3))
        conns[0].sendall(b"\x00\x40" + b"\x00" * 10)   # a partial frame in flight
        s.proc.send_signal(signal.SIGTERM)
        try:
            rc = s.proc.wait(timeout=3)
        except subprocess.TimeoutExpired:
            pytest.fail("nearcast did not exit within 3 s of SIGTERM while TCP clients were connected")
        assert rc == 0
    finally:
        for c in conns:
            c.close()
        s.stop()


@pytest.mark.parametrize("name,rtype", [("anything.wild.test", "A"), ("c1.example.com", "A"), ("dangle2.example.com", "A"),
                                        ("b.example.com", "A"), ("host.cn.wild.test", "A"), ("geoalias.example.com", "A")])
def test_answer_matches_server_for_static_names(server, name, rtype):
    import dns.rcode
    from e2e_helpers import make_query
    doc = answer_json([name, rtype, "--config", str(server.dir / "nearcast.yaml"), "--ecs", "10.2.0.0/24"])
    r = server.udp(make_query(name + ".", rtype, ecs=("10.2.0.0", 24)))
    assert doc["rcode"] == dns.rcode.to_text(r.rcode())
    server_answers = sorted(" ".join(x.split()[3:]).lower() for x in
                            (f"{rr.name} {rr.ttl} IN {dns.rdatatype.to_text(rr.rdtype)} {rd.to_text()}" for rr in r.answer for rd in rr))
    cli_answers = sorted(" ".join(a.split()[3:]).lower() for a in doc["answers"])
    assert cli_answers == server_answers


# more `check` rules from docs/configuration.md, each on its own ------------------------

GOOD_ZONE = """\
$ORIGIN v.test.
$TTL 300
@     IN SOA ns.v.test. h.v.test. 1 7200 3600 1209600 300
@     IN NS  ns
ns    IN A   192.0.2.1
"""


def v_config(sets_yaml, name="www"):
    return f"""\
default_regions: [us-east-1]
zones:
  - origin: v.test.
    file: v.test.zone
    latency_records:
      - name: {name}
        type: A
        ttl: 60
        sets:
{sets_yaml}"""


S_OK = "          - { id: a, region: us-east-1, values: [192.0.2.1] }\n"

CHECK_CASES = {
    # what: (config, zone, acceptable "path:line" regex)
    "duplicate set id": (v_config(S_OK + "          - { id: a, region: eu-west-2, values: [192.0.2.2] }\n"),
                         GOOD_ZONE, r"nearcast\.yaml:(6|10|11)"),
    "set id longer than 128": (v_config("          - { id: " + "x" * 129 + ", region: us-east-1, values: [192.0.2.1] }\n"),
                               GOOD_ZONE, r"nearcast\.yaml:(6|10)"),
    "bad value in a latency set": (v_config("          - { id: a, region: us-east-1, values: [192.0.2.256] }\n"),
                                   GOOD_ZONE, r"nearcast\.yaml:(6|10)"),
    "latency name outside the zone": (v_config(S_OK, name="www.other.org."), GOOD_ZONE, r"nearcast\.yaml:(6|7|10)"),
    "two SOA records": (v_config(S_OK), GOOD_ZONE + "@ IN SOA ns.v.test. h.v.test. 2 7200 3600 1209600 300\n",
                        r"v\.test\.zone:(3|6)"),
    "no NS at the origin": (v_config(S_OK), GOOD_ZONE.replace("@     IN NS  ns\n", ""), r"(v\.test\.zone|nearcast\.yaml):\d+"),
    "record outside the origin": (v_config(S_OK), GOOD_ZONE + "www.other.org. IN A 192.0.2.9\n", r"v\.test\.zone:6"),
}


@pytest.mark.parametrize("what", list(CHECK_CASES))
def test_check_rule(tmp_path, what):
    config, zone, where = CHECK_CASES[what]
    write_files(tmp_path, {"nearcast.yaml": config, "v.test.zone": zone})
    p = run_cli(["check", "nearcast.yaml"], cwd=tmp_path)
    out = p.stdout + p.stderr
    assert p.returncode == 1, f"{what}: exit {p.returncode}\n{out}"
    assert re.search(rf"^{where}: \S", out, re.M), f"{what}: no error at {where}:\n{out}"


def test_check_rule_baseline_is_valid(tmp_path):
    """The CHECK_CASES differ from this valid baseline by one thing each."""
    write_files(tmp_path, {"nearcast.yaml": v_config(S_OK), "v.test.zone": GOOD_ZONE})
    p = run_cli(["check", "nearcast.yaml"], cwd=tmp_path)
    assert p.returncode == 0 and "OK" in p.stdout, p.stdout + p.stderr
