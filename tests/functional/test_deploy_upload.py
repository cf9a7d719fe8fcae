"""Packages over what Lambda takes in a request go through the deployment bucket
(against moto_server; the limit is lowered so the test need not build a 50 MB zip)."""
from __future__ import annotations

import base64
import hashlib
import io
import pathlib
import zipfile

import boto3
import pytest

from myframework.deploy.aws import Aws
from myframework.deploy.desired import Desired
from myframework.deploy.kinds import Observed
from myframework.deploy.kinds.functions import FunctionKind

from .moto_helpers import MotoServer


@pytest.fixture
def aws_api(aws: MotoServer, monkeypatch: pytest.MonkeyPatch) -> Aws:
    for name, value in aws.env().items():
        if name.startswith("AWS_"):
            monkeypatch.setenv(name, value)
    iam = aws.client("iam")
    iam.create_role(RoleName="big-role", AssumeRolePolicyDocument="{}")
    api = Aws(boto3.session.Session(), sleep=lambda seconds: None)
    api.direct_upload_limit = 1024
    return api


def package(folder: pathlib.Path, text: str) -> pathlib.Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:  # stored, so it stays over the limit
        archive.writestr("app.py", text + "\n# " + "x" * 4096)
    path = folder / ("%s.zip" % hashlib.sha256(text.encode()).hexdigest()[:8])
    path.write_bytes(buffer.getvalue())
    return path


def function(zip_path: pathlib.Path) -> Desired:
    sha = base64.b64encode(hashlib.sha256(zip_path.read_bytes()).digest()).decode()
    config = {"FunctionName": "big-dev", "Runtime": "python3.12", "Handler": "app.app",
              "Role": "arn:aws:iam::123456789012:role/big-role", "MemorySize": 128,
              "Timeout": 60, "Description": "", "Environment": {}, "Layers": [],
              "Architectures": ["x86_64"], "VpcConfig": {"SubnetIds": [], "SecurityGroupIds": []},
              "EphemeralStorage": 512, "TracingConfig": "PassThrough", "DeadLetterTarget": None,
              "Tags": {"myframework:app": "big", "myframework:stage": "dev"},
              "ReservedConcurrency": None, "CodeSha256": sha}
    return Desired("function:api_handler", "function", "function big-dev", config, zip_path)


def test_a_big_package_goes_through_a_private_bucket_and_is_not_kept(
        aws_api: Aws, aws: MotoServer, tmp_path: pathlib.Path) -> None:
    first = function(package(tmp_path, "VERSION = 1"))
    identity = FunctionKind().create(aws_api, first, first.config, lambda found: None)
    assert identity["FunctionName"] == "big-dev"
    lam, s3 = aws.client("lambda"), aws.client("s3")
    got = lam.get_function(FunctionName="big-dev")["Configuration"]
    assert got["CodeSha256"] == first.config["CodeSha256"]
    bucket = "myframework-123456789012-us-east-1"
    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0  # Lambda has its copy
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values())

    second = function(package(tmp_path, "VERSION = 2"))
    current = Observed(identity, dict(first.config))
    FunctionKind().update(aws_api, second, second.config, current, ["CodeSha256"])
    got = lam.get_function(FunctionName="big-dev")["Configuration"]
    assert got["CodeSha256"] == second.config["CodeSha256"]
    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0


def test_a_small_package_is_sent_in_the_request(aws_api: Aws, aws: MotoServer,
                                                tmp_path: pathlib.Path) -> None:
    aws_api.direct_upload_limit = 10 * 1024 * 1024
    small = function(package(tmp_path, "VERSION = 1"))
    FunctionKind().create(aws_api, small, small.config, lambda found: None)
    assert "myframework-123456789012-us-east-1" not in [
        b["Name"] for b in aws.client("s3").list_buckets()["Buckets"]]
