"""Amazon EventBridge (CloudWatch Events) event patterns: validation and matching.

``@app.on_cw_event(event_pattern)`` validates its pattern here when the
decorator runs, so a pattern EventBridge would refuse fails at import time
(naming the bad part) rather than at deploy time. :func:`matches` then lets
one Lambda entry point route an incoming event to the handler whose pattern
matches, with EventBridge's semantics:

* every field named in the pattern must match (AND); a field matches if
  *any* of the values in its list matches (OR); ``"$or": [{...}, {...}]``
  matches if any alternative matches the object it sits in;
* the event is seen the way EventBridge flattens it: a field's values are its
  scalar (string, number, boolean, null) leaves. An event array contributes
  each of its elements (nested arrays are flattened), so a pattern value
  matches an array if it matches any element. A field whose value is an
  object, an empty array, or that is missing has no values: it is *absent*,
  and only ``{"exists": false}`` matches it (``exists`` only works on leaves);
* a nested pattern object matches an event object; when the event field is
  an array of objects, the pattern must match within one element (array
  consistency). A missing or non-object field is treated as an object with
  no fields, so only absence tests (``exists: false``) can match under it;
* exact values compare as JSON: ``1`` matches ``1.0``, ``true`` matches only
  ``true`` (never ``1``), ``null`` matches a null value (not a missing key),
  and ``""`` matches only the empty string;
* ``anything-but`` matches a present value that is not excluded, null and
  values of another type included (``{"anything-but": "x"}`` matches ``null``
  and ``5``). Against an array it matches if *some* element is not excluded:
  EventBridge tests each element as a separate value of the field, exactly as
  for the positive matchers.

Nothing here imports ``typing``, ``re`` or ``ipaddress`` at module import:
``json`` and ``ipaddress`` are imported inside the functions that need them.
"""

from .errors import RegistrationError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (cold start)

if TYPE_CHECKING:
    from typing import Any

ROOT = "event_pattern"  # how error messages name the pattern itself
MAX_PATTERN_CHARS = 4096  # EventBridge's limit on a rule's event pattern, as JSON
NUMERIC_LIMIT = 5e9  # numeric matching works on numbers in [-5e9, 5e9]
MAX_DEPTH = 100  # nesting beyond this cannot fit in MAX_PATTERN_CHARS anyway

OPERATORS = ("anything-but", "cidr", "equals-ignore-case", "exists", "numeric", "prefix",
             "suffix", "wildcard")
ANYTHING_BUT_OPERATORS = ("equals-ignore-case", "prefix", "suffix", "wildcard")
LOWER_BOUNDS = (">", ">=")
UPPER_BOUNDS = ("<", "<=")
NUMERIC_OPERATORS = ("=", "<", "<=", ">", ">=")

_MISSING = object()
_wildcard_cache: "dict[str, list[str]]" = {}
_network_cache: "dict[str, Any]" = {}


# -- error messages ---------------------------------------------------------------------------

def _quote(key: str) -> str:
    return '"%s"' % key.replace("\\", "\\\\").replace('"', '\\"')


def _where(path: "tuple[str | int, ...]") -> str:
    """``("detail", "state", 0)`` -> ``event_pattern["detail"]["state"][0]``."""
    return ROOT + "".join("[%s]" % (_quote(p) if isinstance(p, str) else p) for p in path)


def _show(value: object) -> str:
    """A short JSON-ish rendering of a (possibly bad, non-JSON) value for a message."""
    import json

    try:  # a tuple would print as a JSON list, hiding why it was refused
        text = repr(value) if isinstance(value, tuple) else json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        text = repr(value)
    return text if len(text) <= 100 else text[:97] + "..."


class _Invalid(Exception):
    """Internal: carries a message up to :func:`validate_pattern`."""


def _fail(path: "tuple[str | int, ...]", problem: str) -> "_Invalid":
    return _Invalid("%s %s" % (_where(path), problem))


# -- validation -------------------------------------------------------------------------------

def validate_pattern(pattern: object, where: str = "") -> "dict[str, Any]":
    """Return a deep copy of ``pattern`` if EventBridge would accept it.

    Otherwise raise :class:`RegistrationError` whose message (prefixed with
    ``where`` if given) names the JSON path of the bad part, shows the bad
    value and says how to fix it.
    """
    prefix = "%s: " % where if where else ""
    try:
        if not isinstance(pattern, dict):
            raise _Invalid('%s must be a JSON object (a dict) such as {"source": ["aws.ec2"]}, '
                           "not %s" % (ROOT, _show(pattern)))
        copy = _validate_object(pattern, (), False)
    except _Invalid as exc:
        raise RegistrationError(prefix + str(exc)) from None
    import json

    size = len(json.dumps(copy))
    if size > MAX_PATTERN_CHARS:
        raise RegistrationError(
            "%s%s is %d characters as JSON; EventBridge allows at most %d characters in a rule's "
            "event pattern: shorten it or split it across several handlers"
            % (prefix, ROOT, size, MAX_PATTERN_CHARS))
    return copy


