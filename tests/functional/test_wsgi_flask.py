"""A real Flask app mounted with ``app.mount_wsgi()``, driven through every event format.

The Flask site is tests/apps/flask_site.py. What a user relies on: Flask's
views, redirects, ``url_for`` (with the API stage in the URL exactly when the
URL has one), cookies, sessions, uploads, binary downloads and error pages work
as they do behind an ordinary WSGI server.
"""
from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from flask import Flask

import myframework
from myframework.testing import EVENT_FORMATS, Client, HTTPResponse
from tests.apps import (
    ALB_HOST,
    CUSTOM_HOST,
    EXECUTE_API_HOST,
    cookie_header,
    cookie_pairs,
    custom_domain_request,
    format_headers,
    multipart,
    path_root,
    url_root,
)
from tests.apps.flask_site import FILE_BYTES, GZIP_TEXT, PNG_BYTES, create_app

UPLOAD_BYTES = bytes(range(256)) * 64 + b"\r\n--not-a-boundary\r\n\x00"


class Browser:
    """The test client for one event format, sending the headers that format always has."""

    def __init__(self, app: myframework.App, fmt: str) -> None:
        self.fmt = fmt
        self.client = Client(app, event_format=fmt)

    def request(self, method: str, target: str, headers: dict[str, str] | None = None,
                body: bytes | str | None = None) -> HTTPResponse:
        send = format_headers(self.fmt)
        send.update(headers or {})
        return self.client.http.request(method, target, headers=send, body=body)

    def get(self, target: str, headers: dict[str, str] | None = None) -> HTTPResponse:
        return self.request("GET", target, headers)


def mounted(flask_app: Flask | None = None, **options: Any) -> myframework.App:
    app = myframework.App("site")
    app.mount_wsgi(flask_app if flask_app is not None else create_app(), **options)
    return app


@pytest.fixture(scope="module")
def site() -> myframework.App:
    return mounted()


