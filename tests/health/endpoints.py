"""Controllable endpoints on loopback for the health check tests, each run by Python threads.

- `HTTPEndpoint`: an HTTP server (or HTTPS with `tls=True`) whose status code, body and delay can be switched
  at run time, for every path or per path. It counts the requests it received and records each one (path,
  Host header, User-Agent, TLS server name, the status it answered, whether the answer was delivered).
- `TCPListener`: accepts and closes connections; `close()` stops listening (connections are then refused)
  and `open()` listens again on the same port.
- `DeadPort`: a port held by a bound socket that never listens: every connection is refused.
- `BlackHole`: accepts connections and never sends or reads anything; notices when the peer closes.

All of them bind 127.0.0.1 on a port the system chooses, and `close()`/`stop()` release everything.
"""

from __future__ import annotations

import contextlib
import datetime
import http.server
import ipaddress
import select
import selectors
import socket
import socketserver
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"


# --------------------------------------------------------------------------
# HTTP and HTTPS
# --------------------------------------------------------------------------

@dataclass
class Behaviour:
    status: int = 200
    body: bytes = b"ok\n"
    delay: float = 0.0   # seconds between reading the request and sending the status line


@dataclass
class Request:
    number: int                 # 1, 2, ... in arrival order
    path: str
    host: str | None            # the Host header as received
    user_agent: str | None
    server_name: str | None     # TLS SNI (HTTPS only)
    received: float             # time.monotonic()
    status: int | None = None   # the status code answered (None until the answer was attempted)
    delivered: bool = False     # the whole answer was written without error
    answered: float | None = None
    hung_up: float | None = None  # seconds after `received` at which the client closed while we delayed (HTTP only)
    headers: dict = field(default_factory=dict)