def _validate_object(obj: "dict[Any, Any]", path: "tuple[str | int, ...]",
                     in_or: bool) -> "dict[str, Any]":
    if len(path) > MAX_DEPTH:
        raise _fail(path, "is nested more than %d levels deep; EventBridge patterns must fit in "
                          "%d characters" % (MAX_DEPTH, MAX_PATTERN_CHARS))
    if not obj:
        if not path:
            raise _Invalid('%s is empty ({}); it must name at least one field, such as '
                           '{"source": ["aws.ec2"]}' % ROOT)
        raise _fail(path, 'is an empty object {}; EventBridge does not allow empty objects: '
                          'remove it or give it a field, such as {"state": ["running"]}')
    copy: "dict[str, Any]" = {}
    for key, value in obj.items():
        if not isinstance(key, str):
            raise _fail(path, "has the key %r, which is not a string; field names must be "
                              "strings such as \"detail\"" % (key,))
        child = (*path, key)
        if key == "$or":
            copy[key] = _validate_or(value, child)
        elif in_or and key in OPERATORS:
            raise _fail(child, 'uses the operator name "%s" as a field name inside "$or", which '
                               'EventBridge does not allow; put operators inside a list, such as '
                               '"state": [{"%s": ...}]' % (key, key))
        elif isinstance(value, dict):
            copy[key] = _validate_object(value, child, in_or)
        elif isinstance(value, list):
            copy[key] = _validate_values(value, child)
        else:
            example = _show([value]) if _is_scalar(value) else '["running"]'
            raise _fail(child, "is %s; it must be a list of values such as %s (or an object to "
                               "match nested fields)" % (_show(value), example))
    return copy


def _validate_or(value: object, path: "tuple[str | int, ...]") -> "list[dict[str, Any]]":
    if not isinstance(value, list) or len(value) < 2:
        raise _fail(path, 'is %s; it must be a list of at least two patterns, such as '
                          '[{"source": ["aws.ec2"]}, {"detail-type": ["Scheduled Event"]}]'
                          % _show(value))
    alternatives = []
    for index, alternative in enumerate(value):
        child = (*path, index)
        if not isinstance(alternative, dict):
            raise _fail(child, 'is %s; each "$or" alternative must be a pattern object such as '
                               '{"source": ["aws.ec2"]}' % _show(alternative))
        alternatives.append(_validate_object(alternative, child, True))
    return alternatives


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_finite(value: "int | float") -> bool:
    return isinstance(value, int) or value - value == 0  # NaN - NaN and inf - inf are NaN


def _is_scalar(value: object) -> bool:
    """A valid exact-match value: string, finite number, true, false or null."""
    if value is None or isinstance(value, (str, bool)):
        return True
    return isinstance(value, (int, float)) and _is_finite(value)


def _validate_values(values: "list[Any]", path: "tuple[str | int, ...]") -> "list[Any]":
    if not values:
        raise _fail(path, 'is an empty list []; it must list at least one value to match, '
                          'such as ["running"]')
    copy: "list[Any]" = []
    for index, value in enumerate(values):
        child = (*path, index)
        if isinstance(value, dict):
            copy.append(_validate_filter(value, child))
        elif _is_scalar(value):
            copy.append(value)
        elif _is_number(value):
            raise _fail(child, "is %s; numbers must be finite (no NaN or infinity)" % _show(value))
        elif isinstance(value, list):
            raise _fail(child, 'is a list inside a list (%s); list the values directly, such as '
                               '["a", "b"]' % _show(value))
        else:
            raise _fail(child, 'is %s; match values must be strings, numbers, true, false, null '
                               'or a content filter such as {"prefix": "us-"}' % _show(value))
    return copy


