"""The execution role, the dependencies layer and the Lambda functions."""
from __future__ import annotations

import contextlib
import hashlib
import json
import pathlib
from collections.abc import Iterator
from typing import Any

from ..aws import Aws, DeployError
from ..desired import POLICY_NAME, Desired
from . import Kind, Observed, Remember

CONFIGURATION_FIELDS = ("Runtime", "Handler", "Role", "MemorySize", "Timeout", "Description",
                        "Environment", "Layers", "VpcConfig", "EphemeralStorage",
                        "TracingConfig", "DeadLetterTarget")
CODE_FIELDS = ("CodeSha256", "Architectures")
APP_TAG, STAGE_TAG = "myframework:app", "myframework:stage"
INLINE_POLICY_LIMIT = 10240  # characters, whitespace aside, of a role's inline policies


def _canonical(document: Any) -> Any:
    """A policy document as JSON data (AWS may hand it back as a string)."""
    if isinstance(document, str):
        from urllib.parse import unquote
        text = document if document.lstrip().startswith("{") else unquote(document)
        return json.loads(text)
    return document


@contextlib.contextmanager
def _code(aws: Aws, path: pathlib.Path, owner: str) -> Iterator[dict[str, Any]]:
    """The zip at ``path`` as Lambda's code parameters: the bytes themselves, or, over
    what Lambda takes in a request, an object in the deployment bucket (deleted once
    Lambda has its copy)."""
    data = path.read_bytes()
    if len(data) <= aws.direct_upload_limit:
        yield {"ZipFile": data}
        return
    bucket = deployment_bucket(aws)
    key = "%s/%s.zip" % (owner, hashlib.sha256(data).hexdigest())
    aws.call("upload the package of %s (%.1f MB) to s3://%s" % (owner, len(data) / 1048576,
                                                               bucket),
             "s3", "put_object", Bucket=bucket, Key=key, Body=data)
    try:
        yield {"S3Bucket": bucket, "S3Key": key}
    finally:
        try:
            aws.call("delete s3://%s/%s" % (bucket, key), "s3", "delete_object", Bucket=bucket,
                     Key=key, missing=("NoSuchKey",))
        except DeployError:
            pass  # not worth hiding what went wrong before; the object is harmless


