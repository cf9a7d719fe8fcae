"""EventBridge event patterns: validation messages and matching semantics.

Events are the AWS samples: an EC2 "Instance State-change Notification", a
scheduled event and an S3 "Object Created" event (EventBridge notifications).
"""
import copy
import json
import math
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from myframework.runtime.errors import RegistrationError
from myframework.runtime.patterns import MAX_PATTERN_CHARS, matches, validate_pattern

EC2_EVENT: dict[str, Any] = {
    "version": "0",
    "id": "7bf73129-1428-4cd3-a780-95db273d1602",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "123456789012",
    "time": "2026-01-01T00:00:00Z",
    "region": "us-east-1",
    "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-1234567890abcdef0"],
    "detail": {"instance-id": "i-1234567890abcdef0", "state": "terminated"},
}

SCHEDULED_EVENT: dict[str, Any] = {
    "version": "0",
    "id": "89d1a02d-5ec7-412e-82f5-13505f849b41",
    "detail-type": "Scheduled Event",
    "source": "aws.events",
    "account": "123456789012",
    "time": "2026-01-01T00:00:00Z",
    "region": "us-east-1",
    "resources": ["arn:aws:events:us-east-1:123456789012:rule/every-hour"],
    "detail": {},
}

S3_EVENT: dict[str, Any] = {
    "version": "0",
    "id": "17793124-05d4-b198-2fde-7ededc63b103",
    "detail-type": "Object Created",
    "source": "aws.s3",
    "account": "123456789012",
    "time": "2026-01-01T00:00:00Z",
    "region": "us-east-1",
    "resources": ["arn:aws:s3:::example-bucket"],
    "detail": {
        "version": "0",
        "bucket": {"name": "example-bucket"},
        "object": {
            "key": "photos/2026/cat.PNG",
            "size": 5,
            "etag": "b1946ac92492d2347c6235b4d2611184",
            "version-id": "IYV3p45BhZA.ewZcCMJ3rfUzv6tH.Bok",
            "sequencer": "00617F08299329D189",
        },
        "request-id": "N4N7GDK58NMKJ12R",
        "requester": "123456789012",
        "source-ip-address": "10.0.0.33",
        "reason": "PutObject",
    },
}


def check(pattern: dict[str, Any], event: dict[str, Any]) -> bool:
    """Validate (as the decorator does) and then match."""
    return matches(validate_pattern(pattern), event)


def with_detail(event: dict[str, Any], **fields: Any) -> dict[str, Any]:
    changed = copy.deepcopy(event)
    changed["detail"].update(fields)
    return changed


def ec2_detail(**fields: Any) -> dict[str, Any]:
    return with_detail(EC2_EVENT, **fields)


# -- exact values ----------------------------------------------------------------------------

@pytest.mark.parametrize(("pattern", "event", "expected"), [
    ({"source": ["aws.ec2"]}, EC2_EVENT, True),
    ({"source": ["aws.s3", "aws.ec2"]}, EC2_EVENT, True),
    ({"source": ["aws.s3"]}, EC2_EVENT, False),
    ({"source": ["AWS.EC2"]}, EC2_EVENT, False),  # exact matching is case-sensitive
    ({"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"],
      "detail": {"state": ["terminated", "stopped"]}}, EC2_EVENT, True),
    ({"source": ["aws.ec2"], "detail": {"state": ["running"]}}, EC2_EVENT, False),
    ({"detail-type": ["Scheduled Event"], "source": ["aws.events"]}, SCHEDULED_EVENT, True),
    ({"detail-type": ["Scheduled Event"]}, EC2_EVENT, False),
    ({"detail": {"bucket": {"name": ["example-bucket"]}}}, S3_EVENT, True),
    ({"detail": {"bucket": {"name": ["other-bucket"]}}}, S3_EVENT, False),
    ({"detail": {"object": {"size": [5]}}}, S3_EVENT, True),
    ({"detail": {"object": {"size": [5.0]}}}, S3_EVENT, True),  # 5 == 5.0 in JSON
    ({"detail": {"object": {"size": ["5"]}}}, S3_EVENT, False),  # a string is not a number
    ({"account": [123456789012]}, EC2_EVENT, False),  # the account is a string
])
def test_exact_values(pattern: dict[str, Any], event: dict[str, Any], expected: bool) -> None:
    assert check(pattern, event) is expected


@pytest.mark.parametrize(("pattern_value", "event_value", "expected"), [
    (True, True, True),
    (True, 1, False),  # JSON true is not the number 1
    (1, True, False),
    (False, 0, False),
    (0, False, False),
    (0, 0.0, True),
    (None, None, True),
    (None, "", False),  # null and "" are not interchangeable
    ("", None, False),
    ("", "", True),
    (None, 0, False),
    (False, False, True),
])
def test_json_equality_keeps_booleans_nulls_and_numbers_apart(
        pattern_value: Any, event_value: Any, expected: bool) -> None:
    assert check({"detail": {"flag": [pattern_value]}},
                 ec2_detail(flag=event_value)) is expected


