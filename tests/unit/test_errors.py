"""Errors raised from views, unhandled exceptions, and request media types."""
from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

import myframework
from myframework import (
    ALL_ERRORS,
    App,
    BadRequestError,
    ChaliceError,
    ChaliceUnhandledError,
    ChaliceViewError,
    ConflictError,
    ForbiddenError,
    InternalServerError,
    MethodNotAllowedError,
    NotFoundError,
    RequestEntityTooLargeError,
    RequestTimeoutError,
    TooManyRequestsError,
    UnauthorizedError,
    UnprocessableEntityError,
    UnsupportedMediaType,
)
from myframework.testing import EVENT_FORMATS, Client, make_event

FORMATS = list(EVENT_FORMATS)
SECRET = "s3cr3t-detail-do-not-leak"

ERRORS: list[tuple[type[ChaliceViewError], int]] = [
    (BadRequestError, 400),
    (UnauthorizedError, 401),
    (ForbiddenError, 403),
    (NotFoundError, 404),
    (MethodNotAllowedError, 405),
    (RequestTimeoutError, 408),
    (ConflictError, 409),
    (RequestEntityTooLargeError, 413),
    (UnsupportedMediaType, 415),
    (UnprocessableEntityError, 422),
    (TooManyRequestsError, 429),
    (ChaliceViewError, 500),
    (InternalServerError, 500),
]


class ListHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def text(self) -> str:
        formatter = logging.Formatter("%(levelname)s %(message)s")
        return "\n".join(formatter.format(r) for r in self.records)


@contextmanager
def _capture(app: App) -> Iterator[ListHandler]:
    handler = ListHandler()
    app.log.addHandler(handler)
    try:
        yield handler
    finally:
        app.log.removeHandler(handler)


@pytest.fixture(params=FORMATS)
def fmt(request: pytest.FixtureRequest) -> str:
    value: str = request.param
    return value


@pytest.fixture
def app() -> App:
    return App("errors-app")


@pytest.fixture
def logs(app: App) -> Iterator[ListHandler]:
    with _capture(app) as handler:
        yield handler


def _raising(app: App, exc: BaseException, path: str = "/") -> None:
    @app.route(path, methods=["GET", "POST", "HEAD"])
    def view() -> None:
        raise exc


# -- the error classes -----------------------------------------------------------------------


def test_error_list_is_complete() -> None:
    assert {cls for cls, _ in ERRORS} == set(ALL_ERRORS)
    for cls, status in ERRORS:
        assert status == cls.STATUS_CODE
        assert issubclass(cls, ChaliceViewError)
        assert issubclass(cls, ChaliceError)
        assert getattr(myframework, cls.__name__) is cls


@pytest.mark.parametrize(("cls", "status"), ERRORS, ids=[c.__name__ for c, _ in ERRORS])
def test_view_error_status_and_body(app: App, logs: ListHandler, fmt: str,
                                    cls: type[ChaliceViewError], status: int) -> None:
    _raising(app, cls("something about pet 42"))
    response = Client(app, event_format=fmt).http.get("/")
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert response.json_body == {"Code": cls.__name__, "Message": "something about pet 42"}


@pytest.mark.parametrize(("cls", "status"), ERRORS, ids=[c.__name__ for c, _ in ERRORS])
def test_view_error_head_has_status_and_no_body(app: App, logs: ListHandler,
                                                cls: type[ChaliceViewError],
                                                status: int) -> None:
    _raising(app, cls("nope"))
    response = Client(app).http.head("/")
    assert response.status_code == status
    assert response.body == b""


def test_view_error_message_with_unicode(app: App) -> None:
    _raising(app, NotFoundError("pet «ñ» not found"))
    response = Client(app).http.get("/")
    assert response.status_code == 404
    assert response.json_body["Message"] == "pet «ñ» not found"


def test_view_error_without_message(app: App) -> None:
    _raising(app, ForbiddenError())
    response = Client(app).http.get("/")
    assert response.status_code == 403
    assert response.json_body == {"Code": "ForbiddenError", "Message": ""}


def test_client_errors_are_not_logged_as_errors(app: App, logs: ListHandler) -> None:
    _raising(app, NotFoundError("missing"))
    assert Client(app).http.get("/").status_code == 404
    assert not [r for r in logs.records if r.levelno >= logging.ERROR]


