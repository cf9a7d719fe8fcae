"""``Response`` and how bodies, headers and status codes reach the client."""
from __future__ import annotations

import base64
import datetime
import decimal
import gzip
import json
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from myframework import App, Response
from myframework.testing import EVENT_FORMATS, Client, make_event

FORMATS = list(EVENT_FORMATS)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe\x00"


class ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def text(self) -> str:
        formatter = logging.Formatter("%(levelname)s %(message)s")
        return "\n".join(formatter.format(r) for r in self.records)


def _app_returning(value: Any, name: str = "response-app", **options: Any) -> App:
    app = App(name)

    @app.route("/", methods=["GET", "HEAD", "POST"], **options)
    def view() -> Any:
        return value

    return app


@pytest.fixture(params=FORMATS)
def fmt(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


@pytest.fixture
def log_capture() -> Iterator[tuple[App, ListHandler]]:
    """An app whose logger records into a list (whatever the root logger does)."""
    app = App("response-log-app")
    handler = ListHandler()
    app.log.addHandler(handler)
    try:
        yield app, handler
    finally:
        app.log.removeHandler(handler)


def _get(app: App, fmt: str = "rest", **kwargs: Any) -> Any:
    return Client(app, event_format=fmt).http.get("/", **kwargs)


# -- JSON bodies ------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [{"a": 1, "b": [1, 2, {"c": None}]}, [1, "two", 3.5], {},
                                  [], {"unicode": "héllo ✓"}])
def test_json_body_compact(fmt: str, body: Any) -> None:
    response = _get(_app_returning(Response(body)), fmt)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json_body == body
    assert response.body == json.dumps(body, separators=(",", ":"),
                                       ensure_ascii=False).encode("utf-8")


def test_plain_dict_return_is_json(fmt: str) -> None:
    response = _get(_app_returning({"x": 1}), fmt)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.body == b'{"x":1}'


def test_default_status_and_headers() -> None:
    response = Response({"a": 1})
    assert response.status_code == 200
    assert response.headers == {}
    assert response.body == {"a": 1}


def test_custom_status_and_header(fmt: str) -> None:
    app = _app_returning(Response({"created": True}, headers={"Location": "/pets/1"},
                                  status_code=201))
    response = _get(app, fmt)
    assert response.status_code == 201
    assert response.headers["location"] == "/pets/1"
    assert response.headers["content-type"] == "application/json"
    assert response.json_body == {"created": True}


def test_explicit_content_type_kept(fmt: str) -> None:
    app = _app_returning(Response({"a": 1}, headers={"content-type": "application/problem+json"}))
    response = _get(app, fmt)
    assert response.headers.getlist("content-type") == ["application/problem+json"]
    assert response.json_body == {"a": 1}


@pytest.mark.parametrize(("value", "expected"), [
    (decimal.Decimal("3"), 3),
    (decimal.Decimal("3.0"), 3),
    (decimal.Decimal("1E+2"), 100),
    (decimal.Decimal("-7"), -7),
    (decimal.Decimal("2.5"), 2.5),
    (decimal.Decimal("0.1"), 0.1),
    (datetime.datetime(2024, 5, 6, 7, 8, 9), "2024-05-06T07:08:09"),
    (datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.timezone.utc),
     "2024-05-06T07:08:09+00:00"),
    (datetime.date(2024, 5, 6), "2024-05-06"),
    (uuid.UUID("12345678-1234-5678-1234-567812345678"), "12345678-1234-5678-1234-567812345678"),
])
def test_special_values_serialised(value: Any, expected: Any) -> None:
    response = _get(_app_returning({"v": value, "in_list": [value]}))
    assert response.status_code == 200
    body = response.json_body
    assert body == {"v": expected, "in_list": [expected]}
    assert type(body["v"]) is type(expected)


def test_decimal_integral_is_an_int_in_the_text() -> None:
    response = _get(_app_returning({"n": decimal.Decimal("10.00")}))
    assert response.body == b'{"n":10}'


@pytest.mark.parametrize("value", [decimal.Decimal("NaN"), decimal.Decimal("Infinity"),
                                   float("nan"), float("-inf")])
def test_no_invalid_json_for_non_finite_numbers(value: Any) -> None:
    # NaN/Infinity are not JSON: a client's JSON.parse would choke on a 200 carrying them.
    response = _get(_app_returning({"n": value}))

    def reject(constant: str) -> Any:
        raise ValueError("non-standard JSON constant %s" % constant)

    if response.status_code == 200:
        json.loads(response.body, parse_constant=reject)
    else:
        assert response.status_code == 500


class NotSerialisable:
    pass


@pytest.mark.parametrize("body", [{"obj": NotSerialisable()}, [object()], {1j: "complex"},
                                  {"c": 1j}])
