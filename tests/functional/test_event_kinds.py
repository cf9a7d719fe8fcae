"""The app is the Lambda handler for every HTTP event kind AWS sends.

Events are written by hand, modelled on the sample events in the AWS docs
(API Gateway REST proxy integration, HTTP API payload 1.0 and 2.0, Lambda
Function URLs, ALB target groups with and without multi-value headers), so
these tests do not depend on the test client's own event builder.
"""
import base64
import copy
import json
from typing import Any

import pytest

from myframework import App, NotFoundError, Response, UnknownEventError

ALB_ARN = ("arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/"
           "lambda-279XGJDqGZ5rsrHC2Fjr/49e9d65c45c6791a")


# -- hand-written events --------------------------------------------------------------------

def rest_event(method: str = "GET", path: str = "/pets/1", *,
               headers: dict[str, str] | None = None,
               multi_headers: dict[str, list[str]] | None = None,
               query: dict[str, str] | None = None,
               multi_query: dict[str, list[str]] | None = None,
               body: str | None = None, is_base64: bool = False,
               resource: str | None = None) -> dict[str, Any]:
    """An API Gateway REST API proxy-integration event (payload 1.0)."""
    if headers is None:
        headers = {
            "Accept": "application/json",
            "Host": "abc123def4.execute-api.us-east-1.amazonaws.com",
            "User-Agent": "curl/8.4.0",
            "X-Forwarded-For": "192.0.2.10",
            "X-Forwarded-Port": "443",
            "X-Forwarded-Proto": "https",
        }
    if multi_headers is None:
        multi_headers = {k: [v] for k, v in headers.items()}
    return {
        "resource": resource if resource is not None else path,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": None,
        "stageVariables": {"env": "dev"},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123def4",
            "domainName": "abc123def4.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "abc123def4",
            "extendedRequestId": "request-id",
            "httpMethod": method,
            "identity": {"sourceIp": "192.0.2.10", "userAgent": "curl/8.4.0",
                         "accessKey": None, "accountId": None, "caller": None, "user": None},
            "path": "/dev" + path,
            "protocol": "HTTP/1.1",
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "requestTime": "04/Mar/2020:19:15:17 +0000",
            "requestTimeEpoch": 1583349317135,
            "resourceId": "2gxmpl",
            "resourcePath": resource if resource is not None else path,
            "stage": "dev",
        },
        "body": body,
        "isBase64Encoded": is_base64,
    }


def http_api_v1_event(method: str = "GET", path: str = "/pets/1") -> dict[str, Any]:
    """An HTTP API event with payload format version 1.0."""
    return {
        "version": "1.0",
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": {"Content-Length": "0", "Host": "r3pmxmplak.execute-api.us-east-2.amazonaws.com",
                    "header2": "value1,value2", "Cookie": "theme=dark; lang=en"},
        "multiValueHeaders": {"Content-Length": ["0"],
                              "Host": ["r3pmxmplak.execute-api.us-east-2.amazonaws.com"],
                              "header2": ["value1", "value2"],
                              "Cookie": ["theme=dark; lang=en"]},
        "queryStringParameters": {"parameter1": "value1,value2", "parameter2": "value"},
        "multiValueQueryStringParameters": {"parameter1": ["value1", "value2"],
                                            "parameter2": ["value"]},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "r3pmxmplak",
            "domainName": "r3pmxmplak.execute-api.us-east-2.amazonaws.com",
            "domainPrefix": "r3pmxmplak",
            "extendedRequestId": "JJbxmplHYosFVYQ=",
            "httpMethod": method,
            "identity": {"sourceIp": "205.255.255.176", "userAgent": "curl/7.64.1"},
            "path": path,
            "protocol": "HTTP/1.1",
            "requestId": "JJbxmplHYosFVYQ=",
            "requestTime": "10/Mar/2020:05:16:23 +0000",
            "requestTimeEpoch": 1583817383220,
            "resourceId": "$default",
            "resourcePath": "$default",
            "stage": "$default",
        },
        "pathParameters": None,
        "stageVariables": None,
        "body": None,
        "isBase64Encoded": False,
    }


