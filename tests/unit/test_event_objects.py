"""The typed event wrappers (S3Event, SQSEvent, SNSEvent, CloudWatchEvent) and the
test client's event generators, checked against AWS's documented sample events.

The samples live in tests/fixtures/events/ (reproduced from the AWS Lambda
developer guide and the EventBridge docs), so these tests do not depend on the
framework's own event builder; the generators are checked against them instead.
"""
import copy
import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from myframework import (
    App,
    CloudWatchEvent,
    EventParseError,
    S3Event,
    S3Record,
    ScheduledEvent,
    SNSEvent,
    SNSRecord,
    SQSEvent,
    SQSRecord,
)
from myframework.runtime.events import BaseLambdaEvent
from myframework.testing import Client, EventGenerator

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "events"
FIXTURE_NAMES = ("s3-put", "s3-delete", "sqs", "sqs-fifo", "sns", "scheduled", "ec2-state-change")
FUZZ_SETTINGS = settings(max_examples=150, deadline=None,
                         suppress_health_check=[HealthCheck.too_slow,
                                                HealthCheck.data_too_large])


@cache
def _fixture_text(name: str) -> str:
    return (FIXTURES / ("%s.json" % name)).read_text(encoding="utf-8")


def load(name: str) -> dict[str, Any]:
    """A fresh copy of one AWS sample event (tests may mutate it)."""
    event: dict[str, Any] = json.loads(_fixture_text(name))
    return event


@pytest.fixture
def events() -> Iterator[EventGenerator]:
    with Client(App("event-objects")) as client:
        yield client.events


def s3_with_keys(*raw_keys: str) -> dict[str, Any]:
    """The S3 put sample with one record per raw (as-sent) key."""
    sample = load("s3-put")
    records = []
    for index, raw_key in enumerate(raw_keys):
        record = copy.deepcopy(sample["Records"][0])
        record["s3"]["object"]["key"] = raw_key
        record["s3"]["object"]["size"] = 100 + index
        record["s3"]["object"]["eTag"] = "etag-%d" % index
        record["s3"]["bucket"]["name"] = "bucket-%d" % index
        records.append(record)
    return {"Records": records}


# -- S3 ------------------------------------------------------------------------------------

def test_fixtures_are_all_present() -> None:
    assert sorted(p.stem for p in FIXTURES.glob("*.json")) == sorted(FIXTURE_NAMES)


def test_s3_put_sample() -> None:
    raw = load("s3-put")
    event = S3Event(raw)
    assert len(event) == 1
    (record,) = list(event)
    assert isinstance(record, S3Record)
    assert record.bucket == "DOC-EXAMPLE-BUCKET"
    assert record.key == "b21b84d653bb07b05b1e6b33684dc11b"
    assert record.raw_key == "b21b84d653bb07b05b1e6b33684dc11b"
    assert record.size == 1305107
    assert record.etag == "b21b84d653bb07b05b1e6b33684dc11b"
    assert record.event_name == "ObjectCreated:Put"
    assert record.version_id is None
    assert record.sequencer == "0C0F6F405D6ED209E1"
    assert record.region == "us-east-2"
    assert record.event_time == "2019-09-03T19:37:27.192Z"
    assert record.index == 0
    assert record.to_dict() is raw["Records"][0]


def test_s3_to_dict_is_the_raw_event_object() -> None:
    raw = load("s3-put")
    event = S3Event(raw)
    assert event.to_dict() is raw


def test_s3_version_id_when_present() -> None:
    raw = load("s3-put")
    raw["Records"][0]["s3"]["object"]["versionId"] = "096fKKXTRTtl3on89fVO.nfljtsv6qko"
    assert S3Event(raw).records[0].version_id == "096fKKXTRTtl3on89fVO.nfljtsv6qko"


def test_s3_delete_sample_has_no_size_or_etag() -> None:
    event = S3Event(load("s3-delete"))
    (record,) = list(event)
    assert record.event_name == "ObjectRemoved:Delete"
    assert record.size is None
    assert record.etag is None
    assert record.bucket == "example-bucket"
    assert record.raw_key == "test%2Fkey"
    assert record.key == "test/key"
    assert record.region == "us-east-1"
    assert event.size is None
    assert event.etag is None


def test_s3_event_iterates_every_record() -> None:
    raw = s3_with_keys("first.txt", "dir/second+file.txt", "third%281%29.txt")
    event = S3Event(raw, context="ctx")
    records = list(event)
    assert len(event) == 3
    assert [r.index for r in records] == [0, 1, 2]
    assert [r.bucket for r in records] == ["bucket-0", "bucket-1", "bucket-2"]
    assert [r.key for r in records] == ["first.txt", "dir/second file.txt", "third(1).txt"]
    assert [r.raw_key for r in records] == ["first.txt", "dir/second+file.txt",
                                            "third%281%29.txt"]
    assert [r.size for r in records] == [100, 101, 102]
    assert [r.etag for r in records] == ["etag-0", "etag-1", "etag-2"]
    assert [r.to_dict() for r in records] == raw["Records"]
    assert all(r.context == "ctx" for r in records)
    # iterating twice gives the same records again
    assert [r.key for r in event] == [r.key for r in records]


