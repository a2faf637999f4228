"""The dashboard's HTTP server: the page, its assets, the JSON API and the event stream.

``http.server.ThreadingHTTPServer`` answers each connection in its own daemon thread, so
an open page (a long-lived ``/api/events`` stream) never holds up another request or the
runner. Only GET is served (405 otherwise). On a loopback address, requests must name the
server by a loopback host, so a web page elsewhere cannot read the run through a DNS name
that points at 127.0.0.1.
"""

from __future__ import annotations

import errno
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, Optional, Set, Tuple

from petrel.dashboard.hub import Hub
from petrel.errors import PetrelError

STATIC = Path(__file__).resolve().parent / "static"
KEEPALIVE_SECS = 10.0         # an idle event stream sends a comment this often
RETRY_MS = 2000               # how soon a browser reconnects a dropped event stream
CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                 ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml",
                 ".png": "image/png", ".txt": "text/plain; charset=utf-8"}
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def load_assets() -> Dict[str, Tuple[bytes, str]]:
    """Every file of ``static/`` by URL path, with its content type (read once)."""
    assets = {}
    for path in sorted(STATIC.iterdir()):
        if path.is_file() and path.suffix in CONTENT_TYPES:
            assets[f"/static/{path.name}"] = (path.read_bytes(), CONTENT_TYPES[path.suffix])
    assets["/"] = assets["/static/index.html"]
    return assets


class DashboardServer(ThreadingHTTPServer):
    """The server and what its handlers read: the hub, the assets, the allowed hosts."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, host: str, port: int, hub: Hub) -> None:
        self.hub = hub
        self.host = host
        self.assets = load_assets()
        self.allowed_hosts: Optional[Set[str]] = None
        self.address_family = _family(host)
        super().__init__((host, port), Handler)
        if host in LOOPBACK:
            bound = self.server_address[1]
            self.allowed_hosts = {f"{name}:{bound}" for name in
                                  ("127.0.0.1", "localhost", "[::1]")}
        self.thread = threading.Thread(target=self.serve_forever, name="petrel-dashboard",
                                       kwargs={"poll_interval": 0.5}, daemon=True)

    @property
    def port(self) -> int:
        """The port listened on (the one the system chose for port 0)."""
        return int(self.server_address[1])

    def stop(self) -> None:
        """End the event streams, stop serving and close the socket."""
        self.hub.close()
        if self.thread.is_alive():
            self.shutdown()
        self.server_close()


def _family(host: str) -> Any:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def listen(host: str, port: int, hub: Hub, asked: bool) -> DashboardServer:
    """Bind and start serving; a clear PetrelError when the address cannot be used."""
    try:
        server = DashboardServer(host, port, hub)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            what = f"port {port} on {host} is in use" if asked else f"{host}: {exc.strerror}"
            raise PetrelError(f"--ui {port}: {what} (another program or petrel run holds it); "
                              f"give another port, or --ui without a port for a free one"
                              ) from None
        raise PetrelError(f"--ui: cannot listen on {host} port {port}: "
                          f"{exc.strerror or exc}; check --ui-host and the port") from None
    server.thread.start()
    return server


class Handler(BaseHTTPRequestHandler):
    """GET only: the page, ``/static/*``, ``/api/*`` and the ``/api/events`` stream."""

    server: DashboardServer
    timeout = 30              # a page that stops reading is dropped, not waited for forever
    protocol_version = "HTTP/1.0"
    server_version = "petrel-dashboard"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        """Requests are not logged (the console belongs to the run)."""

    def do_GET(self) -> None:  # noqa: N802 - the base class's naming
        """Serve one GET request."""
        allowed = self.server.allowed_hosts
        if allowed is not None and self.headers.get("Host", "") not in allowed:
            self._send(403, b"petrel dashboard: unexpected Host header\n",
                       "text/plain; charset=utf-8")
            return
        path = self.path.split("?", 1)[0]
        hub = self.server.hub
        if path == "/api/events":
            self._events()
        elif path == "/api/topology":
            self._send(200, hub.topology, "application/json")
        elif path == "/api/stats":
            self._send(200, hub.stats, "application/json")
        elif path == "/api/snapshot":
            self._send(200, hub.snapshot, "application/json")
        elif path == "/api/history":
            self._send(200, hub.history(), "application/json")
        elif path in self.server.assets:
            body, ctype = self.server.assets[path]
            self._send(200, body, ctype)
        else:
            self._send(404, b"not found\n", "text/plain; charset=utf-8")

    def _refuse(self) -> None:
        self.send_response(405)
        self.send_header("Allow", "GET")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _refuse  # noqa: N815

    def _send(self, code: int, body: bytes, ctype: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass   # the client went away

    def _events(self) -> None:
        hub = self.server.hub
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seq = 0
        try:
            self.wfile.write(b"retry: %d\n\nevent: history\ndata: " % RETRY_MS
                             + hub.history() + b"\n\n")
            self.wfile.flush()
            while True:
                got = hub.wait_newer(seq, KEEPALIVE_SECS)
                if got is not None:
                    seq, body = got
                    self.wfile.write(b"event: snapshot\ndata: " + body + b"\n\n")
                elif hub.closed:
                    return
                else:
                    self.wfile.write(b": keepalive\n\n")
                self.wfile.flush()
        except OSError:
            return   # the page was closed or reloaded