def test_non_serialisable_body_is_logged_500(log_capture: tuple[App, ListHandler],
                                             fmt: str, body: Any) -> None:
    app, handler = log_capture

    @app.route("/")
    def view() -> Any:
        return Response(body)

    response = _get(app, fmt)
    assert response.status_code == 500
    assert response.json_body == {"Code": "InternalServerError",
                                  "Message": "An internal server error occurred."}
    text = json.dumps(response.raw)
    assert "Traceback" not in text
    assert "NotSerialisable" not in text
    assert any(r.levelno >= logging.ERROR and r.exc_info for r in handler.records)


# -- text and bytes ---------------------------------------------------------------------------


def test_str_body_is_text(fmt: str) -> None:
    response = _get(_app_returning(Response("héllo wörld")), fmt)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.body == "héllo wörld".encode()
    assert response.raw["isBase64Encoded"] is False
    assert response.raw["body"] == "héllo wörld"


def test_plain_str_return_is_text(fmt: str) -> None:
    response = _get(_app_returning("just text"), fmt)
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.body == b"just text"


def test_str_body_with_html_content_type(fmt: str) -> None:
    response = _get(_app_returning(Response("<p>hi</p>", headers={"Content-Type": "text/html"})),
                    fmt)
    assert response.headers.getlist("content-type") == ["text/html"]
    assert response.body == b"<p>hi</p>"


@pytest.mark.parametrize("ctype", ["image/png", "application/octet-stream", "application/pdf"])
def test_bytes_with_binary_type_are_base64(fmt: str, ctype: str) -> None:
    app = _app_returning(Response(PNG, headers={"Content-Type": ctype}))
    response = _get(app, fmt)
    assert response.status_code == 200
    assert response.raw["isBase64Encoded"] is True
    assert base64.b64decode(response.raw["body"]) == PNG
    assert response.body == PNG
    assert response.headers["content-type"] == ctype


def test_bytes_without_content_type_are_binary(fmt: str) -> None:
    response = _get(_app_returning(Response(PNG)), fmt)
    assert response.raw["isBase64Encoded"] is True
    assert response.body == PNG
    assert response.headers["content-type"] == "application/octet-stream"


@pytest.mark.parametrize("ctype", ["text/plain", "text/csv; charset=utf-8", "application/json"])
def test_bytes_with_text_type_stay_text(fmt: str, ctype: str) -> None:
    payload = '{"a": "é"}'.encode()
    response = _get(_app_returning(Response(payload, headers={"Content-Type": ctype})), fmt)
    assert response.raw["isBase64Encoded"] is False
    assert response.raw["body"] == '{"a": "é"}'
    assert response.body == payload


def test_custom_binary_type() -> None:
    app = _app_returning(Response("a,b\n1,2\n", headers={"Content-Type": "application/x-mine"}))
    app.api.binary_types.append("application/x-mine")
    response = _get(app)
    assert response.raw["isBase64Encoded"] is True
    assert response.body == b"a,b\n1,2\n"


# -- headers ------------------------------------------------------------------------------------


def test_list_header_becomes_multi_value(fmt: str) -> None:
    app = _app_returning(Response("ok", headers={"X-Multi": ["a", "b"], "X-One": "1"}))
    response = _get(app, fmt)
    assert response.status_code == 200
    assert response.headers["x-one"] == "1"
    values = response.headers.getlist("x-multi")
    # payload 2.0 and single-value ALB cannot repeat a header: they join with commas
    assert [v.strip() for v in ",".join(values).split(",")] == ["a", "b"]


def test_list_header_in_rest_multi_value_headers() -> None:
    app = _app_returning(Response("ok", headers={"X-Multi": ["a", "b"]}))
    response = _get(app, "rest")
    assert response.raw["multiValueHeaders"]["X-Multi"] == ["a", "b"]
    assert "X-Multi" not in response.raw["headers"]
    assert response.headers.getlist("x-multi") == ["a", "b"]


@pytest.mark.parametrize("cookies", [["a=1; Path=/", "b=2; HttpOnly", "c=3; Secure"],
                                     ["only=1"]])
def test_each_set_cookie_reaches_client_once(fmt: str, cookies: list[str]) -> None:
    app = _app_returning(Response({"ok": True}, headers={"Set-Cookie": cookies}))
    response = _get(app, fmt)
    assert response.status_code == 200
    assert sorted(response.cookies) == sorted(cookies)


def test_single_set_cookie_string(fmt: str) -> None:
    app = _app_returning(Response("ok", headers={"Set-Cookie": "session=xyz; HttpOnly"}))
    response = _get(app, fmt)
    assert response.cookies == ["session=xyz; HttpOnly"]


@pytest.mark.parametrize("headers", [
    {"X-Bad": "value\r\nSet-Cookie: evil=1"},
    {"X-Bad": "value\nX-Evil: 1"},
    {"X-Bad": "value\r"},
    {"X-Bad": ["fine", "bad\nvalue"]},
    {"Set-Cookie": ["a=1", "b=2\r\nX-Evil: 1"]},
    {"X-Bad\r\nX-Evil": "1"},
    {"X-Bad: x": "1"},
    {"X-Number": 5},
    {"X-None": None},
])
def test_bad_header_is_500(log_capture: tuple[App, ListHandler], fmt: str,
                           headers: dict[str, Any]) -> None:
    app, handler = log_capture

    @app.route("/")
    def view() -> Response:
        return Response("ok", headers=headers)

    response = _get(app, fmt)
    assert response.status_code == 500
    assert response.json_body["Code"] == "InternalServerError"
    assert "evil" not in json.dumps(response.raw).lower()
    assert handler.records


