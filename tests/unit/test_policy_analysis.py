"""The analysis that finds boto3 calls in a project's code (myframework.policy.analysis)."""
from __future__ import annotations

import pathlib
import textwrap

import pytest

from myframework.policy.analysis import analyze
from myframework.policy.values import Analysis

pytest.importorskip("botocore")


def run(tmp_path: pathlib.Path, sources: dict[str, str],
        environment: dict[str, str] | None = None) -> Analysis:
    files = {}
    for name, text in sources.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        files[name] = path
    return analyze(files, environment or {})


def found(analysis: Analysis) -> set[tuple[str, str]]:
    return {(call.service, operation) for call in analysis.calls
            for operation in call.operations}


def params(analysis: Analysis, operation: str) -> list[dict[str, str | None]]:
    return [call.params for call in analysis.calls if operation in call.operations]


def test_clients_made_every_way(tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, {"app.py": '''
        import boto3
        import boto3 as b
        from boto3 import client as make
        from boto3.session import Session

        s3 = boto3.client("s3")

        def handler():
            s3.put_object(Bucket="b", Key="k")
            b.client("sqs").send_message(QueueUrl="u", MessageBody="m")
            make(service_name="sns").publish(TopicArn="t", Message="m")
            boto3.session.Session().client("lambda").invoke(FunctionName="f")
            Session(region_name="eu-west-1").client("kms").decrypt(CiphertextBlob=b"")
            boto3.Session().client("ssm").get_parameter(Name="p")
        '''})
    assert found(result) == {("s3", "PutObject"), ("sqs", "SendMessage"), ("sns", "Publish"),
                             ("lambda", "Invoke"), ("kms", "Decrypt"), ("ssm", "GetParameter")}
    assert params(result, "PutObject") == [{"Bucket": "b", "Key": "k"}]
    [call] = [c for c in result.calls if "PutObject" in c.operations]
    assert (call.path, call.line, call.label) == ("app.py", 10, "s3.put_object")


def test_clients_through_classes_factories_dicts_and_arguments(tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, {"app.py": '''
        import boto3

        def factory():
            return boto3.client("sqs")

        CLIENTS = {"events": boto3.client("events")}

        class Store:
            table_client = boto3.client("dynamodb")

            def __init__(self):
                self.secrets = boto3.client("secretsmanager")

            def read(self):
                self.table_client.get_item(TableName="t", Key={})
                return self.secrets.get_secret_value(SecretId="s")

        def send(client, url):
            client.send_message(QueueUrl=url, MessageBody="m")

        def emit(*, bus_client):
            bus_client.put_events(Entries=[])

        def handler():
            send(factory(), "u")
            emit(bus_client=CLIENTS["events"])
            Store().read()
        '''})
    assert found(result) == {("dynamodb", "GetItem"), ("secretsmanager", "GetSecretValue"),
                             ("sqs", "SendMessage"), ("events", "PutEvents")}


def test_resources_sub_resources_collections_and_loads(tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, {"app.py": '''
        import boto3

        dynamodb = boto3.resource("dynamodb")
        table = dynamodb.Table("orders")

        def handler():
            table.put_item(Item={})
            table.query(KeyConditionExpression="k")
            print(table.item_count)
            bucket = boto3.resource("s3").Bucket("media")
            for obj in bucket.objects.filter(Prefix="p/"):
                obj.delete()
            bucket.objects.all().delete()
            boto3.resource("s3").Object("media", "k").get()
            boto3.resource("s3").meta.client.head_bucket(Bucket="media")
        '''})
    assert found(result) == {
        ("dynamodb", "PutItem"), ("dynamodb", "Query"), ("dynamodb", "DescribeTable"),
        ("s3", "ListObjects"), ("s3", "DeleteObject"), ("s3", "DeleteObjects"),
        ("s3", "GetObject"), ("s3", "HeadBucket")}
    assert params(result, "PutItem") == [{"TableName": "orders", "Item": None}]
    assert {"Bucket": "media"}.items() <= params(result, "DeleteObject")[0].items()
    assert params(result, "GetObject") == [{"Bucket": "media", "Key": "k"}]


