"""A real Django site mounted with ``app.mount_wsgi()``, driven through every event format.

The site is tests/apps/django_site (configured in code, no database). What a
user relies on: Django's views, ``redirect(reverse(...))``,
``request.build_absolute_uri()`` (with the API stage in the URL exactly when
the URL has one), cookies, signed-cookie sessions, uploads, file downloads and
Django's own error pages work as behind an ordinary WSGI server.
"""
from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

import myframework
from myframework.testing import EVENT_FORMATS, Client, HTTPResponse
from tests.apps import (
    ALB_HOST,
    CUSTOM_HOST,
    cookie_header,
    cookie_pairs,
    custom_domain_request,
    format_headers,
    multipart,
    path_root,
    url_root,
)
from tests.apps.django_site import configure, get_wsgi_app

configure()  # the views module imports Django, which must be configured first
from tests.apps.django_site.views import (  # noqa: E402
    FILE_BYTES,
    GZIP_TEXT,
    PNG_BYTES,
)

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


def mounted(**options: Any) -> myframework.App:
    app = myframework.App("site")
    app.mount_wsgi(get_wsgi_app(), **options)
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
    assert response.json_body == {"framework": "django", "items": [1, 2, 3], "text": "caf\u00e9"}
    assert response.raw["isBase64Encoded"] is False


def test_html_view(browser: Browser) -> None:
    response = browser.get("/html?who=Zo%C3%AB")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "<h1>Django page</h1>" in response.text
    assert "Hello, Zo\u00eb!" in response.text
    assert response.raw["isBase64Encoded"] is False


@pytest.mark.parametrize("path", ["/head-me", "/json", "/download/file"])
def test_head_drops_the_body_django_sends(browser: Browser, path: str) -> None:
    # Django's WSGI handler sends the body for HEAD too; the server is to drop it.
    response = browser.request("HEAD", path)
    assert response.status_code == 200
    assert response.body == b""
    assert response.raw["body"] == ""
    assert response.raw["isBase64Encoded"] is False
    if path == "/head-me":
        assert response.headers["x-head-me"] == "yes"
        assert response.headers["content-type"] == "text/plain"


# -- redirects and generated URLs ------------------------------------------------------------

def test_redirect_location_carries_the_stage_once(browser: Browser) -> None:
    response = browser.get("/redirect")
    assert response.status_code == 302
    assert response.headers["location"] == path_root(browser.fmt) + "/json"


def test_following_the_redirect_reaches_the_target(browser: Browser) -> None:
    location = browser.get("/redirect").headers["location"]
    target = location[len(path_root(browser.fmt)):]
    assert browser.get(target).json_body["framework"] == "django"