@pytest.mark.parametrize("status", [99, 600, 0, -1, "200", 200.0, None, True])
def test_invalid_status_code_is_500(log_capture: tuple[App, ListHandler], fmt: str,
                                    status: Any) -> None:
    app, handler = log_capture

    @app.route("/")
    def view() -> Response:
        return Response({"a": 1}, status_code=status)

    response = _get(app, fmt)
    assert response.status_code == 500
    assert response.json_body["Code"] == "InternalServerError"
    assert handler.records


@pytest.mark.parametrize("status", [100, 201, 202, 301, 404, 418, 599])
def test_valid_status_codes_pass_through(fmt: str, status: int) -> None:
    response = _get(_app_returning(Response({"s": status}, status_code=status)), fmt)
    assert response.status_code == status


@pytest.mark.parametrize("body", [None, "", {"ignored": True}, "ignored text", b"ignored"])
def test_204_has_empty_body(fmt: str, body: Any) -> None:
    response = _get(_app_returning(Response(body, status_code=204)), fmt)
    assert response.status_code == 204
    assert response.body == b""
    assert response.raw["body"] in ("", None)


def test_none_body_is_empty(fmt: str) -> None:
    response = _get(_app_returning(None), fmt)
    assert response.status_code == 200
    assert response.body == b""


def test_tuple_body_is_a_json_array() -> None:
    response = _get(_app_returning(Response((1, 2))))
    assert response.json_body == [1, 2]


# -- compression -------------------------------------------------------------------------------


BIG = {"items": [{"id": i, "name": "item number %d" % i} for i in range(60)]}


def _compress_app(body: Any = BIG) -> App:
    return _app_returning(body, name="compress-app", compress=True)


def test_big_body_is_at_least_500_bytes() -> None:
    assert len(json.dumps(BIG, separators=(",", ":"))) >= 500


@pytest.mark.parametrize("accept", ["gzip", "gzip, deflate, br", "deflate, gzip;q=0.5", "*",
                                    "GZIP", "br;q=1.0, gzip;q=0.8", "identity, gzip"])
def test_compress_when_client_accepts_gzip(fmt: str, accept: str) -> None:
    response = _get(_compress_app(), fmt, headers={"Accept-Encoding": accept})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    vary = [v.strip().lower() for v in response.headers["vary"].split(",")]
    assert "accept-encoding" in vary
    assert response.raw["isBase64Encoded"] is True
    assert json.loads(gzip.decompress(response.body)) == BIG
    assert response.headers["content-type"] == "application/json"


@pytest.mark.parametrize("accept", [None, "", "identity", "deflate, br", "gzip;q=0",
                                    "gzip;q=0.0", "gzip; q=0", "deflate, gzip;q=0",
                                    "gzip;q=0, *"])
def test_no_compression_unless_gzip_accepted(fmt: str, accept: str | None) -> None:
    headers = {"Accept-Encoding": accept} if accept is not None else {}
    response = _get(_compress_app(), fmt, headers=headers)
    assert response.status_code == 200
    assert "content-encoding" not in response.headers
    assert response.json_body == BIG


def test_explicit_gzip_wins_over_refused_wildcard() -> None:
    # RFC 9110 12.5.3: "*" only covers codings not listed; gzip is listed (q=1).
    response = _get(_compress_app(), headers={"Accept-Encoding": "*;q=0, gzip"})
    assert response.headers.get("content-encoding") == "gzip"
    assert json.loads(gzip.decompress(response.body)) == BIG


def test_no_compression_for_small_body(fmt: str) -> None:
    response = _get(_compress_app({"small": True}), fmt, headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in response.headers
    assert response.json_body == {"small": True}


def test_no_compression_without_compress_option(fmt: str) -> None:
    response = _get(_app_returning(BIG), fmt, headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in response.headers
    assert response.json_body == BIG


def test_compress_text_body() -> None:
    text = "line of text\n" * 100
    response = _get(_compress_app(text), headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert gzip.decompress(response.body).decode("utf-8") == text


def test_compress_keeps_existing_vary() -> None:
    app = _compress_app(Response(BIG, headers={"Vary": "Origin"}))
    response = _get(app, headers={"Accept-Encoding": "gzip"})
    vary = {v.strip().lower() for v in response.headers["vary"].split(",")}
    assert vary == {"origin", "accept-encoding"}


def test_compress_head_has_no_body() -> None:
    response = Client(_compress_app()).http.head("/", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.body == b""


def test_compressed_raw_event() -> None:
    app = _compress_app()
    event = make_event("GET", "/", headers={"Accept-Encoding": "gzip"})
    raw = app(event, None)
    assert raw["isBase64Encoded"] is True
    assert json.loads(gzip.decompress(base64.b64decode(raw["body"]))) == BIG