def _validate_filter(spec: "dict[Any, Any]", path: "tuple[str | int, ...]") -> "dict[str, Any]":
    supported = ", ".join(OPERATORS)
    if len(spec) != 1:
        raise _fail(path, "is %s; a content filter must have exactly one operator (one of %s), "
                          'such as {"prefix": "us-"}' % (_show(spec), supported))
    ((op, arg),) = spec.items()
    child = (*path, op) if isinstance(op, str) else path
    if op in ("prefix", "suffix"):
        if isinstance(arg, dict):
            return {op: {"equals-ignore-case": _validate_ignore_case_arg(arg, child)}}
        return {op: _string_arg(arg, child, '"us-"')}
    if op == "equals-ignore-case":
        return {op: _string_arg(arg, child, '"Running"')}
    if op == "wildcard":
        return {op: _wildcard_arg(arg, child)}
    if op == "anything-but":
        return {op: _validate_anything_but(arg, child)}
    if op == "numeric":
        return {op: _validate_numeric(arg, child)}
    if op == "exists":
        if not isinstance(arg, bool):
            raise _fail(child, "is %s; it must be true (the field is present) or false (the field "
                               "is absent)" % _show(arg))
        return {op: arg}
    if op == "cidr":
        return {op: _validate_cidr(arg, child)}
    raise _fail(path, "uses the unknown operator %s; supported operators: %s"
                      % (_show(op), supported))


def _string_arg(arg: object, path: "tuple[str | int, ...]", example: str) -> str:
    if not isinstance(arg, str):
        raise _fail(path, "is %s; it must be a string such as %s" % (_show(arg), example))
    return arg


def _validate_ignore_case_arg(arg: "dict[Any, Any]", path: "tuple[str | int, ...]") -> str:
    if len(arg) != 1 or "equals-ignore-case" not in arg:
        raise _fail(path, 'is %s; the only operator allowed here is "equals-ignore-case", such '
                          'as {"equals-ignore-case": "us-"}' % _show(arg))
    return _string_arg(arg["equals-ignore-case"], (*path, "equals-ignore-case"), '"us-"')


def _wildcard_arg(arg: object, path: "tuple[str | int, ...]") -> str:
    text = _string_arg(arg, path, '"*.png"')
    parts = _wildcard_parts(text)
    if isinstance(parts, str):
        raise _fail(path, "is %s; %s" % (_show(text), parts))
    return text


def _validate_anything_but(arg: object, path: "tuple[str | int, ...]") -> object:
    if isinstance(arg, dict):
        if len(arg) != 1 or not all(op in ANYTHING_BUT_OPERATORS for op in arg):
            raise _fail(path, "is %s; an anything-but object takes exactly one of %s, such as "
                              '{"prefix": "init"}'
                        % (_show(arg), ", ".join(ANYTHING_BUT_OPERATORS)))
        ((op, inner),) = arg.items()
        child = (*path, op)
        if op in ("prefix", "suffix"):
            text = _string_arg(inner, child, '"init"')
            if not text:
                raise _fail(child, 'is ""; an anything-but %s must not be empty' % op)
            return {op: text}
        if isinstance(inner, list):
            if not inner:
                raise _fail(child, 'is an empty list []; list at least one string, such as '
                                   '["stopped"]')
            if op == "wildcard":
                return {op: [_wildcard_arg(item, (*child, i)) for i, item in enumerate(inner)]}
            return {op: [_string_arg(item, (*child, i), '"stopped"')
                         for i, item in enumerate(inner)]}
        if op == "wildcard":
            return {op: _wildcard_arg(inner, child)}
        return {op: _string_arg(inner, child, '"stopped"')}
    if isinstance(arg, list):
        if not arg:
            raise _fail(path, 'is an empty list []; list at least one value to exclude, such as '
                              '["stopped", "overloaded"]')
        for index, item in enumerate(arg):
            _anything_but_value(item, (*path, index))
        strings = all(isinstance(item, str) for item in arg)
        if not (strings or all(_is_number(item) for item in arg)):
            raise _fail(path, "is %s; an anything-but list must hold only strings or only numbers, "
                              "not both" % _show(arg))
        return list(arg)
    return _anything_but_value(arg, path)


def _anything_but_value(value: object, path: "tuple[str | int, ...]") -> object:
    if isinstance(value, str):
        return value
    if _is_number(value):
        return _numeric_operand(value, path)
    raise _fail(path, 'is %s; anything-but takes a string, a number, a list of strings or of '
                      'numbers, or an object such as {"prefix": "init"}' % _show(value))


def _numeric_operand(value: object, path: "tuple[str | int, ...]") -> "int | float":
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise _fail(path, "is %s; it must be a number such as 0 or 3.5" % _show(value))
    if not _is_finite(value) or not -NUMERIC_LIMIT <= value <= NUMERIC_LIMIT:
        raise _fail(path, "is %s; numbers compared by EventBridge must be finite and lie between "
                          "-5e9 and 5e9" % _show(value))
    return value


