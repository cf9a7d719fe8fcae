"""The automatic dependencies layer's versions, against moto_server (moto cannot attach a
layer to a function without Docker, so the functions' side is covered by the planner's
tests)."""
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
from myframework.deploy.kinds.functions import LayerKind

from .moto_helpers import MotoServer


@pytest.fixture
def aws_api(aws: MotoServer, monkeypatch: pytest.MonkeyPatch) -> Aws:
    for name, value in aws.env().items():
        if name.startswith("AWS_"):
            monkeypatch.setenv(name, value)
    return Aws(boto3.session.Session(), sleep=lambda seconds: None)


def layer(folder: pathlib.Path, version: str) -> Desired:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("python/dep.py", "VERSION = %r\n" % version)
    path = folder / ("layer-%s.zip" % version)
    path.write_bytes(buffer.getvalue())
    sha = base64.b64encode(hashlib.sha256(buffer.getvalue()).digest()).decode()
    config = {"LayerName": "shop-dev-dependencies", "CodeSha256": sha,
              "CompatibleRuntimes": ["python3.12"], "CompatibleArchitectures": ["x86_64"]}
    return Desired("layer", "layer", "dependencies layer", config, path)


def versions(aws: MotoServer) -> list[str]:
    listed = aws.client("lambda").list_layer_versions(LayerName="shop-dev-dependencies")
    return [v["LayerVersionArn"] for v in listed["LayerVersions"]]


def test_a_new_version_replaces_the_old_and_delete_removes_all(
        aws_api: Aws, aws: MotoServer, tmp_path: pathlib.Path) -> None:
    kind = LayerKind()
    remembered: list[dict[str, str]] = []
    first = layer(tmp_path, "1")
    identity = kind.create(aws_api, first, first.config, remembered.append)
    assert remembered == [identity]
    assert versions(aws) == [identity["arn"]]
    record = {"identity": identity, "config": first.config}
    seen = kind.observe(aws_api, {}, first, record)
    assert seen is not None
    assert seen.identity == identity
    # AWS reports the version's CodeSha256 (moto leaves it out; the record's stands then).
    assert seen.config.get("CodeSha256", first.config["CodeSha256"]) == first.config[
        "CodeSha256"]

    second = layer(tmp_path, "2")
    newer = kind.update(aws_api, second, second.config, Observed(identity, first.config),
                        ["CodeSha256"])
    assert newer["arn"] != identity["arn"]
    assert versions(aws) == [newer["arn"]]  # the version it replaced is gone

    kind.delete(aws_api, {"identity": newer})
    assert versions(aws) == []
    kind.delete(aws_api, {"identity": newer})  # again: nothing to do, no error
