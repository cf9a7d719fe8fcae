"""Route paths: validation at registration, matching at request time.

Matching never scans the whole table: static paths are one dict lookup;
parametrised paths are bucketed by segment count and first literal segment,
so ``/users/42`` only ever looks at the few patterns starting ``/users/``
with three segments. No regular expressions are compiled, which keeps
registration (and so Lambda cold start) cheap.
"""

from .errors import RegistrationError
from .specs import DEFAULT_CORS, Authorizer, CORSConfig, RouteSpec

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (cold start)

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any

HTTP_METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"))
_FORBIDDEN_CHARS = frozenset(" \t\r\n?#%\\")


class ParsedPath:
    """A validated route path split into segments (computed once, at registration)."""

    __slots__ = (
        "greedy",
        "literals",
        "param_names",
        "param_prefixes",
        "params",
        "path",
        "segments",
        "shape",
        "specificity",
    )

    def __init__(self, path: str, segments: list[str], literals: tuple[tuple[int, str], ...],
                 params: tuple[tuple[int, str], ...], greedy: str | None, shape: str,
                 specificity: tuple[int, ...], param_prefixes: tuple[tuple[str, str], ...]) -> None:
        self.path = path
        self.segments = segments
        self.literals = literals  # (index in path.split("/"), text)
        self.params = params  # (index in path.split("/"), name), greedy one excluded
        self.greedy = greedy  # the {name+} parameter, always last
        # The path with parameter names erased: two patterns of one shape are the same route.
        self.shape = shape
        # 0 per literal segment, 1 per parameter: sorts /a/b/{x} before /a/{y}/c.
        self.specificity = specificity
        # (shape of the path before a parameter, that parameter's name)
        self.param_prefixes = param_prefixes
        # every parameter name, in path order (the greedy one last)
        self.param_names = tuple(name for _, name in param_prefixes)


_ROOT = ParsedPath("/", ["", ""], (), (), None, "/", (), ())


def parse_path(path: object, where: object, what: str = "route path") -> "ParsedPath":
    """Validate a route path as API Gateway would.

    Raises RegistrationError naming ``where``: a string, or the view function
    (then the message reads ``@route('/path') on view_name``).
    """
    def bad(why: str) -> "RegistrationError":
        place = where if isinstance(where, str) else "@route(%r) on %s" % (
            path, getattr(where, "__qualname__", None) or getattr(where, "__name__", where))
        return RegistrationError("%s: invalid %s %r: %s" % (place, what, path, why))

    if not isinstance(path, str):
        raise bad("the path must be a string such as '/pets/{pet_id}'")
    if not path.startswith("/"):
        raise bad("it must start with '/'")
    if path == "/":
        return _ROOT
    if path.endswith("/"):
        raise bad("remove the trailing '/' (requests with a trailing slash still match)")
    if not _FORBIDDEN_CHARS.isdisjoint(path):
        raise bad("it contains %s; paths hold plain segments and {param} placeholders"
                  % ", ".join(repr(c) for c in sorted(_FORBIDDEN_CHARS.intersection(path))))
    segments = path.split("/")
    literals: list[tuple[int, str]] = []
    params: list[tuple[int, str]] = []
    shape_parts = [""]
    specificity: list[int] = []
    prefixes: list[tuple[str, str]] = []
    greedy: str | None = None
    last = len(segments) - 1
    for index in range(1, last + 1):
        segment = segments[index]
        if not segment:
            raise bad("it has an empty segment ('//')")
        if "{" not in segment and "}" not in segment:
            literals.append((index, segment))
            shape_parts.append(segment)
            specificity.append(0)
            continue
        if segment[0] != "{" or segment[-1] != "}":
            raise bad("segment %r mixes text and a parameter; a {param} must be a whole "
                      "segment" % segment)
        name = segment[1:-1]
        is_greedy = name.endswith("+")
        if is_greedy:
            name = name[:-1]
            if index != last:
                raise bad("the greedy parameter {%s+} must be the last segment" % name)
        if not name.isidentifier():
            raise bad("parameter name %r is not a valid Python identifier" % name)
        if name == greedy or any(name == n for _, n in params):
            raise bad("parameter {%s} appears twice" % name)
        prefixes.append(("/".join(shape_parts), name))
        shape_parts.append("{}")
        specificity.append(1)
        if is_greedy:
            greedy = name
        else:
            params.append((index, name))
    return ParsedPath(path, segments, tuple(literals), tuple(params), greedy,
                      "/".join(shape_parts), tuple(specificity), tuple(prefixes))