def http_api_v2_event(method: str = "GET", raw_path: str = "/dev/pets/1", *, stage: str = "dev",
                      raw_query: str = "", headers: dict[str, str] | None = None,
                      cookies: list[str] | None = None, body: str | None = None,
                      domain: str = "r3pmxmplak.execute-api.us-east-2.amazonaws.com",
                      ) -> dict[str, Any]:
    """An HTTP API event with payload format version 2.0."""
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "ANY /{proxy+}",
        "rawPath": raw_path,
        "rawQueryString": raw_query,
        "headers": headers if headers is not None else {
            "accept": "*/*", "content-length": "0", "host": domain,
            "user-agent": "curl/7.64.1", "x-forwarded-for": "205.255.255.176",
            "x-forwarded-port": "443", "x-forwarded-proto": "https",
        },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": domain.split(".", 1)[0],
            "domainName": domain,
            "domainPrefix": domain.split(".", 1)[0],
            "http": {"method": method, "path": raw_path, "protocol": "HTTP/1.1",
                     "sourceIp": "205.255.255.176", "userAgent": "curl/7.64.1"},
            "requestId": "JKJaXmPLvHcESHA=",
            "routeKey": "ANY /{proxy+}",
            "stage": stage,
            "time": "10/Mar/2020:05:16:23 +0000",
            "timeEpoch": 1583817383220,
        },
        "pathParameters": {"proxy": "pets/1"},
        "isBase64Encoded": False,
    }
    if cookies is not None:
        event["cookies"] = cookies
    if body is not None:
        event["body"] = body
    return event


def function_url_event(method: str = "GET", raw_path: str = "/pets/1",
                       raw_query: str = "") -> dict[str, Any]:
    """A Lambda Function URL event (payload 2.0 shape, no named stage)."""
    domain = "a1b2c3d4e5f6g7h8i9j0k1l2m3.lambda-url.us-west-2.on.aws"
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": raw_path,
        "rawQueryString": raw_query,
        "cookies": ["cookie1=value1", "cookie2=value2"],
        "headers": {"header1": "value1", "header2": "value1,value2", "host": domain},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "a1b2c3d4e5f6g7h8i9j0k1l2m3",
            "authentication": None,
            "authorizer": {"iam": {"accessKey": "AKIA...", "accountId": "111122223333",
                                   "callerId": "AIDA...", "cognitoIdentity": None,
                                   "principalOrgId": None,
                                   "userArn": "arn:aws:iam::111122223333:user/example-user",
                                   "userId": "AIDA..."}},
            "domainName": domain,
            "domainPrefix": "a1b2c3d4e5f6g7h8i9j0k1l2m3",
            "http": {"method": method, "path": raw_path, "protocol": "HTTP/1.1",
                     "sourceIp": "123.123.123.123", "userAgent": "agent"},
            "requestId": "id",
            "routeKey": "$default",
            "stage": "$default",
            "time": "12/Mar/2020:19:03:58 +0000",
            "timeEpoch": 1583348638390,
        },
        "pathParameters": None,
        "isBase64Encoded": False,
        "stageVariables": None,
    }