def test_reverse_and_build_absolute_uri_carry_the_stage_once(browser: Browser) -> None:
    urls = browser.get("/urls").json_body
    root = path_root(browser.fmt)
    assert urls == {
        "external": url_root(browser.fmt) + "/json",
        "relative": root + "/json",
        "with_arg": root + "/hello/x%20y",
        "script_name": root,
        "path": root + "/urls",
        "path_info": "/urls",
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
    assert urls["script_name"] == ""
    redirect = custom_domain_request(app, fmt, "GET", "/redirect")
    assert redirect.status_code == 302
    assert redirect.headers["location"] == "/json"


@pytest.mark.parametrize("fmt", ["rest", "http-api"])
def test_custom_domain_with_base_path_mapping(fmt: str) -> None:
    app = mounted()
    app.api.base_path = "/v1/"
    urls = custom_domain_request(app, fmt, "GET", "/v1/urls").json_body
    assert urls["external"] == "https://%s/v1/json" % CUSTOM_HOST
    assert urls["relative"] == "/v1/json"
    assert urls["script_name"] == "/v1"
    assert urls["path_info"] == "/urls"
    redirect = custom_domain_request(app, fmt, "GET", "/v1/redirect")
    assert redirect.headers["location"] == "/v1/json"
    followed = custom_domain_request(app, fmt, "GET", redirect.headers["location"])
    assert followed.json_body["framework"] == "django"


# Base path mappings belong to API Gateway's custom domains: behind an ALB or a Function URL
# the path reaches the app whole, and the app's URLs have no prefix.
@pytest.mark.parametrize("fmt", ["function-url", "alb", "alb-multi"])
def test_base_path_is_api_gateways_only(fmt: str) -> None:
    app = mounted()
    app.api.base_path = "/v1"
    urls = custom_domain_request(app, fmt, "GET", "/urls").json_body
    assert urls["relative"] == "/json"
    assert urls["script_name"] == ""
    assert custom_domain_request(app, fmt, "GET", "/v1/urls").status_code == 404


@pytest.mark.parametrize("api_format", ["rest", "http-api"])
def test_base_path_is_not_taken_off_on_the_execute_api_host(api_format: str) -> None:
    app = mounted()
    app.api.base_path = "/v1"
    client = Client(app, event_format=api_format)
    assert client.http.get("/urls").json_body["relative"] == "/api/json"
    assert client.http.get("/v1/urls").status_code == 404


def test_script_name_empty_turns_the_stage_off(fmt: str) -> None:
    browser = Browser(mounted(script_name=""), fmt)
    urls = browser.get("/urls").json_body
    assert urls["relative"] == "/json"
    assert urls["script_name"] == ""
    host = urlsplit(url_root(fmt)).netloc
    assert urls["external"] == "https://%s/json" % host
    assert browser.get("/redirect").headers["location"] == "/json"


def test_mount_prefix_becomes_part_of_the_generated_urls(fmt: str) -> None:
    browser = Browser(mounted(prefix="/legacy"), fmt)
    urls = browser.get("/legacy/urls").json_body
    root = path_root(fmt) + "/legacy"
    assert urls["relative"] == root + "/json"
    assert urls["script_name"] == root
    assert urls["path_info"] == "/urls"
    assert urls["external"] == url_root(fmt) + "/legacy/json"
    assert browser.get("/legacy/redirect").headers["location"] == root + "/json"


def test_host_outside_allowed_hosts_gets_djangos_400(fmt: str) -> None:
    # Django checks the Host when a view asks for it (build_absolute_uri does).
    response = custom_domain_request(mounted(), fmt, "GET", "/urls", host="evil.example.net")
    assert response.status_code == 400
    assert "<h1>Bad Request (400)</h1>" in response.text


# -- cookies and sessions -----------------------------------------------------------------

def test_several_set_cookie_headers_each_reach_the_client_once(browser: Browser) -> None:
    response = browser.get("/cookies/set")
    # Django writes each Set-Cookie value with a leading space (a header's optional whitespace).
    assert sorted(c.strip() for c in response.cookies) == [
        "first=1; Path=/",
        "second=two; HttpOnly; Path=/",
        "third=3; expires=Wed, 02 Jan 2030 03:04:05 GMT; Path=/; SameSite=Lax",
    ]
    if browser.fmt in ("http-api", "function-url"):
        assert len(response.raw["cookies"]) == 3


def test_cookies_sent_back_reach_django(browser: Browser) -> None:
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
    assert "sessionid" in jar
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


def test_binary_httpresponse_round_trips(browser: Browser) -> None:
    response = browser.get("/download/png")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.raw["isBase64Encoded"] is True
    assert response.body == PNG_BYTES


def test_file_response_round_trips(browser: Browser) -> None:
    response = browser.get("/download/file")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-disposition"] == 'attachment; filename="data.bin"'
    assert response.raw["isBase64Encoded"] is True
    assert response.body == FILE_BYTES


def test_gzip_encoded_response_is_sent_as_base64(browser: Browser) -> None:
    response = browser.get("/gzip")
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["content-type"] == "text/plain"
    assert response.raw["isBase64Encoded"] is True
    assert gzip.decompress(response.body).decode("utf-8") == GZIP_TEXT


# -- unicode --------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["caf\u00e9", "\u65e5\u672c\u8a9e", "a b", "\u00e9t\u00e9 %"])
def test_unicode_path_parameter(browser: Browser, name: str) -> None:
    response = browser.get("/hello/" + quote(name))
    assert response.status_code == 200
    assert response.json_body["name"] == name
    assert response.json_body["path"] == path_root(browser.fmt) + "/hello/" + name


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

@pytest.mark.parametrize("path", ["/missing", "/no-such-page", "/hello/x%2Fy"])
def test_404_is_djangos_page(browser: Browser, path: str) -> None:
    # "/hello/x%2Fy": the %2F is a "/" in PATH_INFO, so no <str:name> matches.
    response = browser.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "<h1>Not Found</h1>" in response.text
    assert "NotFoundError" not in response.text


def test_exception_is_djangos_500_page(browser: Browser) -> None:
    response = browser.get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "<h1>Server Error (500)</h1>" in response.text
    assert "InternalServerError" not in response.text
    assert "Traceback" not in response.text  # DEBUG is off


def test_routes_win_over_the_mount(fmt: str) -> None:
    app = mounted()

    @app.route("/json")
    def own_json() -> dict[str, str]:
        return {"from": "myframework"}

    browser = Browser(app, fmt)
    assert browser.get("/json").json_body == {"from": "myframework"}
    assert "<h1>Django page</h1>" in browser.get("/html").text
