"""Route paths: validation at registration, matching at request time.

Matching never scans the whole table: static paths are one dict lookup;
parametrised paths are bucketed by segment count and first literal segment,
so ``/users/42`` only ever looks at the few patterns starting ``/users/``
with three segments. No regular expressions are compiled, which keeps
registration (and so Lambda cold start) cheap.
"""
from __future__ import annotations

TYPE_CHECKING = False

from .errors import RegistrationError

if TYPE_CHECKING:
    from .specs import RouteSpec

HTTP_METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"))
_FORBIDDEN_CHARS = frozenset(" \t\r\n?#%\\")


class ParsedPath:
    """A validated route path split into segments."""

    __slots__ = ("path", "segments", "literals", "params", "greedy", "shape")

    def __init__(self, path: str, segments: list[str], literals: tuple[tuple[int, str], ...],
                 params: tuple[tuple[int, str], ...], greedy: str | None) -> None:
        self.path = path
        self.segments = segments
        self.literals = literals  # (index in path.split("/"), text)
        self.params = params  # (index in path.split("/"), name), greedy one excluded
        self.greedy = greedy  # the {name+} parameter, always last
        # The path with parameter names erased: two patterns of one shape are the same route.
        self.shape = "/".join("{}" if s.startswith("{") else s for s in segments)

    @property
    def param_names(self) -> tuple[str, ...]:
        names = tuple(name for _, name in self.params)
        return names + (self.greedy,) if self.greedy else names


def parse_path(path: object, where: str) -> ParsedPath:
    """Validate a route path as API Gateway would, raising RegistrationError naming ``where``."""
    def bad(why: str) -> RegistrationError:
        return RegistrationError("%s: invalid route path %r: %s" % (where, path, why))

    if not isinstance(path, str):
        raise bad("the path must be a string such as '/pets/{pet_id}'")
    if not path.startswith("/"):
        raise bad("it must start with '/'")
    if path == "/":
        return ParsedPath(path, [""], (), (), None)
    if path.endswith("/"):
        raise bad("remove the trailing '/' (requests with a trailing slash still match)")
    bad_chars = sorted(set(path) & _FORBIDDEN_CHARS)
    if bad_chars:
        raise bad("it contains %s; paths hold plain segments and {param} placeholders"
                  % ", ".join(repr(c) for c in bad_chars))
    segments = path.split("/")
    literals: list[tuple[int, str]] = []
    params: list[tuple[int, str]] = []
    greedy: str | None = None
    seen: set[str] = set()
    for index, segment in enumerate(segments):
        if index == 0:
            continue
        if not segment:
            raise bad("it has an empty segment ('//')")
        if "{" in segment or "}" in segment:
            if not (segment.startswith("{") and segment.endswith("}")):
                raise bad("segment %r mixes text and a parameter; a {param} must be a whole "
                          "segment" % segment)
            name = segment[1:-1]
            is_greedy = name.endswith("+")
            if is_greedy:
                name = name[:-1]
                if index != len(segments) - 1:
                    raise bad("the greedy parameter {%s+} must be the last segment" % name)
            if not name.isidentifier():
                raise bad("parameter name %r is not a valid Python identifier" % name)
            if name in seen:
                raise bad("parameter {%s} appears twice" % name)
            seen.add(name)
            if is_greedy:
                greedy = name
            else:
                params.append((index, name))
        else:
            literals.append((index, segment))
    return ParsedPath(path, segments, tuple(literals), tuple(params), greedy)


class PathEntry:
    """Every route registered on one path pattern, by method."""

    __slots__ = ("parsed", "methods", "allow", "nsegments", "literals", "params", "greedy")

    def __init__(self, parsed: ParsedPath) -> None:
        self.parsed = parsed
        self.methods: dict[str, RouteSpec] = {}
        self.allow = ""
        self.nsegments = len(parsed.segments)
        self.literals = parsed.literals
        self.params = parsed.params
        self.greedy = parsed.greedy

    @property
    def path(self) -> str:
        return self.parsed.path

    def add(self, method: str, route: RouteSpec) -> None:
        self.methods[method] = route
        self.allow = ", ".join(sorted(self.methods))

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


def _specificity(entry: PathEntry) -> tuple[int, ...]:
    # Literal segments before parameters: /a/b/{x} wins over /a/{y}/c.
    return tuple(1 if s.startswith("{") else 0 for s in entry.parsed.segments)


class Router:
    """Path patterns -> :class:`PathEntry`, matched against request paths."""

    __slots__ = ("_entries", "_static", "_dynamic", "_greedy", "_param_names")

    def __init__(self) -> None:
        self._entries: dict[str, PathEntry] = {}  # by shape
        self._static: dict[str, PathEntry] = {}
        # segment count -> first literal segment (None: first segment is a parameter) -> entries
        self._dynamic: dict[int, dict[str | None, list[PathEntry]]] = {}
        self._greedy: list[PathEntry] = []
        self._param_names: dict[str, str] = {}  # shape prefix ending in a parameter -> its name

    def entry_for(self, parsed: ParsedPath, where: str) -> PathEntry:
        """The entry for ``parsed``, created (and indexed) on first use."""
        entry = self._entries.get(parsed.shape)
        if entry is not None:
            if entry.parsed.path != parsed.path:
                raise RegistrationError(
                    "%s: route %r is the same path as %r with other parameter names; use the same "
                    "names (API Gateway allows one parameter name per position)"
                    % (where, parsed.path, entry.parsed.path))
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
            bucket.sort(key=_specificity)
        return entry

    def _check_sibling_names(self, parsed: ParsedPath, where: str) -> None:
        segments = parsed.segments
        names: list[tuple[str, str]] = []
        for index in range(1, len(segments)):
            segment = segments[index]
            if segment.startswith("{"):
                prefix = "/".join("{}" if s.startswith("{") else s for s in segments[:index])
                name = segment[1:-1].rstrip("+")
                other = self._param_names.get(prefix)
                if other is not None and other != name:
                    raise RegistrationError(
                        "%s: route %r names its parameter {%s} where another route already uses "
                        "{%s} after %r; API Gateway allows one parameter name per position"
                        % (where, parsed.path, name, other, prefix or "/"))
                names.append((prefix, name))
        for prefix, name in names:
            self._param_names[prefix] = name

    def entries(self) -> list[PathEntry]:
        return list(self._entries.values())

    def match(self, path: str) -> tuple[PathEntry, dict[str, str]] | None:
        """Find the entry for a (percent-decoded) request path, with its URI parameters."""
        entry = self._static.get(path)
        if entry is not None:
            return entry, {}
        if len(path) > 1 and path[-1] == "/":
            path = path[:-1]
            entry = self._static.get(path)
            if entry is not None:
                return entry, {}
        parts = path.split("/")
        by_first = self._dynamic.get(len(parts))
        if by_first is not None:
            for key in (parts[1], None):
                bucket = by_first.get(key)
                if bucket is not None:
                    for entry in bucket:
                        params = entry.match(parts)
                        if params is not None:
                            return entry, params
        nparts = len(parts)
        for entry in self._greedy:
            if nparts >= entry.nsegments:
                params = entry.match(parts)
                if params is not None:
                    return entry, params
        return None