def alb_event(method: str = "GET", path: str = "/pets/1", *, multi: bool = False,
              query: dict[str, list[str]] | None = None,
              headers: dict[str, list[str]] | None = None,
              body: str = "") -> dict[str, Any]:
    """An ALB target-group event; ``multi`` for a target group with multi-value headers on."""
    if headers is None:
        headers = {
            "accept": ["text/html,application/xhtml+xml"],
            "accept-encoding": ["gzip"],
            "connection": ["keep-alive"],
            "host": ["lambda-alb-123578498.us-east-1.elb.amazonaws.com"],
            "user-agent": ["Mozilla/5.0"],
            "x-amzn-trace-id": ["Root=1-5c536348-3d683b8b04734faae651f476"],
            "x-forwarded-for": ["72.12.164.125"],
            "x-forwarded-port": ["80"],
            "x-forwarded-proto": ["http"],
        }
    if query is None:
        query = {"query": ["1234ABCD"]}
    event: dict[str, Any] = {
        "requestContext": {"elb": {"targetGroupArn": ALB_ARN}},
        "httpMethod": method,
        "path": path,
        "body": body,
        "isBase64Encoded": False,
    }
    if multi:
        event["multiValueQueryStringParameters"] = query
        event["multiValueHeaders"] = headers
    else:
        # Without multi-value mode ALB sends the last value of a repeated key.
        event["queryStringParameters"] = {k: v[-1] for k, v in query.items()}
        event["headers"] = {k: v[-1] for k, v in headers.items()}
    return event


ALL_EVENTS: dict[str, dict[str, Any]] = {
    "rest": rest_event(),
    "http-api-1.0": http_api_v1_event(),
    "http-api-2.0": http_api_v2_event(),
    "function-url": function_url_event(),
    "alb": alb_event(),
    "alb-multi": alb_event(multi=True),
}

EXPECTED_KIND = {"rest": "rest", "http-api-1.0": "rest", "http-api-2.0": "http-api",
                 "function-url": "function-url", "alb": "alb", "alb-multi": "alb"}


# -- the app under test ---------------------------------------------------------------------

def make_app() -> App:
    app = App("event-kinds")

    @app.route("/pets/{pet_id}", methods=["GET", "POST"])
    def get_pet(pet_id: str) -> dict[str, Any]:
        request = app.current_request
        return {"pet_id": pet_id, "kind": request.event_kind, "path": request.path,
                "method": request.method}

    @app.route("/dev/pets/{pet_id}")
    def dev_pet(pet_id: str) -> dict[str, Any]:
        return {"dev_pet": pet_id}

    @app.route("/query")
    def query() -> dict[str, Any]:
        return app.current_request.query_params.to_dict()

    @app.route("/cookies")
    def cookies() -> dict[str, str]:
        return app.current_request.cookies

    @app.route("/headers")
    def headers() -> dict[str, Any]:
        request = app.current_request
        return {"headers": request.headers.to_dict(), "context": request.context,
                "cookies": request.cookies, "query": request.query_params.to_dict()}

    @app.route("/set-cookies")
    def set_cookies() -> Response:
        return Response({"ok": True}, {"Set-Cookie": ["a=1; Path=/", "b=2; HttpOnly",
                                                      "c=3; Secure"],
                                       "X-Single": "one",
                                       "X-Multi": ["m1", "m2"]})

    @app.route("/one-cookie")
    def one_cookie() -> Response:
        return Response("hi", {"Set-Cookie": "only=1"})

    @app.route("/missing")
    def missing() -> None:
        raise NotFoundError("no such pet")

    @app.route("/binary")
    def binary() -> Response:
        return Response(b"\x89PNG\r\n\x1a\n\x00\xff", {"Content-Type": "image/png"})

    return app


@pytest.fixture
def app() -> App:
    return make_app()


def body_json(raw: dict[str, Any]) -> Any:
    assert isinstance(raw["body"], str)
    assert raw["isBase64Encoded"] is False
    return json.loads(raw["body"])


def all_header_names(raw: dict[str, Any]) -> list[str]:
    return [*raw.get("headers", {}), *raw.get("multiValueHeaders", {})]


# -- routing: every kind, by the app's own router ------------------------------------------

@pytest.mark.parametrize("name", sorted(ALL_EVENTS))
def test_every_http_event_kind_is_routed_by_the_app(app: App, name: str) -> None:
    raw = app(copy.deepcopy(ALL_EVENTS[name]), None)
    assert raw["statusCode"] == 200
    assert body_json(raw) == {"pet_id": "1", "kind": EXPECTED_KIND[name], "path": "/pets/1",
                              "method": "GET"}