def test_null_matches_a_null_value_but_not_a_missing_key() -> None:
    pattern = {"detail": {"responseElements": [None]}}
    assert check(pattern, ec2_detail(responseElements=None))
    assert not check(pattern, EC2_EVENT)


# -- arrays in events --------------------------------------------------------------------------

@pytest.mark.parametrize(("resources", "expected"), [
    (["arn:aws:ec2:us-east-1:123456789012:instance/i-1234567890abcdef0"], True),
    (["arn:aws:ec2:us-east-1:123456789012:volume/vol-1",
      "arn:aws:ec2:us-east-1:123456789012:instance/i-1234567890abcdef0"], True),
    (["arn:aws:ec2:us-east-1:123456789012:volume/vol-1"], False),
    ([], False),
    ([["arn:aws:ec2:us-east-1:123456789012:instance/i-1234567890abcdef0"]], True),  # nested
    ("arn:aws:ec2:us-east-1:123456789012:instance/i-1234567890abcdef0", True),  # a scalar
])
def test_event_array_matches_if_any_element_matches(resources: Any, expected: bool) -> None:
    event = dict(EC2_EVENT, resources=resources)
    pattern = {"resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-1234567890abcdef0"]}
    assert check(pattern, event) is expected


def test_event_array_with_content_filters() -> None:
    event = ec2_detail(tags=["env:prod", "team:web"], sizes=[1, 50])
    assert check({"detail": {"tags": [{"prefix": "team:"}]}}, event)
    assert not check({"detail": {"tags": [{"prefix": "owner:"}]}}, event)
    assert check({"detail": {"sizes": [{"numeric": [">", 10]}]}}, event)
    assert not check({"detail": {"sizes": [{"numeric": [">", 100]}]}}, event)


def test_nested_pattern_matches_within_one_element_of_an_array_of_objects() -> None:
    event = ec2_detail(employees=[{"first": "John", "last": "Doe"},
                                  {"first": "Anna", "last": "Smith"}])
    assert check({"detail": {"employees": {"first": ["Anna"]}}}, event)
    assert check({"detail": {"employees": {"first": ["Anna"], "last": ["Smith"]}}}, event)
    # Fields from different elements do not combine (EventBridge's array consistency).
    assert not check({"detail": {"employees": {"first": ["Anna"], "last": ["Doe"]}}}, event)


# -- missing keys and odd shapes -------------------------------------------------------------

@pytest.mark.parametrize("event", [
    {k: v for k, v in EC2_EVENT.items() if k != "detail"},
    dict(EC2_EVENT, detail="terminated"),  # detail is not an object
    dict(EC2_EVENT, detail=None),
    dict(EC2_EVENT, detail=["terminated"]),
    dict(EC2_EVENT, detail={"State": "terminated"}),  # field names are case-sensitive
    ec2_detail(state={"name": "terminated"}),  # an object is not a leaf value
    ec2_detail(state=[]),
])
def test_missing_or_misshapen_fields_do_not_match(event: dict[str, Any]) -> None:
    assert not check({"detail": {"state": ["terminated"]}}, event)
    assert not check({"detail": {"state": [{"anything-but": "running"}]}}, event)
    assert not check({"detail": {"state": [{"exists": True}]}}, event)
    assert check({"detail": {"state": [{"exists": False}]}}, event)


@pytest.mark.parametrize("event", [None, [], "event", 42, [EC2_EVENT]])
def test_non_object_events_never_match(event: Any) -> None:
    assert matches(validate_pattern({"source": [{"exists": False}]}), event) is False


def test_scheduled_event_with_empty_detail() -> None:
    assert check({"source": ["aws.events"], "detail": {"state": [{"exists": False}]}},
                 SCHEDULED_EVENT)
    assert not check({"source": ["aws.events"], "detail": {"state": [{"exists": True}]}},
                     SCHEDULED_EVENT)


# -- prefix / suffix / equals-ignore-case / wildcard -----------------------------------------

@pytest.mark.parametrize(("matcher", "expected"), [
    ({"prefix": "photos/"}, True),
    ({"prefix": "photos/2026/cat.PNG"}, True),
    ({"prefix": ""}, True),
    ({"prefix": "Photos/"}, False),
    ({"prefix": "videos/"}, False),
    ({"prefix": {"equals-ignore-case": "PHOTOS/"}}, True),
    ({"prefix": {"equals-ignore-case": "videos/"}}, False),
    ({"suffix": ".PNG"}, True),
    ({"suffix": ".png"}, False),
    ({"suffix": {"equals-ignore-case": ".png"}}, True),
    ({"suffix": {"equals-ignore-case": ".jpg"}}, False),
    ({"equals-ignore-case": "PHOTOS/2026/CAT.png"}, True),
    ({"equals-ignore-case": "photos/2026/cat"}, False),
    ({"wildcard": "photos/*/cat.PNG"}, True),
    ({"wildcard": "photos/*.PNG"}, True),
    ({"wildcard": "*"}, True),
    ({"wildcard": "*cat*"}, True),
    ({"wildcard": "p*o*s*2026*"}, True),
    ({"wildcard": "photos/*/dog.PNG"}, False),
    ({"wildcard": "photos/*.png"}, False),  # wildcard is case-sensitive
    ({"wildcard": "photos/2026/cat.PNG"}, True),  # no * at all: exact
    ({"wildcard": "photos/2026"}, False),
    ({"wildcard": "*2026*2026*"}, False),  # the middle runs must not overlap
])
def test_string_operators_on_s3_key(matcher: dict[str, Any], expected: bool) -> None:
    assert check({"detail": {"object": {"key": [matcher]}}}, S3_EVENT) is expected