def test_s3_event_compat_attributes_read_the_first_record() -> None:
    event = S3Event(s3_with_keys("red+flower.jpg", "other.jpg", "third.jpg"))
    assert event.bucket == "bucket-0"
    assert event.key == "red flower.jpg"
    assert event.size == 100
    assert event.etag == "etag-0"
    assert event.event_name == "ObjectCreated:Put"


def test_s3_event_compat_attributes_on_an_empty_batch_raise_event_parse_error() -> None:
    event = S3Event({"Records": []})
    assert len(event) == 0
    assert list(event) == []
    with pytest.raises(EventParseError):
        event.bucket  # noqa: B018
    with pytest.raises(EventParseError):
        event.key  # noqa: B018


@pytest.mark.parametrize(("raw_key", "key"), [
    ("red+flower.jpg", "red flower.jpg"),                     # S3 sends spaces as "+"
    ("images/red+flower.jpg", "images/red flower.jpg"),
    ("my%28photo%29.jpg", "my(photo).jpg"),
    ("a%2Bb.txt", "a+b.txt"),                                 # a literal "+" is %2B
    ("100%25.txt", "100%.txt"),
    ("caf%C3%A9.txt", "café.txt"),                            # UTF-8 escapes
    ("%E2%82%AC%20price", "€ price"),
    ("%F0%9F%98%80.png", "\U0001f600.png"),
    ("test%2Fkey", "test/key"),
    ("plain/key.txt", "plain/key.txt"),
    ("", ""),
])
def test_s3_key_is_decoded_like_s3_encodes_it(raw_key: str, key: str) -> None:
    event = S3Event(s3_with_keys(raw_key))
    record = event.records[0]
    assert record.key == key
    assert record.raw_key == raw_key
    assert event.key == key


@pytest.mark.parametrize(("raw_key", "key"), [
    ("100%", "100%"),          # a lone "%" is kept
    ("%ZZ.txt", "%ZZ.txt"),    # not hex: kept as text
    ("a%2", "a%2"),            # truncated escape
    ("%C3.txt", "\ufffd.txt"),  # not UTF-8: replacement character
    ("%FF%FE+x", "\ufffd\ufffd x"),
])
def test_s3_invalid_escapes_never_crash(raw_key: str, key: str) -> None:
    record = S3Event(s3_with_keys(raw_key)).records[0]
    assert record.key == key
    assert record.raw_key == raw_key


# -- SQS -----------------------------------------------------------------------------------

def test_sqs_sample() -> None:
    raw = load("sqs")
    event = SQSEvent(raw)
    assert len(event) == 2
    first, second = list(event)
    assert isinstance(first, SQSRecord)
    assert first.message_id == "059f36b4-87a3-44ab-83d2-661975830a7d"
    assert second.message_id == "2e1424d4-f796-459a-8184-9c92662be6da"
    assert first.body == "Test message."
    assert first.receipt_handle == "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a..."
    assert second.receipt_handle == "AQEBzWwaftRI0KuVm4tP+/7q1rGgNqicHq..."
    assert first.attributes == {
        "ApproximateReceiveCount": "1", "SentTimestamp": "1545082649183",
        "SenderId": "AIDAIENQZJOLO23YVJ4VO", "ApproximateFirstReceiveTimestamp": "1545082649185",
    }
    assert first.message_attributes == {"myAttribute": {
        "stringValue": "myValue", "stringListValues": [], "binaryListValues": [],
        "dataType": "String"}}
    assert second.message_attributes == {}
    assert first.event_source_arn == "arn:aws:sqs:us-east-2:123456789012:my-queue"
    assert first.queue_name == "my-queue"
    assert event.queue_name == "my-queue"
    assert [r.index for r in event] == [0, 1]
    assert event.to_dict() is raw
    assert second.to_dict() is raw["Records"][1]


def test_sqs_fifo_sample_exposes_fifo_attributes() -> None:
    (record,) = list(SQSEvent(load("sqs-fifo")))
    assert record.queue_name == "fifo.fifo"
    assert record.attributes["MessageGroupId"] == "1"
    assert record.attributes["SequenceNumber"] == "18849496460467696128"
    assert record.attributes["MessageDeduplicationId"] == "1"