class HTTPEndpoint:
    """An HTTP/1.1 server on 127.0.0.1 whose answers are switched at run time.

        ep = HTTPEndpoint()                 # or HTTPEndpoint(tls=True, certfile=..., keyfile=...)
        ep.set(status=503)                  # every path
        ep.set("/eu", body=b"...", delay=3) # one path (overrides the default for that path)
        ep.queue([Behaviour(503)] * 3, then=Behaviour(503, delay=1.5))   # the next 3 requests, then the rest
        ep.count(), ep.count(path="/eu", status=503), ep.requests, ep.hosts()

    A request is answered as the endpoint was set when it arrived (a delayed answer keeps its status). Every
    answer closes its connection (the checker asks for `Connection: close`)."""

    def __init__(self, tls: bool = False, certfile: str | None = None, keyfile: str | None = None):
        self.tls = tls
        self.lock = threading.Lock()
        self.default = Behaviour()
        self.paths: dict[str, Behaviour] = {}
        self.queues: dict[str | None, list[Behaviour]] = {}
        self.requests: list[Request] = []
        self.open_connections = 0
        self.connections_total = 0
        self.handshake_failures = 0
        self._stopping = threading.Event()
        self._ctx = None
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(certfile, keyfile)

            def sni(sock, name, _ctx):
                sock.nearcast_sni = name
            ctx.sni_callback = sni
            self._ctx = ctx
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 10  # a client that sends nothing does not hold a thread for ever

            def setup(self):
                with outer.lock:
                    outer.open_connections += 1
                    outer.connections_total += 1
                self.sni = None
                if outer._ctx is not None:
                    self.request.settimeout(5)
                    try:
                        self.request = outer._ctx.wrap_socket(self.request, server_side=True)
                    except (ssl.SSLError, OSError):
                        with outer.lock:
                            outer.handshake_failures += 1
                        self.tls_failed = True
                        super().setup()
                        return
                    self.sni = getattr(self.request, "nearcast_sni", None)
                self.tls_failed = False
                super().setup()

            def handle(self):
                if getattr(self, "tls_failed", False):
                    return
                with contextlib.suppress(OSError, ssl.SSLError):
                    super().handle()

            def finish(self):
                with contextlib.suppress(OSError, ssl.SSLError):
                    super().finish()
                with outer.lock:
                    outer.open_connections -= 1

            def do_GET(self):
                path = self.path.split("?", 1)[0]
                with outer.lock:  # a request is answered as the endpoint was set when it arrived
                    req = Request(number=len(outer.requests) + 1, path=self.path, host=self.headers.get("Host"),
                                  user_agent=self.headers.get("User-Agent"), server_name=self.sni,
                                  received=time.monotonic(), headers=dict(self.headers.items()))
                    outer.requests.append(req)
                    queue = outer.queues.get(path) if path in outer.queues else outer.queues.get(None)
                    b = queue.pop(0) if queue else outer.paths.get(path, outer.default)
                    status, body, delay = b.status, b.body, b.delay
                if delay > 0 and self._delay(delay, req):
                    return
                with outer.lock:
                    req.status = status
                    req.answered = time.monotonic()
                self.close_connection = True
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)
                self.wfile.flush()
                with outer.lock:
                    req.delivered = True

            def _delay(self, seconds, req) -> bool:
                """Waits `seconds`, noticing when the client hangs up (plain HTTP). True: stop, no answer."""
                end = req.received + seconds
                while True:
                    left = end - time.monotonic()
                    if left <= 0:
                        return False
                    if outer._stopping.wait(min(left, 0.02)):
                        return True
                    if req.hung_up is None and not isinstance(self.request, ssl.SSLSocket):
                        readable, _, _ = select.select([self.request], [], [], 0)
                        if readable:
                            try:
                                gone = self.request.recv(1, socket.MSG_PEEK) == b""
                            except OSError:
                                gone = True
                            if gone:
                                with outer.lock:
                                    req.hung_up = time.monotonic() - req.received

            def log_message(self, *args):
                pass

            def log_error(self, *args):
                pass

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True
            allow_reuse_address = True
            request_queue_size = 128

            def handle_error(self, request, client_address):
                pass

        self.server = Server((HOST, 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True, name=f"http-endpoint-{self.port}")
        self.thread.start()

    # -- control
    def set(self, path: str | None = None, *, status: int | None = None, body=None, delay: float | None = None):
        """Changes what `path` (or, without a path, every path without its own setting) answers."""
        if isinstance(body, str):
            body = body.encode()
        with self.lock:
            if path is None:
                b = self.default
            else:
                b = self.paths.setdefault(path, Behaviour(self.default.status, self.default.body, self.default.delay))
            if status is not None:
                b.status = status
            if body is not None:
                b.body = body
            if delay is not None:
                b.delay = delay

    def queue(self, behaviours, then: Behaviour | None = None, path: str | None = None):
        """The next requests (to `path`, or to any path without a queue of its own) are answered by
        `behaviours`, one each, in order; after them `then` (which replaces the path's or the default
        setting at once, so a request in between cannot miss the queue)."""
        with self.lock:
            self.queues[path] = list(behaviours)
            if then is not None:
                if path is None:
                    self.default = Behaviour(then.status, then.body, then.delay)
                else:
                    self.paths[path] = Behaviour(then.status, then.body, then.delay)

    def behaviour(self, path: str | None = None) -> Behaviour:
        with self.lock:
            b = self.paths.get(path, self.default) if path else self.default
            return Behaviour(b.status, b.body, b.delay)

    # -- what it saw
    def snapshot(self, since: int = 0) -> list[Request]:
        """The requests received, after the first `since` (see `mark`)."""
        with self.lock:
            return list(self.requests[since:])

    def mark(self) -> int:
        """The number of requests received so far: pass it as `since` to look only at later ones."""
        with self.lock:
            return len(self.requests)

    def count(self, path: str | None = None, status: int | None = None, delivered: bool | None = None,
              since: int = 0) -> int:
        """Requests received (for `path`), or those answered with `status` (and delivered, if asked); only those
        after the first `since`."""
        with self.lock:
            n = 0
            for r in self.requests[since:]:
                if path is not None and r.path != path:
                    continue
                if status is not None and r.status != status:
                    continue
                if delivered is not None and r.delivered != delivered:
                    continue
                n += 1
            return n

    def hosts(self, path: str | None = None) -> list:
        with self.lock:
            return [r.host for r in self.requests if path is None or r.path == path]

    def url(self, path: str = "/") -> str:
        return f"{'https' if self.tls else 'http'}://{HOST}:{self.port}{path}"

    def stop(self):
        self._stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    close = stop


# --------------------------------------------------------------------------
# TLS certificates
# --------------------------------------------------------------------------

def self_signed_cert(directory: Path, common_name: str = "health.nearcast-test.net") -> tuple[str, str]:
    """A self-signed certificate and its key (PEM files in `directory`), made now: with the `cryptography`
    package if it is installed, else with the openssl command."""
    directory.mkdir(parents=True, exist_ok=True)
    cert, key = directory / "cert.pem", directory / "key.pem"
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", f"/CN={common_name}"],
                       check=True, capture_output=True)
        return str(cert), str(key)
    k = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    c = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(k.public_key())
         .serial_number(x509.random_serial_number())
         .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=2))
         .add_extension(x509.SubjectAlternativeName([x509.DNSName(common_name),
                                                     x509.IPAddress(ipaddress.ip_address(HOST))]), critical=False)
         .sign(k, hashes.SHA256()))
    key.write_bytes(k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))
    cert.write_bytes(c.public_bytes(serialization.Encoding.PEM))
    return str(cert), str(key)