@pytest.mark.parametrize(("wildcard", "value", "expected"), [
    ("a\\*b", "a*b", True),  # \* is a literal asterisk
    ("a\\*b", "axxb", False),
    ("a\\\\b", "a\\b", True),  # \\ is a literal backslash
    ("a\\\\*", "a\\anything", True),
    ("*\\*", "x*", True),
    ("*\\*", "xy", False),
    ("a*a", "a", False),  # prefix and suffix must not overlap
    ("a*a", "aa", True),
    ("ab*ba", "aba", False),
])
def test_wildcard_escapes_and_overlaps(wildcard: str, value: str, expected: bool) -> None:
    assert check({"detail": {"path": [{"wildcard": wildcard}]}},
                 ec2_detail(path=value)) is expected


@pytest.mark.parametrize("operator", [
    {"prefix": "5"}, {"suffix": "5"}, {"equals-ignore-case": "5"}, {"wildcard": "*"},
    {"prefix": {"equals-ignore-case": "5"}}, {"cidr": "10.0.0.0/8"},
])
@pytest.mark.parametrize("value", [5, True, None, {"a": "5"}])
def test_string_operators_ignore_non_strings(operator: dict[str, Any], value: Any) -> None:
    assert not check({"detail": {"value": [operator]}}, ec2_detail(value=value))


# -- anything-but ------------------------------------------------------------------------------

@pytest.mark.parametrize(("matcher", "state", "expected"), [
    ({"anything-but": "running"}, "terminated", True),
    ({"anything-but": "terminated"}, "terminated", False),
    ({"anything-but": ["stopped", "terminated"]}, "terminated", False),
    ({"anything-but": ["stopped", "overloaded"]}, "terminated", True),
    ({"anything-but": "terminated"}, None, True),  # null is a value, and not "terminated"
    ({"anything-but": "terminated"}, 5, True),
    ({"anything-but": 5}, 5, False),
    ({"anything-but": 5}, 5.0, False),
    ({"anything-but": [100, 200]}, 200, False),
    ({"anything-but": [100, 200]}, 300, True),
    ({"anything-but": [100, 200]}, "100", True),
    ({"anything-but": 1}, True, True),  # true is not 1
    ({"anything-but": {"prefix": "term"}}, "terminated", False),
    ({"anything-but": {"prefix": "run"}}, "terminated", True),
    ({"anything-but": {"prefix": "term"}}, 5, True),
    ({"anything-but": {"suffix": "ated"}}, "terminated", False),
    ({"anything-but": {"suffix": "ing"}}, "terminated", True),
    ({"anything-but": {"equals-ignore-case": "TERMINATED"}}, "terminated", False),
    ({"anything-but": {"equals-ignore-case": ["RUNNING", "Stopped"]}}, "terminated", True),
    ({"anything-but": {"equals-ignore-case": ["RUNNING", "Terminated"]}}, "terminated", False),
    ({"anything-but": {"wildcard": "*min*"}}, "terminated", False),
    ({"anything-but": {"wildcard": ["run*", "stop*"]}}, "terminated", True),
    ({"anything-but": {"wildcard": ["run*", "term*"]}}, "terminated", False),
])
def test_anything_but(matcher: dict[str, Any], state: Any, expected: bool) -> None:
    assert check({"detail": {"state": [matcher]}}, ec2_detail(state=state)) is expected


@pytest.mark.parametrize(("states", "expected"), [
    (["terminated"], False),
    (["terminated", "stopped"], False),
    (["terminated", "running"], True),  # "running" is a value that is not excluded
    ([], False),  # an empty array has no values: the field is absent
])
def test_anything_but_on_event_arrays(states: list[str], expected: bool) -> None:
    pattern = {"detail": {"state": [{"anything-but": ["terminated", "stopped"]}]}}
    assert check(pattern, ec2_detail(state=states)) is expected


def test_anything_but_requires_the_field() -> None:
    assert not check({"detail": {"reason": [{"anything-but": "PutObject"}]}}, EC2_EVENT)