def _place(where: object, path: str) -> str:
    if isinstance(where, str):
        return where
    return "@route(%r) on %s" % (path, getattr(where, "__qualname__", None)
                                 or getattr(where, "__name__", where))


class PathEntry:
    """Every route registered on one path pattern, by method."""

    __slots__ = ("greedy", "literals", "methods", "nsegments", "params", "parsed")

    def __init__(self, parsed: "ParsedPath") -> None:
        self.parsed = parsed
        self.methods: dict[str, RouteSpec] = {}
        self.nsegments = len(parsed.segments)
        self.literals = parsed.literals
        self.params = parsed.params
        self.greedy = parsed.greedy

    @property
    def path(self) -> str:
        return self.parsed.path

    @property
    def allow(self) -> str:
        """The value of an ``Allow`` header for this path (GET views also answer HEAD)."""
        methods = set(self.methods)
        if "GET" in methods:
            methods.add("HEAD")
        return ", ".join(sorted(methods))

    def match(self, parts: list[str]) -> dict[str, str] | None:
        """The URI parameters if ``parts`` (a split request path) fits this pattern."""
        for index, text in self.literals:
            if parts[index] != text:
                return None
        params = {}
        for index, name in self.params:
            value = parts[index]
            if not value:
                return None
            params[name] = value
        if self.greedy is not None:
            rest = "/".join(parts[self.nsegments - 1:])
            if not rest:
                return None
            params[self.greedy] = rest
        return params


def _specificity(entry: "PathEntry") -> tuple[int, ...]:
    return entry.parsed.specificity