def test_paginators_waiters_presigned_and_transfers(tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, {"app.py": '''
        import boto3

        s3 = boto3.client("s3")

        def handler():
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket="b"):
                pass
            s3.get_waiter("object_exists").wait(Bucket="b", Key="k")
            s3.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "k"})
            s3.generate_presigned_post("up", "k")
            s3.upload_file("/tmp/f", "b", "k")
            s3.download_fileobj(Bucket="b", Key="k", Fileobj=None)
            s3.copy({"Bucket": "src", "Key": "k"}, "dst", "k")
            boto3.resource("s3").Bucket("b2").upload_file("/tmp/f", "k")
        '''})
    operations = found(result)
    assert {("s3", "ListObjectsV2"), ("s3", "HeadObject"), ("s3", "GetObject"),
            ("s3", "PutObject"), ("s3", "CreateMultipartUpload"),
            ("s3", "CopyObject")} <= operations
    assert {"Bucket": "up", "Key": "k"} in params(result, "PutObject")
    assert {"Bucket": "b2", "Filename": "/tmp/f", "Key": "k"} in params(result, "PutObject")
    copy = next(c.params for c in result.calls if "CopyObject" in c.operations)
    assert copy["CopySourceBucket"] == "src"
    assert copy["Bucket"] == "dst"


def test_lambdas_comprehensions_and_getattr(tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, {"app.py": '''
        import boto3

        sqs = boto3.client("sqs")
        CONSTANT = "delete_message"

        def handler(urls, name):
            send = lambda url: sqs.send_message(QueueUrl=url, MessageBody="m")
            [sqs.get_queue_attributes(QueueUrl=u) for u in urls]
            getattr(sqs, "purge_queue")(QueueUrl="u")
            getattr(sqs, CONSTANT)(QueueUrl="u", ReceiptHandle="r")
            getattr(sqs, name)(QueueUrl="u")
            return send
        '''})
    assert found(result) == {("sqs", "SendMessage"), ("sqs", "GetQueueAttributes"),
                             ("sqs", "PurgeQueue"), ("sqs", "DeleteMessage")}
    assert [skip.why for skip in result.skipped] == [
        "getattr() on an AWS client with a name that is not a constant"]


def test_names_from_constants_the_environment_and_f_strings(tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, {"app.py": '''
        import os
        from os import environ

        import boto3

        BUCKET = "fixed"
        TABLE = os.environ["TABLE"]
        QUEUE = os.getenv("QUEUE", "fallback")
        OTHER = environ.get("UNDECLARED")
        db = boto3.client("dynamodb")

        def handler(user):
            boto3.client("s3").get_object(Bucket=BUCKET, Key=f"users/{user}")
            db.get_item(TableName=TABLE, Key={})
            boto3.client("sqs").get_queue_url(QueueName=QUEUE)
            boto3.client("sns").publish(TopicArn=OTHER, Message="m")
        '''}, {"TABLE": "orders"})
    assert params(result, "GetObject") == [{"Bucket": "fixed", "Key": None}]
    assert params(result, "GetItem") == [{"TableName": "orders", "Key": None}]
    assert params(result, "GetQueueUrl") == [{"QueueName": "fallback"}]
    assert params(result, "Publish") == [{"TopicArn": None, "Message": "m"}]


def test_project_modules_and_packages(tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, {
        "app.py": '''
            import store
            from pkg import helper
            from pkg.inner import make

            def handler():
                store.save()
                helper()
                make().start_execution(stateMachineArn="arn")
            ''',
        "store.py": '''
            import boto3
            kinesis = boto3.client("kinesis")

            def save():
                kinesis.put_record(StreamName="s", Data=b"", PartitionKey="p")
            ''',
        "pkg/__init__.py": "from .inner import helper\n",
        "pkg/inner.py": '''
            import boto3

            def make():
                return boto3.client("stepfunctions")

            def helper():
                boto3.client("ses").send_email(Source="a", Destination={}, Message={})
            ''',
    })
    assert found(result) == {("kinesis", "PutRecord"), ("ses", "SendEmail"),
                             ("stepfunctions", "StartExecution")}


def test_code_under_main_is_left_out(tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, {"app.py": '''
        import boto3

        def handler():
            boto3.client("s3").list_buckets()

        if __name__ == "__main__":
            boto3.client("iam").create_user(UserName="admin")
        '''})
    assert found(result) == {("s3", "ListBuckets")}