def test_rest_routes_by_path_not_by_the_resource_api_gateway_matched(app: App) -> None:
    event = rest_event(path="/pets/7", resource="/{proxy+}")
    event["requestContext"]["resourcePath"] = "/something/else"
    event["pathParameters"] = {"proxy": "wrong"}
    raw = app(event, None)
    assert raw["statusCode"] == 200
    assert body_json(raw)["pet_id"] == "7"


def test_rest_unknown_path_is_a_json_404(app: App) -> None:
    raw = app(rest_event(path="/nothing/here", resource="/{proxy+}"), None)
    assert raw["statusCode"] == 404
    assert body_json(raw)["Code"] == "NotFoundError"


def test_http_api_v2_named_stage_is_stripped_from_raw_path(app: App) -> None:
    raw = app(http_api_v2_event(raw_path="/dev/pets/1", stage="dev"), None)
    assert body_json(raw) == {"pet_id": "1", "kind": "http-api", "path": "/pets/1",
                              "method": "GET"}


def test_http_api_v2_default_stage_uses_raw_path_as_is(app: App) -> None:
    raw = app(http_api_v2_event(raw_path="/dev/pets/1", stage="$default"), None)
    assert raw["statusCode"] == 200
    assert body_json(raw) == {"dev_pet": "1"}


def test_http_api_v2_stage_name_only_stripped_as_a_whole_segment(app: App) -> None:
    # stage "de" must not eat the "de" of "/dev/...".
    raw = app(http_api_v2_event(raw_path="/dev/pets/1", stage="de"), None)
    assert body_json(raw) == {"dev_pet": "1"}


def test_http_api_v2_uses_raw_path_not_request_context_path(app: App) -> None:
    event = http_api_v2_event(raw_path="/dev/pets/3", stage="dev")
    event["requestContext"]["http"]["path"] = "/dev/pets/999"
    assert body_json(app(event, None))["pet_id"] == "3"


def test_http_api_v2_method_comes_from_request_context(app: App) -> None:
    raw = app(http_api_v2_event(method="POST", body="{}"), None)
    assert body_json(raw)["method"] == "POST"


def test_function_url_event_kind(app: App) -> None:
    event = function_url_event(raw_path="/pets/42")
    raw = app(event, None)
    assert body_json(raw) == {"pet_id": "42", "kind": "function-url", "path": "/pets/42",
                              "method": "GET"}


def test_http_api_payload_1_0_is_served_like_rest(app: App) -> None:
    raw = app(http_api_v1_event(path="/query"), None)
    assert raw["statusCode"] == 200
    assert body_json(raw) == {"parameter1": ["value1", "value2"], "parameter2": ["value"]}
    raw = app(http_api_v1_event(path="/cookies"), None)
    assert body_json(raw) == {"theme": "dark", "lang": "en"}
    raw = app(http_api_v1_event(path="/set-cookies"), None)
    assert "cookies" not in raw
    assert raw["multiValueHeaders"]["Set-Cookie"] == ["a=1; Path=/", "b=2; HttpOnly",
                                                      "c=3; Secure"]


def test_http_api_payload_1_0_named_stage_is_stripped_from_the_path(app: App) -> None:
    event = http_api_v1_event(path="/dev/pets/7")
    event["requestContext"]["stage"] = "dev"
    raw = app(event, None)
    assert raw["statusCode"] == 200
    assert body_json(raw)["pet_id"] == "7"


def test_rest_path_is_never_stage_stripped(app: App) -> None:
    # A REST event's path never carries the stage: /dev/... is a real path there.
    event = rest_event(path="/dev/pets/7")
    event["requestContext"]["stage"] = "dev"
    raw = app(event, None)
    assert raw["statusCode"] == 200
    assert body_json(raw) == {"dev_pet": "7"}


def test_percent_encoded_path_is_decoded_before_routing(app: App) -> None:
    raw = app(rest_event(path="/pets/new%20york"), None)
    assert body_json(raw)["pet_id"] == "new york"
    raw = app(http_api_v2_event(raw_path="/dev/pets/caf%C3%A9"), None)
    assert body_json(raw)["pet_id"] == "café"