# -- numeric ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("numeric", "size", "expected"), [
    (["=", 5], 5, True),
    (["=", 5], 5.0, True),
    (["=", 5], 5.5, False),
    ([">", 0, "<=", 5], 5, True),
    ([">", 0, "<=", 5], 0, False),
    ([">=", 0, "<", 5], 0, True),
    ([">=", 0, "<", 5], 5, False),
    (["<", 10], 9.99, True),
    (["<", 10], 10, False),
    (["<=", 10], 10, True),
    ([">", 4.5], 5, True),
    ([">=", 6], 5, False),
    ([">", -5e9, "<", 5e9], 123456789012, False),  # beyond the range, still compared
    ([">", 0], "5", False),  # numeric matching works on JSON numbers only
    ([">", 0], True, False),  # booleans are not numbers
    ([">", 0], None, False),
])
def test_numeric(numeric: list[Any], size: Any, expected: bool) -> None:
    pattern = {"detail": {"object": {"size": [{"numeric": numeric}]}}}
    event = copy.deepcopy(S3_EVENT)
    event["detail"]["object"]["size"] = size
    assert check(pattern, event) is expected


def test_extreme_event_numbers_are_compared_without_raising() -> None:
    in_range = validate_pattern({"detail": {"n": [{"numeric": [">", 0, "<", 10]}]}})
    not_three = validate_pattern({"detail": {"n": [{"anything-but": 3}]}})
    for value in (math.nan, math.inf, -math.inf, 10**400, -(10**400), 1e308):
        assert not matches(in_range, ec2_detail(n=value))
        assert matches(not_three, ec2_detail(n=value))


# -- exists ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("event", "present"), [
    (EC2_EVENT, True),
    (ec2_detail(state=None), True),  # a null value is present
    (ec2_detail(state=""), True),
    (ec2_detail(state=["a"]), True),
    (ec2_detail(state=[]), False),  # no values
    (ec2_detail(state={"code": 48}), False),  # exists only works on leaves
    ({k: v for k, v in EC2_EVENT.items() if k != "detail"}, False),
    (dict(EC2_EVENT, detail={"instance-id": "i-1234567890abcdef0"}), False),
])
def test_exists(event: dict[str, Any], present: bool) -> None:
    assert check({"detail": {"state": [{"exists": True}]}}, event) is present
    assert check({"detail": {"state": [{"exists": False}]}}, event) is not present


def test_exists_combined_with_values_is_an_or() -> None:
    pattern = {"detail": {"state": ["running", {"exists": False}]}}
    assert check(pattern, ec2_detail(state="running"))
    assert check(pattern, SCHEDULED_EVENT)
    assert not check(pattern, EC2_EVENT)


# -- cidr ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("cidr", "ip", "expected"), [
    ("10.0.0.0/24", "10.0.0.33", True),
    ("10.0.0.0/24", "10.0.1.33", False),
    ("10.0.0.0/8", "10.200.0.1", True),
    ("10.0.0.1/24", "10.0.0.200", True),  # host bits in the block are ignored
    ("2001:db8::/32", "2001:db8:1::1", True),
    ("2001:db8::/32", "2001:db9::1", False),
    ("10.0.0.0/24", "2001:db8::1", False),  # IPv6 address, IPv4 block
    ("2001:db8::/32", "10.0.0.33", False),
    ("10.0.0.0/24", "not-an-ip", False),
    ("10.0.0.0/24", "10.0.0.33/32", False),
    ("10.0.0.0/24", "", False),
])
def test_cidr(cidr: str, ip: str, expected: bool) -> None:
    pattern = {"detail": {"source-ip-address": [{"cidr": cidr}]}}
    assert check(pattern, with_detail(S3_EVENT, **{"source-ip-address": ip})) is expected


# -- $or ---------------------------------------------------------------------------------------

OR_PATTERN: dict[str, Any] = {
    "$or": [
        {"source": ["aws.ec2"], "detail": {"state": ["terminated"]}},
        {"detail-type": ["Scheduled Event"]},
    ],
}


@pytest.mark.parametrize(("event", "expected"), [
    (EC2_EVENT, True),
    (SCHEDULED_EVENT, True),
    (S3_EVENT, False),
    (ec2_detail(state="running"), False),
])
def test_or_at_the_top_level(event: dict[str, Any], expected: bool) -> None:
    assert check(OR_PATTERN, event) is expected


def test_or_is_anded_with_the_other_keys_at_its_level() -> None:
    pattern = {
        "source": ["aws.s3"],
        "detail": {
            "$or": [
                {"object": {"key": [{"suffix": {"equals-ignore-case": ".png"}}]}},
                {"object": {"size": [{"numeric": [">", 1000000]}]}},
            ],
            "reason": ["PutObject"],
        },
    }
    assert check(pattern, S3_EVENT)
    assert not check(pattern, with_detail(S3_EVENT, reason="CopyObject"))
    big_text = copy.deepcopy(S3_EVENT)
    big_text["detail"]["object"].update(key="notes.txt", size=2_000_000)
    assert check(pattern, big_text)
    big_text["detail"]["object"]["size"] = 10
    assert not check(pattern, big_text)
    assert not check(pattern, dict(S3_EVENT, source="aws.ec2"))


