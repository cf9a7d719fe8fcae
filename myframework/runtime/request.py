"""The request a view sees as ``app.current_request``.

Everything is parsed lazily from the raw event: a view that never reads the
body or the headers never pays for parsing them. What differs between event
kinds (where headers, query strings and cookies live) is asked of the
event's :class:`~myframework.runtime.http_events.HttpEventKind`.
"""
import json
from _collections_abc import Iterator, Mapping  # collections.abc without its import cost

from .errors import BadRequestError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (cold start)

if TYPE_CHECKING:
    from typing import Any

    from .http_events import HttpEventKind
    from .specs import RouteSpec

_UNSET: "Any" = object()


class MultiDict(Mapping[str, str]):
    """A read-only mapping of key to a list of values.

    ``d[key]`` gives the last value (as Chalice does); ``d.getlist(key)`` gives them all.
    """

    __slots__ = ("_data",)

    def __init__(self, data: "Mapping[str, list[str]] | None" = None) -> None:
        self._data: dict[str, list[str]] = dict(data) if data else {}

    def __getitem__(self, key: str) -> str:
        values = self._data[key]
        if not values:
            raise KeyError(key)
        return values[-1]

    def getlist(self, key: str) -> list[str]:
        """Every value given for ``key`` (an empty list when there is none)."""
        return list(self._data.get(key, ()))

    def __iter__(self) -> "Iterator[str]":
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def to_dict(self) -> dict[str, list[str]]:
        return {k: list(v) for k, v in self._data.items()}

    def __repr__(self) -> str:
        return "MultiDict(%r)" % (self._data,)


class Headers(Mapping[str, str]):
    """Case-insensitive, multi-value aware request headers.

    ``headers["accept"]`` joins repeated values with ``", "`` (HTTP's rule);
    ``headers.getlist("accept")`` gives each value. Keys iterate lower-cased.
    """

    __slots__ = ("_data",)

    def __init__(self, data: "Mapping[str, list[str]] | None" = None) -> None:
        self._data: dict[str, list[str]] = {}
        if data:
            for key, values in data.items():
                self._data.setdefault(key.lower(), []).extend(values)

    @classmethod
    def _from_lowered(cls, data: dict[str, list[str]]) -> "Headers":
        obj = cls.__new__(cls)
        obj._data = data
        return obj

    def __getitem__(self, key: str) -> str:
        values = self._data[key.lower()]
        if len(values) == 1 and type(values[0]) is str:
            return values[0]
        return ", ".join(v for v in values if type(v) is str)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._data

    def getlist(self, key: str) -> list[str]:
        """Every value of header ``key``, in the order received."""
        return [v for v in self._data.get(key.lower(), ()) if type(v) is str]

    def __iter__(self) -> "Iterator[str]":
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def to_dict(self) -> dict[str, str]:
        return {k: self[k] for k in self._data}

    def __repr__(self) -> str:
        return "Headers(%r)" % (self._data,)


