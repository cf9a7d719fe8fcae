"""The HTTP server of ``myframework local`` (myframework/local/httpserver.py), on a
real socket on 127.0.0.1, with the app behind a :class:`LocalGateway`.

What a user relies on: keep-alive and pipelining work, responses are not held
back by Nagle, API Gateway's limits are enforced with the same status codes,
malformed or stalled requests get an answer (never a hang), HEAD/204/304 carry
no body, a failing view or function does not take the server down, slow views
do not block other clients, and stopping the server lets requests in progress
finish.
"""
from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from myframework import App, Response
from myframework.local.httpserver import MAX_BODY, MAX_HEAD
from myframework.local.runner import HEAD_LIMITS

from .local_helpers import (
    HOST,
    SOCKET_TIMEOUT,
    LiveServer,
    RawReader,
    RawResponse,
    Servers,
    ask,
    exchange,
    get,
)


class Demo:
    """The app behind the server, with events the tests can wait on."""

    def __init__(self) -> None:
        app = self.app = App("local-server")
        self.slow_started = threading.Event()
        self.slow_finished = threading.Event()
        self.slow_seconds = 0.5
        self.big_size = 2 * 1024 * 1024

        @app.route("/")
        def index() -> dict[str, str]:
            return {"hello": "world"}

        @app.route("/hello/{name}")
        def hello(name: str) -> dict[str, str]:
            return {"name": name}

        @app.route("/echo", methods=["POST", "PUT"], content_types=["*/*"])
        def echo() -> Response:
            request = app.current_request
            return Response(request.raw_body,
                            {"Content-Type": request.headers.get("content-type", "text/plain")})

        @app.route("/slow")
        def slow() -> dict[str, bool]:
            self.slow_started.set()
            time.sleep(self.slow_seconds)
            self.slow_finished.set()
            return {"slow": True}

        @app.route("/slow-big")
        def slow_big() -> Response:
            self.slow_started.set()
            time.sleep(0.2)
            self.slow_finished.set()
            return Response("x" * self.big_size, {"Content-Type": "text/plain"})

        @app.route("/boom")
        def boom() -> None:
            raise RuntimeError("the view failed")

        @app.route("/no-content")
        def no_content() -> Response:
            return Response(None, {"X-Kind": "204"}, 204)

        @app.route("/not-modified")
        def not_modified() -> Response:
            return Response("a body a 304 must not carry", {"ETag": '"v1"'}, 304)

        @app.route("/crlf-header")
        def crlf_header() -> Response:
            return Response("x", {"X-Split": "a\r\nInjected: yes"})


@pytest.fixture
def demo() -> Demo:
    return Demo()


@pytest.fixture
def servers() -> Iterator[Servers]:
    with Servers() as started:
        yield started


@pytest.fixture
def live(servers: Servers, demo: Demo) -> LiveServer:
    """The demo app as a REST API, with a short read timeout."""
    return servers.app(demo.app, "rest", read_timeout=0.3)


class RaisingApp(App):
    """An app whose Lambda handler itself raises (not a view: the whole function)."""

    def __call__(self, event: Any, context: Any = None) -> Any:
        raise RuntimeError("the function crashed")


class RawHandlerApp(App):
    """An app whose handler returns a fixed response dict, valid or not."""

    def __init__(self, response: dict[str, Any]) -> None:
        super().__init__("raw-handler")
        self.response = response

    def __call__(self, event: Any, context: Any = None) -> Any:
        if event.get("path", event.get("rawPath")) == "/ok":
            return {"statusCode": 200, "headers": {"Content-Type": "text/plain"}, "body": "ok"}
        return self.response


# -- keep-alive and pipelining ---------------------------------------------------------------

def test_fifty_requests_on_one_keep_alive_connection(live: LiveServer) -> None:
    conn = live.connection()
    try:
        conn.request("GET", "/hello/0")
        first = conn.getresponse()
        assert first.read() == b'{"name":"0"}'
        sock = conn.sock
        assert sock is not None
        for n in range(1, 50):
            conn.request("GET", "/hello/%d" % n)
            response = conn.getresponse()
            assert response.status == 200
            assert response.getheader("Connection") is None
            assert response.read() == b'{"name":"%d"}' % n
        assert conn.sock is sock  # never reconnected
    finally:
        conn.close()
    assert len(live.access_lines(50)) == 50