def test_nested_or() -> None:
    pattern = {
        "source": ["aws.ec2"],
        "$or": [
            {"detail": {"state": ["running"]}},
            {"detail-type": ["EC2 Instance State-change Notification"],
             "$or": [{"region": ["eu-west-1"]}, {"detail": {"instance-id": [{"prefix": "i-"}]}}]},
        ],
    }
    assert check(pattern, EC2_EVENT)
    assert not check(pattern, ec2_detail(**{"instance-id": "x"}))
    assert check(pattern, ec2_detail(**{"instance-id": "x", "state": "running"}))


def test_or_alternatives_can_test_absence() -> None:
    pattern = {"detail": {"$or": [{"state": [{"exists": False}]}, {"state": ["running"]}]}}
    assert check(pattern, SCHEDULED_EVENT)
    assert check(pattern, {"source": "no detail at all"})
    assert not check(pattern, EC2_EVENT)


# -- validation --------------------------------------------------------------------------------

VALID_PATTERNS: list[dict[str, Any]] = [
    {"source": ["aws.ec2"]},
    {"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"],
     "detail": {"state": ["running", "terminated"]}},
    {"detail": {"x": ["s", 1, 1.5, -2, True, False, None, ""]}},
    {"detail": {"x": [{"prefix": "a"}, {"prefix": {"equals-ignore-case": "A"}},
                      {"suffix": "b"}, {"suffix": {"equals-ignore-case": "B"}},
                      {"equals-ignore-case": "c"}, {"wildcard": "a*b\\*c\\\\"}]}},
    {"detail": {"x": [{"anything-but": "a"}, {"anything-but": 1}, {"anything-but": ["a", "b"]},
                      {"anything-but": [1, 2.5]}, {"anything-but": {"prefix": "a"}},
                      {"anything-but": {"suffix": "a"}},
                      {"anything-but": {"equals-ignore-case": "a"}},
                      {"anything-but": {"equals-ignore-case": ["a", "b"]}},
                      {"anything-but": {"wildcard": "a*"}},
                      {"anything-but": {"wildcard": ["a*", "*b"]}}]}},
    {"detail": {"n": [{"numeric": ["=", 0]}, {"numeric": ["<", 5e9]}, {"numeric": [">=", -5e9]},
                      {"numeric": [">", 0, "<=", 5]}, {"numeric": [">=", 1, "<", 1.5]}]}},
    {"detail": {"e": [{"exists": True}], "f": [{"exists": False}]}},
    {"detail": {"ip": [{"cidr": "10.0.0.0/24"}, {"cidr": "2001:db8::/32"}]}},
    OR_PATTERN,
    {"detail": {"$or": [{"a": ["x"]}, {"b": ["y"]}, {"c": {"$or": [{"d": [1]}, {"e": [2]}]}}]}},
]


@pytest.mark.parametrize("pattern", VALID_PATTERNS)
def test_valid_patterns_are_returned_as_equal_deep_copies(pattern: dict[str, Any]) -> None:
    original = copy.deepcopy(pattern)
    result = validate_pattern(pattern)
    assert result == original
    assert json.loads(json.dumps(result)) == original

    def ids(value: Any) -> list[int]:
        if isinstance(value, dict):
            return [id(value), *(i for v in value.values() for i in ids(v))]
        if isinstance(value, list):
            return [id(value), *(i for v in value for i in ids(v))]
        return []

    assert not set(ids(result)) & set(ids(pattern))  # no container is shared


def test_the_copy_is_independent_of_the_callers_pattern() -> None:
    pattern: dict[str, Any] = {"detail": {"state": ["running"]}}
    result = validate_pattern(pattern)
    pattern["detail"]["state"].append("terminated")
    pattern["source"] = ["aws.ec2"]
    assert result == {"detail": {"state": ["running"]}}


BAD = 'event_pattern["detail"]["state"]'


