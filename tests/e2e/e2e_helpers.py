"""Helpers for the Nearcast end-to-end tests.

Every test talks to a real `nearcast` process over real sockets.  The binary is
taken from $NEARCAST_BIN (default: <repo>/.build/debug/nearcast).

The standard test data (config, zone files, latency map) is defined in
`zonedata.py`; `start_server()` writes a data set into a directory, picks free
ports, starts `nearcast serve`, waits until it answers and returns a `Server`
handle.  Servers are always stopped at teardown.
"""

from __future__ import annotations

import os
import signal
import socket
import struct
import subprocess
import time
from pathlib import Path

import dns.edns
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import pytest


REPO = Path(__file__).resolve().parents[2]
NEARCAST_BIN = os.environ.get("NEARCAST_BIN", str(REPO / ".build" / "debug" / "nearcast"))

STARTUP_TIMEOUT = 20.0
QUERY_TIMEOUT = 2.0


# --------------------------------------------------------------------------
# ports / environment
# --------------------------------------------------------------------------

def ipv6_usable() -> bool:
    try:
        s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        s.bind(("::1", 0))
        s.close()
        return True
    except OSError:
        return False


IPV6 = ipv6_usable()


def free_port(host: str = "127.0.0.1") -> int:
    """A port that is free for both TCP and UDP on `host`."""
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    for _ in range(200):
        t = socket.socket(fam, socket.SOCK_STREAM)
        t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            t.bind((host, 0))
            port = t.getsockname()[1]
            u = socket.socket(fam, socket.SOCK_DGRAM)
            try:
                u.bind((host, port))
            except OSError:
                continue
            finally:
                u.close()
            return port
        finally:
            t.close()
    raise RuntimeError("no free port")


def require_binary() -> str:
    if not os.path.exists(NEARCAST_BIN):
        pytest.fail(f"nearcast binary not found at {NEARCAST_BIN} (set NEARCAST_BIN)", pytrace=False)
    return NEARCAST_BIN