def test_code_it_cannot_follow_is_skipped_never_a_crash(tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, {
        "app.py": '''
            import boto3
            from thirdparty import make_client
            from helpers import *

            SERVICE = compute()

            def recurse(n):
                return recurse(n - 1)

            def handler(event, **kwargs):
                boto3.client(SERVICE).do_thing()
                make_client().put_object(Bucket="b", Key="k")
                boto3.client("s3").not_an_operation()
                boto3.client("s3").put_object(**kwargs)
                x = recurse(3)
                x.y.z()
                async def later():
                    await boto3.client("sqs").purge_queue(QueueUrl="u")
                return [*range(3)], {**kwargs}
            ''',
        "broken.py": "def nope(:\n",
    })
    assert found(result) == {("s3", "PutObject"), ("sqs", "PurgeQueue")}
    reasons = sorted(skip.why for skip in result.skipped)
    assert any("cannot be parsed" in why for why in reasons)
    assert any("not a constant" in why for why in reasons)
    assert any("not_an_operation is not an operation of s3" in why for why in reasons)


def test_default_arguments_and_batch_request_items(tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, {"app.py": '''
        import boto3

        def handler(event, context, s3=boto3.client("s3"), *, db=boto3.client("dynamodb")):
            s3.head_object(Bucket="b", Key="k")
            db.batch_get_item(RequestItems={"orders": {"Keys": []}})
        '''})
    assert found(result) == {("s3", "HeadObject"), ("dynamodb", "BatchGetItem")}
    assert params(result, "BatchGetItem") == [{"TableName": "orders"}]


def test_properties_casts_and_base_classes(tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, {"app.py": '''
        import functools
        from typing import cast

        import boto3

        class Base:
            def __init__(self):
                self.queue = boto3.client("sqs")

            def purge(self):
                self.queue.purge_queue(QueueUrl="u")

        class Repo(Base):
            @property
            def table(self):
                return boto3.resource("dynamodb").Table("t")

            @functools.cached_property
            def s3(self):
                return cast("S3Client", boto3.client("s3"))

            def save(self):
                self.table.put_item(Item={})
                self.s3.put_object(Bucket="b", Key="k")
                self.queue.send_message(QueueUrl="u", MessageBody="m")

        def handler():
            repo = Repo()
            repo.save()
            repo.purge()
        '''})
    assert found(result) == {("dynamodb", "PutItem"), ("s3", "PutObject"),
                             ("sqs", "SendMessage"), ("sqs", "PurgeQueue")}


def test_resources_an_action_returns_keep_their_owners_identifiers(tmp_path: pathlib.Path
                                                                   ) -> None:
    result = run(tmp_path, {"app.py": '''
        import boto3

        def handler():
            queue = boto3.resource("sqs").Queue("https://sqs.eu-west-1.amazonaws.com/1/jobs")
            for message in queue.receive_messages(MaxNumberOfMessages=10):
                message.delete()
        '''})
    assert found(result) == {("sqs", "ReceiveMessage"), ("sqs", "DeleteMessage")}
    assert params(result, "DeleteMessage")[0]["QueueUrl"] == (
        "https://sqs.eu-west-1.amazonaws.com/1/jobs")


def test_factories_that_take_the_service_name_and_dict_get(tmp_path: pathlib.Path) -> None:
    result = run(tmp_path, {"app.py": '''
        import boto3

        SESSION = boto3.Session()
        CLIENTS = {}

        def client(name, region=None):
            return SESSION.client(name, region_name=region)

        def cached(name):
            if name not in CLIENTS:
                CLIENTS[name] = boto3.client(name)
            return CLIENTS.get(name)

        def handler():
            client("s3").put_object(Bucket="b", Key="k")
            client("sqs", "eu-west-1").send_message(QueueUrl="u", MessageBody="m")
            cached("sns").publish(TopicArn="t", Message="m")
        '''})
    assert found(result) == {("s3", "PutObject"), ("sqs", "SendMessage"), ("sns", "Publish")}
    regions = {call.service: call.region for call in result.calls}
    assert regions == {"s3": None, "sqs": "eu-west-1", "sns": None}
    assert result.skipped == []