class Router:
    """Path patterns -> :class:`PathEntry`, matched against request paths."""

    __slots__ = ("_dynamic", "_entries", "_greedy", "_param_names", "_static")

    def __init__(self) -> None:
        self._entries: dict[str, PathEntry] = {}  # by shape
        self._static: dict[str, PathEntry] = {}
        # segment count -> first literal segment (None: first segment is a parameter) -> entries
        self._dynamic: dict[int, dict[str | None, list[PathEntry]]] = {}
        self._greedy: list[PathEntry] = []
        self._param_names: dict[str, str] = {}  # shape prefix ending in a parameter -> its name

    def entry_for(self, parsed: "ParsedPath", where: object) -> "PathEntry":
        """The entry for ``parsed``, created (and indexed) on first use."""
        entry = self._entries.get(parsed.shape)
        if entry is not None:
            if entry.parsed.path != parsed.path:
                raise RegistrationError(
                    "%s: route %r is the same path as %r with other parameter names; use the same "
                    "names (API Gateway allows one parameter name per position)"
                    % (_place(where, parsed.path), parsed.path, entry.parsed.path))
            return entry
        self._check_sibling_names(parsed, where)
        entry = PathEntry(parsed)
        self._entries[parsed.shape] = entry
        if not parsed.params and parsed.greedy is None:
            self._static[parsed.path] = entry
        elif parsed.greedy is not None:
            self._greedy.append(entry)
            self._greedy.sort(key=lambda e: (-e.nsegments, _specificity(e)))
        else:
            first = parsed.segments[1]
            key = None if first.startswith("{") else first
            bucket = self._dynamic.setdefault(entry.nsegments, {}).setdefault(key, [])
            bucket.append(entry)
            if len(bucket) > 1:
                bucket.sort(key=_specificity)
        return entry

    def _check_sibling_names(self, parsed: "ParsedPath", where: object) -> None:
        for prefix, name in parsed.param_prefixes:
            other = self._param_names.get(prefix)
            if other is not None and other != name:
                raise RegistrationError(
                    "%s: route %r names its parameter {%s} where another route already uses "
                    "{%s} after %r; API Gateway allows one parameter name per position"
                    % (_place(where, parsed.path), parsed.path, name, other, prefix or "/"))
        for prefix, name in parsed.param_prefixes:
            self._param_names[prefix] = name

    def entries(self) -> "list[PathEntry]":
        return list(self._entries.values())

    def match(self, path: str) -> "tuple[PathEntry, dict[str, str]] | None":
        """Find the entry for a request path without percent-escapes, with its URI parameters."""
        entry = self._static.get(path)
        if entry is not None:
            return entry, {}
        if len(path) > 1 and path[-1] == "/":
            path = path[:-1]
            entry = self._static.get(path)
            if entry is not None:
                return entry, {}
        return self._match_parts(path.split("/"))

    def match_raw(self, raw_path: str) -> "tuple[PathEntry, dict[str, str]] | None":
        """Like :meth:`match` for a path with percent-escapes: split first, then decode
        each segment, so an escaped ``/`` (``%2F``) stays inside its segment."""
        from urllib.parse import unquote
        parts = [unquote(part, errors="strict") for part in raw_path.split("/")]
        if len(parts) > 2 and parts[-1] == "":
            parts.pop()  # a trailing slash still matches
        if not any("/" in part for part in parts):
            entry = self._static.get("/".join(parts) or "/")
            if entry is not None:
                return entry, {}
        return self._match_parts(parts)

    def _match_parts(self, parts: list[str]) -> "tuple[PathEntry, dict[str, str]] | None":
        nparts = len(parts)
        by_first = self._dynamic.get(nparts)
        if by_first is not None:
            for key in (parts[1], None):
                bucket = by_first.get(key)
                if bucket is not None:
                    for entry in bucket:
                        params = entry.match(parts)
                        if params is not None:
                            return entry, params
        for entry in self._greedy:
            if nparts >= entry.nsegments:
                params = entry.match(parts)
                if params is not None:
                    return entry, params
        return None


# -- validating @route arguments -------------------------------------------------

_ROUTE_OPTIONS = frozenset(("methods", "name", "cors", "content_types", "authorizer",
                            "api_key_required", "compress"))

def func_name(func: "Any") -> str:
    return getattr(func, "__qualname__", None) or getattr(func, "__name__", None) or repr(func)


def did_you_mean(value: str, choices: "Sequence[str] | frozenset[str]") -> str:
    """``"; did you mean 'x'?"`` for the closest choice, or ``""``."""
    import difflib
    hint = difflib.get_close_matches(value, sorted(choices), n=1)
    return "; did you mean %r?" % hint[0] if hint else ""


def unknown_option(where: str, key: str, allowed: frozenset[str]) -> "RegistrationError":
    return RegistrationError("%s: unknown argument %r%s; allowed: %s" % (
        where, key, did_you_mean(key, allowed), ", ".join(sorted(allowed))))


_JSON_ONLY = ("application/json",)