# -- response shapes ------------------------------------------------------------------------

def test_rest_response_shape(app: App) -> None:
    raw = app(rest_event(path="/set-cookies"), None)
    assert raw["statusCode"] == 200
    assert raw["isBase64Encoded"] is False
    assert json.loads(raw["body"]) == {"ok": True}
    assert raw["headers"]["X-Single"] == "one"
    assert raw["multiValueHeaders"]["Set-Cookie"] == ["a=1; Path=/", "b=2; HttpOnly",
                                                      "c=3; Secure"]
    assert raw["multiValueHeaders"]["X-Multi"] == ["m1", "m2"]
    single = {name.lower() for name in raw["headers"]}
    multi = {name.lower() for name in raw["multiValueHeaders"]}
    assert not single & multi, single & multi
    assert "set-cookie" not in single


def test_rest_response_without_list_headers_has_no_multi_value_headers(app: App) -> None:
    raw = app(rest_event(), None)
    assert set(raw) >= {"statusCode", "headers", "body", "isBase64Encoded"}
    assert not raw.get("multiValueHeaders")
    assert raw["headers"]["Content-Type"] == "application/json"


def test_rest_binary_response_is_base64(app: App) -> None:
    raw = app(rest_event(path="/binary"), None)
    assert raw["isBase64Encoded"] is True
    assert base64.b64decode(raw["body"]) == b"\x89PNG\r\n\x1a\n\x00\xff"
    assert raw["headers"]["Content-Type"] == "image/png"


@pytest.mark.parametrize("event", [http_api_v2_event(raw_path="/dev/set-cookies"),
                                   function_url_event(raw_path="/set-cookies")],
                         ids=["http-api", "function-url"])
def test_payload_2_0_cookies_list_holds_every_set_cookie(app: App, event: dict[str, Any]) -> None:
    raw = app(event, None)
    assert raw["statusCode"] == 200
    assert raw["cookies"] == ["a=1; Path=/", "b=2; HttpOnly", "c=3; Secure"]
    assert all(name.lower() != "set-cookie" for name in raw["headers"])
    assert "multiValueHeaders" not in raw
    assert raw["headers"]["X-Single"] == "one"
    assert raw["headers"]["X-Multi"] == "m1,m2"
    assert all(isinstance(v, str) for v in raw["headers"].values())
    assert raw["isBase64Encoded"] is False


def test_payload_2_0_single_set_cookie_goes_to_cookies_too(app: App) -> None:
    raw = app(http_api_v2_event(raw_path="/dev/one-cookie"), None)
    assert raw["cookies"] == ["only=1"]
    assert all(name.lower() != "set-cookie" for name in raw["headers"])
    assert raw["body"] == "hi"


def test_alb_multi_value_mode_answers_with_multi_value_headers_only(app: App) -> None:
    raw = app(alb_event(path="/set-cookies", multi=True), None)
    assert "headers" not in raw
    assert raw["multiValueHeaders"]["Set-Cookie"] == ["a=1; Path=/", "b=2; HttpOnly",
                                                      "c=3; Secure"]
    assert raw["multiValueHeaders"]["X-Single"] == ["one"]
    assert raw["multiValueHeaders"]["X-Multi"] == ["m1", "m2"]
    assert raw["statusDescription"] == "200 OK"
    assert raw["isBase64Encoded"] is False


def test_alb_single_mode_sends_each_set_cookie_under_a_different_casing(app: App) -> None:
    raw = app(alb_event(path="/set-cookies"), None)
    assert "multiValueHeaders" not in raw
    headers = raw["headers"]
    cookie_names = [name for name in headers if name.lower() == "set-cookie"]
    assert len(cookie_names) == 3
    assert len(set(cookie_names)) == 3
    assert sorted(headers[n] for n in cookie_names) == ["a=1; Path=/", "b=2; HttpOnly",
                                                        "c=3; Secure"]
    assert headers["X-Single"] == "one"
    assert all(isinstance(v, str) for v in headers.values())
    assert raw["statusDescription"] == "200 OK"