def test_server_view_errors_are_logged(app: App, logs: ListHandler) -> None:
    _raising(app, ChaliceViewError("backend down"))
    assert Client(app).http.get("/").status_code == 500
    assert [r for r in logs.records if r.levelno >= logging.ERROR]


class TeapotError(ChaliceViewError):
    STATUS_CODE = 418


class PaymentRequired(BadRequestError):
    STATUS_CODE = 402


class SubclassKeepsStatus(ConflictError):
    pass


@pytest.mark.parametrize(("exc", "status"), [
    (TeapotError("short and stout"), 418),
    (PaymentRequired("pay up"), 402),
    (SubclassKeepsStatus("again"), 409),
])
def test_user_subclass(app: App, fmt: str, exc: ChaliceViewError, status: int) -> None:
    _raising(app, exc)
    response = Client(app, event_format=fmt).http.get("/")
    assert response.status_code == status
    assert response.json_body == {"Code": type(exc).__name__, "Message": str(exc)}


@pytest.mark.parametrize("status", [200, 302, 99, 600, "404", None])
def test_user_subclass_with_unusable_status_is_500(app: App, logs: ListHandler,
                                                   status: Any) -> None:
    cls = type("OddError", (ChaliceViewError,), {"STATUS_CODE": status})
    _raising(app, cls("odd"))
    response = Client(app).http.get("/")
    assert response.status_code == 500
    assert response.json_body["Code"] in ("OddError", "InternalServerError")


# -- uncaught exceptions -------------------------------------------------------------------------


INTERNAL = {"Code": "InternalServerError", "Message": "An internal server error occurred."}


@pytest.mark.parametrize("exc", [ValueError(SECRET), KeyError(SECRET), RuntimeError(SECRET),
                                 ZeroDivisionError(SECRET), ChaliceUnhandledError(SECRET),
                                 ChaliceError(SECRET)],
                         ids=lambda e: type(e).__name__)
def test_uncaught_exception_is_500_without_traceback(app: App, logs: ListHandler, fmt: str,
                                                     exc: Exception) -> None:
    _raising(app, exc)
    response = Client(app, event_format=fmt).http.get("/")
    assert response.status_code == 500
    assert response.json_body == INTERNAL
    assert response.headers["content-type"] == "application/json"
    everything = json.dumps(response.raw)
    assert "Traceback" not in everything
    assert SECRET not in everything
    assert "File " not in everything
    assert type(exc).__name__ not in everything


def test_uncaught_exception_is_logged_with_traceback(app: App, logs: ListHandler) -> None:
    _raising(app, ValueError(SECRET))
    Client(app).http.get("/")
    errors = [r for r in logs.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert errors[0].exc_info is not None
    text = logs.text()
    assert "Traceback" in text
    assert "ValueError" in text
    assert SECRET in text


def test_uncaught_exception_reaches_caplog(caplog: pytest.LogCaptureFixture) -> None:
    app = App("errors-caplog-app")
    _raising(app, ValueError(SECRET))
    # The app's logger may not propagate (it installs its own handler when the
    # root logger has none), so hand caplog's handler to it directly.
    app.log.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.ERROR, logger=app.log.name):
            response = Client(app).http.get("/")
    finally:
        app.log.removeHandler(caplog.handler)
    assert response.status_code == 500
    assert "Traceback" in caplog.text
    assert SECRET in caplog.text


def test_raw_event_uncaught_exception(app: App, logs: ListHandler) -> None:
    _raising(app, ValueError(SECRET))
    raw = app(make_event("POST", "/", body="{}", headers={"Content-Type": "application/json"}),
              None)
    assert raw["statusCode"] == 500
    assert json.loads(raw["body"]) == INTERNAL


def test_debug_includes_traceback(fmt: str) -> None:
    app = App("errors-debug-app", debug=True)
    _raising(app, ValueError(SECRET))
    with _capture(app):
        response = Client(app, event_format=fmt).http.get("/")
    assert response.status_code == 500
    body = response.json_body
    assert body["Code"] == "InternalServerError"
    assert "Traceback" in body
    assert "ValueError" in body["Traceback"]
    assert SECRET in body["Traceback"]