def test_sqs_json_body() -> None:
    raw = load("sqs")
    raw["Records"][0]["body"] = '{"order": 7, "items": ["a", "b"]}'
    raw["Records"][1]["body"] = "[1, 2.5, null]"
    first, second = list(SQSEvent(raw))
    assert first.json_body == {"order": 7, "items": ["a", "b"]}
    assert second.json_body == [1, 2.5, None]


def test_sqs_invalid_json_body_names_the_message() -> None:
    records = list(SQSEvent(load("sqs")))  # body "Test message." is not JSON
    with pytest.raises(EventParseError, match="2e1424d4-f796-459a-8184-9c92662be6da"):
        records[1].json_body  # noqa: B018
    # body itself is still readable
    assert records[1].body == "Test message."


def test_sqs_missing_optional_fields_give_defaults() -> None:
    event = SQSEvent({"Records": [{"messageId": "m-1", "body": "x"}]})
    (record,) = list(event)
    assert record.receipt_handle == ""
    assert record.attributes == {}
    assert record.message_attributes == {}
    assert record.event_source_arn == ""
    assert record.queue_name == ""


# -- SNS -----------------------------------------------------------------------------------

def test_sns_sample() -> None:
    raw = load("sns")
    event = SNSEvent(raw)
    assert len(event) == 1
    (record,) = list(event)
    assert isinstance(record, SNSRecord)
    assert record.message == "Hello from SNS!"
    assert record.subject == "TestInvoke"
    assert record.message_id == "95df01b4-ee98-5cb9-9903-4c221d41eb5e"
    assert record.topic_arn == "arn:aws:sns:us-east-1:123456789012:sns-lambda"
    assert record.timestamp == "2019-01-02T12:45:07.000Z"
    assert record.message_attributes == {
        "Test": {"Type": "String", "Value": "TestString"},
        "TestBinary": {"Type": "Binary", "Value": "TestBinary"},
    }
    assert record.to_dict() is raw["Records"][0]
    assert event.to_dict() is raw


def test_sns_compat_attributes_read_the_first_record() -> None:
    raw = load("sns")
    second = copy.deepcopy(raw["Records"][0])
    second["Sns"]["Message"] = "second"
    second["Sns"]["Subject"] = "other"
    raw["Records"][0]["Sns"]["Message"] = '{"hello": ["sns"]}'
    raw["Records"].append(second)
    event = SNSEvent(raw)
    assert len(event) == 2
    assert event.message == '{"hello": ["sns"]}'
    assert event.json_message == {"hello": ["sns"]}
    assert event.subject == "TestInvoke"
    assert event.message_attributes["Test"] == {"Type": "String", "Value": "TestString"}
    assert [r.message for r in event] == ['{"hello": ["sns"]}', "second"]


def test_sns_null_or_missing_subject_is_empty_string() -> None:
    raw = load("sns")
    raw["Records"][0]["Sns"]["Subject"] = None
    assert SNSEvent(raw).subject == ""
    del raw["Records"][0]["Sns"]["Subject"]
    assert SNSEvent(raw).records[0].subject == ""


def test_sns_invalid_json_message_raises_event_parse_error() -> None:
    event = SNSEvent(load("sns"))  # "Hello from SNS!" is not JSON
    with pytest.raises(EventParseError, match="SNS record 0"):
        event.json_message  # noqa: B018


# -- EventBridge ---------------------------------------------------------------------------

def test_scheduled_event_sample() -> None:
    raw = load("scheduled")
    event = ScheduledEvent(raw)
    assert isinstance(event, CloudWatchEvent)
    assert event.detail == {}
    assert event.detail_type == "Scheduled Event"
    assert event.source == "aws.events"
    assert event.time == "2019-03-01T01:23:45Z"
    assert event.resources == ["arn:aws:events:us-east-2:123456789012:rule/my-schedule"]
    assert event.account == "123456789012"
    assert event.region == "us-east-2"
    assert event.event_id == "cdc73f9d-aea9-11e3-9d5a-835b769c0d9c"
    assert event.version == "0"
    assert event.to_dict() is raw


def test_ec2_state_change_sample() -> None:
    event = CloudWatchEvent(load("ec2-state-change"))
    assert event.detail == {"instance-id": "i-abcd1111", "state": "pending"}
    assert event.detail_type == "EC2 Instance State-change Notification"
    assert event.source == "aws.ec2"
    assert event.time == "2021-11-11T21:29:54Z"
    assert event.resources == ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"]
    assert event.account == "123456789012"
    assert event.region == "us-east-1"
    assert event.event_id == "7bf73129-1428-4cd3-a780-95db273d1602"
    assert event.version == "0"


def test_cw_event_missing_optional_fields_give_defaults() -> None:
    event = CloudWatchEvent({"source": "my.app", "detail-type": "Thing Happened"})
    assert event.source == "my.app"
    assert event.detail_type == "Thing Happened"
    assert event.detail == {}
    assert event.resources == []
    assert event.account == ""
    assert event.region == ""
    assert event.time == ""
    assert event.event_id == ""
    assert event.version == "0"
    nulls = CloudWatchEvent({"source": "s", "detail-type": "d", "detail": None,
                             "resources": None, "account": None})
    assert nulls.detail == {}
    assert nulls.resources == []
    assert nulls.account == ""