def test_alb_single_mode_one_cookie_is_sent_once(app: App) -> None:
    raw = app(alb_event(path="/one-cookie"), None)
    cookies = {n: v for n, v in raw["headers"].items() if n.lower() == "set-cookie"}
    assert list(cookies.values()) == ["only=1"]


@pytest.mark.parametrize("multi", [False, True], ids=["alb", "alb-multi"])
def test_alb_status_description_for_errors(app: App, multi: bool) -> None:
    raw = app(alb_event(path="/missing", multi=multi), None)
    assert raw["statusCode"] == 404
    assert raw["statusDescription"] == "404 Not Found"
    assert body_json(raw)["Code"] == "NotFoundError"
    raw = app(alb_event(path="/no/route/at/all", multi=multi), None)
    assert raw["statusDescription"] == "404 Not Found"
    raw = app(alb_event(method="DELETE", path="/pets/1", multi=multi), None)
    assert raw["statusCode"] == 405
    assert raw["statusDescription"] == "405 Method Not Allowed"


@pytest.mark.parametrize("name", sorted(ALL_EVENTS))
def test_no_header_name_twice_in_any_response(app: App, name: str) -> None:
    event = copy.deepcopy(ALL_EVENTS[name])
    # Re-target the event at the view that sets single, list and cookie headers.
    if "rawPath" in event:
        event["rawPath"] = event["rawPath"].replace("/pets/1", "/set-cookies")
    else:
        event["path"] = "/set-cookies"
    raw = app(event, None)
    assert raw["statusCode"] == 200
    names = [n.lower() for n in all_header_names(raw) if n.lower() != "set-cookie"]
    assert len(names) == len(set(names)), names


# -- query strings --------------------------------------------------------------------------

def test_v2_query_from_raw_query_string_keeps_repeats_and_blanks(app: App) -> None:
    event = http_api_v2_event(raw_path="/dev/query", raw_query="a=1&a=2&b=&c=x%20y&d=p+q")
    # API Gateway's own comma-joined view must not be used.
    event["queryStringParameters"] = {"a": "1,2", "b": "", "c": "x y", "d": "p q"}
    raw = app(event, None)
    assert body_json(raw) == {"a": ["1", "2"], "b": [""], "c": ["x y"], "d": ["p q"]}


def test_v2_query_getlist_and_last_value() -> None:
    app = App("q")

    @app.route("/q")
    def q() -> dict[str, Any]:
        params = app.current_request.query_params
        return {"list": params.getlist("a"), "last": params["a"], "missing": params.getlist("z"),
                "blank": params.get("b")}

    raw = app(function_url_event(raw_path="/q", raw_query="a=1&a=2&b="), None)
    assert body_json(raw) == {"list": ["1", "2"], "last": "2", "missing": [], "blank": ""}


def test_v2_empty_query_string_is_empty(app: App) -> None:
    assert body_json(app(http_api_v2_event(raw_path="/dev/query"), None)) == {}


def test_rest_prefers_multi_value_query_parameters(app: App) -> None:
    event = rest_event(path="/query", query={"a": "2", "b": "x"},
                       multi_query={"a": ["1", "2"], "b": ["x"]})
    assert body_json(app(event, None)) == {"a": ["1", "2"], "b": ["x"]}


def test_rest_single_query_parameters_when_no_multi(app: App) -> None:
    event = rest_event(path="/query", query={"a": "b c"}, multi_query=None)
    assert body_json(app(event, None)) == {"a": ["b c"]}


@pytest.mark.parametrize("query", [None, {}], ids=["null", "empty"])
def test_rest_absent_query_is_empty(app: App, query: dict[str, str] | None) -> None:
    event = rest_event(path="/query", query=query, multi_query=None if query is None else {})
    assert body_json(app(event, None)) == {}


