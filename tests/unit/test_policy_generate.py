"""From the code to permissions and statements (myframework.policy end to end, in process)."""
from __future__ import annotations

import json
import pathlib
import textwrap

from myframework.policy import required_permissions
from myframework.policy.generate import explain, policy_statements

APP = textwrap.dedent('''\
    import boto3

    s3 = boto3.client("s3")

    def handler(event, context):
        s3.copy({"Bucket": "src-bucket", "Key": "a"}, "dst-bucket", "b")
        s3.copy_object(CopySource="src2/a", Bucket="dst2", Key="b")
        s3.download_file("down-bucket", "k", "/tmp/x")
        s3.list_objects_v2(Bucket="listed")
        boto3.client("sts").get_caller_identity()
    ''')


def permissions(tmp_path: pathlib.Path, text: str = APP) -> dict[str, set[str]]:
    (tmp_path / "app.py").write_text(text)
    return required_permissions({"app.py": tmp_path / "app.py"}).actions


def test_copies_read_the_source_and_write_the_destination(tmp_path: pathlib.Path) -> None:
    actions = permissions(tmp_path)
    assert actions["s3:GetObject"] == {"arn:${Partition}:s3:::src-bucket/*",
                                       "arn:${Partition}:s3:::src2/*",
                                       "arn:${Partition}:s3:::down-bucket/*"}
    assert actions["s3:PutObject"] == {"arn:${Partition}:s3:::dst-bucket/*",
                                       "arn:${Partition}:s3:::dst2/*"}
    assert actions["s3:AbortMultipartUpload"] == {"arn:${Partition}:s3:::dst-bucket/*"}
    assert actions["s3:ListBucket"] == {"arn:${Partition}:s3:::listed"}
    assert not any(action.startswith("sts:") for action in actions)  # needs no permission


def test_one_unknown_resource_makes_the_action_star(tmp_path: pathlib.Path) -> None:
    actions = permissions(tmp_path, APP + "    s3.get_object(Bucket=event['b'], Key='k')\n")
    assert actions["s3:GetObject"] == {"*"}


def test_statements_are_stable_and_explain_gives_each_line_once(tmp_path: pathlib.Path
                                                                ) -> None:
    (tmp_path / "app.py").write_text(APP)
    found = required_permissions({"app.py": tmp_path / "app.py"})
    first = json.dumps(policy_statements(found))
    again = json.dumps(policy_statements(required_permissions({"app.py": tmp_path / "app.py"})))
    assert first == again
    statements = json.loads(first)
    assert all(s["Sid"].startswith("AppS3") and s["Action"] == sorted(s["Action"])
               for s in statements)
    lines = explain(found)
    index = lines.index("s3:PutObject on arn:${Partition}:s3:::dst-bucket/*, "
                        "arn:${Partition}:s3:::dst2/*")
    assert lines[index + 1:index + 3] == ["    app.py:6  s3.copy", "    app.py:7  s3.copy_object"]


FACTORIES = textwrap.dedent('''\
    import boto3

    SESSION = boto3.Session()

    def client(name, region=None):
        return SESSION.client(name, region_name=region)

    def handler():
        client("dynamodb").get_item(TableName="orders", Key={})
        client("sqs", "eu-west-1").send_message(QueueUrl="u", MessageBody="m")
    ''')


def test_the_same_code_gives_the_same_policy_in_every_process(tmp_path: pathlib.Path) -> None:
    """Values are keyed by node identity, which differs between runs: the result must not."""
    import os
    import subprocess
    import sys
    (tmp_path / "app.py").write_text(FACTORIES)
    script = ("import json, pathlib, sys; from myframework.policy import required_permissions; "
              "from myframework.policy.generate import policy_statements; "
              "p = pathlib.Path(sys.argv[1]); "
              "print(json.dumps(policy_statements(required_permissions({'app.py': p}))))")
    outputs = set()
    for seed in ("0", "1", "2", "3", "4"):
        done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "app.py")],
                              capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed})
        outputs.add(done.stdout)
    assert len(outputs) == 1
    statements = json.loads(outputs.pop())
    granted = {a: s["Resource"] for s in statements for a in s["Action"]}
    # No region given for this call: the deploy's, not the other call's.
    assert granted["dynamodb:GetItem"] == [
        "arn:${Partition}:dynamodb:${Region}:${AccountId}:table/orders"]
    # The region the factory was given, for that call only.
    assert granted["sqs:SendMessage"] == ["arn:${Partition}:sqs:eu-west-1:${AccountId}:u"]