class Request:
    """An HTTP request, whichever AWS service delivered it.

    Attributes: ``method``, ``path`` (percent-decoded, without the API stage),
    ``raw_path`` (the same with its percent-escapes, as received),
    ``uri_params``, ``headers``, ``query_params``, ``raw_body``, ``json_body``,
    ``cookies``, ``context`` (the event's ``requestContext``), ``stage_vars``,
    ``lambda_context``, ``event_kind`` (``"rest"``, ``"http-api"``,
    ``"function-url"`` or ``"alb"``) and ``route`` (the matched
    :class:`~myframework.runtime.specs.RouteSpec`, None before routing).
    """

    __slots__ = (
        "_base",
        "_body",
        "_cookies",
        "_event",
        "_headers",
        "_json",
        "_kind",
        "_query",
        "lambda_context",
        "method",
        "path",
        "raw_path",
        "route",
        "uri_params",
    )

    def __init__(self, kind: "HttpEventKind", event: "dict[str, Any]", context: "Any", method: str,
                 path: str, raw_path: str) -> None:
        self.method = method
        self.path = path
        self.raw_path = raw_path
        self.uri_params: dict[str, str] = {}
        self.lambda_context = context
        self.route: RouteSpec | None = None
        self._kind = kind
        self._event = event
        self._headers: Headers | None = None
        self._query: MultiDict | None = None
        self._body: bytes | None = None
        self._json: Any = _UNSET
        self._cookies: dict[str, str] | None = None
        self._base = ""  # the custom domain's base path, when one was taken off the path

    @property
    def event_kind(self) -> str:
        return self._kind.name

    @property
    def headers(self) -> "Headers":
        headers = self._headers
        if headers is None:
            headers = self._headers = Headers._from_lowered(self._kind.headers(self._event))
        return headers

    @property
    def query_params(self) -> "MultiDict":
        """Query string parameters; empty (and falsy) when there are none."""
        query = self._query
        if query is None:
            query = self._query = MultiDict(self._kind.query(self._event))
        return query

    @property
    def has_body(self) -> bool:
        body = self._event.get("body")
        return body is not None and body != ""

    @property
    def raw_body(self) -> bytes:
        """The body as bytes (base64-decoded when the event says so); ``b""`` when absent."""
        body = self._body
        if body is None:
            body = self._body = _decode_body(self._event)
        return body

    @property
    def content_type(self) -> str:
        """The media type of the body, lower-cased and without parameters ('' when absent)."""
        value = None
        if self._headers is None:  # skip building every header for the usual two spellings
            single = self._event.get("headers")
            if type(single) is dict:
                value = single.get("Content-Type") or single.get("content-type")
        if type(value) is not str:
            value = self.headers.get("content-type")
        if not value:
            return ""
        return value.split(";", 1)[0].strip().lower()

    @property
    def json_body(self) -> "Any":
        """The body parsed as JSON, or None when there is no body or it is not JSON.

        A body that claims to be JSON (or has no Content-Type) but does not
        parse raises :class:`BadRequestError` (a 400 for the client).
        """
        value = self._json
        if value is _UNSET:
            value = None
            if self.has_body:
                ctype = self.content_type
                if not ctype or ctype == "application/json" or ctype.endswith("+json"):
                    body = self._event["body"]
                    try:
                        # A plain str body parses as is: no encode/decode round trip.
                        value = json.loads(body if type(body) is str and not self._event.get(
                            "isBase64Encoded") else self.raw_body)
                    except (ValueError, RecursionError) as exc:
                        raise BadRequestError("Error Parsing JSON: %s" % (exc,)) from None
            self._json = value
        return value

    @property
    def cookies(self) -> dict[str, str]:
        """Request cookies by name (the first one wins when a name repeats)."""
        cookies = self._cookies
        if cookies is None:
            cookies = self._cookies = _parse_cookies(self._kind.cookie_strings(self._event, self))
        return cookies

    @property
    def context(self) -> "dict[str, Any]":
        ctx = self._event.get("requestContext")
        return ctx if isinstance(ctx, dict) else {}

    @property
    def stage_vars(self) -> dict[str, str]:
        stage_vars = self._event.get("stageVariables")
        return stage_vars if isinstance(stage_vars, dict) else {}

    def to_original_event(self) -> "dict[str, Any]":
        """The raw Lambda event, untouched."""
        return self._event

    def to_dict(self) -> "dict[str, Any]":
        """A JSON-serialisable summary of the request (no body, no Lambda context)."""
        return {
            "method": self.method,
            "path": self.path,
            "event_kind": self.event_kind,
            "uri_params": dict(self.uri_params),
            "headers": self.headers.to_dict(),
            "query_params": self.query_params.to_dict(),
            "cookies": dict(self.cookies),
            "context": self.context,
            "stage_vars": self.stage_vars,
        }

    def __repr__(self) -> str:
        return "<Request %s %s (%s)>" % (self.method, self.path, self.event_kind)


def _decode_body(event: "dict[str, Any]") -> bytes:
    body = event.get("body")
    if body is None or body == "":
        return b""
    if not isinstance(body, str):
        raise BadRequestError("The event body must be a string, got %s" % type(body).__name__)
    if event.get("isBase64Encoded"):
        import base64
        import binascii
        try:
            return base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise BadRequestError("The request body is marked base64-encoded but is not "
                                  "valid base64") from None
    try:
        return body.encode("utf-8")
    except UnicodeEncodeError:
        raise BadRequestError("The request body is not valid UTF-8 text") from None


def _parse_cookies(strings: list[str]) -> dict[str, str]:
    cookies: dict[str, str] = {}
    for string in strings:
        for part in string.split(";"):
            name, sep, value = part.partition("=")
            name = name.strip()
            if not sep or not name:
                continue
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            cookies.setdefault(name, value)
    return cookies