@pytest.mark.parametrize("missing", ["source", "detail-type"])
def test_cw_event_missing_required_field_raises(missing: str) -> None:
    raw = load("ec2-state-change")
    del raw[missing]
    event = CloudWatchEvent(raw)  # lazy: constructing never fails
    with pytest.raises(EventParseError, match=missing):
        getattr(event, missing.replace("-", "_"))
    # the other fields are still readable
    assert event.detail == {"instance-id": "i-abcd1111", "state": "pending"}


@pytest.mark.parametrize(("field", "value", "attribute"), [
    ("detail", ["not", "an", "object"], "detail"),
    ("resources", {"not": "a list"}, "resources"),
    ("source", 42, "source"),
    ("detail-type", None, "detail_type"),
    ("time", 1700000000, "time"),
    ("version", True, "version"),
])
def test_cw_event_wrong_types_raise_event_parse_error(field: str, value: Any,
                                                      attribute: str) -> None:
    raw = load("ec2-state-change")
    raw[field] = value
    with pytest.raises(EventParseError, match=field):
        getattr(CloudWatchEvent(raw), attribute)


# -- malformed records ---------------------------------------------------------------------

@pytest.mark.parametrize("cls", [S3Event, SQSEvent, SNSEvent])
@pytest.mark.parametrize("raw", [{}, {"Records": None}, {"Records": "nope"},
                                 {"Records": {"0": {}}}, {"records": []}])
def test_records_not_a_list_raises_event_parse_error(cls: type[Any], raw: dict[str, Any]) -> None:
    event = cls(raw)  # lazy
    with pytest.raises(EventParseError, match="Records"):
        list(event)
    with pytest.raises(EventParseError):
        len(event)


def test_s3_record_that_is_not_an_object() -> None:
    raw = s3_with_keys("good.txt")
    raw["Records"].append("not a record")
    raw["Records"].append(None)
    records = list(S3Event(raw))
    assert records[0].key == "good.txt"
    for index in (1, 2):
        with pytest.raises(EventParseError, match="S3 record %d" % index):
            records[index].bucket  # noqa: B018
        with pytest.raises(EventParseError, match="S3 record %d" % index):
            records[index].key  # noqa: B018
        with pytest.raises(EventParseError, match="S3 record %d" % index):
            records[index].event_name  # noqa: B018
        with pytest.raises(EventParseError, match="S3 record %d" % index):
            records[index].to_dict()


def test_s3_missing_key_names_the_record_and_does_not_hide_the_others() -> None:
    raw = s3_with_keys("a.txt", "b.txt", "c.txt")
    del raw["Records"][1]["s3"]["object"]["key"]
    records = list(S3Event(raw))
    with pytest.raises(EventParseError, match=r"S3 record 1.*s3\.object\.key"):
        records[1].key  # noqa: B018
    with pytest.raises(EventParseError, match="S3 record 1"):
        records[1].raw_key  # noqa: B018
    assert records[1].bucket == "bucket-1"
    assert [records[0].key, records[2].key] == ["a.txt", "c.txt"]


@pytest.mark.parametrize(("path", "value", "attribute"), [
    (("s3",), [], "bucket"),
    (("s3", "bucket"), "DOC-EXAMPLE-BUCKET", "bucket"),
    (("s3", "bucket", "name"), 7, "bucket"),
    (("s3", "object"), None, "key"),
    (("s3", "object", "key"), 123, "key"),
    (("s3", "object", "key"), None, "raw_key"),
    (("s3", "object", "size"), "1024", "size"),
    (("s3", "object", "size"), True, "size"),
    (("s3", "object", "size"), 10.5, "size"),
    (("s3", "object", "eTag"), 5, "etag"),
    (("s3", "object", "versionId"), ["v1"], "version_id"),
    (("eventName",), None, "event_name"),
    (("awsRegion",), 1, "region"),
])
def test_s3_wrong_types_raise_event_parse_error(path: tuple[str, ...], value: Any,
                                                attribute: str) -> None:
    raw = s3_with_keys("a.txt", "b.txt")
    target = raw["Records"][1]
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    records = list(S3Event(raw))
    with pytest.raises(EventParseError, match="S3 record 1"):
        getattr(records[1], attribute)
    assert records[0].key == "a.txt"