@pytest.mark.parametrize("multi", [False, True], ids=["alb", "alb-multi"])
def test_alb_query_values_arrive_encoded_and_are_decoded(app: App, multi: bool) -> None:
    event = alb_event(path="/query", multi=multi,
                      query={"a": ["b%20c"], "plus": ["x+y"], "eq": ["foo%3Dbar"],
                             "caf%C3%A9": ["%E2%9C%93"]})
    assert body_json(app(event, None)) == {"a": ["b c"], "plus": ["x y"], "eq": ["foo=bar"],
                                           "café": ["✓"]}


def test_alb_multi_query_keeps_repeated_values(app: App) -> None:
    event = alb_event(path="/query", multi=True, query={"a": ["1", "2%203"]})
    assert body_json(app(event, None)) == {"a": ["1", "2 3"]}


# -- cookies and headers --------------------------------------------------------------------

def test_v2_cookies_list_and_cookie_header_both_count(app: App) -> None:
    event = http_api_v2_event(raw_path="/dev/cookies", cookies=["session=abc", "theme=dark"],
                              headers={"host": "x.execute-api.us-east-1.amazonaws.com",
                                           "cookie": "lang=en; extra=1"})
    assert body_json(app(event, None)) == {"session": "abc", "theme": "dark", "lang": "en",
                                           "extra": "1"}


def test_function_url_cookies(app: App) -> None:
    assert body_json(app(function_url_event(raw_path="/cookies"), None)) == {
        "cookie1": "value1", "cookie2": "value2"}


def test_rest_cookie_header(app: App) -> None:
    headers = {"Host": "x", "Cookie": "session=abc; theme=\"dark\""}
    event = rest_event(path="/cookies", headers=headers)
    assert body_json(app(event, None)) == {"session": "abc", "theme": "dark"}


def test_alb_cookie_header(app: App) -> None:
    event = alb_event(path="/cookies", headers={"cookie": ["a=1; b=2"]})
    assert body_json(app(event, None)) == {"a": "1", "b": "2"}


def test_request_headers_are_case_insensitive_and_multi_value_aware() -> None:
    app = App("h")

    @app.route("/h")
    def h() -> dict[str, Any]:
        headers = app.current_request.headers
        return {"upper": headers["X-THING"], "list": headers.getlist("x-thing"),
                "has": "x-Thing" in headers}

    event = rest_event(path="/h", headers={"X-Thing": "b"},
                       multi_headers={"X-Thing": ["a", "b"]})
    assert body_json(app(event, None)) == {"upper": "a, b", "list": ["a", "b"], "has": True}
    alb = alb_event(path="/h", multi=True, headers={"x-thing": ["a", "b"]})
    assert body_json(app(alb, None))["list"] == ["a", "b"]
    v2 = http_api_v2_event(raw_path="/dev/h", headers={"x-thing": "a,b"})
    assert body_json(app(v2, None))["upper"] == "a,b"


@pytest.mark.parametrize("name", sorted(ALL_EVENTS))
@pytest.mark.parametrize("how", ["null", "missing"])
def test_null_or_missing_headers_do_not_crash(app: App, name: str, how: str) -> None:
    event = copy.deepcopy(ALL_EVENTS[name])
    if "rawPath" in event:
        event["rawPath"] = event["rawPath"].replace("/pets/1", "/headers")
    else:
        event["path"] = "/headers"
    for key in ("headers", "multiValueHeaders"):
        if key in event:
            if how == "null":
                event[key] = None
            else:
                del event[key]
    raw = app(event, None)
    assert raw["statusCode"] == 200, raw
    data = body_json(raw)
    assert data["headers"] == {}


@pytest.mark.parametrize("name", ["rest", "http-api-1.0", "alb", "alb-multi"])
def test_request_context_null_does_not_crash_v1_events(app: App, name: str) -> None:
    event = copy.deepcopy(ALL_EVENTS[name])
    event["requestContext"] = None
    event["path"] = "/headers"
    raw = app(event, None)
    assert raw["statusCode"] == 200
    assert body_json(raw)["context"] == {}