@pytest.fixture(params=EVENT_FORMATS)
def fmt(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def browser(site: myframework.App, fmt: str) -> Iterator[Browser]:
    b = Browser(site, fmt)
    yield b
    b.client.close()


# -- views ---------------------------------------------------------------------------------

def test_json_view(browser: Browser) -> None:
    response = browser.get("/json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json_body == {"framework": "flask", "items": [1, 2, 3], "text": "caf\u00e9"}
    assert response.raw["isBase64Encoded"] is False  # JSON travels as text


def test_html_view(browser: Browser) -> None:
    response = browser.get("/html?who=Zo%C3%AB")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "<h1>Flask page</h1>" in response.text
    assert "Hello, Zo\u00eb!" in response.text
    assert response.raw["isBase64Encoded"] is False


def test_head_drops_the_body_and_keeps_the_headers(browser: Browser) -> None:
    response = browser.request("HEAD", "/head-me")
    assert response.status_code == 200
    assert response.body == b""
    assert response.raw["body"] == ""
    assert response.headers["x-head-me"] == "yes"
    assert response.headers["content-type"] == "text/plain; charset=utf-8"


# -- redirects and generated URLs ------------------------------------------------------------

def test_redirect_location_carries_the_stage_once(browser: Browser) -> None:
    response = browser.get("/redirect")
    assert response.status_code == 302
    assert response.headers["location"] == path_root(browser.fmt) + "/json"


def test_following_the_redirect_reaches_the_target(browser: Browser) -> None:
    location = browser.get("/redirect").headers["location"]
    # The client sends paths below the stage, as a browser's URL would be routed.
    target = location[len(path_root(browser.fmt)):]
    assert browser.get(target).json_body["framework"] == "flask"


def test_url_for_gives_urls_with_the_stage_exactly_once(browser: Browser) -> None:
    urls = browser.get("/urls").json_body
    root = path_root(browser.fmt)
    assert urls == {
        "external": url_root(browser.fmt) + "/json",
        "relative": root + "/json",
        "with_arg": root + "/hello/x%20y",
        "script_root": root,
        "path": "/urls",
    }
    assert "/api/api" not in urls["external"] + urls["relative"]


def test_alb_without_forwarded_proto_generates_http_urls() -> None:
    for fmt in ("alb", "alb-multi"):
        urls = Client(mounted(), event_format=fmt).http.get(
            "/urls", headers={"Host": ALB_HOST}).json_body
        assert urls["external"] == "http://%s/json" % ALB_HOST


def test_custom_domain_urls_have_no_stage(fmt: str) -> None:
    app = mounted()
    urls = custom_domain_request(app, fmt, "GET", "/urls").json_body
    assert urls["external"] == "https://%s/json" % CUSTOM_HOST
    assert urls["relative"] == "/json"
    assert urls["script_root"] == ""
    redirect = custom_domain_request(app, fmt, "GET", "/redirect")
    assert redirect.status_code == 302
    assert redirect.headers["location"] == "/json"


@pytest.mark.parametrize("fmt", ["rest", "http-api"])
def test_custom_domain_with_base_path_mapping(fmt: str) -> None:
    app = mounted()
    app.api.base_path = "v1"
    urls = custom_domain_request(app, fmt, "GET", "/v1/urls").json_body
    assert urls["external"] == "https://%s/v1/json" % CUSTOM_HOST
    assert urls["relative"] == "/v1/json"
    assert urls["path"] == "/urls"
    redirect = custom_domain_request(app, fmt, "GET", "/v1/redirect")
    assert redirect.headers["location"] == "/v1/json"
    followed = custom_domain_request(app, fmt, "GET", redirect.headers["location"])
    assert followed.json_body["framework"] == "flask"


# Base path mappings belong to API Gateway's custom domains: behind an ALB or a Function URL
# the path reaches the app whole, and the app's URLs have no prefix.
@pytest.mark.parametrize("fmt", ["function-url", "alb", "alb-multi"])
def test_base_path_is_api_gateways_only(fmt: str) -> None:
    app = mounted()
    app.api.base_path = "/v1"
    urls = custom_domain_request(app, fmt, "GET", "/urls").json_body
    assert urls["relative"] == "/json"
    assert urls["script_root"] == ""
    assert custom_domain_request(app, fmt, "GET", "/v1/urls").status_code == 404


@pytest.mark.parametrize("api_format", ["rest", "http-api"])
def test_base_path_is_not_taken_off_on_the_execute_api_host(api_format: str) -> None:
    app = mounted()
    app.api.base_path = "/v1"
    client = Client(app, event_format=api_format)
    assert client.http.get("/urls").json_body["relative"] == "/api/json"
    # On the API's own host "/v1" is just a path, which Flask does not have.
    assert client.http.get("/v1/urls").status_code == 404


def test_script_name_empty_turns_the_stage_off(fmt: str) -> None:
    browser = Browser(mounted(script_name=""), fmt)
    urls = browser.get("/urls").json_body
    assert urls["relative"] == "/json"
    assert urls["script_root"] == ""
    host = urlsplit(url_root(fmt)).netloc
    assert urls["external"] == "https://%s/json" % host
    assert browser.get("/redirect").headers["location"] == "/json"


def test_mount_prefix_becomes_part_of_the_generated_urls(fmt: str) -> None:
    browser = Browser(mounted(prefix="/legacy"), fmt)
    urls = browser.get("/legacy/urls").json_body
    root = path_root(fmt) + "/legacy"
    assert urls["relative"] == root + "/json"
    assert urls["script_root"] == root
    assert urls["path"] == "/urls"
    assert urls["external"] == url_root(fmt) + "/legacy/json"
    assert browser.get("/legacy/redirect").headers["location"] == root + "/json"
    outside = browser.get("/json")  # not under the prefix: myframework's own 404
    assert outside.status_code == 404
    assert outside.json_body["Code"] == "NotFoundError"


# -- cookies and sessions -----------------------------------------------------------------

def test_several_set_cookie_headers_each_reach_the_client_once(browser: Browser) -> None:
    response = browser.get("/cookies/set")
    assert sorted(response.cookies) == [
        "first=1; Path=/",
        "second=two; HttpOnly; Path=/",
        "third=3; Expires=Wed, 02 Jan 2030 03:04:05 GMT; Path=/; SameSite=Lax",
    ]
    if browser.fmt in ("http-api", "function-url"):
        assert len(response.raw["cookies"]) == 3


def test_cookies_sent_back_reach_flask(browser: Browser) -> None:
    set_cookies = browser.get("/cookies/set").cookies
    read = browser.get("/cookies/read", headers={"Cookie": cookie_header(set_cookies)})
    assert read.json_body == {"first": "1", "second": "two", "third": "3"}


def test_session_counter_across_requests(browser: Browser) -> None:
    jar: dict[str, str] = {}
    counts = []
    for _ in range(3):
        headers = {"Cookie": "; ".join("%s=%s" % kv for kv in jar.items())} if jar else {}
        response = browser.get("/session", headers=headers)
        jar.update(cookie_pairs(response.cookies))
        counts.append(response.json_body["count"])
    assert counts == [1, 2, 3]
    assert "session" in jar
    # Without the cookie the session starts again.
    assert browser.get("/session").json_body == {"count": 1}


# -- uploads and downloads ----------------------------------------------------------------

def test_multipart_upload_of_binary_data(browser: Browser) -> None:
    body, ctype = multipart({"field": "Gr\u00fc\u00dfe \u2713"},
                            {"file": ("photo.bin", "application/octet-stream", UPLOAD_BYTES)})
    response = browser.request("POST", "/upload", {"Content-Type": ctype}, body)
    assert response.status_code == 200
    assert response.json_body == {
        "filename": "photo.bin", "size": len(UPLOAD_BYTES),
        "sha256": hashlib.sha256(UPLOAD_BYTES).hexdigest(),
        "content_type": "application/octet-stream", "field": "Gr\u00fc\u00dfe \u2713",
    }


def test_binary_png_round_trips(browser: Browser) -> None:
    response = browser.get("/download/png")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.raw["isBase64Encoded"] is True
    assert response.body == PNG_BYTES


def test_send_file_from_bytesio_round_trips(browser: Browser) -> None:
    response = browser.get("/download/file")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-disposition"] == "attachment; filename=data.bin"
    assert response.raw["isBase64Encoded"] is True
    assert response.body == FILE_BYTES


def test_gzip_encoded_response_is_sent_as_base64(browser: Browser) -> None:
    response = browser.get("/gzip")
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.raw["isBase64Encoded"] is True
    assert gzip.decompress(response.body).decode("utf-8") == GZIP_TEXT


# -- unicode --------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["caf\u00e9", "\u65e5\u672c\u8a9e", "a b", "\u00e9t\u00e9 %"])
def test_unicode_path_parameter(browser: Browser, name: str) -> None:
    response = browser.get("/hello/" + quote(name))
    assert response.status_code == 200
    assert response.json_body["name"] == name
    assert response.json_body["path"] == "/hello/" + name


def test_unicode_and_reserved_characters_in_query_values(browser: Browser) -> None:
    values = {"q": "\u00fcn\u00ef c\u00f8d\u00e9 \u2713", "amp": "a+b&c=d", "pct": "100%",
              "\u00e9": "key too"}
    query = "&".join(quote(k, safe="") + "=" + quote(v, safe="") for k, v in values.items())
    response = browser.get("/hello/x?" + query)
    assert response.json_body["args"] == {k: [v] for k, v in values.items()}


# An ALB without multi-value headers sends only a repeated parameter's last value (AWS).
@pytest.mark.parametrize("fmt", [f for f in EVENT_FORMATS if f != "alb"])
def test_repeated_query_parameters_keep_every_value(fmt: str) -> None:
    response = Browser(mounted(), fmt).get("/hello/x?q=1&q=%C3%A9&q=3")
    assert response.json_body["args"] == {"q": ["1", "\u00e9", "3"]}


# -- errors -----------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/missing", "/no-such-page"])
def test_404_is_flasks_page(browser: Browser, path: str) -> None:
    response = browser.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "<h1>Not Found</h1>" in response.text
    assert "NotFoundError" not in response.text


def test_exception_is_flasks_500_page(browser: Browser) -> None:
    response = browser.get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "<h1>Internal Server Error</h1>" in response.text
    assert "InternalServerError" not in response.text


# -- routes and the mount ---------------------------------------------------------------------

def test_routes_win_over_the_mount(fmt: str) -> None:
    app = mounted()

    @app.route("/json")
    def own_json() -> dict[str, str]:
        return {"from": "myframework"}

    browser = Browser(app, fmt)
    assert browser.get("/json").json_body == {"from": "myframework"}
    html = browser.get("/html")  # not routed: Flask answers
    assert html.status_code == 200
    assert "<h1>Flask page</h1>" in html.text
    # Routed, but not for POST: the mount gets it, and Flask says 405.
    post = browser.request("POST", "/json", {"Content-Type": "application/json"}, "{}")
    assert post.status_code == 405
    assert "<h1>Method Not Allowed</h1>" in post.text


# -- the same answers as werkzeug's own test client ------------------------------------------

COMPARED: list[tuple[str, str, dict[str, str], bytes | None]] = [
    ("GET", "/json", {}, None),
    ("GET", "/html?who=Zo%C3%AB", {}, None),
    ("GET", "/redirect", {}, None),
    ("GET", "/urls", {}, None),
    ("GET", "/cookies/set", {}, None),
    ("GET", "/cookies/read", {"Cookie": "first=1; second=two"}, None),
    ("GET", "/download/png", {}, None),
    ("GET", "/download/file", {}, None),
    ("GET", "/hello/caf%C3%A9?q=%C3%BC+x%2By&q=2", {}, None),
    ("GET", "/missing", {}, None),
    ("GET", "/no-such-page", {}, None),
    ("GET", "/hello/x%2Fy", {}, None),  # %2F is a "/" in PATH_INFO: no <name> matches
    ("GET", "/boom", {}, None),
    ("GET", "/gzip", {}, None),
    ("HEAD", "/head-me", {}, None),
    ("POST", "/json", {"Content-Type": "application/json"}, b"{}"),
]
_UPLOAD_BODY, _UPLOAD_TYPE = multipart(
    {"field": "value \u2713"}, {"file": ("f.bin", "application/octet-stream", UPLOAD_BYTES)})
COMPARED.append(("POST", "/upload", {"Content-Type": _UPLOAD_TYPE}, _UPLOAD_BODY))


def _location(value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)  # modulo scheme and host
    return parts.path + ("?" + parts.query if parts.query else "")


@pytest.mark.parametrize(("method", "target", "headers", "body"), COMPARED,
                         ids=["%s %s" % (m, t.split("?")[0]) for m, t, _, _ in COMPARED])
def test_same_response_as_werkzeug_test_client(method: str, target: str,
                                               headers: dict[str, str],
                                               body: bytes | None) -> None:
    flask_app = create_app()
    ours = Client(mounted(flask_app)).http.request(method, target, headers=headers, body=body)
    theirs = flask_app.test_client(use_cookies=False).open(
        target, method=method, headers=headers, data=body,
        base_url="https://%s/api" % EXECUTE_API_HOST)
    assert ours.status_code == theirs.status_code
    assert ours.body == theirs.get_data()
    for name in ("Content-Type", "Content-Disposition", "Content-Encoding"):
        assert ours.headers.get(name) == theirs.headers.get(name), name
    assert _location(ours.headers.get("Location")) == _location(theirs.headers.get("Location"))
    assert ours.cookies == theirs.headers.getlist("Set-Cookie")