def _validate_numeric(arg: object, path: "tuple[str | int, ...]") -> "list[Any]":
    example = '[">", 0, "<=", 5] or ["=", 42]'
    if not isinstance(arg, list) or len(arg) not in (2, 4):
        raise _fail(path, "is %s; it must be a list of one or two comparisons, such as %s"
                          % (_show(arg), example))
    ops = arg[0::2]
    for index in range(0, len(arg), 2):
        op = arg[index]
        if op not in NUMERIC_OPERATORS:
            raise _fail((*path, index), "is %s; numeric operators are %s (list such as %s)"
                        % (_show(op), ", ".join('"%s"' % o for o in NUMERIC_OPERATORS), example))
    numbers = [_numeric_operand(arg[i], (*path, i)) for i in range(1, len(arg), 2)]
    if len(arg) == 4:
        if ops[0] not in LOWER_BOUNDS or ops[1] not in UPPER_BOUNDS:
            raise _fail(path, 'is %s; two comparisons must be a lower bound (">" or ">=") then an '
                              'upper bound ("<" or "<="), such as [">", 0, "<=", 5]' % _show(arg))
        if not numbers[0] < numbers[1]:
            raise _fail(path, "is %s; the lower bound must be less than the upper bound"
                              % _show(arg))
    return list(arg)


def _validate_cidr(arg: object, path: "tuple[str | int, ...]") -> str:
    text = _string_arg(arg, path, '"10.0.0.0/24"')
    if _network(text) is None:
        raise _fail(path, 'is %s; it must be an IPv4 or IPv6 CIDR block such as "10.0.0.0/24" '
                          'or "2001:db8::/32"' % _show(text))
    return text


def _network(cidr: str) -> "Any":
    """The parsed network of a CIDR block such as ``10.0.0.0/24``, or None if invalid."""
    if cidr in _network_cache:
        return _network_cache[cidr]
    network = None
    if "/" in cidr:
        import ipaddress

        try:
            network = ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            pass
    if network is not None:
        _network_cache[cidr] = network
    return network


def _wildcard_parts(text: str) -> "list[str] | str":
    """Split a wildcard pattern on its unescaped ``*``: the literal runs between them.

    ``\\*`` is a literal asterisk and ``\\\\`` a literal backslash (EventBridge
    escapes). Returns an error message (a str) when EventBridge would refuse it.
    """
    cached = _wildcard_cache.get(text)
    if cached is not None:
        return cached
    parts: "list[str]" = []
    current: "list[str]" = []
    after_star = False
    index = 0
    while index < len(text):
        char = text[index]
        if char == "*":
            if after_star:
                return ("consecutive wildcard characters (**) are not allowed; one * already "
                        "matches any run of characters")
            parts.append("".join(current))
            current = []
            after_star = True
        else:
            if char == "\\":
                index += 1
                if index == len(text) or text[index] not in "*\\":
                    return ("a backslash may only escape * or a backslash (write \\\\* for a "
                            "literal * and \\\\\\\\ for a literal backslash)")
                char = text[index]
            current.append(char)
            after_star = False
        index += 1
    parts.append("".join(current))
    _wildcard_cache[text] = parts
    return parts


# -- matching ---------------------------------------------------------------------------------

def matches(pattern: "dict[str, Any]", event: "dict[str, Any]") -> bool:
    """True if EventBridge would deliver ``event`` to a rule with this (validated) pattern.

    Never raises on odd events (non-dict parts, missing keys, unexpected
    types): those simply do not match.
    """
    given: object = event  # callers may hand over anything a Lambda was invoked with
    if not isinstance(pattern, dict) or not isinstance(given, dict):
        return False
    return _match_object(pattern, given)


def _match_object(pattern: "dict[str, Any]", obj: "dict[Any, Any] | None") -> bool:
    """``obj`` None stands for an absent or non-object field: every sub-field is absent."""
    for key, expected in pattern.items():
        if key == "$or":
            if not any(_match_object(alternative, obj) for alternative in expected):
                return False
            continue
        value = _MISSING if obj is None else obj.get(key, _MISSING)
        if isinstance(expected, dict):
            if not _match_nested(expected, value):
                return False
        elif not _match_leaf(expected, value):
            return False
    return True


def _match_nested(pattern: "dict[str, Any]", value: object) -> bool:
    if isinstance(value, dict):
        return _match_object(pattern, value)
    if isinstance(value, list):
        # Array consistency: the sub-pattern must match within one element object.
        objects = [item for item in _flatten(value) if isinstance(item, dict)]
        if objects:
            return any(_match_object(pattern, item) for item in objects)
    return _match_object(pattern, None)