# --------------------------------------------------------------------------
# TCP
# --------------------------------------------------------------------------

class _Acceptor:
    """A listening socket served by one thread (selector with a short timeout, so that it stops promptly)."""

    def __init__(self, port: int = 0):
        self.lock = threading.Lock()
        self.accepted = 0
        self._listener = None
        self._thread = None
        self._stop = threading.Event()
        self.port = port
        self._listen()

    def _listen(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((HOST, self.port))
        s.listen(128)
        s.setblocking(False)
        self.port = s.getsockname()[1]
        self._listener = s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, args=(s, self._stop), daemon=True,
                                        name=f"{type(self).__name__}-{self.port}")
        self._thread.start()

    def _loop(self, listener, stop):
        sel = selectors.DefaultSelector()
        sel.register(listener, selectors.EVENT_READ, None)
        try:
            while not stop.is_set():
                for key, _ in sel.select(timeout=0.05):
                    if key.data is None:
                        try:
                            conn, _peer = listener.accept()
                        except (BlockingIOError, OSError):
                            continue
                        with self.lock:
                            self.accepted += 1
                        conn.setblocking(False)
                        if self._accepted(conn):
                            sel.register(conn, selectors.EVENT_READ, "conn")
                    else:
                        conn = key.fileobj
                        try:
                            data = conn.recv(65536)
                        except BlockingIOError:
                            continue
                        except OSError:
                            data = b""
                        if not data:   # the peer closed
                            sel.unregister(conn)
                            conn.close()
                            self._closed_by_peer(conn)
        finally:
            for key in list(sel.get_map().values()):
                if key.data == "conn":
                    key.fileobj.close()
                    self._closed_by_peer(key.fileobj)
            sel.close()

    # hooks: return True to keep watching the connection
    def _accepted(self, conn) -> bool:
        conn.close()
        return False

    def _closed_by_peer(self, conn):
        pass

    def _stop_listening(self):
        if self._listener is None:
            return
        self._stop.set()
        self._thread.join(timeout=5)
        self._listener.close()
        self._listener = None


class TCPListener(_Acceptor):
    """Accepts connections and closes them at once. `close()` stops listening: connections to the port are
    then refused; `open()` listens on the same port again."""

    @property
    def listening(self) -> bool:
        return self._listener is not None

    def open(self):
        if self._listener is None:
            self._listen()

    def close(self):
        self._stop_listening()

    stop = close


class BlackHole(_Acceptor):
    """Accepts connections and never answers: it sends nothing and discards what it reads, until the peer
    closes. `open_connections` is how many accepted connections the peer has not closed yet."""

    def __init__(self, port: int = 0):
        self.open_connections = 0
        self.max_open = 0
        super().__init__(port)

    def _accepted(self, conn) -> bool:
        with self.lock:
            self.open_connections += 1
            self.max_open = max(self.max_open, self.open_connections)
        return True

    def _closed_by_peer(self, conn):
        with self.lock:
            self.open_connections -= 1

    def close(self):
        self._stop_listening()

    stop = close


class DeadPort:
    """A port with nothing listening: the socket is bound (so nobody else takes the port) but never listens,
    so every connection to it is refused."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind((HOST, 0))
        self.port = self.sock.getsockname()[1]

    def close(self):
        self.sock.close()

    stop = close


def connect_result(port: int, timeout: float = 2.0) -> str:
    """"connected" or "refused" (or another error's name) for a TCP connection to 127.0.0.1:port."""
    try:
        with socket.create_connection((HOST, port), timeout=timeout):
            return "connected"
    except ConnectionRefusedError:
        return "refused"
    except OSError as e:
        return type(e).__name__
