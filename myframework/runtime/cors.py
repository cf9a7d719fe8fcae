"""CORS configuration and the headers it produces."""

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (cold start)

if TYPE_CHECKING:
    from collections.abc import Sequence

_REQUIRED_HEADERS = ("Authorization", "Content-Type", "X-Amz-Date", "X-Amz-Security-Token",
                     "X-Api-Key")


class CORSConfig:
    """CORS settings for a route (``cors=CORSConfig(...)``) or a whole API (``app.api.cors``).

    ``allow_origin`` is ``"*"``, one origin, or a list of origins: with a list,
    the request's ``Origin`` is echoed back when it is on the list (with
    ``Vary: Origin``) and no CORS headers are sent otherwise.
    """

    __slots__ = (
        "_allow_credentials",
        "_allow_headers",
        "_expose_headers",
        "_max_age",
        "_origins",
        "_static",
        "allow_origin",
    )

    def __init__(self, allow_origin: "str | Sequence[str]" = "*",
                 allow_headers: "Sequence[str] | None" = None,
                 expose_headers: "Sequence[str] | None" = None,
                 max_age: int | None = None,
                 allow_credentials: bool | None = None) -> None:
        if isinstance(allow_origin, str):
            origins: tuple[str, ...] | None = None
            if not allow_origin:
                raise ValueError("CORSConfig: allow_origin must not be empty; use '*' or an origin "
                                 "such as 'https://example.com'")
        else:
            origins = tuple(allow_origin)
            if not origins or not all(isinstance(o, str) and o and o != "*" for o in origins):
                raise ValueError("CORSConfig: allow_origin list must hold origins such as "
                                 "'https://example.com' (not '*'), got %r" % (allow_origin,))
        if allow_credentials and allow_origin == "*":
            raise ValueError("CORSConfig: browsers reject allow_credentials=True with "
                             "allow_origin='*'; list the allowed origins instead")
        if max_age is not None and (not isinstance(max_age, int) or max_age < 0):
            raise ValueError("CORSConfig: max_age must be a non-negative number of seconds, "
                             "got %r" % (max_age,))
        self.allow_origin = allow_origin
        self._origins = origins
        self._allow_headers = ",".join(sorted(set(_REQUIRED_HEADERS) | set(allow_headers or ())))
        self._expose_headers = ",".join(expose_headers or ())
        self._max_age = max_age
        self._allow_credentials = bool(allow_credentials)
        # The headers that do not depend on the request, computed once.
        static = {"Access-Control-Allow-Headers": self._allow_headers}
        if self._expose_headers:
            static["Access-Control-Expose-Headers"] = self._expose_headers
        if self._max_age is not None:
            static["Access-Control-Max-Age"] = str(self._max_age)
        if self._allow_credentials:
            static["Access-Control-Allow-Credentials"] = "true"
        self._static = static

    @property
    def allow_headers(self) -> str:
        return self._allow_headers

    def origin_for(self, request_origin: str | None) -> str | None:
        """The ``Access-Control-Allow-Origin`` value for a request (None: send no CORS headers)."""
        if self._origins is None:
            assert isinstance(self.allow_origin, str)
            return self.allow_origin
        if request_origin is not None and request_origin in self._origins:
            return request_origin
        return None

    def get_access_control_headers(self, request_origin: str | None = None) -> dict[str, str]:
        """The CORS headers for a response to a request from ``request_origin``."""
        origin = self.origin_for(request_origin)
        if origin is None:
            return {"Vary": "Origin"} if self._origins is not None else {}
        headers = {"Access-Control-Allow-Origin": origin}
        headers.update(self._static)
        if self._origins is not None:
            headers["Vary"] = "Origin"
        return headers

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CORSConfig):
            return NotImplemented
        return (self.allow_origin, self._static) == (other.allow_origin, other._static)

    def __hash__(self) -> int:
        return hash((str(self.allow_origin), tuple(sorted(self._static.items()))))

    def __repr__(self) -> str:
        return "CORSConfig(allow_origin=%r, %r)" % (self.allow_origin, self._static)


DEFAULT_CORS = CORSConfig()