def _flatten(items: "list[Any]") -> "list[Any]":
    """The non-list elements of a (possibly nested) list, without recursion."""
    flat: "list[Any]" = []
    stack = [iter(items)]
    while stack:
        for item in stack[-1]:
            if isinstance(item, list):
                stack.append(iter(item))
                break
            flat.append(item)
        else:
            stack.pop()
    return flat


def _leaf_values(value: object) -> "list[Any]":
    """The scalar values EventBridge sees for a field: none if absent or an object."""
    if value is _MISSING or isinstance(value, dict):
        return []
    if isinstance(value, list):
        return [item for item in _flatten(value) if not isinstance(item, dict)]
    return [value]


def _match_leaf(expected: "list[Any]", value: object) -> bool:
    values = _leaf_values(value)
    for matcher in expected:
        if isinstance(matcher, dict):
            ((op, arg),) = matcher.items()
            if op == "exists":
                if bool(values) is arg:
                    return True
            elif any(_match_filter(op, arg, item) for item in values):
                return True
        elif any(_json_equal(matcher, item) for item in values):
            return True
    return False


def _json_equal(expected: object, value: object) -> bool:
    """JSON equality: numbers compare by value, but booleans are not numbers."""
    if expected is None:
        return value is None
    if isinstance(expected, bool):
        return isinstance(value, bool) and expected is value
    if isinstance(expected, str):
        return isinstance(value, str) and expected == value
    if _is_number(expected):
        return _is_number(value) and expected == value
    return False


def _match_filter(op: str, arg: "Any", value: object) -> bool:
    if op == "anything-but":
        return not _excluded(arg, value)
    if op == "numeric":
        return isinstance(value, (int, float)) and not isinstance(value, bool) \
            and _in_range(arg, value)
    if not isinstance(value, str):
        return False  # the remaining operators only apply to strings
    if op == "prefix":
        if isinstance(arg, dict):
            return value.lower().startswith(arg["equals-ignore-case"].lower())
        return value.startswith(arg)
    if op == "suffix":
        if isinstance(arg, dict):
            return value.lower().endswith(arg["equals-ignore-case"].lower())
        return value.endswith(arg)
    if op == "equals-ignore-case":
        expected: str = arg
        return value.lower() == expected.lower()
    if op == "wildcard":
        return _wildcard_match(arg, value)
    if op == "cidr":
        return _in_network(arg, value)
    return False


def _excluded(arg: "Any", value: object) -> bool:
    """True if ``value`` is one anything-but excludes."""
    if isinstance(arg, dict):
        ((op, inner),) = arg.items()
        if not isinstance(value, str):
            return False  # string operators never exclude a non-string
        texts = inner if isinstance(inner, list) else [inner]
        if op == "prefix":
            return any(value.startswith(text) for text in texts)
        if op == "suffix":
            return any(value.endswith(text) for text in texts)
        if op == "equals-ignore-case":
            lowered = value.lower()
            return any(lowered == text.lower() for text in texts)
        return any(_wildcard_match(text, value) for text in texts)
    if isinstance(arg, list):
        return any(_json_equal(item, value) for item in arg)
    return _json_equal(arg, value)


def _in_range(bounds: "list[Any]", number: "int | float") -> bool:
    for index in range(0, len(bounds), 2):
        op, limit = bounds[index], bounds[index + 1]
        if op == "=":
            ok = number == limit
        elif op == "<":
            ok = number < limit
        elif op == "<=":
            ok = number <= limit
        elif op == ">":
            ok = number > limit
        else:
            ok = number >= limit
        if not ok:
            return False
    return True


def _wildcard_match(pattern: str, value: str) -> bool:
    parts = _wildcard_parts(pattern)
    if isinstance(parts, str):
        return False
    if len(parts) == 1:
        return value == parts[0]
    first, last = parts[0], parts[-1]
    if len(value) < len(first) + len(last) or not value.startswith(first) \
            or not value.endswith(last):
        return False
    position, end = len(first), len(value) - len(last)
    for part in parts[1:-1]:  # leftmost match of each middle run is always safe with only *
        found = value.find(part, position, end)
        if found < 0:
            return False
        position = found + len(part)
    return True


def _in_network(cidr: str, value: str) -> bool:
    network = _network(cidr)
    if network is None:
        return False
    import ipaddress

    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return False
    return address in network  # False (not an error) across IPv4/IPv6