def run_cli(args, cwd=None, timeout=30) -> subprocess.CompletedProcess:
    require_binary()
    return subprocess.run([NEARCAST_BIN, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout)


def write_files(directory: Path, files: dict) -> None:
    """Write {relative path: text} atomically (tmp + rename)."""
    for rel, text in files.items():
        p = directory / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_name(p.name + ".tmp")
        tmp.write_text(text)
        os.replace(tmp, p)


# --------------------------------------------------------------------------
# raw wire helpers
# --------------------------------------------------------------------------

def wire_name(name: str) -> bytes:
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\x00"


def wire_header(qid=0x1234, flags=0x0000, qd=1, an=0, ns=0, ar=0) -> bytes:
    return struct.pack("!HHHHHH", qid, flags, qd, an, ns, ar)


def wire_question(name: str, qtype: int = 1, qclass: int = 1) -> bytes:
    return wire_name(name) + struct.pack("!HH", qtype, qclass)


def wire_opt(payload=1232, ext_rcode=0, version=0, flags=0, options: bytes = b"") -> bytes:
    return b"\x00" + struct.pack("!HHBBHH", 41, payload, ext_rcode, version, flags, len(options)) + options


def wire_ecs(family: int, src: int, scope: int, addr: bytes) -> bytes:
    data = struct.pack("!HBB", family, src, scope) + addr
    return struct.pack("!HH", 8, len(data)) + data


def parse_header(resp: bytes):
    """(id, flags, qdcount, ancount, nscount, arcount)"""
    return struct.unpack("!HHHHHH", resp[:12])


def hdr_rcode(resp: bytes) -> int:
    return parse_header(resp)[1] & 0xF


def hdr_opcode(resp: bytes) -> int:
    return (parse_header(resp)[1] >> 11) & 0xF


QR = 0x8000
AA = 0x0400
TC = 0x0200
RD = 0x0100
RA = 0x0080


# --------------------------------------------------------------------------
# query helpers (dnspython)
# --------------------------------------------------------------------------

def make_query(qname, rdtype="A", *, edns=None, payload=1232, ecs=None, options=None,
               want_dnssec=False, rd=False, qid=None) -> dns.message.QueryMessage:
    """Build a query.  `ecs` is ("10.1.0.0", 24) or an ECSOption; edns=None means
    'EDNS if ecs/options/want_dnssec were asked for, else none'."""
    opts = list(options or [])
    if ecs is not None:
        if isinstance(ecs, tuple):
            ecs = dns.edns.ECSOption(ecs[0], ecs[1])
        opts.append(ecs)
    if edns is None:
        edns = 0 if (opts or want_dnssec) else -1
    q = dns.message.make_query(qname, rdtype, use_edns=edns, payload=payload, options=opts or None,
                               want_dnssec=want_dnssec)
    q.flags = dns.flags.RD if rd else 0
    if qid is not None:
        q.id = qid
    return q


def get_ecs(msg: dns.message.Message):
    for o in msg.options:
        if o.otype == dns.edns.OptionType.ECS:
            return o
    return None


def rr_texts(section) -> list:
    """Flatten a message section into sorted presentation-ish strings (lowercased)."""
    out = []
    for rrset in section:
        for rd in rrset:
            out.append(f"{rrset.name.to_text().lower()} {rrset.ttl} {dns.rdatatype.to_text(rrset.rdtype)} {rd.to_text()}")
    return out


def addresses(msg: dns.message.Message, rdtype="A") -> set:
    t = dns.rdatatype.from_text(rdtype)
    return {rd.address for rrset in msg.answer if rrset.rdtype == t for rd in rrset}


def find_rrset(section, name, rdtype):
    n = dns.name.from_text(name) if isinstance(name, str) else name
    t = dns.rdatatype.from_text(rdtype) if isinstance(rdtype, str) else rdtype
    for rrset in section:
        if rrset.name == n and rrset.rdtype == t:
            return rrset
    return None


def assert_response_basics(q: dns.message.Message, r: dns.message.Message):
    assert r.id == q.id, "ID not echoed"
    assert r.flags & dns.flags.QR, "QR not set"
    assert not (r.flags & dns.flags.RA), "RA set by an authoritative-only server"
    assert r.opcode() == q.opcode()
    assert len(r.question) == 1, "question not echoed"
    assert r.question[0].name == q.question[0].name
    assert r.question[0].rdtype == q.question[0].rdtype
    assert r.question[0].rdclass == q.question[0].rdclass


def wait_for(pred, timeout=5.0, interval=0.1, what="condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = pred()
            if last:
                return last
        except Exception as e:  # noqa: BLE001 - keep polling
            last = e
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


def tcp_recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError(f"connection closed after {len(buf)} of {n} bytes")
        buf += chunk
    return buf


def tcp_read_frame(sock) -> bytes:
    (n,) = struct.unpack("!H", tcp_recv_exact(sock, 2))
    return tcp_recv_exact(sock, n)


# --------------------------------------------------------------------------
# server handle
# --------------------------------------------------------------------------

class Server:
    def __init__(self, workdir: Path, args: list, v6: bool = IPV6, threads: int | None = 2, extra_args=(),
                 api: bool = False, env: dict | None = None):
        """Starts `nearcast serve`; the Route 53 API listens on `self.api_port` when `api`, else it is off.

        A port free_port() handed out can be taken before the server binds it (free ports and other sockets'
        ephemeral ports come from one range): a start that fails with "Address already in use" is tried
        again on new ports, twice (for every kind of server the tests start, not only the API's)."""
        require_binary()
        for attempt in range(3):
            self._start(workdir, args, v6, threads, extra_args, api, env)
            try:
                self._wait_ready()
                return
            except pytest.fail.Exception:
                if attempt == 2 or "Address already in use" not in self.stderr():
                    raise
                for f in (self._err, self._out):
                    f.close()

    def _start(self, workdir: Path, args: list, v6: bool, threads: int | None, extra_args, api: bool, env: dict | None):
        """Picks ports and launches the process."""
        self.dir = workdir
        self.host = "127.0.0.1"
        self.port = free_port("127.0.0.1")
        self.host6 = "::1" if v6 else None
        self.port6 = free_port("::1") if v6 else None
        cmd = [NEARCAST_BIN, "serve", *args, "--listen", f"127.0.0.1:{self.port}"]
        if v6:
            cmd += ["--listen", f"[::1]:{self.port6}"]
        if threads is not None:
            cmd += ["--threads", str(threads)]
        self.api_port = free_port("127.0.0.1") if api else None
        cmd += ["--api-listen", f"127.0.0.1:{self.api_port}" if api else "off"]
        cmd += list(extra_args)
        self.cmd = cmd
        self.stderr_path = workdir / "server.stderr"
        self.stdout_path = workdir / "server.stdout"
        self._err = open(self.stderr_path, "wb")
        self._out = open(self.stdout_path, "wb")
        self.proc = subprocess.Popen(cmd, cwd=workdir, stdout=self._out, stderr=self._err,
                                     env={**os.environ, **(env or {})})

    # -- lifecycle
    def _wait_ready(self):
        deadline = time.monotonic() + STARTUP_TIMEOUT
        probe = make_query("probe.invalid.", "SOA")
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"nearcast exited with {self.proc.returncode} during startup: {self.cmd}\n"
                            f"stderr:\n{self.stderr()[-4000:]}", pytrace=False)
            try:
                dns.query.udp(probe, self.host, port=self.port, timeout=0.3)
                with socket.create_connection((self.host, self.port), timeout=0.5):
                    pass
                if self.api_port:
                    with socket.create_connection((self.host, self.api_port), timeout=0.5):
                        pass
                return
            except (OSError, dns.exception.DNSException):
                time.sleep(0.1)
        self.stop()
        pytest.fail(f"nearcast did not answer within {STARTUP_TIMEOUT}s: {self.cmd}\nstderr:\n{self.stderr()[-4000:]}",
                    pytrace=False)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop_checked(self):
        """Stops the server; fails the test module if it had died on its own."""
        crashed = not self.alive()
        self.stop()
        if crashed:
            pytest.fail(f"nearcast died during the module (rc={self.proc.returncode}); stderr tail:\n"
                        f"{self.stderr()[-3000:]}", pytrace=False)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        for f in (self._err, self._out):
            try:
                f.close()
            except Exception:  # noqa: BLE001
                pass

    def sighup(self):
        assert self.alive(), "server died"
        self.proc.send_signal(signal.SIGHUP)

    def stderr(self) -> str:
        try:
            self._err.flush()
        except Exception:  # noqa: BLE001
            pass
        return self.stderr_path.read_text(errors="replace")

    # -- queries
    def addr(self, v6=False):
        if v6:
            assert self.host6, "IPv6 listener not configured"
            return self.host6, self.port6
        return self.host, self.port

    def udp(self, q, timeout=QUERY_TIMEOUT, v6=False) -> dns.message.Message:
        host, port = self.addr(v6)
        return dns.query.udp(q, host, port=port, timeout=timeout, ignore_unexpected=True)

    def tcp(self, q, timeout=QUERY_TIMEOUT, v6=False) -> dns.message.Message:
        host, port = self.addr(v6)
        return dns.query.tcp(q, host, port=port, timeout=timeout)

    def query(self, qname, rdtype="A", tcp=False, **kw) -> dns.message.Message:
        q = make_query(qname, rdtype, **kw)
        r = self.tcp(q) if tcp else self.udp(q)
        assert_response_basics(q, r)
        return r

    def udp_raw(self, wire: bytes, timeout=QUERY_TIMEOUT, v6=False):
        """Send raw bytes, return the raw reply or None on timeout."""
        host, port = self.addr(v6)
        fam = socket.AF_INET6 if v6 else socket.AF_INET
        with socket.socket(fam, socket.SOCK_DGRAM) as s:
            s.settimeout(timeout)
            s.sendto(wire, (host, port))
            try:
                data, _ = s.recvfrom(65535)
                return data
            except socket.timeout:
                return None

    def tcp_connect(self, timeout=QUERY_TIMEOUT, v6=False) -> socket.socket:
        s = socket.create_connection(self.addr(v6), timeout=timeout)
        return s


def start_server(workdir: Path, files: dict | None = None, config="nearcast.yaml", demo=False,
                 v6=IPV6, threads=2, extra_args=()) -> Server:
    workdir.mkdir(parents=True, exist_ok=True)
    if files:
        write_files(workdir, files)
    args = ["--demo"] if demo else ["--config", str(workdir / config)]
    return Server(workdir, args, v6=v6, threads=threads, extra_args=extra_args)


