"""`myframework gen-policy` as a user runs it."""
from __future__ import annotations

import json
import pathlib
import subprocess
import sys
import textwrap

APP = textwrap.dedent('''\
    import os

    import boto3

    from myframework import App

    app = App("orders")
    table = boto3.resource("dynamodb").Table(os.environ["TABLE"])
    s3 = boto3.client("s3")


    @app.route("/orders/{order_id}")
    def get_order(order_id):
        return table.get_item(Key={"id": order_id}).get("Item", {})


    @app.on_sqs_message(queue="orders-jobs")
    def work(event):
        for record in event:
            s3.put_object(Bucket="orders-archive", Key=record.body, Body=b"")


    if __name__ == "__main__":
        boto3.client("iam").delete_user(UserName="admin")
    ''')
CONFIG = {"version": "2.0", "app_name": "orders",
          "stages": {"dev": {"environment_variables": {"TABLE": "orders-dev"}},
                     "prod": {"environment_variables": {"TABLE": "orders-prod"},
                              "autogen_policy": False}}}


def gen_policy(root: pathlib.Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "myframework", "--project-dir", str(root),
                           "gen-policy", *args], capture_output=True, text=True, timeout=120,
                          check=False)


def project(tmp_path: pathlib.Path) -> pathlib.Path:
    root = tmp_path / "orders"
    (root / ".myframework").mkdir(parents=True)
    (root / "app.py").write_text(APP)
    (root / ".myframework" / "config.json").write_text(json.dumps(CONFIG))
    return root


def test_it_prints_the_roles_policy_with_the_codes_calls_scoped(tmp_path: pathlib.Path) -> None:
    root = project(tmp_path)
    result = gen_policy(root)
    assert result.returncode == 0, result.stderr
    policy = json.loads(result.stdout)
    granted = {action: statement["Resource"] for statement in policy["Statement"]
               for action in statement["Action"]}
    assert granted["dynamodb:GetItem"] == [
        "arn:${Partition}:dynamodb:${Region}:${AccountId}:table/orders-dev"]
    assert granted["s3:PutObject"] == ["arn:${Partition}:s3:::orders-archive/*"]
    assert "sqs:ReceiveMessage" in granted  # the framework's own statements are there too
    assert "iam:DeleteUser" not in granted  # under __main__
    assert gen_policy(root).stdout == result.stdout  # the same bytes every time


def test_autogen_policy_false_leaves_the_codes_calls_out(tmp_path: pathlib.Path) -> None:
    result = gen_policy(project(tmp_path), "--stage", "prod")
    assert result.returncode == 0, result.stderr
    actions = {a for s in json.loads(result.stdout)["Statement"] for a in s["Action"]}
    assert "dynamodb:GetItem" not in actions
    assert "logs:PutLogEvents" in actions


def test_explain_says_where_each_action_comes_from(tmp_path: pathlib.Path) -> None:
    root = project(tmp_path)
    (root / "app.py").write_text(APP.replace(
        "    return table.get_item", "    getattr(s3, order_id)()\n    return table.get_item"))
    result = gen_policy(root, "--explain")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    index = lines.index("s3:PutObject on arn:${Partition}:s3:::orders-archive/*")
    assert lines[index + 1].split() == ["app.py:21", "s3.put_object"]
    assert any("getattr() on an AWS client with a name that is not a constant" in line
               for line in lines)


def test_an_unknown_stage_is_a_clear_error(tmp_path: pathlib.Path) -> None:
    result = gen_policy(project(tmp_path), "--stage", "qa")
    assert result.returncode == 1
    assert result.stderr.startswith("Error: ")
    assert "Traceback" not in result.stderr