@pytest.mark.parametrize("name", ["http-api-2.0", "function-url"])
def test_request_context_null_in_v2_is_a_400_not_a_crash(app: App, name: str) -> None:
    event = copy.deepcopy(ALL_EVENTS[name])
    event["requestContext"] = None
    raw = app(event, None)
    assert isinstance(raw, dict)
    assert raw["statusCode"] == 400
    assert body_json(raw)["Code"] == "BadRequestError"


def test_request_context_is_exposed(app: App) -> None:
    raw = app(rest_event(path="/headers"), None)
    assert body_json(raw)["context"]["requestId"] == "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"


# -- request bodies -------------------------------------------------------------------------

def test_base64_request_body_is_decoded() -> None:
    app = App("b")

    @app.route("/upload", methods=["POST"], content_types=["application/octet-stream"])
    def upload() -> dict[str, Any]:
        return {"hex": app.current_request.raw_body.hex()}

    payload = bytes(range(256))
    event = rest_event("POST", "/upload", headers={"Content-Type": "application/octet-stream"},
                       body=base64.b64encode(payload).decode(), is_base64=True)
    assert body_json(app(event, None)) == {"hex": payload.hex()}
    v2 = http_api_v2_event("POST", "/dev/upload",
                           headers={"content-type": "application/octet-stream"},
                           body=base64.b64encode(payload).decode())
    v2["isBase64Encoded"] = True
    assert body_json(app(v2, None)) == {"hex": payload.hex()}


def test_json_request_body_in_every_kind() -> None:
    app = App("j")

    @app.route("/echo", methods=["POST"])
    def echo() -> Any:
        return app.current_request.json_body

    doc = {"name": "Rex", "tags": ["a", "b"], "n": 3}
    rest = rest_event("POST", "/echo", headers={"Content-Type": "application/json"},
                      body=json.dumps(doc))
    v2 = http_api_v2_event("POST", "/dev/echo", headers={"content-type": "application/json"},
                           body=json.dumps(doc))
    alb = alb_event("POST", "/echo", headers={"content-type": ["application/json"]},
                    body=json.dumps(doc))
    for event in (rest, v2, alb):
        assert body_json(app(event, None)) == doc


# -- events that are not HTTP ---------------------------------------------------------------

SQS_EVENT: dict[str, Any] = {
    "Records": [{
        "messageId": "059f36b4-87a3-44ab-83d2-661975830a7d",
        "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...",
        "body": "test",
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1545082649183"},
        "messageAttributes": {},
        "md5OfBody": "098f6bcd4621d373cade4e832627b4f6",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-2:123456789012:my-queue",
        "awsRegion": "us-east-2",
    }]
}

SCHEDULED_EVENT: dict[str, Any] = {
    "version": "0", "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
    "detail-type": "Scheduled Event", "source": "aws.events", "account": "123456789012",
    "time": "2015-10-08T16:53:06Z", "region": "us-east-1",
    "resources": ["arn:aws:events:us-east-1:123456789012:rule/my-scheduled-rule"], "detail": {},
}


@pytest.mark.parametrize(("event", "named"), [
    (SQS_EVENT, "an SQS batch, and no @app.on_sqs_message handler"),
    (SCHEDULED_EVENT, "(source 'aws.events', detail-type 'Scheduled Event')"),
    ({}, "object"),
    ([1, 2], "list"),
    ("hello", "str"),
    (None, "NoneType"),
    (42, "int"),
], ids=["sqs", "scheduled", "empty-dict", "list", "str", "none", "int"])
def test_non_http_event_raises_unknown_event_error(app: App, event: Any, named: str) -> None:
    with pytest.raises(UnknownEventError) as info:
        app(event, None)
    assert named in str(info.value)
    assert "event-kinds" in str(info.value)


def test_unknown_event_error_is_a_value_error(app: App) -> None:
    with pytest.raises(ValueError, match="SQS batch"):
        app(SQS_EVENT, None)