@pytest.mark.parametrize(("field", "value", "attribute"), [
    ("body", 42, "body"),
    ("body", 42, "json_body"),
    ("body", None, "body"),
    ("attributes", ["x"], "attributes"),
    ("messageAttributes", "x", "message_attributes"),
    ("eventSourceARN", 5, "queue_name"),
    ("receiptHandle", {}, "receipt_handle"),
])
def test_sqs_wrong_types_name_the_message_id(field: str, value: Any, attribute: str) -> None:
    raw = load("sqs")
    raw["Records"][1][field] = value
    first, second = list(SQSEvent(raw))
    with pytest.raises(EventParseError, match="2e1424d4-f796-459a-8184-9c92662be6da"):
        getattr(second, attribute)
    assert first.body == "Test message."


def test_sqs_missing_body_names_the_message_id() -> None:
    raw = load("sqs")
    del raw["Records"][0]["body"]
    with pytest.raises(EventParseError, match="059f36b4-87a3-44ab-83d2-661975830a7d"):
        SQSEvent(raw).records[0].body  # noqa: B018


def test_sqs_record_without_message_id_is_named_by_index() -> None:
    raw = load("sqs")
    del raw["Records"][1]["messageId"]
    raw["Records"].append(17)
    records = list(SQSEvent(raw))
    with pytest.raises(EventParseError, match="SQS record 1"):
        records[1].message_id  # noqa: B018
    with pytest.raises(EventParseError, match="SQS record 2"):
        records[2].body  # noqa: B018
    with pytest.raises(EventParseError, match="SQS record 2"):
        records[2].to_dict()


@pytest.mark.parametrize(("path", "value", "attribute"), [
    (("Sns",), None, "message"),
    (("Sns",), "text", "topic_arn"),
    (("Sns", "Message"), 1, "message"),
    (("Sns", "Message"), 1, "json_message"),
    (("Sns", "TopicArn"), None, "topic_arn"),
    (("Sns", "Subject"), 3, "subject"),
    (("Sns", "MessageAttributes"), [], "message_attributes"),
    (("Sns", "Timestamp"), 1546433107, "timestamp"),
])
def test_sns_wrong_types_name_the_record(path: tuple[str, ...], value: Any,
                                         attribute: str) -> None:
    raw = load("sns")
    raw["Records"].append(copy.deepcopy(raw["Records"][0]))
    target = raw["Records"][1]
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    first, second = list(SNSEvent(raw))
    with pytest.raises(EventParseError, match="SNS record 1"):
        getattr(second, attribute)
    assert first.message == "Hello from SNS!"


def test_sns_missing_sns_object_names_the_record() -> None:
    raw = load("sns")
    del raw["Records"][0]["Sns"]
    event = SNSEvent(raw)
    with pytest.raises(EventParseError, match="SNS record 0"):
        event.message  # noqa: B018
    with pytest.raises(EventParseError, match="SNS record 0"):
        event.records[0].topic_arn  # noqa: B018


@pytest.mark.parametrize("kind", ["sqs", "sns"])
def test_deeply_nested_json_body_raises_event_parse_error(kind: str) -> None:
    body = "[" * 100_000 + "]" * 100_000  # 200 KB: fits in an SQS message / SNS notification
    raw = load(kind)
    if kind == "sqs":
        raw["Records"][0]["body"] = body
        with pytest.raises(EventParseError, match="059f36b4-87a3-44ab-83d2-661975830a7d"):
            SQSEvent(raw).records[0].json_body  # noqa: B018
    else:
        raw["Records"][0]["Sns"]["Message"] = body
        with pytest.raises(EventParseError, match="SNS record 0"):
            SNSEvent(raw).json_message  # noqa: B018


# -- the test client's generators have AWS's shapes ----------------------------------------

NULLABLE_STRINGS = frozenset({"Subject"})