def route_spec(func: "Callable[..., Any]", path: str,
                options: "dict[str, Any]") -> "tuple[RouteSpec, ParsedPath]":
    """Validate ``route()`` arguments into a spec (before any blueprint prefix is added)."""
    parsed = parse_path(path, func)
    if not options:  # the common case: every default
        return RouteSpec(path, ("GET",), view_name(func, None, path), func, None, _JSON_ONLY,
                         None, None, False, parsed.param_names), parsed
    where = route_where(path, func)
    for key in options:
        if key not in _ROUTE_OPTIONS:
            raise unknown_option(where, key, _ROUTE_OPTIONS)
    methods = options.get("methods", ["GET"])
    if isinstance(methods, str):
        methods = [methods]
    if not isinstance(methods, (list, tuple)) or not methods:
        raise RegistrationError("%s: methods must be a non-empty list such as ['GET', 'POST']"
                                % where)
    upper = []
    for method in methods:
        if not isinstance(method, str) or method.upper() not in HTTP_METHODS:
            raise RegistrationError("%s: unsupported method %r; use one of %s" % (
                where, method, ", ".join(sorted(HTTP_METHODS))))
        if method.upper() in upper:
            raise RegistrationError("%s: method %r is listed twice" % (where, method))
        upper.append(method.upper())
    name = view_name(func, options.get("name"), path)
    cors = options.get("cors")
    if cors is True:
        cors = DEFAULT_CORS
    elif cors is not None and cors is not False and not isinstance(cors, CORSConfig):
        raise RegistrationError("%s: cors must be True, False or a CORSConfig, got %r"
                                % (where, cors))
    content_types = options.get("content_types", ["application/json"])
    if isinstance(content_types, str):
        content_types = [content_types]
    if (not isinstance(content_types, (list, tuple)) or not content_types
            or not all(isinstance(c, str) and "/" in c for c in content_types)):
        raise RegistrationError("%s: content_types must be a non-empty list of media types "
                                "such as ['application/json'], got %r" % (where, content_types))
    authorizer = options.get("authorizer")
    if authorizer is not None and not isinstance(authorizer, Authorizer):
        raise RegistrationError("%s: authorizer must be an IAMAuthorizer, "
                                "CognitoUserPoolAuthorizer or CustomAuthorizer, got %r"
                                % (where, authorizer))
    api_key_required = options.get("api_key_required")
    if api_key_required is not None and not isinstance(api_key_required, bool):
        raise RegistrationError("%s: api_key_required must be True or False" % where)
    compress = options.get("compress", False)
    if not isinstance(compress, bool):
        raise RegistrationError("%s: compress must be True or False" % where)
    return RouteSpec(path, tuple(upper), name, func, cors,
                     tuple(c.lower() for c in content_types), authorizer, api_key_required,
                     compress, parsed.param_names), parsed


def route_where(path: str, func: "Any") -> str:
    return "@route(%r) on %s" % (path, func_name(func))


def view_name(func: "Any", name: "Any", path: str) -> str:
    name = name or getattr(func, "__name__", None)
    if not isinstance(name, str) or not name:
        raise RegistrationError("%s: give the route a name= (the view has no __name__)"
                                % route_where(path, func))
    return name


def check_view_signature(func: "Callable[..., Any]", params: tuple[str, ...], path: str) -> None:
    """Refuse a view that cannot be called with the path's URI parameters."""
    code = getattr(func, "__code__", None)
    if code is None or "__wrapped__" in getattr(func, "__dict__", ()):
        return  # not a plain function (or a functools.wraps wrapper): nothing reliable to check
    varnames = code.co_varnames  # a fresh tuple on every access in 3.11+: read it once
    nargs = code.co_argcount + code.co_kwonlyargcount
    names = varnames[:nargs]
    if not code.co_flags & 0x08:  # no **kwargs
        missing = [p for p in params if p not in names]
        if missing:
            raise RegistrationError("%s: the view does not accept URI parameter(s) %s; add them "
                                    "as arguments" % (route_where(path, func), ", ".join(missing)))
    defaults = func.__defaults__
    required = list(varnames[code.co_posonlyargcount:code.co_argcount
                             - (len(defaults) if defaults else 0)])
    if code.co_kwonlyargcount:
        kwdefaults = func.__kwdefaults__ or {}
        required += [n for n in varnames[code.co_argcount:nargs] if n not in kwdefaults]
    extra = [n for n in required if n not in params]
    if code.co_posonlyargcount or extra:
        raise RegistrationError("%s: the view requires argument(s) %s that the path does not "
                                "provide; give them defaults or add {param} segments"
                                % (route_where(path, func), ", ".join(extra or varnames[:1])))
