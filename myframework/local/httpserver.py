"""A small threaded HTTP/1.1 server for ``myframework local``.

One thread per connection, keep-alive, pipelining-safe parsing, and each
response written with a single ``sendall`` on a ``TCP_NODELAY`` socket (a
response split over two writes on a Nagle socket waits for the client's
delayed ACK: about 40 ms per request, which is what makes ``chalice local``
slow). Requests that API Gateway would refuse are refused here the same way:
a body over ``max_body`` gets 413, a request head over ``max_head`` gets 431,
anything malformed gets 400, and a client that stops half-way through a
request gets 408; the connection is then closed, never left hanging.

The server knows nothing about Lambda: it hands each parsed
:class:`HTTPRequest` to a callable that returns a :class:`Reply`.
"""
from __future__ import annotations

import socket
import sys
import threading
import time
from collections.abc import Callable
from email.utils import formatdate
from http import HTTPStatus
from typing import TextIO

MAX_HEAD = 10 * 1024
MAX_BODY = 10 * 1024 * 1024
IDLE_TIMEOUT = 60.0  # seconds a keep-alive connection may sit idle
IDLE_SLICE = 0.25  # an idle connection checks this often whether the server is stopping
READ_TIMEOUT = 10.0  # seconds a client may pause in the middle of a request
MAX_CONNECTIONS = 256

