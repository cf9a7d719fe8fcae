"""Shared pieces of the ``myframework local`` tests: a real server on 127.0.0.1
(an ephemeral port, its own thread, stopped in teardown) and small clients.

Every socket gets a timeout (:data:`SOCKET_TIMEOUT`), so a server bug fails
the test instead of hanging it.
"""
from __future__ import annotations

import http.client
import io
import socket
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from myframework import App
from myframework.local.gateway import LocalGateway
from myframework.local.httpserver import MAX_BODY, MAX_HEAD, AccessLog, Handler, HTTPServer
from myframework.local.runner import HEAD_LIMITS, bind

HOST = "127.0.0.1"
SOCKET_TIMEOUT = 5.0


class LiveServer:
    """One :class:`HTTPServer` serving on its own thread; ``access`` is its access log."""

    def __init__(self, max_head: int = MAX_HEAD, max_body: int = MAX_BODY,
                 read_timeout: float = 2.0) -> None:
        self.sock = bind(HOST, 0)
        self.port: int = self.sock.getsockname()[1]
        self.access = io.StringIO()
        self.errors: list[BaseException] = []
        self.max_head = max_head
        self.max_body = max_body
        self.read_timeout = read_timeout
        self.server: HTTPServer | None = None
        self.thread: threading.Thread | None = None

    def start(self, handler: Handler) -> LiveServer:
        self.server = HTTPServer(self.sock, handler, AccessLog(self.access),
                                 max_head=self.max_head, max_body=self.max_body,
                                 read_timeout=self.read_timeout, on_error=self.errors.append)
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop(timeout=2.0)
        if self.thread is not None and self.thread.is_alive():
            try:  # wake the accept loop now rather than at its next poll
                socket.create_connection((HOST, self.port), timeout=1.0).close()
            except OSError:
                pass
            self.thread.join(2.0)
        self.sock.close()

    # -- clients --------------------------------------------------------------
    def connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(HOST, self.port, timeout=SOCKET_TIMEOUT)

    def raw(self) -> socket.socket:
        return socket.create_connection((HOST, self.port), timeout=SOCKET_TIMEOUT)

    def request(self, method: str, path: str, body: bytes | str | None = None,
                headers: dict[str, str] | None = None) -> Answer:
        """One request on a fresh connection (closed afterwards)."""
        conn = self.connection()
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            return Answer(response.status, response.getheaders(), response.read())
        finally:
            conn.close()

    def access_lines(self, count: int = 0) -> list[str]:
        """The access log's lines, once there are at least ``count`` (the line is written
        just after the response is sent, so the client can be a little ahead of it)."""
        deadline = time.monotonic() + SOCKET_TIMEOUT
        while True:
            lines = self.access.getvalue().splitlines()
            if len(lines) >= count or time.monotonic() > deadline:
                return lines
            time.sleep(0.005)


class Answer:
    """A response as the client saw it: status, header pairs in order, body."""

    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def get_all(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def get(self, name: str) -> str | None:
        values = self.get_all(name)
        return values[0] if values else None

    def json(self) -> Any:
        import json
        return json.loads(self.body)

    def __repr__(self) -> str:
        return "<Answer %d %r %r>" % (self.status, self.headers, self.body[:200])


class Servers:
    """Starts servers for one test and stops them all at the end."""

    def __init__(self) -> None:
        self._live: list[LiveServer] = []

    def handler(self, handler: Handler, **options: Any) -> LiveServer:
        """Serve a bare ``HTTPRequest -> Reply`` handler."""
        live = LiveServer(**options)
        self._live.append(live)
        return live.start(handler)

    def app(self, app: App, event_format: str = "rest", **options: Any) -> LiveServer:
        """Serve ``app`` through a :class:`LocalGateway` of ``event_format``, with the
        request head limit ``myframework local`` uses for that format."""
        options.setdefault("max_head", HEAD_LIMITS[event_format])
        live = LiveServer(**options)
        self._live.append(live)
        return live.start(LocalGateway(app, event_format, port=live.port))

    def gateway(self, make: Callable[[int], Handler], **options: Any) -> LiveServer:
        """Serve what ``make(port)`` returns (a gateway built for the server's port)."""
        live = LiveServer(**options)
        self._live.append(live)
        return live.start(make(live.port))

    def close(self) -> None:
        for live in self._live:
            live.stop()

    def __enter__(self) -> Servers:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


# -- raw-socket helpers -------------------------------------------------------------------

class RawResponse:
    """One response read off a raw socket."""

    def __init__(self, status: int, reason: str, headers: list[tuple[str, str]],
                 body: bytes, head: bytes) -> None:
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
        self.head = head

    def get_all(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def get(self, name: str) -> str | None:
        values = self.get_all(name)
        return values[0] if values else None

    def __repr__(self) -> str:
        return "<RawResponse %d %r %r>" % (self.status, self.headers, self.body[:200])


class RawReader:
    """Reads responses (head, then a Content-Length body) from a raw socket."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""

    def _fill(self) -> bool:
        chunk = self.sock.recv(65536)
        if not chunk:
            return False
        self.buffer += chunk
        return True

    def read_head(self) -> bytes:
        while b"\r\n\r\n" not in self.buffer:
            if not self._fill():
                raise ConnectionError("the server closed the connection; got %r" % self.buffer)
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        return head

    def read_response(self, head_only: bool = False) -> RawResponse:
        """The next response; ``head_only`` for a HEAD request (no body follows)."""
        head = self.read_head()
        lines = head.decode("latin-1").split("\r\n")
        _, status, reason = lines[0].split(" ", 2)
        headers = [(k, v.strip()) for k, _, v in (line.partition(":") for line in lines[1:])]
        response = RawResponse(int(status), reason, headers, b"", head)
        length = response.get("Content-Length")
        if head_only or length is None:
            return response
        size = int(length)
        while len(self.buffer) < size:
            if not self._fill():
                raise ConnectionError("the server closed the connection mid-body")
        response.body, self.buffer = self.buffer[:size], self.buffer[size:]
        return response

    def at_eof(self, wait: float = 2.0) -> bool:
        """True when the server closes the connection (after any buffered bytes) within
        ``wait`` seconds; False if it keeps it open."""
        if self.buffer:
            return False
        previous = self.sock.gettimeout()
        self.sock.settimeout(wait)
        try:
            return not self.sock.recv(65536, socket.MSG_PEEK)
        except ConnectionResetError:
            return True
        except TimeoutError:
            return False
        finally:
            self.sock.settimeout(previous)


def get(path: str, host: str = "localhost", extra: str = "") -> bytes:
    """A raw GET request's bytes."""
    return ("GET %s HTTP/1.1\r\nHost: %s\r\n%s\r\n" % (path, host, extra)).encode("latin-1")


def exchange(live: LiveServer, data: bytes, head_only: bool = False) -> tuple[RawResponse, bool]:
    """Send ``data`` on a new raw connection; the response and whether the server
    closed the connection after it."""
    with live.raw() as sock:
        sock.sendall(data)
        reader = RawReader(sock)
        response = reader.read_response(head_only)
        return response, reader.at_eof()


def ask(live: LiveServer, data: bytes, head_only: bool = False) -> RawResponse:
    """Send ``data`` on a new raw connection; the first response."""
    with live.raw() as sock:
        sock.sendall(data)
        return RawReader(sock).read_response(head_only)