def deployment_bucket(aws: Aws) -> str:
    """The bucket packages too big for a request go through (made on first use, private;
    one per account and region, shared by every app and stage, so delete keeps it)."""
    if aws.deployment_bucket is None:
        name = "myframework-%s-%s" % (aws.account, aws.region)
        found = aws.call("look for the deployment bucket %s" % name, "s3", "head_bucket",
                         Bucket=name, missing=("404", "NoSuchBucket", "NotFound"))
        if found is None:
            params: dict[str, Any] = {"Bucket": name}
            if aws.region != "us-east-1":
                params["CreateBucketConfiguration"] = {"LocationConstraint": aws.region}
            aws.call("create the deployment bucket %s" % name, "s3", "create_bucket",
                     missing=("BucketAlreadyOwnedByYou",), **params)
            aws.call("make the deployment bucket %s private" % name, "s3",
                     "put_public_access_block", Bucket=name,
                     PublicAccessBlockConfiguration={
                         "BlockPublicAcls": True, "IgnorePublicAcls": True,
                         "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
        aws.deployment_bucket = name
    return aws.deployment_bucket


def _check_owner(current: Observed, config: dict[str, Any]) -> None:
    """Refuse to take over a function another app or stage made (by its tags)."""
    tags = current.config.get("Tags")
    if tags is None:
        return  # not readable (no lambda:ListTags): the name is all there is to go by
    for key in (APP_TAG, STAGE_TAG):
        if tags.get(key) != config["Tags"].get(key):
            raise DeployError(
                "a function named %s exists already and is not this app's (its %s tag is %r, "
                "this app's %r); delete or rename it, or deploy under another stage or app name"
                % (config["FunctionName"], key, tags.get(key), config["Tags"].get(key)))


class RoleKind(Kind):
    name = "role"

    def observe(self, aws: Aws, cache: dict[Any, Any], desired: Desired | None,
                record: dict[str, Any] | None) -> Observed | None:
        role_name = (desired.config if desired else (record or {}).get("identity", {}))[
            "RoleName"]
        found = aws.call("read IAM role %s" % role_name, "iam", "get_role", RoleName=role_name,
                         missing=("NoSuchEntity",))
        if found is None:
            return None
        role = found["Role"]
        config: dict[str, Any] = {
            "RoleName": role["RoleName"], "Arn": role["Arn"],
            "AssumeRolePolicyDocument": _canonical(role.get("AssumeRolePolicyDocument", {}))}
        policy = aws.call("read the policy of IAM role %s" % role_name, "iam", "get_role_policy",
                          RoleName=role_name, PolicyName=POLICY_NAME, missing=("NoSuchEntity",))
        config["Policy"] = _canonical(policy["PolicyDocument"]) if policy else None
        return Observed({"RoleName": role["RoleName"], "Arn": role["Arn"]}, config)

    def create(self, aws: Aws, desired: Desired, config: dict[str, Any],
               remember: Remember) -> dict[str, Any]:
        role_name = config["RoleName"]
        created = aws.call("create IAM role %s" % role_name, "iam", "create_role",
                           RoleName=role_name, missing=("EntityAlreadyExists",),
                           AssumeRolePolicyDocument=json.dumps(config["AssumeRolePolicyDocument"]),
                           Description="Execution role of the myframework app's functions",
                           Tags=[{"Key": "myframework:role", "Value": role_name}])
        identity = {"RoleName": role_name, "Arn": config["Arn"]}
        if created is not None:
            identity["Arn"] = created["Role"]["Arn"]
        remember(identity)
        self._put_policy(aws, config)
        return identity

    def update(self, aws: Aws, desired: Desired, config: dict[str, Any], current: Observed,
               fields: list[str]) -> dict[str, Any]:
        if "AssumeRolePolicyDocument" in fields:
            aws.call("update the trust policy of IAM role %s" % config["RoleName"], "iam",
                     "update_assume_role_policy", RoleName=config["RoleName"],
                     PolicyDocument=json.dumps(config["AssumeRolePolicyDocument"]))
            aws.role_written_at = aws.clock()
        if "Policy" in fields:
            self._put_policy(aws, config)
        return current.identity

    @staticmethod
    def _put_policy(aws: Aws, config: dict[str, Any]) -> None:
        size = len(json.dumps(config["Policy"], separators=(",", ":")))
        if size > INLINE_POLICY_LIMIT:
            raise DeployError(
                "the policy of IAM role %s is %d characters, over the %d IAM takes for a role's "
                "inline policies; see `myframework gen-policy` for what is in it, and give a "
                "role you manage (manage_iam_role: false, iam_role_arn) or a shorter "
                "iam_policy_file" % (config["RoleName"], size, INLINE_POLICY_LIMIT))
        aws.call("write the policy of IAM role %s" % config["RoleName"], "iam", "put_role_policy",
                 RoleName=config["RoleName"], PolicyName=POLICY_NAME,
                 PolicyDocument=json.dumps(config["Policy"]))
        aws.role_written_at = aws.clock()

    def delete(self, aws: Aws, record: dict[str, Any]) -> None:
        role_name = record["identity"]["RoleName"]
        aws.call("delete the policy of IAM role %s" % role_name, "iam", "delete_role_policy",
                 RoleName=role_name, PolicyName=POLICY_NAME, missing=("NoSuchEntity",))
        aws.call("delete IAM role %s" % role_name, "iam", "delete_role", RoleName=role_name,
                 missing=("NoSuchEntity",))


class LayerKind(Kind):
    """The automatic dependencies layer: a new version when its zip changes; the
    versions it replaces are deleted (functions keep working on a deleted version)."""

    name = "layer"

    def observe(self, aws: Aws, cache: dict[Any, Any], desired: Desired | None,
                record: dict[str, Any] | None) -> Observed | None:
        arn = (record or {}).get("identity", {}).get("arn")
        if not arn:
            return None  # an unrecorded version is replaced (and deleted) by the next publish
        parts = arn.split(":")
        layer_name, version = parts[6], int(parts[7])
        found = aws.call("read layer %s" % arn, "lambda", "get_layer_version",
                         LayerName=layer_name, VersionNumber=version,
                         missing=("ResourceNotFoundException",))
        if found is None:
            return None
        config = {"LayerName": layer_name}
        sha = (found.get("Content") or {}).get("CodeSha256")
        if sha:  # moto leaves it out: the record's then stands
            config["CodeSha256"] = sha
        return Observed({"arn": arn, "LayerName": layer_name}, config)

    def create(self, aws: Aws, desired: Desired, config: dict[str, Any],
               remember: Remember) -> dict[str, Any]:
        with _code(aws, desired.payload, config["LayerName"]) as content:
            published = aws.call(
                "publish layer %s" % config["LayerName"], "lambda", "publish_layer_version",
                LayerName=config["LayerName"], Description="Dependencies of the myframework app",
                Content=content, CompatibleRuntimes=config["CompatibleRuntimes"],
                CompatibleArchitectures=config["CompatibleArchitectures"])
        identity = {"arn": published["LayerVersionArn"], "LayerName": config["LayerName"]}
        remember(identity)
        self._delete_versions(aws, config["LayerName"], keep=identity["arn"])
        return identity

    def update(self, aws: Aws, desired: Desired, config: dict[str, Any], current: Observed,
               fields: list[str]) -> dict[str, Any]:
        return self.create(aws, desired, config, lambda identity: None)

    def delete(self, aws: Aws, record: dict[str, Any]) -> None:
        self._delete_versions(aws, record["identity"]["LayerName"], keep=None)

    @staticmethod
    def _delete_versions(aws: Aws, layer_name: str, keep: str | None) -> None:
        listed = aws.call("list the versions of layer %s" % layer_name, "lambda",
                          "list_layer_versions", LayerName=layer_name,
                          missing=("ResourceNotFoundException",)) or {}
        for version in listed.get("LayerVersions", []):
            if version["LayerVersionArn"] != keep:
                aws.call("delete layer version %s" % version["LayerVersionArn"], "lambda",
                         "delete_layer_version", LayerName=layer_name,
                         VersionNumber=version["Version"], missing=("ResourceNotFoundException",))


class FunctionKind(Kind):
    name = "function"

    def observe(self, aws: Aws, cache: dict[Any, Any], desired: Desired | None,
                record: dict[str, Any] | None) -> Observed | None:
        function_name = (desired.config["FunctionName"] if desired
                         else (record or {})["identity"]["FunctionName"])
        found = aws.call("read function %s" % function_name, "lambda", "get_function",
                         FunctionName=function_name, missing=("ResourceNotFoundException",))
        if found is None:
            return None
        c = found["Configuration"]
        vpc = c.get("VpcConfig") or {}
        config: dict[str, Any] = {
            "FunctionName": c["FunctionName"], "Runtime": c.get("Runtime"),
            "Handler": c.get("Handler"), "Role": c.get("Role"),
            "MemorySize": c.get("MemorySize"), "Timeout": c.get("Timeout"),
            "Description": c.get("Description", ""),
            "Environment": dict(sorted(((c.get("Environment") or {}).get("Variables")
                                        or {}).items())),
            "Layers": [layer["Arn"] for layer in c.get("Layers") or []],
            "Architectures": c.get("Architectures") or ["x86_64"],
            "VpcConfig": {"SubnetIds": sorted(vpc.get("SubnetIds") or []),
                          "SecurityGroupIds": sorted(vpc.get("SecurityGroupIds") or [])},
            "EphemeralStorage": (c.get("EphemeralStorage") or {}).get("Size", 512),
            "TracingConfig": (c.get("TracingConfig") or {}).get("Mode", "PassThrough"),
            "ReservedConcurrency": (found.get("Concurrency") or {}).get(
                "ReservedConcurrentExecutions"),
            "CodeSha256": c.get("CodeSha256"),
        }
        if "Tags" in found:  # absent when the caller may not lambda:ListTags
            config["Tags"] = dict(sorted(found["Tags"].items()))
        if "DeadLetterConfig" in c:  # absent means none on AWS; moto never reports it
            config["DeadLetterTarget"] = c["DeadLetterConfig"].get("TargetArn") or None
        wants_async = (desired is not None and "Async" in desired.config) or (
            record is not None and "Async" in (record.get("config") or {}))
        if wants_async:
            invoke = aws.call("read the asynchronous invoke settings of %s" % function_name,
                              "lambda", "get_function_event_invoke_config",
                              FunctionName=function_name, missing=("ResourceNotFoundException",))
            config["Async"] = None if invoke is None else {
                "MaximumRetryAttempts": invoke.get("MaximumRetryAttempts"),
                "MaximumEventAgeInSeconds": invoke.get("MaximumEventAgeInSeconds")}
        return Observed({"FunctionName": c["FunctionName"], "FunctionArn": c["FunctionArn"]},
                        config)

    def create(self, aws: Aws, desired: Desired, config: dict[str, Any],
               remember: Remember) -> dict[str, Any]:
        function_name = config["FunctionName"]
        with _code(aws, desired.payload, function_name) as code:
            created = aws.call("create function %s" % function_name, "lambda",
                               "create_function", missing=("ResourceConflictException",),
                               FunctionName=function_name, Code=code,
                               Architectures=config["Architectures"], Publish=False,
                               Tags=config["Tags"], **self._configuration(config))
        if created is None:  # made by an earlier deploy that stopped before recording it
            current = self.observe(aws, {}, desired, None)
            if current is None:
                raise DeployError("function %s exists and then does not; run deploy again"
                                  % function_name)
            _check_owner(current, config)
            remember(current.identity)
            fields = [key for key, value in config.items() if current.config.get(key) != value]
            return self.update(aws, desired, config, current, fields)
        identity = {"FunctionName": function_name, "FunctionArn": created["FunctionArn"]}
        remember(identity)
        if config.get("ReservedConcurrency") is not None:
            self._concurrency(aws, config)
        if config.get("Async"):
            self._async(aws, config)
        return identity

    def update(self, aws: Aws, desired: Desired, config: dict[str, Any], current: Observed,
               fields: list[str]) -> dict[str, Any]:
        function_name = config["FunctionName"]
        if any(field in fields for field in CONFIGURATION_FIELDS):
            aws.call("update the configuration of %s" % function_name, "lambda",
                     "update_function_configuration", FunctionName=function_name,
                     **self._configuration(config, fields))
        if any(field in fields for field in CODE_FIELDS):
            with _code(aws, desired.payload, function_name) as code:
                aws.call("upload the code of %s" % function_name, "lambda",
                         "update_function_code", FunctionName=function_name,
                         Architectures=config["Architectures"], **code)
        if "Tags" in fields:
            arn = current.identity["FunctionArn"]
            old = current.config.get("Tags") or {}
            removed = sorted(set(old) - set(config["Tags"]))
            if removed:
                aws.call("untag %s" % function_name, "lambda", "untag_resource", Resource=arn,
                         TagKeys=removed)
            changed = {k: v for k, v in config["Tags"].items() if old.get(k) != v}
            if changed:
                aws.call("tag %s" % function_name, "lambda", "tag_resource", Resource=arn,
                         Tags=changed)
        if "ReservedConcurrency" in fields:
            self._concurrency(aws, config)
        if "Async" in fields:
            self._async(aws, config)
        return current.identity

    def delete(self, aws: Aws, record: dict[str, Any]) -> None:
        function_name = record["identity"]["FunctionName"]
        aws.call("delete function %s" % function_name, "lambda", "delete_function",
                 FunctionName=function_name, missing=("ResourceNotFoundException",))

    @staticmethod
    def _configuration(config: dict[str, Any], fields: list[str] | None = None
                       ) -> dict[str, Any]:
        """The settings update_function_configuration and create_function share (an
        update that removes the dead-letter target sends an empty one)."""
        settings: dict[str, Any] = {}
        target = config.get("DeadLetterTarget")
        if target or (fields is not None and "DeadLetterTarget" in fields):
            settings["DeadLetterConfig"] = {"TargetArn": target or ""}
        return settings | {
            "Runtime": config["Runtime"], "Role": config["Role"], "Handler": config["Handler"],
            "Description": config["Description"], "Timeout": config["Timeout"],
            "MemorySize": config["MemorySize"],
            "Environment": {"Variables": config["Environment"]},
            "Layers": config["Layers"], "VpcConfig": config["VpcConfig"],
            "EphemeralStorage": {"Size": config["EphemeralStorage"]},
            "TracingConfig": {"Mode": config["TracingConfig"]},
        }

    @staticmethod
    def _concurrency(aws: Aws, config: dict[str, Any]) -> None:
        function_name = config["FunctionName"]
        if config.get("ReservedConcurrency") is None:
            aws.call("remove the reserved concurrency of %s" % function_name, "lambda",
                     "delete_function_concurrency", FunctionName=function_name)
        else:
            aws.call("reserve concurrency for %s" % function_name, "lambda",
                     "put_function_concurrency", FunctionName=function_name,
                     ReservedConcurrentExecutions=config["ReservedConcurrency"])

    @staticmethod
    def _async(aws: Aws, config: dict[str, Any]) -> None:
        function_name = config["FunctionName"]
        settings = config.get("Async")
        if not settings:
            aws.call("remove the asynchronous invoke settings of %s" % function_name, "lambda",
                     "delete_function_event_invoke_config", FunctionName=function_name,
                     missing=("ResourceNotFoundException",))
            return
        params = {key: value for key, value in settings.items() if value is not None}
        aws.call("set the asynchronous invoke settings of %s" % function_name, "lambda",
                 "put_function_event_invoke_config", FunctionName=function_name, **params)