@pytest.mark.parametrize(("pattern", "fragments"), [
    # the pattern itself
    (["source"], ["event_pattern must be a JSON object", '["source"]']),
    ("{}", ["event_pattern must be a JSON object", '"{}"']),
    (None, ["event_pattern must be a JSON object", "null"]),
    ({}, ["event_pattern is empty", "at least one field"]),
    ({1: ["x"]}, ["event_pattern has the key 1", "not a string"]),
    ({"detail": {}}, ['event_pattern["detail"] is an empty object {}', "empty objects"]),
    # leaves
    ({"detail": {"state": "running"}},
     [BAD + ' is "running"', 'must be a list of values such as ["running"]']),
    ({"detail": {"state": 5}}, [BAD + " is 5", "such as [5]"]),
    ({"detail": {"state": None}}, [BAD + " is null", "such as [null]"]),
    ({"detail": {"state": []}}, [BAD + " is an empty list []", "at least one value"]),
    ({"detail": {"state": ("running",)}}, [BAD + " is ('running',)", "must be a list"]),
    ({"detail": {"state": [["running"]]}}, [BAD + "[0] is a list inside a list"]),
    ({"detail": {"state": [float("nan")]}}, [BAD + "[0] is NaN", "finite"]),
    ({"detail": {"state": [float("inf")]}}, [BAD + "[0] is Infinity", "finite"]),
    ({"detail": {"state": [b"running"]}}, [BAD + "[0] is b'running'", "strings, numbers"]),
    # content filters
    ({"detail": {"state": [{}]}}, [BAD + "[0] is {}", "exactly one operator"]),
    ({"detail": {"state": [{"prefix": "a", "suffix": "b"}]}},
     [BAD + '[0] is {"prefix": "a", "suffix": "b"}', "exactly one operator"]),
    ({"detail": {"state": [{"prefx": "run"}]}},
     [BAD + '[0] uses the unknown operator "prefx"',
      "anything-but, cidr, equals-ignore-case, exists, numeric, prefix, suffix, wildcard"]),
    ({"detail": {"state": [{"contains": "run"}]}}, [BAD + '[0] uses the unknown operator']),
    ({"detail": {"state": [{"prefix": 1}]}},
     [BAD + '[0]["prefix"] is 1', "must be a string"]),
    ({"detail": {"state": [{"prefix": {"ignore-case": "a"}}]}},
     [BAD + '[0]["prefix"] is {"ignore-case": "a"}', '"equals-ignore-case"']),
    ({"detail": {"state": [{"suffix": {"equals-ignore-case": None}}]}},
     [BAD + '[0]["suffix"]["equals-ignore-case"] is null', "must be a string"]),
    ({"detail": {"state": [{"equals-ignore-case": ["a"]}]}},
     [BAD + '[0]["equals-ignore-case"] is ["a"]', "must be a string"]),
    ({"detail": {"state": [{"wildcard": 1}]}}, [BAD + '[0]["wildcard"] is 1', "string"]),
    ({"detail": {"state": [{"wildcard": "run**"}]}},
     [BAD + '[0]["wildcard"] is "run**"', "consecutive wildcard characters"]),
    ({"detail": {"state": [{"wildcard": "a\\b"}]}},
     [BAD + '[0]["wildcard"]', "backslash may only escape"]),
    ({"detail": {"state": [{"wildcard": "ab\\"}]}},
     [BAD + '[0]["wildcard"]', "backslash may only escape"]),
    ({"detail": {"state": [{"exists": "false"}]}},
     [BAD + '[0]["exists"] is "false"', "must be true", "or false"]),
    ({"detail": {"state": [{"exists": 1}]}}, [BAD + '[0]["exists"] is 1']),
    ({"detail": {"state": [{"cidr": "10.0.0.0"}]}},
     [BAD + '[0]["cidr"] is "10.0.0.0"', "CIDR block such as"]),
    ({"detail": {"state": [{"cidr": "10.0.0.300/24"}]}}, [BAD + '[0]["cidr"]', "CIDR block"]),
    ({"detail": {"state": [{"cidr": 10}]}}, [BAD + '[0]["cidr"] is 10', "must be a string"]),
    # anything-but
    ({"detail": {"state": [{"anything-but": None}]}},
     [BAD + '[0]["anything-but"] is null', "takes a string, a number"]),
    ({"detail": {"state": [{"anything-but": True}]}}, [BAD + '[0]["anything-but"] is true']),
    ({"detail": {"state": [{"anything-but": []}]}},
     [BAD + '[0]["anything-but"] is an empty list []']),
    ({"detail": {"state": [{"anything-but": ["a", 1]}]}},
     [BAD + '[0]["anything-but"] is ["a", 1]', "only strings or only numbers"]),
    ({"detail": {"state": [{"anything-but": ["a", None]}]}},
     [BAD + '[0]["anything-but"][1] is null']),
    ({"detail": {"state": [{"anything-but": 6e9}]}},
     [BAD + '[0]["anything-but"] is 6000000000.0', "between -5e9 and 5e9"]),
    ({"detail": {"state": [{"anything-but": {"contains": "a"}}]}},
     [BAD + '[0]["anything-but"] is {"contains": "a"}',
      "equals-ignore-case, prefix, suffix, wildcard"]),
    ({"detail": {"state": [{"anything-but": {"prefix": "a", "suffix": "b"}}]}},
     [BAD + '[0]["anything-but"]', "exactly one of"]),
    ({"detail": {"state": [{"anything-but": {"prefix": ""}}]}},
     [BAD + '[0]["anything-but"]["prefix"] is ""', "must not be empty"]),
    ({"detail": {"state": [{"anything-but": {"prefix": ["a", "b"]}}]}},
     [BAD + '[0]["anything-but"]["prefix"] is ["a", "b"]', "must be a string"]),
    ({"detail": {"state": [{"anything-but": {"equals-ignore-case": [1]}}]}},
     [BAD + '[0]["anything-but"]["equals-ignore-case"][0] is 1', "must be a string"]),
    ({"detail": {"state": [{"anything-but": {"equals-ignore-case": []}}]}},
     [BAD + '[0]["anything-but"]["equals-ignore-case"] is an empty list']),
    ({"detail": {"state": [{"anything-but": {"wildcard": ["a*", "b**"]}}]}},
     [BAD + '[0]["anything-but"]["wildcard"][1] is "b**"', "consecutive"]),
    # numeric
    ({"detail": {"state": [{"numeric": 5}]}},
     [BAD + '[0]["numeric"] is 5', "one or two comparisons", '[">", 0, "<=", 5]']),
    ({"detail": {"state": [{"numeric": [">", 1, "<"]}]}},
     [BAD + '[0]["numeric"] is [">", 1, "<"]', "one or two comparisons"]),
    ({"detail": {"state": [{"numeric": [">", 1, "<", 5, "<", 6]}]}},
     [BAD + '[0]["numeric"]', "one or two comparisons"]),
    ({"detail": {"state": [{"numeric": ["==", 1]}]}},
     [BAD + '[0]["numeric"][0] is "=="', 'numeric operators are "=", "<", "<=", ">", ">="']),
    ({"detail": {"state": [{"numeric": [">", "1"]}]}},
     [BAD + '[0]["numeric"][1] is "1"', "must be a number"]),
    ({"detail": {"state": [{"numeric": [">", True]}]}},
     [BAD + '[0]["numeric"][1] is true', "must be a number"]),
    ({"detail": {"state": [{"numeric": ["<", 6e9]}]}},
     [BAD + '[0]["numeric"][1] is 6000000000.0', "between -5e9 and 5e9"]),
    ({"detail": {"state": [{"numeric": [">", float("nan")]}]}},
     [BAD + '[0]["numeric"][1] is NaN', "finite"]),
    ({"detail": {"state": [{"numeric": ["<", 5, ">", 1]}]}},
     [BAD + '[0]["numeric"] is ["<", 5, ">", 1]', "lower bound", "then an upper bound"]),
    ({"detail": {"state": [{"numeric": ["=", 5, "<", 6]}]}},
     [BAD + '[0]["numeric"]', "lower bound"]),
    ({"detail": {"state": [{"numeric": [">", 5, "<=", 5]}]}},
     [BAD + '[0]["numeric"] is [">", 5, "<=", 5]', "less than the upper bound"]),
    # $or
    ({"$or": [{"source": ["aws.ec2"]}]},
     ['event_pattern["$or"] is [{"source": ["aws.ec2"]}]', "at least two patterns"]),
    ({"$or": {"source": ["aws.ec2"]}}, ['event_pattern["$or"] is {', "at least two patterns"]),
    ({"detail": {"$or": [{"a": ["x"]}, "b"]}},
     ['event_pattern["detail"]["$or"][1] is "b"', "pattern object"]),
    ({"$or": [{"a": ["x"]}, {}]}, ['event_pattern["$or"][1] is an empty object {}']),
    ({"$or": [{"a": ["x"]}, {"b": {"c": "y"}}]},
     ['event_pattern["$or"][1]["b"]["c"] is "y"', "must be a list of values"]),
    ({"$or": [{"a": ["x"]}, {"prefix": ["y"]}]},
     ['event_pattern["$or"][1]["prefix"] uses the operator name "prefix"', "inside \"$or\""]),
])
def test_validation_errors_name_the_path_the_value_and_the_fix(
        pattern: Any, fragments: list[str]) -> None:
    with pytest.raises(RegistrationError) as info:
        validate_pattern(pattern)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def test_keys_with_quotes_are_escaped_in_the_path() -> None:
    with pytest.raises(RegistrationError, match=r'event_pattern\["a\\"b"\] is "x"'):
        validate_pattern({'a"b': "x"})