def shape(value: Any, key: str | None = None) -> Any:
    """The nested key structure and value types: dict -> {key: shape}, list -> [shape of
    its first item], scalar -> type name (None or str for the optional SNS Subject)."""
    if key in NULLABLE_STRINGS and (value is None or isinstance(value, str)):
        return "str|None"
    if isinstance(value, dict):
        return {k: shape(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


def test_shape_helper() -> None:
    assert shape({"a": [1, 2], "b": {"c": None, "Subject": None}, "d": []}) == {
        "a": ["int"], "b": {"c": "NoneType", "Subject": "str|None"}, "d": []}
    assert shape({"Subject": "x"}) == shape({"Subject": None})
    assert shape({"a": "1"}) != shape({"a": 1})
    assert shape({"a": {"b": 1}}) != shape({"a": {"b": 1, "c": 2}})


def test_generated_s3_put_has_the_sample_shape(events: EventGenerator) -> None:
    generated = events.generate_s3_event("DOC-EXAMPLE-BUCKET", "b21b84d653bb07b05b1e6b33684dc11b")
    assert shape(generated) == shape(load("s3-put"))


def test_generated_s3_delete_has_the_sample_shape(events: EventGenerator) -> None:
    generated = events.generate_s3_event("example-bucket", "test/key",
                                         event_name="ObjectRemoved:Delete")
    assert shape(generated) == shape(load("s3-delete"))
    obj = generated["Records"][0]["s3"]["object"]
    assert "size" not in obj
    assert "eTag" not in obj
    (record,) = list(S3Event(generated))
    assert record.size is None
    assert record.etag is None
    assert record.key == "test/key"
    assert record.event_name == "ObjectRemoved:Delete"


def test_generated_s3_event_reads_back(events: EventGenerator) -> None:
    generated = events.generate_s3_event("my-bucket", "dir/file.bin", size=42, etag="abc",
                                         version_id="v-1")
    (record,) = list(S3Event(generated))
    assert (record.bucket, record.key, record.size, record.etag, record.version_id,
            record.event_name, record.region) == (
        "my-bucket", "dir/file.bin", 42, "abc", "v-1", "ObjectCreated:Put", "us-east-1")


def test_generated_s3_key_is_encoded_like_s3(events: EventGenerator) -> None:
    generated = events.generate_s3_event("b", "a b/c+d(1).txt")
    record = S3Event(generated).records[0]
    assert record.raw_key == "a+b/c%2Bd%281%29.txt"
    assert record.key == "a b/c+d(1).txt"
    accented = S3Event(events.generate_s3_event("b", "café €.txt")).records[0]
    assert accented.raw_key == "caf%C3%A9+%E2%82%AC.txt"
    assert accented.key == "café €.txt"


def test_generated_sqs_has_the_sample_shape(events: EventGenerator) -> None:
    generated = events.generate_sqs_event(["Test message.", "Test message."], "my-queue",
                                          message_attributes={"myAttribute": "myValue"})
    sample = load("sqs")
    assert shape(generated) == shape(sample)
    assert [shape(r) for r in generated["Records"]] == [shape(sample["Records"][0])] * 2
    assert generated["Records"][0]["messageAttributes"] == sample["Records"][0][
        "messageAttributes"]
    first, second = list(SQSEvent(generated))
    assert first.message_id != second.message_id
    assert first.queue_name == "my-queue"
    assert first.event_source_arn == "arn:aws:sqs:us-east-1:123456789012:my-queue"
    assert "MessageGroupId" not in first.attributes


def test_generated_sqs_without_attributes_matches_the_second_record(
        events: EventGenerator) -> None:
    generated = events.generate_sqs_event(["x"])
    assert shape(generated["Records"][0]) == shape(load("sqs")["Records"][1])


def test_generated_fifo_sqs_has_the_fifo_sample_shape(events: EventGenerator) -> None:
    generated = events.generate_sqs_event(["a", "b", "c"], "fifo.fifo", group_id="g-7")
    sample = load("sqs-fifo")
    assert shape(generated) == shape(sample)
    assert [shape(r) for r in generated["Records"]] == [shape(sample["Records"][0])] * 3
    records = list(SQSEvent(generated))
    assert [r.attributes["MessageGroupId"] for r in records] == ["g-7"] * 3
    sequence = [int(r.attributes["SequenceNumber"]) for r in records]
    assert sequence == sorted(set(sequence))  # increasing within the group
    assert len({r.attributes["MessageDeduplicationId"] for r in records}) == 3
    assert records[0].queue_name == "fifo.fifo"


def test_generated_sns_has_the_sample_shape(events: EventGenerator) -> None:
    sample = load("sns")
    generated = events.generate_sns_event(
        "Hello from SNS!", "TestInvoke",
        {"Test": "TestString", "TestBinary": {"Type": "Binary", "Value": "TestBinary"}},
        topic="sns-lambda")
    assert shape(generated) == shape(sample)
    without_subject = events.generate_sns_event("hi", subject=None)
    assert without_subject["Records"][0]["Sns"]["Subject"] is None
    assert shape(without_subject["Records"][0]["Sns"]["Subject"], "Subject") == "str|None"
    event = SNSEvent(generated)
    assert event.subject == "TestInvoke"
    assert event.message == "Hello from SNS!"
    assert event.records[0].topic_arn == "arn:aws:sns:us-east-1:123456789012:sns-lambda"
    assert event.message_attributes["Test"] == {"Type": "String", "Value": "TestString"}
    assert SNSEvent(without_subject).subject == ""


def test_generated_cw_event_has_the_sample_shape(events: EventGenerator) -> None:
    sample = load("ec2-state-change")
    generated = events.generate_cw_event("aws.ec2", "EC2 Instance State-change Notification",
                                         sample["detail"], sample["resources"])
    assert shape(generated) == shape(sample)
    event = CloudWatchEvent(generated)
    assert event.source == "aws.ec2"
    assert event.detail == sample["detail"]
    assert event.resources == sample["resources"]
    assert event.region == "us-east-1"
    assert events.generate_cw_event("s", "d", {}, [], region="eu-west-1")["region"] == "eu-west-1"


def test_generated_scheduled_event_has_the_sample_shape(events: EventGenerator) -> None:
    generated = events.generate_scheduled_event("my-schedule")
    assert shape(generated) == shape(load("scheduled"))
    event = ScheduledEvent(generated)
    assert event.detail_type == "Scheduled Event"
    assert event.source == "aws.events"
    assert event.detail == {}
    assert event.resources == ["arn:aws:events:us-east-1:123456789012:rule/my-schedule"]


def _digits_as_zero(text: str) -> str:
    return re.sub(r"\d", "0", text)


def test_generated_timestamps_have_the_sample_formats(events: EventGenerator) -> None:
    s3 = events.generate_s3_event("b", "k")["Records"][0]
    assert _digits_as_zero(s3["eventTime"]) == _digits_as_zero(
        load("s3-put")["Records"][0]["eventTime"])
    sqs = events.generate_sqs_event(["x"])["Records"][0]
    sample_sqs = load("sqs")["Records"][0]
    for name in ("SentTimestamp", "ApproximateFirstReceiveTimestamp"):
        assert _digits_as_zero(sqs["attributes"][name]) == _digits_as_zero(
            sample_sqs["attributes"][name])
    sns = events.generate_sns_event("x")["Records"][0]
    assert _digits_as_zero(sns["Sns"]["Timestamp"]) == _digits_as_zero(
        load("sns")["Records"][0]["Sns"]["Timestamp"])
    cw = events.generate_scheduled_event()
    assert _digits_as_zero(cw["time"]) == _digits_as_zero(load("scheduled")["time"])


# -- property tests ------------------------------------------------------------------------

def _properties(cls: type) -> set[str]:
    return {name for klass in cls.__mro__ for name, value in vars(klass).items()
            if isinstance(value, property)}


# property -> the types its value may have (object: anything JSON)
S3_RECORD_PROPS: dict[str, tuple[type, ...]] = {
    "bucket": (str,), "raw_key": (str,), "key": (str,), "size": (int, type(None)),
    "etag": (str, type(None)), "version_id": (str, type(None)),
    "sequencer": (str, type(None)), "event_name": (str,), "event_time": (str,),
    "region": (str,),
}
S3_EVENT_PROPS: dict[str, tuple[type, ...]] = {
    "bucket": (str,), "key": (str,), "size": (int, type(None)), "etag": (str, type(None)),
    "event_name": (str,), "records": (list,),
}
SQS_RECORD_PROPS: dict[str, tuple[type, ...]] = {
    "message_id": (str,), "body": (str,), "json_body": (object,), "receipt_handle": (str,),
    "attributes": (dict,), "message_attributes": (dict,), "event_source_arn": (str,),
    "queue_name": (str,),
}
SQS_EVENT_PROPS: dict[str, tuple[type, ...]] = {"queue_name": (str,), "records": (list,)}
SNS_RECORD_PROPS: dict[str, tuple[type, ...]] = {
    "message": (str,), "json_message": (object,), "subject": (str,), "message_id": (str,),
    "topic_arn": (str,), "timestamp": (str,), "message_attributes": (dict,),
}
SNS_EVENT_PROPS: dict[str, tuple[type, ...]] = {
    "message": (str,), "json_message": (object,), "subject": (str,),
    "message_attributes": (dict,), "records": (list,),
}
CW_PROPS: dict[str, tuple[type, ...]] = {
    "version": (str,), "account": (str,), "region": (str,), "detail": (dict,),
    "detail_type": (str,), "source": (str,), "time": (str,), "event_id": (str,),
    "resources": (list,),
}
BATCHES: list[tuple[type[Any], dict[str, tuple[type, ...]], dict[str, tuple[type, ...]]]] = [
    (S3Event, S3_EVENT_PROPS, S3_RECORD_PROPS),
    (SQSEvent, SQS_EVENT_PROPS, SQS_RECORD_PROPS),
    (SNSEvent, SNS_EVENT_PROPS, SNS_RECORD_PROPS),
]


@pytest.mark.parametrize(("cls", "props"), [
    (S3Record, S3_RECORD_PROPS), (S3Event, S3_EVENT_PROPS),
    (SQSRecord, SQS_RECORD_PROPS), (SQSEvent, SQS_EVENT_PROPS),
    (SNSRecord, SNS_RECORD_PROPS), (SNSEvent, SNS_EVENT_PROPS),
    (CloudWatchEvent, CW_PROPS), (ScheduledEvent, CW_PROPS),
])
def test_property_tests_read_every_property(cls: type, props: dict[str, Any]) -> None:
    assert _properties(cls) == set(props)


def _read(obj: object, props: dict[str, tuple[type, ...]]) -> None:
    """Every property returns a value of its documented type or raises EventParseError."""
    messages = []
    for name, kinds in props.items():
        try:
            value = getattr(obj, name)
        except EventParseError as exc:
            messages.append(str(exc))
            continue
        assert isinstance(value, kinds), (name, value)
        if kinds == (object,):
            json.dumps(value)  # parsed JSON stays JSON
    try:
        obj.to_dict()  # type: ignore[attr-defined]
    except EventParseError:
        pass
    assert repr(obj)
    assert all(messages)  # every error says what is wrong


def read_everything(raw: Any) -> None:
    for cls, event_props, record_props in BATCHES:
        event = cls(raw)
        assert event.to_dict() is raw
        try:
            records = list(event)
        except EventParseError:
            with pytest.raises(EventParseError):
                len(event)
            records = []
        else:
            assert len(event) == len(records)
            assert [r.index for r in records] == list(range(len(records)))
        for record in records:
            _read(record, record_props)
        _read(event, event_props)
    for cw_cls in (CloudWatchEvent, ScheduledEvent):
        cw_event: BaseLambdaEvent = cw_cls(raw)
        _read(cw_event, CW_PROPS)


FIELD_NAMES = sorted({
    "Records", "s3", "bucket", "name", "object", "key", "size", "eTag", "versionId",
    "sequencer", "eventName", "eventTime", "awsRegion", "messageId", "body", "receiptHandle",
    "attributes", "messageAttributes", "eventSourceARN", "Sns", "Message", "Subject",
    "MessageId", "TopicArn", "Timestamp", "MessageAttributes", "version", "account",
    "region", "detail", "detail-type", "source", "time", "id", "resources",
})
json_scalars = (st.none() | st.booleans() | st.integers() | st.floats()
                | st.text(max_size=20))
json_values = st.recursive(
    json_scalars,
    lambda children: (st.lists(children, max_size=4)
                      | st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=8),
                                        children, max_size=5)),
    max_leaves=25,
)