def test_debug_can_be_switched_on_later(app: App, logs: ListHandler) -> None:
    _raising(app, ValueError(SECRET))
    client = Client(app)
    assert "Traceback" not in client.http.get("/").json_body
    app.debug = True
    assert "Traceback" in client.http.get("/").json_body
    app.debug = False
    assert "Traceback" not in client.http.get("/").json_body


def test_view_errors_still_work_after_an_uncaught_one(app: App, logs: ListHandler) -> None:
    calls: list[int] = []

    @app.route("/flaky")
    def flaky() -> dict[str, bool]:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("first call fails")
        return {"ok": True}

    client = Client(app)
    assert client.http.get("/flaky").status_code == 500
    response = client.http.get("/flaky")
    assert response.status_code == 200
    assert response.json_body == {"ok": True}


# -- request media types ----------------------------------------------------------------------


@pytest.fixture
def media_app() -> App:
    app = App("media-app")

    @app.route("/json", methods=["GET", "POST", "PUT"])
    def json_only() -> dict[str, str]:
        return {"ok": "json"}

    @app.route("/text", methods=["POST"], content_types=["text/plain", "text/csv"])
    def text_only() -> dict[str, str]:
        return {"ok": "text"}

    @app.route("/any", methods=["POST"], content_types=["*/*"])
    def anything() -> dict[str, int]:
        return {"size": len(app.current_request.raw_body)}

    return app


@pytest.mark.parametrize(("path", "ctype"), [
    ("/json", "text/plain"),
    ("/json", "application/xml"),
    ("/json", "application/x-www-form-urlencoded"),
    ("/json", "application/octet-stream"),
    ("/text", "application/json"),
    ("/text", "text/html"),
])
def test_unsupported_media_type_is_415(media_app: App, fmt: str, path: str,
                                       ctype: str) -> None:
    body: str | bytes = b"\x00\x01" if ctype == "application/octet-stream" else "payload"
    response = Client(media_app, event_format=fmt).http.post(
        path, body=body, headers={"Content-Type": ctype})
    assert response.status_code == 415
    data = response.json_body
    assert data["Code"] == "UnsupportedMediaType"
    assert isinstance(data["Message"], str)


@pytest.mark.parametrize(("path", "ctype", "expected"), [
    ("/json", "application/json", "json"),
    ("/json", "application/json; charset=utf-8", "json"),
    ("/json", "Application/JSON", "json"),
    ("/text", "text/plain", "text"),
    ("/text", "text/csv; header=present", "text"),
    ("/text", "TEXT/PLAIN", "text"),
])
def test_supported_media_type(media_app: App, fmt: str, path: str, ctype: str,
                              expected: str) -> None:
    response = Client(media_app, event_format=fmt).http.post(
        path, body='{"a": 1}', headers={"Content-Type": ctype})
    assert response.status_code == 200
    assert response.json_body == {"ok": expected}


def test_body_without_content_type_counts_as_json(media_app: App) -> None:
    client = Client(media_app)
    assert client.http.post("/json", body='{"a": 1}').status_code == 200
    assert client.http.post("/text", body="hello").status_code == 415


@pytest.mark.parametrize("ctype", ["text/html", "image/png", "application/json",
                                   "application/x-anything", "multipart/form-data; boundary=x"])
def test_wildcard_content_types_accept_anything(media_app: App, fmt: str, ctype: str) -> None:
    response = Client(media_app, event_format=fmt).http.post(
        "/any", body=b"12345", headers={"Content-Type": ctype})
    assert response.status_code == 200
    assert response.json_body == {"size": 5}


def test_get_without_body_is_not_checked(media_app: App, fmt: str) -> None:
    response = Client(media_app, event_format=fmt).http.get(
        "/json", headers={"Content-Type": "text/html"})
    assert response.status_code == 200
    assert response.json_body == {"ok": "json"}


def test_post_without_body_is_not_checked(media_app: App, fmt: str) -> None:
    response = Client(media_app, event_format=fmt).http.post(
        "/text", headers={"Content-Type": "application/json"})
    assert response.status_code == 200
    assert response.json_body == {"ok": "text"}


def test_415_does_not_run_the_view() -> None:
    app = App("media-no-run")
    calls: list[str] = []

    @app.route("/", methods=["POST"])
    def view() -> None:
        calls.append("ran")

    response = Client(app).http.post("/", body="x", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415
    assert calls == []