_TOKEN = frozenset(b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_REASONS = {s.value: s.phrase for s in HTTPStatus}
_NO_BODY_STATUS = frozenset((204, 304))
# Headers the server owns: the app's values are dropped (the connection is ours).
_HOP_BY_HOP = frozenset(("connection", "keep-alive", "transfer-encoding", "te", "trailer",
                         "upgrade", "proxy-authenticate", "proxy-authorization",
                         "content-length"))


class HTTPRequest:
    """One parsed request: ``target`` is the raw request target (path?query)."""

    __slots__ = ("body", "client", "headers", "method", "target", "version")

    def __init__(self, method: str, target: str, version: str,
                 headers: list[tuple[str, str]], body: bytes, client: str) -> None:
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.body = body
        self.client = client


class Reply:
    """What to send back: status, header pairs (in order, repeats allowed), body."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body


class BadRequest(Exception):
    """The request cannot be served; ``status`` says how to answer it."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


Handler = Callable[[HTTPRequest], Reply]


class _Date:
    """The Date header value, formatted at most once a second."""

    def __init__(self) -> None:
        self._second = 0
        self._value = ""

    def now(self) -> str:
        second = int(time.time())
        if second != self._second:
            self._value = formatdate(second, usegmt=True)
            self._second = second
        return self._value


class AccessLog:
    """One line per request, Apache-like, with the time the app took."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self._lock = threading.Lock()

    def write(self, client: str, request_line: str, status: int, size: int,
              elapsed: float) -> None:
        line = '%s - - [%s] "%s" %d %d %.1fms\n' % (
            client, time.strftime("%d/%b/%Y %H:%M:%S"), request_line, status, size,
            elapsed * 1000)
        with self._lock:
            try:
                self.stream.write(line)
                self.stream.flush()
            except (OSError, ValueError):
                pass


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def parse_head(head: bytes) -> tuple[str, str, str, list[tuple[str, str]]]:
    """Split a request head (without the final blank line) into method,
    target, version and header pairs. Raises :class:`BadRequest`."""
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ")
    if len(parts) != 3:
        raise BadRequest(400, "the request line must be METHOD TARGET HTTP/1.1")
    method, target, version = parts
    if not method or not _TOKEN.issuperset(method):
        raise BadRequest(400, "the method is not a valid token")
    if version not in (b"HTTP/1.1", b"HTTP/1.0"):
        if version.startswith(b"HTTP/"):
            raise BadRequest(505, "only HTTP/1.0 and HTTP/1.1 are served")
        raise BadRequest(400, "the request line must end with HTTP/1.1")
    if not target.startswith(b"/"):
        if target.startswith((b"http://", b"https://")):  # absolute-form: keep the path
            slash = target.find(b"/", target.find(b"//") + 2)
            target = target[slash:] if slash > 0 else b"/"
        else:
            raise BadRequest(400, "the request target must be a path starting with /")
    if any(c < 0x21 or c == 0x7F for c in target):
        raise BadRequest(400, "the request target contains control characters or spaces")
    if not target.isascii():  # raw UTF-8 (curl sends it as typed): percent-encode it
        target = b"".join(b"%%%02X" % c if c > 0x7F else bytes((c,)) for c in target)
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        name, sep, value = line.partition(b":")
        if not sep or not name or not _TOKEN.issuperset(name):
            if line[:1] in (b" ", b"\t"):
                raise BadRequest(400, "folded header lines are not allowed")
            raise BadRequest(400, "malformed header line %r" % line[:80])
        value = value.strip(b" \t")
        if b"\r" in value or b"\n" in value or b"\x00" in value:
            raise BadRequest(400, "header %s contains control characters" % _text(name))
        headers.append((name.decode("ascii"), _text(value)))
    return method.decode("ascii"), target.decode("ascii"), version.decode("ascii"), headers


class _Connection:
    """Reads requests from one socket and answers them, in order."""

    def __init__(self, server: HTTPServer, sock: socket.socket, client: str) -> None:
        self.server = server
        self.sock = sock
        self.client = client
        self.buffer = b""
        self.timeout = 0.0
        self.fresh = True  # counted as a request in progress until its first answer

    def _recv(self, idle: bool) -> bytes:
        timeout = IDLE_SLICE if idle else self.server.read_timeout
        if timeout != self.timeout:  # each settimeout() is a system call
            self.sock.settimeout(timeout)
            self.timeout = timeout
        return self.sock.recv(65536)

    def read_head(self) -> bytes | None:
        """The next request head, or None when the client has gone (or idled out)."""
        limit = self.server.max_head
        buffer = self.buffer
        while buffer.startswith(b"\r\n"):  # tolerated between requests (RFC 9112 2.2)
            buffer = buffer[2:]
        end = buffer.find(b"\r\n\r\n")
        idle_until = time.monotonic() + IDLE_TIMEOUT
        while end < 0:
            if len(buffer) > limit:
                raise BadRequest(431, "the request line and headers are over %d bytes, "
                                      "%s's limit" % (limit, self.server.service))
            try:
                chunk = self._recv(idle=not buffer)
            except TimeoutError:
                if buffer:
                    raise BadRequest(408, "the request head did not arrive in time") from None
                # Idle: close once the server stops (a request already on its way is
                # still read and answered) or the keep-alive time is up.
                if self.server.stopping.is_set() or time.monotonic() > idle_until:
                    return None
                continue
            if not chunk:
                return None
            start = max(0, len(buffer) - 3)
            buffer += chunk
            while buffer.startswith(b"\r\n"):
                buffer = buffer[2:]
            end = buffer.find(b"\r\n\r\n", start if start < len(buffer) else 0)
        if end > limit:
            raise BadRequest(431, "the request line and headers are over %d bytes, "
                                  "%s's limit" % (limit, self.server.service))
        self.buffer = buffer[end + 4:]
        return buffer[:end]

    def _recv_body(self) -> bytes:
        """More of a request body: 408 if the client stalls, an error if it leaves."""
        try:
            chunk = self._recv(idle=False)
        except TimeoutError:
            raise BadRequest(408, "the request body did not arrive in time") from None
        if not chunk:
            raise ConnectionError("the client closed the connection mid-body")
        return chunk

    def read_exact(self, length: int) -> bytes:
        buffer = self.buffer
        if len(buffer) >= length:
            self.buffer = buffer[length:]
            return buffer[:length]
        parts = [buffer]
        have = len(buffer)
        while have < length:
            chunk = self._recv_body()
            parts.append(chunk)
            have += len(chunk)
        data = b"".join(parts)
        self.buffer = data[length:]
        return data[:length]

    def read_line(self) -> bytes:
        while True:
            end = self.buffer.find(b"\r\n")
            if end >= 0:
                line, self.buffer = self.buffer[:end], self.buffer[end + 2:]
                return line
            if len(self.buffer) > 4096:
                raise BadRequest(400, "a chunk-size line is too long")
            self.buffer += self._recv_body()

    def read_chunked(self) -> bytes:
        limit = self.server.max_body
        parts: list[bytes] = []
        total = 0
        while True:
            size_text = self.read_line().split(b";", 1)[0].strip()
            try:
                if not size_text or not all(c in b"0123456789abcdefABCDEF" for c in size_text):
                    raise ValueError
                size = int(size_text, 16)
            except ValueError:
                raise BadRequest(400, "malformed chunk size in a chunked body") from None
            if size == 0:
                while self.read_line():  # trailers, then the blank line
                    pass
                return b"".join(parts)
            total += size
            if total > limit:
                raise BadRequest(413, _too_large(limit, self.server.service))
            parts.append(self.read_exact(size))
            if self.read_exact(2) != b"\r\n":
                raise BadRequest(400, "a chunk is not followed by CRLF")

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def serve(self) -> None:
        try:
            self._serve()
        finally:
            self._settle()

    def _settle(self) -> None:
        """The connection's first request is answered (or never came): stop()
        no longer needs to wait for it."""
        if self.fresh:
            self.fresh = False
            self.server._end()

    def _serve(self) -> None:
        server = self.server
        # While the server stops (a reload), a request already sent or on its way is still
        # read and answered, with Connection: close; only an idle connection is closed.
        while True:
            started = 0.0
            request_line = "-"
            try:
                head = self.read_head()
                if head is None:
                    return
                started = time.perf_counter()
                method, target, version, headers = parse_head(head)
                request_line = "%s %s %s" % (method, target, version)
                body, keep_alive = self.read_body(method, version, headers)
            except BadRequest as exc:
                self.refuse(exc, request_line, started)
                return
            except (ConnectionError, TimeoutError, OSError):
                return
            request = HTTPRequest(method, target, version, headers, body, self.client)
            keep_alive = keep_alive and not server.stopping.is_set()
            with server.track():  # until the response is sent: stop() waits for it
                reply = server.call(request)
                if not self.respond(reply, method, keep_alive, request_line, started,
                                    version):
                    return
            self._settle()
            if not keep_alive:
                return

    def read_body(self, method: str, version: str,
                  headers: list[tuple[str, str]]) -> tuple[bytes, bool]:
        length: str | None = None
        chunked = False
        expect_continue = False
        connection = ""
        for name, value in headers:
            lname = name.lower()
            if lname == "content-length":
                if length is not None and length != value:
                    raise BadRequest(400, "conflicting Content-Length headers")
                length = value
            elif lname == "transfer-encoding":
                codings = [c.strip().lower() for c in value.split(",")]
                if codings[-1] != "chunked" or len(codings) > 1:
                    raise BadRequest(501, "only Transfer-Encoding: chunked is supported")
                chunked = True
            elif lname == "expect":
                if value.lower() != "100-continue":
                    raise BadRequest(417, "only Expect: 100-continue is supported")
                expect_continue = True
            elif lname == "connection":
                connection = value.lower()
        keep_alive = ("close" not in connection if version == "HTTP/1.1"
                      else "keep-alive" in connection)
        if chunked:
            if length is not None:
                raise BadRequest(400, "a request cannot have both Content-Length and "
                                      "Transfer-Encoding")
            if expect_continue and not self.buffer:
                self.send(b"HTTP/1.1 100 Continue\r\n\r\n")
            return self.read_chunked(), keep_alive
        if length is None:
            return b"", keep_alive
        if not length.isdigit() or len(length) > 18:
            raise BadRequest(400, "Content-Length must be a whole number of bytes")
        size = int(length)
        if size > self.server.max_body:
            raise BadRequest(413, _too_large(self.server.max_body, self.server.service))
        if size and expect_continue and not self.buffer:
            self.send(b"HTTP/1.1 100 Continue\r\n\r\n")
        return (self.read_exact(size) if size else b""), keep_alive

    def respond(self, reply: Reply, method: str, keep_alive: bool, request_line: str,
                started: float, version: str = "HTTP/1.1") -> bool:
        server = self.server
        status = reply.status
        body = reply.body
        lines = ["HTTP/1.1 %d %s\r\n" % (status, _REASONS.get(status, "Unknown"))]
        for name, value in reply.headers:
            if name.lower() in _HOP_BY_HOP:
                continue
            lines.append("%s: %s\r\n" % (name, value))
        if status in _NO_BODY_STATUS or status < 200:
            body = b""
        elif body or method != "HEAD":  # a HEAD answer without a body: the GET length is
            lines.append("Content-Length: %d\r\n" % len(body))  # unknown, so none is sent
        lines.append("Date: %s\r\n" % server.date.now())
        if not keep_alive:
            lines.append("Connection: close\r\n")
        elif version == "HTTP/1.0":
            lines.append("Connection: keep-alive\r\n")
        lines.append("\r\n")
        text = "".join(lines)
        try:
            head = text.encode("latin-1")
        except UnicodeEncodeError:
            head = text.encode("utf-8")
        try:
            self.send(head + body if method != "HEAD" else head)
        except OSError:
            return False
        finally:
            server.log.write(self.client, request_line, status, len(body),
                             time.perf_counter() - started)
        return True

    def refuse(self, exc: BadRequest, request_line: str, started: float) -> None:
        body = (exc.message + "\n").encode("utf-8")
        reply = Reply(exc.status, [("Content-Type", "text/plain; charset=utf-8")], body)
        self.respond(reply, "GET", False, request_line, started or time.perf_counter())
        try:  # let the client read the answer before the close resets the connection
            self.sock.shutdown(socket.SHUT_WR)
            self.sock.settimeout(1.0)
            deadline = time.monotonic() + 2.0  # but never drain a huge upload for long
            while self.sock.recv(65536) and time.monotonic() < deadline:
                pass
        except OSError:
            pass


def _too_large(limit: int, service: str) -> str:
    return ("the request body is over %d bytes (%g MB), %s's payload limit; send large "
            "files straight to S3 (for example with a presigned URL)"
            % (limit, limit / (1024 * 1024), service))


class HTTPServer:
    """Serve ``handler`` on an already bound and listening ``sock``."""

    def __init__(self, sock: socket.socket, handler: Handler, log: AccessLog | None = None,
                 max_head: int = MAX_HEAD, max_body: int = MAX_BODY,
                 read_timeout: float = READ_TIMEOUT,
                 on_error: Callable[[BaseException], None] | None = None,
                 service: str = "API Gateway") -> None:
        self.sock = sock
        self.handler = handler
        self.log = log or AccessLog()
        self.max_head = max_head
        self.max_body = max_body
        self.service = service  # whose limits these are, for the error messages
        self.read_timeout = read_timeout
        self.on_error = on_error
        self.date = _Date()
        self.stopping = threading.Event()
        self._active = 0
        self._idle = threading.Condition()
        self._slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        self._connections: set[socket.socket] = set()

    def call(self, request: HTTPRequest) -> Reply:
        try:
            return self.handler(request)
        except Exception as exc:  # a bug below the app's own error handling
            if self.on_error is not None:
                self.on_error(exc)
            return Reply(500, [("Content-Type", "application/json")],
                         b'{"message": "Internal server error"}')

    def track(self) -> _Tracker:
        return _Tracker(self)

    def _begin(self) -> None:
        with self._idle:
            self._active += 1

    def _end(self) -> None:
        with self._idle:
            self._active -= 1
            if not self._active:
                self._idle.notify_all()

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        """Accept connections until :meth:`stop` is called."""
        self.sock.settimeout(poll_interval)
        while not self.stopping.is_set():
            try:
                conn, addr = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                if self.stopping.is_set():
                    return
                time.sleep(0.05)  # e.g. EMFILE: back off instead of spinning
                continue
            self._slots.acquire()
            self._begin()  # ended by the connection once its first request is answered
            thread = threading.Thread(target=self._serve_connection, args=(conn, addr),
                                      name="myframework-http", daemon=True)
            thread.start()

    def _serve_connection(self, conn: socket.socket, addr: object) -> None:
        client = addr[0] if isinstance(addr, tuple) else "local"
        with self._idle:
            self._connections.add(conn)
        try:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            _Connection(self, conn, str(client)).serve()
        except Exception as exc:  # never let one connection take the server down
            if self.on_error is not None:
                self.on_error(exc)
        finally:
            with self._idle:
                self._connections.discard(conn)
                self._idle.notify_all()
            try:
                conn.close()
            except OSError:
                pass
            self._slots.release()

    def stop(self, timeout: float = 5.0) -> bool:
        """Stop accepting, let requests in progress finish (up to ``timeout``
        seconds), then close idle keep-alive connections. True if all finished."""
        self.stopping.set()
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._active and time.monotonic() < deadline:
                self._idle.wait(deadline - time.monotonic())
            finished = self._active == 0
            # Idle connections notice the stop within IDLE_SLICE and close themselves.
            while self._connections and time.monotonic() < deadline:
                self._idle.wait(min(IDLE_SLICE, deadline - time.monotonic()))
            for conn in list(self._connections):
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        return finished


class _Tracker:
    """Counts requests in progress, so :meth:`HTTPServer.stop` can wait for them."""

    __slots__ = ("server",)

    def __init__(self, server: HTTPServer) -> None:
        self.server = server

    def __enter__(self) -> None:
        self.server._begin()

    def __exit__(self, *exc: object) -> None:
        self.server._end()