@FUZZ_SETTINGS
@given(json_values)
def test_arbitrary_json_only_ever_raises_event_parse_error(raw: Any) -> None:
    read_everything(raw)


@FUZZ_SETTINGS
@given(st.lists(json_values, max_size=4))
def test_arbitrary_records_only_ever_raise_event_parse_error(records: list[Any]) -> None:
    read_everything({"Records": records})


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if prefix:
        yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*prefix, index))


@st.composite
def mutated_samples(draw: st.DrawFn) -> dict[str, Any]:
    """An AWS sample with a few fields (anywhere in it) deleted or replaced by any JSON."""
    event = load(draw(st.sampled_from(FIXTURE_NAMES)))
    for _ in range(draw(st.integers(1, 3))):
        paths = list(_paths(event))
        if not paths:
            break

        def node(path: tuple[Any, ...]) -> Any:
            value: Any = event
            for part in path:
                value = value[part]
            return value

        # half the time break an object or list the wrappers walk through
        containers = [p for p in paths if isinstance(node(p), (dict, list))]
        if draw(st.booleans()) and containers:
            paths = containers
        path = draw(st.sampled_from(paths))
        parent = node(path[:-1])
        if draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(json_values)
    return event


@FUZZ_SETTINGS
@given(mutated_samples())
def test_mutated_aws_samples_only_ever_raise_event_parse_error(raw: dict[str, Any]) -> None:
    read_everything(raw)