def test_http10_without_keep_alive_closes_the_connection(live: LiveServer) -> None:
    response, closed = exchange(live, b"GET /hello/old HTTP/1.0\r\n\r\n")
    assert response.status == 200
    assert response.body == b'{"name":"old"}'
    assert response.get("Connection") == "close"
    assert closed


def test_http10_with_keep_alive_stays_open(live: LiveServer) -> None:
    with live.raw() as sock:
        reader = RawReader(sock)
        for name in ("a", "b"):
            sock.sendall(b"GET /hello/%s HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
                         % name.encode())
            response = reader.read_response()
            assert response.status == 200
            assert response.body == b'{"name":"%s"}' % name.encode()


def test_http10_keep_alive_is_acknowledged(live: LiveServer) -> None:
    with live.raw() as sock:
        sock.sendall(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        response = RawReader(sock).read_response()
    assert response.status == 200
    assert (response.get("Connection") or "").lower() == "keep-alive"


def test_connection_close_closes_the_connection(live: LiveServer) -> None:
    response, closed = exchange(live, get("/hello/bye", extra="Connection: close\r\n"))
    assert response.status == 200
    assert response.get("Connection") == "close"
    assert closed


def test_keep_alive_connection_stays_open(live: LiveServer) -> None:
    with live.raw() as sock:
        sock.sendall(get("/"))
        reader = RawReader(sock)
        assert reader.read_response().status == 200
        assert not reader.at_eof(wait=0.3)


def test_pipelined_requests_are_answered_in_order(live: LiveServer) -> None:
    body = b"first body"
    pipelined = (b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                 b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
                 + get("/hello/second") + get("/hello/third"))
    with live.raw() as sock:
        sock.sendall(pipelined)  # three requests in one write
        reader = RawReader(sock)
        bodies = [reader.read_response().body for _ in range(3)]
    assert bodies == [body, b'{"name":"second"}', b'{"name":"third"}']


def test_blank_lines_between_requests_are_tolerated(live: LiveServer) -> None:
    with live.raw() as sock:
        sock.sendall(b"\r\n" + get("/hello/a") + b"\r\n\r\n" + get("/hello/b"))
        reader = RawReader(sock)
        assert reader.read_response().body == b'{"name":"a"}'
        assert reader.read_response().body == b'{"name":"b"}'


# -- one write per response, no Nagle delay ----------------------------------------------------

def test_whole_response_arrives(live: LiveServer) -> None:
    with live.raw() as sock:
        sock.sendall(get("/hello/whole"))
        reader = RawReader(sock)
        response = reader.read_response()
        assert response.get("Content-Length") == str(len(b'{"name":"whole"}'))
        assert response.body == b'{"name":"whole"}'
        assert response.get("Date")
        assert response.get("Content-Type") == "application/json"


def test_sequential_keep_alive_requests_are_not_delayed(live: LiveServer) -> None:
    """A response written in two pieces on a socket without TCP_NODELAY waits for the
    client's delayed ACK (~40 ms): 200 requests would take ~8 s instead of well under 1."""
    conn = live.connection()
    try:
        conn.request("GET", "/")  # warm up (connection, first import of anything lazy)
        conn.getresponse().read()
        started = time.perf_counter()
        for _ in range(200):
            conn.request("GET", "/")
            response = conn.getresponse()
            assert response.read() == b'{"hello":"world"}'
        elapsed = time.perf_counter() - started
    finally:
        conn.close()
    assert elapsed < 2.0, "200 keep-alive requests took %.2f s" % elapsed


# -- limits ------------------------------------------------------------------------------------

def test_content_length_over_the_limit_is_refused_without_reading_the_body(
        live: LiveServer, demo: Demo) -> None:
    head = (b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
            b"Content-Length: %d\r\n\r\n" % (MAX_BODY + 1))
    started = time.perf_counter()
    response, closed = exchange(live, head)  # the body is never sent
    assert response.status == 413
    assert b"payload limit" in response.body
    assert response.get("Connection") == "close"
    assert closed
    # Not a 408 after waiting read_timeout for a body that never comes.
    assert time.perf_counter() - started < 2.0
    assert live.request("GET", "/").status == 200


def test_content_length_at_the_limit_is_accepted(servers: Servers, demo: Demo) -> None:
    live = servers.app(demo.app, "rest", max_body=1000)
    answer = live.request("POST", "/echo", body=b"y" * 1000, headers={"Content-Type": "text/plain"})
    assert answer.status == 200
    assert answer.body == b"y" * 1000
    answer = live.request("POST", "/echo", body=b"y" * 1001, headers={"Content-Type": "text/plain"})
    assert answer.status == 413


def test_chunked_body_over_the_limit_is_refused(live: LiveServer) -> None:
    # One chunk announced larger than the limit: refused before any data is read.
    data = (b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"%x\r\n" % (MAX_BODY + 1))
    response, closed = exchange(live, data)
    assert response.status == 413
    assert closed


def test_chunked_body_over_the_limit_in_several_chunks_is_refused(
        servers: Servers, demo: Demo) -> None:
    live = servers.app(demo.app, "rest", max_body=1000)
    chunk = b"z" * 600
    data = (b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"258\r\n%s\r\n258\r\n%s\r\n0\r\n\r\n" % (chunk, chunk))
    response, closed = exchange(live, data)
    assert response.status == 413
    assert closed


def test_request_head_over_10_kb_gets_431_for_rest(live: LiveServer) -> None:
    assert live.max_head == HEAD_LIMITS["rest"] == MAX_HEAD == 10 * 1024
    big = "X-Big: %s\r\n" % ("b" * 11 * 1024)
    response, closed = exchange(live, get("/", extra=big))
    assert response.status == 431
    assert closed


def test_request_head_over_10_kb_arriving_slowly_gets_431(live: LiveServer) -> None:
    with live.raw() as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        for _ in range(12):  # no blank line yet: the server must not wait for one forever
            sock.sendall(b"X-Part: %s\r\n" % (b"p" * 1000))
        reader = RawReader(sock)
        assert reader.read_response().status == 431
        assert reader.at_eof()


def test_a_20_kb_head_is_accepted_for_alb(servers: Servers, demo: Demo) -> None:
    live = servers.app(demo.app, "alb")
    assert live.max_head == 64 * 1024
    response = ask(live, get("/", extra="X-Big: %s\r\n" % ("b" * 20 * 1024)))
    assert response.status == 200
    assert response.body == b'{"hello":"world"}'


@pytest.mark.parametrize(("request_bytes", "status"), [
    (b"GET /\r\n\r\n", 400),  # no version
    (b"GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400),  # two spaces
    (b"G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 400),  # method not a token
    (b"GET nopath HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    (b"GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n", 400),
    (b"GET / FTP/1.1\r\nHost: x\r\n\r\n", 400),
    (b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505),
    (b"GET /a\x01b HTTP/1.1\r\nHost: x\r\n\r\n", 400),  # control character in the target
    (b"GET / HTTP/1.1\r\nHost x\r\n\r\n", 400),  # header without a colon
    (b"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", 400),  # space in the name
    (b"GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400),  # obsolete line folding
    (b"GET / HTTP/1.1\r\n: no-name\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nX-Nul: a\x00b\r\n\r\n", 400),
    (b"POST /echo HTTP/1.1\r\nContent-Length: abc\r\n\r\n", 400),
    (b"POST /echo HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400),
    (b"POST /echo HTTP/1.1\r\nContent-Length: 1, 1\r\n\r\nx", 400),
    (b"POST /echo HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400),
    (b"POST /echo HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx", 400),
    (b"POST /echo HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"3\r\nabc\r\n0\r\n\r\n", 400),  # both framings: a request-smuggling vector
    (b"POST /echo HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
    (b"POST /echo HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501),
    (b"POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", 400),
    (b"POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXY0\r\n\r\n", 400),
    (b"POST /echo HTTP/1.1\r\nExpect: something-else\r\nContent-Length: 1\r\n\r\nx", 417),
], ids=lambda value: value.decode("latin-1")[:40] if isinstance(value, bytes) else str(value))
def test_malformed_requests_get_an_error_and_the_connection_is_closed(
        live: LiveServer, request_bytes: bytes, status: int) -> None:
    started = time.perf_counter()
    response, closed = exchange(live, request_bytes)
    assert response.status == status
    assert response.get("Content-Type") == "text/plain; charset=utf-8"
    assert response.body  # says what is wrong
    assert closed
    assert time.perf_counter() - started < 2.0  # an answer, not a read timeout
    assert live.request("GET", "/").status == 200


def test_duplicate_identical_content_lengths_are_accepted(live: LiveServer) -> None:
    response = ask(live, b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                            b"Content-Length: 2\r\nContent-Length: 2\r\n\r\nok")
    assert response.status == 200
    assert response.body == b"ok"


def test_half_a_head_gets_408_after_the_read_timeout(live: LiveServer) -> None:
    with live.raw() as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # no blank line: the head is unfinished
        started = time.perf_counter()
        reader = RawReader(sock)
        response = reader.read_response()
        elapsed = time.perf_counter() - started
        assert response.status == 408
        assert reader.at_eof()
    assert 0.2 <= elapsed < 3.0


def test_half_a_body_gets_408_after_the_read_timeout(live: LiveServer) -> None:
    with live.raw() as sock:
        sock.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhalf")
        reader = RawReader(sock)
        assert reader.read_response().status == 408
        assert reader.at_eof()


def test_half_a_chunked_body_gets_408(live: LiveServer) -> None:
    with live.raw() as sock:
        sock.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                     b"5\r\nab")
        reader = RawReader(sock)
        assert reader.read_response().status == 408
        assert reader.at_eof()


def test_an_idle_client_is_not_answered(live: LiveServer) -> None:
    with live.raw() as sock:
        sock.settimeout(live.read_timeout * 2)  # well past the read timeout
        with pytest.raises(TimeoutError):
            sock.recv(1024)  # no 408 for a client that has not started a request
        sock.settimeout(SOCKET_TIMEOUT)
        sock.sendall(get("/hello/later"))  # and the connection is still usable
        assert RawReader(sock).read_response().body == b'{"name":"later"}'


def test_a_client_that_disconnects_mid_body_does_not_hurt_the_server(live: LiveServer) -> None:
    with live.raw() as sock:
        sock.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nshort")
    assert live.request("GET", "/").status == 200
    assert live.errors == []


# -- Expect: 100-continue ----------------------------------------------------------------------

def test_expect_100_continue_gets_100_before_the_body(live: LiveServer) -> None:
    body = b"sent after 100"
    with live.raw() as sock:
        sock.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                     b"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n" % len(body))
        reader = RawReader(sock)
        interim = reader.read_response()
        assert (interim.status, interim.reason) == (100, "Continue")
        assert interim.headers == []
        sock.sendall(body)
        final = reader.read_response()
        assert final.status == 200
        assert final.body == body


def test_expect_100_continue_with_a_chunked_body(live: LiveServer) -> None:
    with live.raw() as sock:
        sock.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                     b"Expect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n")
        reader = RawReader(sock)
        assert reader.read_response().status == 100
        sock.sendall(b"4\r\nabcd\r\n0\r\n\r\n")
        assert reader.read_response().body == b"abcd"


def test_expect_100_continue_with_too_large_a_body_gets_413_instead(live: LiveServer) -> None:
    response, closed = exchange(live, b"POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                                      b"Content-Length: %d\r\n\r\n" % (MAX_BODY + 1))
    assert response.status == 413  # the first thing the client reads: no 100 Continue
    assert closed


def test_http_client_with_expect_100_continue(live: LiveServer) -> None:
    answer = live.request("PUT", "/echo", body=b"via http.client",
                          headers={"Expect": "100-continue", "Content-Type": "text/plain"})
    assert answer.status == 200
    assert answer.body == b"via http.client"


# -- chunked request bodies ----------------------------------------------------------------

def test_chunked_request_body_is_decoded(live: LiveServer) -> None:
    data = (b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
            b"5\r\nhello\r\n"
            b"1;ext=value\r\n \r\n"  # a chunk extension
            b"A\r\nchunked!!!\r\n"  # upper-case hex
            b"0\r\nX-Trailer: ignored\r\n\r\n")
    with live.raw() as sock:
        sock.sendall(data + get("/hello/next"))  # and a pipelined request after the trailers
        reader = RawReader(sock)
        response = reader.read_response()
        assert response.status == 200
        assert response.body == b"hello chunked!!!"
        assert reader.read_response().body == b'{"name":"next"}'


def test_chunked_request_body_from_http_client(live: LiveServer) -> None:
    parts = [b"part-%d;" % n for n in range(20)]
    conn = live.connection()
    try:
        conn.request("POST", "/echo", body=iter(parts), encode_chunked=True,
                     headers={"Content-Type": "text/plain"})
        response = conn.getresponse()
        assert response.status == 200
        assert response.read() == b"".join(parts)
    finally:
        conn.close()


# -- bodiless responses --------------------------------------------------------------------

def test_head_gets_headers_and_no_body(live: LiveServer) -> None:
    with live.raw() as sock:
        sock.sendall(b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n" + get("/hello/after-head"))
        reader = RawReader(sock)
        head = reader.read_response(head_only=True)
        assert head.status == 200
        # The app renders no body for HEAD, so the GET length is unknown and not sent.
        assert head.get("Content-Length") is None
        assert head.get("Content-Type") == "application/json"
        # No body on the wire: the next bytes are the next response.
        after = reader.read_response()
        assert after.status == 200
        assert after.body == b'{"name":"after-head"}'


def test_head_through_http_client(live: LiveServer) -> None:
    conn = live.connection()
    try:
        conn.request("HEAD", "/")
        response = conn.getresponse()
        assert response.status == 200
        assert response.read() == b""
        conn.request("GET", "/")
        assert conn.getresponse().read() == b'{"hello":"world"}'
    finally:
        conn.close()


def test_head_content_length_is_the_get_length(live: LiveServer) -> None:
    get_answer = live.request("GET", "/")
    head_answer = live.request("HEAD", "/")
    assert head_answer.body == b""
    assert head_answer.get("Content-Length") in (None, str(len(get_answer.body)))


@pytest.mark.parametrize(("path", "status"), [("/no-content", 204), ("/not-modified", 304)])
def test_204_and_304_have_no_body_and_no_content_length(
        live: LiveServer, path: str, status: int) -> None:
    with live.raw() as sock:
        sock.sendall(get(path) + get("/hello/after"))
        reader = RawReader(sock)
        response = reader.read_response()
        assert response.status == status
        assert response.get("Content-Length") is None
        assert response.get("Transfer-Encoding") is None
        after = reader.read_response()  # the next bytes are the next response
        assert after.status == 200
        assert after.body == b'{"name":"after"}'


# -- failures in the app -------------------------------------------------------------------

def test_a_view_that_raises_gets_500_and_the_server_keeps_serving(live: LiveServer) -> None:
    conn = live.connection()
    try:
        conn.request("GET", "/boom")
        response = conn.getresponse()
        assert response.status == 500
        assert response.getheader("Content-Type") == "application/json"
        assert json.loads(response.read())["Code"] == "InternalServerError"
        conn.request("GET", "/")  # the same connection
        assert conn.getresponse().status == 200
    finally:
        conn.close()
    assert live.request("GET", "/").status == 200


@pytest.mark.parametrize(("event_format", "status"), [
    ("rest", 502), ("http-api", 500), ("function-url", 502), ("alb", 502)])
def test_a_handler_that_raises_gets_the_services_error(
        servers: Servers, event_format: str, status: int,
        caplog: pytest.LogCaptureFixture) -> None:
    live = servers.app(RaisingApp("raises"), event_format)
    for _ in range(2):  # and again: the server is still there
        answer = live.request("GET", "/anything")
        assert answer.status == status
        assert answer.get("Content-Type") == "application/json"
        assert answer.json()["message"] in ("Internal server error", "Internal Server Error")
    assert any(r.name == "myframework.local" and r.exc_info for r in caplog.records)
    assert live.errors == []


@pytest.mark.parametrize("response", [
    {"statusCode": "200", "body": "status as a string"},
    {"statusCode": 200, "body": {"not": "a string"}},
    {"statusCode": 200, "body": "x", "isBase64Encoded": True},  # not base64
    {"statusCode": 200, "headers": {"X-Number": 1}, "body": ""},
    {"body": "no status"},
], ids=["status-string", "body-object", "bad-base64", "header-int", "no-status"])
def test_an_invalid_response_dict_gets_502(servers: Servers, response: dict[str, Any]) -> None:
    live = servers.app(RawHandlerApp(response), "rest")
    answer = live.request("GET", "/invalid")
    assert answer.status == 502
    assert answer.json() == {"message": "Internal server error"}
    assert live.request("GET", "/ok").body == b"ok"


# -- concurrency -------------------------------------------------------------------------

def test_a_slow_view_does_not_block_other_requests(live: LiveServer, demo: Demo) -> None:
    slow_done: list[float] = []

    def slow_request() -> None:
        answer = live.request("GET", "/slow")
        assert answer.status == 200
        slow_done.append(time.perf_counter())

    thread = threading.Thread(target=slow_request, daemon=True)
    thread.start()
    assert demo.slow_started.wait(SOCKET_TIMEOUT)
    answer = live.request("GET", "/hello/fast")
    fast_done = time.perf_counter()
    assert answer.body == b'{"name":"fast"}'
    assert not demo.slow_finished.is_set()  # answered while the slow view still ran
    thread.join(SOCKET_TIMEOUT)
    assert slow_done
    assert fast_done < slow_done[0]


# -- response header injection ---------------------------------------------------------------

def test_a_view_header_with_a_line_break_is_a_500_not_a_split_response(
        live: LiveServer) -> None:
    response, _ = exchange(live, get("/crlf-header", extra="Connection: close\r\n"))
    assert response.status == 500
    assert response.get("Injected") is None
    assert b"Injected" not in response.head


def test_a_handler_header_with_a_line_break_does_not_split_the_response(
        servers: Servers) -> None:
    live = servers.app(RawHandlerApp({
        "statusCode": 200, "headers": {"X-Split": "a\r\nInjected: yes\r\n\r\nfake body"},
        "body": "real"}), "rest")
    response, _ = exchange(live, get("/split", extra="Connection: close\r\n"))
    assert response.get("Injected") is None
    assert b"Injected" not in response.head
    assert response.status in (500, 502)


# -- access log ------------------------------------------------------------------------------

ACCESS_LINE = re.compile(
    r'^127\.0\.0\.1 - - \[[^\]]+\] "(?P<request>[^"]*)" (?P<status>\d{3}) (?P<size>\d+) '
    r'(?P<ms>\d+\.\d)ms$')


def test_access_log_has_one_line_per_request(live: LiveServer) -> None:
    conn = live.connection()
    try:
        for path in ("/hello/log", "/missing", "/boom"):
            conn.request("GET", path)
            conn.getresponse().read()
        conn.request("POST", "/echo", body=b"12345", headers={"Content-Type": "text/plain"})
        conn.getresponse().read()
    finally:
        conn.close()
    live.access_lines(4)  # logged just after each answer: wait, to keep the order
    exchange(live, b"BROKEN\r\n\r\n")
    lines = live.access_lines(5)
    assert len(lines) == 5, lines
    parsed = []
    for line in lines:
        match = ACCESS_LINE.match(line)
        assert match is not None, line
        parsed.append((match["request"], int(match["status"]), int(match["size"])))
    assert parsed[0] == ("GET /hello/log HTTP/1.1", 200, len(b'{"name":"log"}'))
    assert parsed[1][:2] == ("GET /missing HTTP/1.1", 404)
    assert parsed[2][:2] == ("GET /boom HTTP/1.1", 500)
    assert parsed[3] == ("POST /echo HTTP/1.1", 200, 5)
    assert parsed[4][:2] == ("-", 400)
    assert all(size > 0 for _, _, size in parsed)


# -- stopping --------------------------------------------------------------------------------

def test_stop_waits_for_a_request_in_progress(live: LiveServer, demo: Demo) -> None:
    demo.slow_seconds = 0.3
    with live.raw() as sock:
        sock.sendall(get("/slow"))
        assert demo.slow_started.wait(SOCKET_TIMEOUT)
        assert live.server is not None
        started = time.perf_counter()
        assert live.server.stop(timeout=SOCKET_TIMEOUT) is True
        assert demo.slow_finished.is_set()  # the view ran to its end before stop returned
        assert time.perf_counter() - started >= 0.1
        assert live.thread is not None
        live.thread.join(SOCKET_TIMEOUT)  # serve_forever has returned
        assert not live.thread.is_alive()


def test_stop_returns_promptly_with_idle_keep_alive_connections(live: LiveServer) -> None:
    with live.raw() as sock:
        sock.sendall(get("/"))
        reader = RawReader(sock)
        assert reader.read_response().status == 200
        assert live.server is not None
        started = time.perf_counter()
        assert live.server.stop(timeout=SOCKET_TIMEOUT) is True
        assert time.perf_counter() - started < 2.0
        assert reader.at_eof()  # the idle connection is closed, not left for 60 s


def test_stop_reports_a_request_still_running_after_the_timeout(
        live: LiveServer, demo: Demo) -> None:
    demo.slow_seconds = 0.5
    with live.raw() as sock:
        sock.sendall(get("/slow"))
        assert demo.slow_started.wait(SOCKET_TIMEOUT)
        assert live.server is not None
        assert live.server.stop(timeout=0.05) is False
        demo.slow_finished.wait(SOCKET_TIMEOUT)


def test_stop_lets_the_response_in_progress_reach_the_client(
        servers: Servers, demo: Demo) -> None:
    live = servers.app(demo.app, "rest")
    # Small socket buffers (accepted sockets inherit the listener's), so a 2 MB response
    # cannot sit whole in the kernel while the client has not read it yet.
    live.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 32 * 1024)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32 * 1024)
        sock.settimeout(SOCKET_TIMEOUT)
        sock.connect((HOST, live.port))
        sock.sendall(get("/slow-big"))
        assert demo.slow_started.wait(SOCKET_TIMEOUT)
        assert live.server is not None
        received: list[RawResponse] = []
        reader = threading.Thread(target=lambda: received.append(
            RawReader(sock).read_response()))
        reader.start()  # the client reads while stop() waits for the response to be sent
        assert live.server.stop(timeout=SOCKET_TIMEOUT) is True
        reader.join(SOCKET_TIMEOUT)
        assert received, "the response did not arrive whole"
        response = received[0]
    assert response.status == 200
    assert len(response.body) == demo.big_size


# -- request targets -------------------------------------------------------------------------

def test_absolute_form_target_is_served_by_its_path(live: LiveServer) -> None:
    response = ask(live, b"GET http://example.com/hello/abs HTTP/1.1\r\nHost: x\r\n\r\n")
    assert response.body == b'{"name":"abs"}'


def test_raw_utf8_request_target_is_served(live: LiveServer) -> None:
    """curl sends a non-ASCII path as typed (raw UTF-8); it is served as if
    percent-encoded, not dropped."""
    with live.raw() as sock:
        sock.sendall("GET /hello/café HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        response = RawReader(sock).read_response()
    assert response.status == 200
    assert json.loads(response.body) == {"name": "café"}
    assert live.errors == []


def test_percent_encoded_utf8_target(live: LiveServer) -> None:
    answer = live.request("GET", "/hello/caf%C3%A9")
    assert answer.status == 200
    assert answer.json() == {"name": "café"}


def test_many_connections_in_a_row(live: LiveServer) -> None:
    """Connections opened and closed in a row, some without a request, leave the server fine."""
    for _ in range(20):
        with socket.create_connection((HOST, live.port), timeout=SOCKET_TIMEOUT):
            pass
    conns = [live.connection() for _ in range(10)]
    try:
        for n, conn in enumerate(conns):
            conn.request("GET", "/hello/%d" % n)
        for n, conn in enumerate(conns):
            assert conn.getresponse().read() == b'{"name":"%d"}' % n
    finally:
        for conn in conns:
            conn.close()
    assert live.errors == []



@pytest.mark.parametrize(("event_format", "status", "message"), [
    ("rest", 502, "Internal server error"),
    ("http-api", 500, "Internal Server Error"),
    ("function-url", 502, "Internal Server Error"),
    ("alb", 502, "Internal server error"),
])
def test_an_invalid_response_gets_what_the_service_answers_when_the_function_fails(
        servers: Servers, event_format: str, status: int, message: str) -> None:
    live = servers.app(RawHandlerApp({"statusCode": "200", "body": "x"}), event_format)
    answer = live.request("GET", "/invalid")
    assert answer.status == status
    assert answer.json() == {"message": message}


@pytest.mark.parametrize(("event_format", "max_body", "service"), [
    ("rest", 10 * 1024 * 1024, "API Gateway"),
    ("http-api", 10 * 1024 * 1024, "API Gateway"),
    ("function-url", 6 * 1024 * 1024, "Lambda Function URLs"),
    ("alb", 1024 * 1024, "ALB Lambda targets"),
])
def test_each_event_format_has_its_services_body_limit(event_format: str, max_body: int,
                                                        service: str) -> None:
    from myframework.local.runner import LocalOptions, _server, bind

    sock = bind(HOST, 0)
    server = _server(sock, lambda request: None,  # type: ignore[arg-type,return-value]
                     LocalOptions(event_format=event_format))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        with socket.create_connection((HOST, sock.getsockname()[1]), timeout=5) as client:
            client.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n"
                           % (max_body + 1))
            response = RawReader(client).read_response()
        assert response.status == 413
        assert service in response.body.decode()
        assert server.max_body == max_body
    finally:
        server.stop(timeout=1.0)
        thread.join(2.0)
        sock.close()
