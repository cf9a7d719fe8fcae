"""Responses, and turning them into the body string and headers Lambda returns."""
import json

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (cold start)

if TYPE_CHECKING:
    from typing import Any, Union

    HeaderValue = Union[str, list[str]]
    HeadersType = dict[str, HeaderValue]


class Response:
    """What a view returns when it needs a status code or headers.

    ``body``: a dict, list or other JSON-serialisable value (sent as JSON,
    ``Decimal``, ``datetime``, ``date``, ``time`` and ``UUID`` handled), a
    ``str`` (sent as text) or ``bytes`` (sent as-is: as text when the content
    type is a text type and the bytes are UTF-8, otherwise base64-encoded for
    the event). ``headers``: names to values; a
    list value sends the header once per item (use it for several
    ``Set-Cookie``).
    """

    __slots__ = ("body", "headers", "status_code")

    def __init__(self, body: "Any" = None, headers: "HeadersType | None" = None,
                 status_code: int = 200) -> None:
        self.body = body
        self.headers: HeadersType = headers if headers is not None else {}
        self.status_code = status_code

    def __repr__(self) -> str:
        return "<Response %s %r>" % (self.status_code, self.headers)


class RenderedResponse(Response):
    """A response that already carries what :func:`render` would make of it.

    The WSGI bridge returns one when no middleware or CORS can change the
    response after it: the app's headers were checked and the body settled
    while they were collected, so rendering is not done twice.
    """

    __slots__ = ("rendered",)

    def __init__(self, rendered: "Rendered", headers: "HeadersType", body: bytes) -> None:
        self.body = body
        self.headers = headers
        self.status_code = rendered[0]
        self.rendered = rendered


def _json_default(obj: "Any") -> "Any":
    import datetime
    import decimal
    import uuid
    if isinstance(obj, decimal.Decimal):
        if obj.is_finite() and obj == obj.to_integral_value():
            return int(obj)
        return float(obj)
    if isinstance(obj, (datetime.datetime, datetime.date, datetime.time)):
        return obj.isoformat()
    if isinstance(obj, uuid.UUID):
        return str(obj)
    if isinstance(obj, (set, frozenset, tuple)):
        return list(obj)
    to_dict = getattr(obj, "to_dict", None)
    if callable(to_dict):
        return to_dict()
    raise TypeError("Object of type %s is not JSON serializable; return a dict, list, str or "
                    "bytes, "
                    "or a Response" % type(obj).__name__)


# allow_nan=False: NaN/Infinity are not JSON; such a body is a logged 500, not a broken 200
_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_json_default,
                            allow_nan=False)
json_dumps = _encoder.encode

JSON_TYPE = "application/json"
TEXT_TYPE = "text/plain; charset=utf-8"
BINARY_TYPE = "application/octet-stream"
_TEXT_EXACT = frozenset((
    "application/json", "application/javascript", "application/ecmascript", "application/xml",
    "application/x-www-form-urlencoded", "application/graphql", "application/yaml",
    "application/x-yaml", "application/x-ndjson", "application/x-javascript",
    "image/svg+xml", "application/vnd.oai.openapi",
))


def is_text_type(content_type: str, binary_types: frozenset[str] = frozenset(),
                 text_types: frozenset[str] = frozenset()) -> bool:
    """Whether a body of this media type travels as text (not base64).

    ``binary_types`` are never text; ``text_types`` (exact types, or ``type/*``)
    are text besides the built-in ones (``text/*``, JSON, XML, JavaScript...).
    """
    ctype = content_type.split(";", 1)[0].strip().lower()
    if ctype in binary_types:
        return False
    if text_types and (ctype in text_types or ctype.split("/", 1)[0] + "/*" in text_types):
        return True
    return (ctype.startswith("text/") or ctype in _TEXT_EXACT or ctype.endswith("+json")
            or ctype.endswith("+xml"))


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an Accept-Encoding header value allows a gzip response.

    An explicit ``gzip`` entry decides; otherwise ``*`` does (RFC 9110 12.5.3).
    """
    if not accept_encoding:
        return False
    wildcard: bool | None = None
    for item in accept_encoding.split(","):
        coding, _, params = item.partition(";")
        coding = coding.strip().lower()
        if coding != "gzip" and coding != "*":
            continue
        allowed = True
        for param in params.split(";"):
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    allowed = float(value) > 0
                except ValueError:
                    allowed = False
        if coding == "gzip":
            return allowed
        wildcard = allowed
    return bool(wildcard)


def add_vary(headers: "HeadersType", token: str) -> None:
    """Add ``token`` to the response's Vary header (any spelling, str or list), once."""
    for name, value in headers.items():
        if name.lower() == "vary":
            items = value if isinstance(value, list) else [value]
            present = {t.strip().lower() for item in items for t in item.split(",")}
            if token.lower() not in present:
                headers[name] = ", ".join([*items, token])
            return
    headers["Vary"] = token


def header_value(headers: "HeadersType", name: str) -> str | None:
    """The value of header ``name`` (any case) or None; the last item of a list."""
    lname = name.lower()
    for key, value in headers.items():
        if key.lower() == lname:
            return value[-1] if isinstance(value, list) else value
    return None


if TYPE_CHECKING:
    # What render() gives an event kind to shape: status, headers, body text, is-base64.
    Rendered = tuple[int, HeadersType, str, bool]