@FUZZ_SETTINGS
@given(st.text(max_size=30))
def test_any_json_text_body_parses_or_raises_event_parse_error(body: str) -> None:
    raw = load("sqs")
    raw["Records"][0]["body"] = body
    raw["Records"][1]["body"] = json.dumps(body)
    first, second = list(SQSEvent(raw))
    try:
        json.loads(body)
    except ValueError:
        with pytest.raises(EventParseError, match="059f36b4-87a3-44ab-83d2-661975830a7d"):
            first.json_body  # noqa: B018
    else:
        assert json.dumps(first.json_body) == json.dumps(json.loads(body))  # NaN != NaN
    assert second.json_body == body


@FUZZ_SETTINGS
@given(key=st.text(), bucket=st.text(min_size=1, max_size=10))
def test_generated_keys_round_trip(key: str, bucket: str) -> None:
    generated = EventGenerator().generate_s3_event(bucket, key)
    record = S3Event(generated).records[0]
    raw = record.raw_key
    assert record.key == key
    assert record.bucket == bucket
    # encoded as S3 does: no spaces, only URL-safe characters, "/" kept, spaces as "+"
    assert re.fullmatch(r"[A-Za-z0-9_.\-~/%+]*", raw), raw
    assert raw.count("+") == key.count(" ")
    assert raw.count("/") == key.count("/")