def test_where_prefixes_the_message() -> None:
    with pytest.raises(RegistrationError) as info:
        validate_pattern({"source": "aws.ec2"}, "@app.on_cw_event on on_ec2")
    assert str(info.value).startswith('@app.on_cw_event on on_ec2: event_pattern["source"] is')


def test_registration_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="event_pattern is empty"):
        validate_pattern({})


def test_size_limit() -> None:
    def sized(chars: int) -> dict[str, Any]:
        pattern = {"source": [""]}
        pattern["source"][0] = "x" * (chars - len(json.dumps(pattern)))
        assert len(json.dumps(pattern)) == chars
        return pattern

    validate_pattern(sized(MAX_PATTERN_CHARS))
    with pytest.raises(RegistrationError) as info:
        validate_pattern(sized(MAX_PATTERN_CHARS + 1))
    assert "event_pattern is 4097 characters as JSON" in str(info.value)
    assert "at most 4096" in str(info.value)


def test_deep_nesting_is_refused_without_recursion_error() -> None:
    pattern: dict[str, Any] = {"leaf": ["x"]}
    for _ in range(5000):
        pattern = {"a": pattern}
    with pytest.raises(RegistrationError, match="nested more than 100 levels deep"):
        validate_pattern(pattern)


def test_cyclic_pattern_is_refused() -> None:
    pattern: dict[str, Any] = {"a": ["x"]}
    pattern["b"] = pattern
    with pytest.raises(RegistrationError, match="nested more than"):
        validate_pattern(pattern)