GZIP_MIN_SIZE = 500

MAX_PAYLOAD_BYTES = 6 * 1024 * 1024
"""Lambda's limit on a synchronous response: the whole JSON payload, 6 MB."""
MAX_ESCAPE_FREE_CHARS = 500_000
"""A body this long or shorter always fits: JSON escaping makes a character at most 12 bytes."""


def payload_size(shaped: "dict[str, Any]") -> int:
    """The size of the response payload as the Lambda runtime serialises it (ASCII JSON)."""
    return len(json.dumps(shaped))


def render(response: "Response", binary_types: frozenset[str], head: bool = False,
           gzip_ok: bool = False, text_types: frozenset[str] = frozenset()) -> "Rendered":
    """Serialise the body and settle Content-Type and base64.

    Raises TypeError/ValueError for a response that cannot be sent (a body
    JSON cannot encode, a bad status code, a header value with a line break);
    the caller turns that into a logged 500.
    """
    status = response.status_code
    if type(status) is not int or not 100 <= status <= 599:
        raise ValueError("Response status_code must be an int from 100 to 599, got %r" % (status,))
    body = response.body
    data: str | bytes
    if body is None:
        data = ""
        default_type = None
    elif isinstance(body, str):
        data = body
        default_type = TEXT_TYPE
    elif isinstance(body, (bytes, bytearray, memoryview)):
        data = bytes(body)
        default_type = BINARY_TYPE if data else None
    else:
        data = json_dumps(body)
        default_type = JSON_TYPE
    user_headers = response.headers
    headers: HeadersType
    encoded = False  # a Content-Encoding (gzip...) makes any body binary
    if user_headers:
        headers = {}
        ctype = None
        for name, value in user_headers.items():
            if type(value) is str and type(name) is str:
                if (not name or "\r" in name or "\n" in name or ":" in name or "\r" in value
                        or "\n" in value):
                    _check_header(name, value)  # raises, saying what is wrong
                headers[name] = value
            else:
                _check_header(name, value)
                value = headers[name] = list(value)
            if len(name) == 12 and name.lower() == "content-type":
                ctype = value if type(value) is str else value[-1]
            elif len(name) == 16 and name.lower() == "content-encoding":
                encoded = True
        if ctype is None and default_type is not None:
            ctype = headers["Content-Type"] = default_type
    elif default_type is not None:
        ctype = default_type
        headers = {"Content-Type": ctype}
    else:
        ctype = None
        headers = {}
    if head or status == 204 or status == 304:
        return status, headers, "", False
    if gzip_ok and len(data) >= GZIP_MIN_SIZE and not encoded:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        if len(raw) >= GZIP_MIN_SIZE:
            import gzip
            data = gzip.compress(raw, mtime=0)
            headers["Content-Encoding"] = "gzip"
            add_vary(headers, "Accept-Encoding")
    if isinstance(data, str):
        if (ctype is None or (ctype is JSON_TYPE and JSON_TYPE not in binary_types)
                or (ctype is not JSON_TYPE
                    and ctype.split(";", 1)[0].strip().lower() not in binary_types)):
            return status, headers, data, False
        data = data.encode("utf-8")  # a str body of a binary media type: API Gateway wants base64
        ctype = None
    return render_bytes(status, headers, data, ctype, encoded, binary_types, text_types)


def render_bytes(status: int, headers: "HeadersType", data: bytes, ctype: "str | None",
                 encoded: bool, binary_types: frozenset[str],
                 text_types: frozenset[str]) -> "Rendered":
    """A bytes body as text when its type is text and it decodes, otherwise base64.

    ``encoded``: the response has a Content-Encoding (gzip...), which makes
    any body binary. An empty body is ``""``, never base64.
    """
    if not data:
        return status, headers, "", False
    if ctype and not encoded and _text_type(ctype, binary_types, text_types):
        try:
            return status, headers, data.decode("utf-8"), False
        except UnicodeDecodeError:
            pass
    import base64
    return status, headers, base64.b64encode(data).decode("ascii"), True


_text_types_seen: dict[str, bool] = {}
_text_types_for: "tuple[frozenset[str], frozenset[str]] | None" = None


def _text_type(ctype: str, binary_types: frozenset[str], text_types: frozenset[str]) -> bool:
    """:func:`is_text_type`, remembered per Content-Type value for the current type lists."""
    global _text_types_for
    seen = _text_types_seen
    sets = _text_types_for
    if sets is not None and sets[0] is binary_types and sets[1] is text_types:
        known = seen.get(ctype)
        if known is not None:
            return known
    else:
        seen.clear()
        _text_types_for = (binary_types, text_types)
    result = is_text_type(ctype, binary_types, text_types)
    if len(seen) < 256:
        seen[ctype] = result
    return result


def _check_header(name: object, value: object) -> None:
    if not isinstance(name, str) or not name or "\r" in name or "\n" in name or ":" in name:
        raise ValueError("Bad response header name %r" % (name,))
    values = value if isinstance(value, list) else [value]
    for item in values:
        if not isinstance(item, str):
            raise ValueError("Response header %r must be a str or a list of str, got %r"
                             % (name, item))
        if "\r" in item or "\n" in item:
            raise ValueError("Response header %r has a line break in its value %r" % (name, item))