# -- cold start ------------------------------------------------------------------------------

def test_importing_the_module_adds_no_heavy_modules() -> None:
    probe = (
        "import sys\nimport myframework\nbefore = set(sys.modules)\n"
        "import myframework.runtime.patterns as p\n"
        "p.validate_pattern({'source': ['aws.ec2'], 'detail': {'s': [{'prefix': 'a'}]}})\n"
        "import json\nprint(json.dumps(sorted(set(sys.modules) - before)))")
    proc = subprocess.run([sys.executable, "-S", "-c", probe], capture_output=True, text=True,
                          check=True, env={"PYTHONPATH": ":".join(p for p in sys.path if p)})
    added = set(json.loads(proc.stdout.strip().splitlines()[-1]))
    assert added == {"myframework.runtime.patterns"}, sorted(added)


# -- properties ------------------------------------------------------------------------------

FIELD_NAMES = ["source", "detail-type", "detail", "state", "resources", "key", "size", "ip",
               "tags", "$or", "prefix", "numeric", "anything-but", "exists"]
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=-10**30, max_value=10**30),
    st.floats(), st.text(max_size=12),
    st.sampled_from(["aws.ec2", "terminated", "running", "10.0.0.33", "2001:db8::1",
                     "photos/cat.png", "a*b", "", "prefix", ">", "<=", "="]),
)
keys = st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=6))
json_like = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)), max_leaves=25)
events = st.dictionaries(keys, json_like, max_size=6)

MATCHING_PATTERNS = [validate_pattern(p) for p in VALID_PATTERNS] + [validate_pattern(p) for p in (
    {"source": [{"exists": False}], "detail": {"state": [{"exists": False}]}},
    {"detail": {"key": [{"wildcard": "photos/*.png"}], "size": [{"numeric": [">", 0]}]}},
    {"detail": {"ip": [{"cidr": "10.0.0.0/8"}, {"cidr": "2001:db8::/32"}]}},
    {"resources": [{"anything-but": {"prefix": "arn:"}}], "tags": [None, True, 0]},
    {"detail": {"$or": [{"state": [{"anything-but": ["a", "b"]}]},
                        {"tags": {"key": [{"suffix": {"equals-ignore-case": "X"}}]}}]}},
)]
PROPERTY_SETTINGS = settings(max_examples=300, deadline=None,
                             suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(event=events)
def test_matches_never_raises(event: dict[str, Any]) -> None:
    for pattern in MATCHING_PATTERNS:
        assert matches(pattern, event) in (True, False)
        assert matches(pattern, {"detail": event, "resources": [event, [event]]}) in (True, False)


@PROPERTY_SETTINGS
@given(event=json_like)
def test_matches_never_raises_on_non_object_events(event: Any) -> None:
    for pattern in MATCHING_PATTERNS:
        assert matches(pattern, event) in (True, False)


# Operator-shaped fragments make the generated inputs reach the deeper validation paths.
filters = st.dictionaries(
    st.sampled_from(["prefix", "suffix", "equals-ignore-case", "wildcard", "anything-but",
                     "numeric", "exists", "cidr", "contains"]),
    json_like, min_size=1, max_size=2)
pattern_like = st.recursive(
    st.one_of(scalars, filters, st.lists(st.one_of(scalars, filters), max_size=4)),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4),
                            st.tuples(inner), st.builds(set, st.lists(st.integers(), max_size=2)),
                            st.builds(object)),
    max_leaves=25)


def mutate(pattern: dict[str, Any], steps: list[int], replacement: Any) -> dict[str, Any]:
    """A copy of a valid pattern with one part (chosen by ``steps``) replaced."""
    result = copy.deepcopy(pattern)
    node: Any = result
    for depth, step in enumerate(steps):
        children = list(node.items()) if isinstance(node, dict) else list(enumerate(node))
        key, child = children[step % len(children)]
        if depth == len(steps) - 1 or not isinstance(child, (dict, list)) or not child:
            node[key] = replacement
            break
        node = child
    return result


broken_patterns = st.builds(mutate, st.sampled_from(VALID_PATTERNS),
                            st.lists(st.integers(0, 20), max_size=8), pattern_like)


@PROPERTY_SETTINGS
@given(candidate=st.one_of(pattern_like, broken_patterns))
def test_validate_pattern_raises_only_registration_error(candidate: Any) -> None:
    error: RegistrationError | None = None
    try:
        result = validate_pattern(candidate, "prop")
    except RegistrationError as exc:
        error = exc
    if error is not None:
        assert str(error).startswith("prop: event_pattern")
        return
    assert result == candidate
    assert len(json.dumps(result)) <= MAX_PATTERN_CHARS
    assert matches(result, {}) in (True, False)
    assert matches(result, EC2_EVENT) in (True, False)
