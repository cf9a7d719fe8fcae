"""The REST API, rules, invoke permissions and the event sources of functions."""
from __future__ import annotations

import json
from typing import Any

from ..aws import Aws, DeployError
from ..desired import RULE_TARGET_ID, Desired
from . import Kind, Observed, Remember


def _identity(record: dict[str, Any] | None) -> dict[str, Any]:
    return dict((record or {}).get("identity") or {})


def _pages(aws: Aws, step: str, service: str, operation: str, items: str, token: str,
           next_token: str, **params: Any) -> list[dict[str, Any]]:
    """Every item of a paginated listing."""
    found: list[dict[str, Any]] = []
    while True:
        page = aws.call(step, service, operation, **params)
        found.extend(page.get(items) or [])
        marker = page.get(next_token)
        if not marker:
            return found
        params[token] = marker


class RestApiKind(Kind):
    """The REST API: imported from its OpenAPI document, then deployed to its stage.

    AWS does not hand the document back, so whether it changed is judged by the
    digest recorded when it was last deployed; an API found by name but not
    recorded gets its document put again.
    """

    name = "rest_api"

    def observe(self, aws: Aws, cache: dict[Any, Any], desired: Desired | None,
                record: dict[str, Any] | None) -> Observed | None:
        api_id = _identity(record).get("id")
        if api_id:
            found = aws.call("read REST API %s" % api_id, "apigateway", "get_rest_api",
                             restApiId=api_id, missing=("NotFoundException",))
            if found is not None:
                return Observed({"id": api_id}, {"Name": found.get("name")})
        if desired is None:
            return None
        apis = _pages(aws, "list REST APIs", "apigateway", "get_rest_apis", "items", "position",
                      "position", limit=500)
        named = sorted((api for api in apis if api.get("name") == desired.config["Name"]),
                       key=lambda api: str(api.get("createdDate", "")))
        if not named:
            return None
        return Observed({"id": named[0]["id"]}, {"Name": named[0]["name"]})

    def create(self, aws: Aws, desired: Desired, config: dict[str, Any],
               remember: Remember) -> dict[str, Any]:
        # Not repeated after a server error: AWS (and moto) may have made the API anyway;
        # the next deploy finds it by name instead of making a second one.
        imported = aws.call("create REST API %s" % config["Name"], "apigateway",
                            "import_rest_api", once=True, body=self._body(desired),
                            parameters={"endpointConfigurationTypes": config["EndpointType"]})
        identity = {"id": imported["id"]}
        remember(identity)
        self._settings(aws, identity["id"], config, ["MinimumCompressionSize"])
        self._deploy(aws, identity["id"], config)
        return identity

    def update(self, aws: Aws, desired: Desired, config: dict[str, Any], current: Observed,
               fields: list[str]) -> dict[str, Any]:
        api_id = current.identity["id"]
        if "Document" in fields or "Name" in fields:
            aws.call("update REST API %s" % config["Name"], "apigateway", "put_rest_api",
                     restApiId=api_id, mode="overwrite", body=self._body(desired))
        self._settings(aws, api_id, config, fields, current.config)
        old_stage = current.config.get("Stage")
        self._deploy(aws, api_id, config)
        if "Stage" in fields and old_stage and old_stage != config["Stage"]:
            aws.call("delete stage %s of REST API %s" % (old_stage, config["Name"]),
                     "apigateway", "delete_stage", restApiId=api_id, stageName=old_stage,
                     missing=("NotFoundException",))
        return current.identity

    def delete(self, aws: Aws, record: dict[str, Any]) -> None:
        api_id = record["identity"]["id"]
        aws.call("delete REST API %s" % api_id, "apigateway", "delete_rest_api",
                 restApiId=api_id, missing=("NotFoundException",))

    @staticmethod
    def _body(desired: Desired) -> bytes:
        return json.dumps(desired.payload, sort_keys=True).encode("utf-8")

    @staticmethod
    def _deploy(aws: Aws, api_id: str, config: dict[str, Any]) -> None:
        aws.call("deploy REST API %s to stage %s" % (config["Name"], config["Stage"]),
                 "apigateway", "create_deployment", restApiId=api_id,
                 stageName=config["Stage"], description="myframework deploy")

    @staticmethod
    def _settings(aws: Aws, api_id: str, config: dict[str, Any], fields: list[str],
                  current: dict[str, Any] | None = None) -> None:
        patches: list[dict[str, str]] = []
        if "MinimumCompressionSize" in fields and (
                current is not None or config["MinimumCompressionSize"] is not None):
            value = config["MinimumCompressionSize"]
            patches.append({"op": "replace", "path": "/minimumCompressionSize",
                            "value": "" if value is None else str(value)})
        if "EndpointType" in fields and current is not None and current.get("EndpointType"):
            patches.append({"op": "replace",
                            "path": "/endpointConfiguration/types/%s" % current["EndpointType"],
                            "value": config["EndpointType"]})
        if patches:
            aws.call("update the settings of REST API %s" % config["Name"], "apigateway",
                     "update_rest_api", restApiId=api_id, patchOperations=patches)


class RuleKind(Kind):
    """An EventBridge rule (schedule or event pattern) targeting one function."""

    name = "rule"

    def observe(self, aws: Aws, cache: dict[Any, Any], desired: Desired | None,
                record: dict[str, Any] | None) -> Observed | None:
        rule_name = desired.config["Name"] if desired else _identity(record)["Name"]
        found = aws.call("read rule %s" % rule_name, "events", "describe_rule", Name=rule_name,
                         missing=("ResourceNotFoundException",))
        if found is None:
            return None
        config: dict[str, Any] = {"Name": rule_name, "State": found.get("State"),
                                  "Description": found.get("Description", "")}
        if found.get("ScheduleExpression"):
            config["ScheduleExpression"] = found["ScheduleExpression"]
        if found.get("EventPattern"):
            config["EventPattern"] = json.dumps(json.loads(found["EventPattern"]),
                                                sort_keys=True)
        targets = aws.call("read the targets of rule %s" % rule_name, "events",
                           "list_targets_by_rule", Rule=rule_name)
        config["Target"] = next((target["Arn"] for target in targets.get("Targets", [])
                                 if target["Id"] == RULE_TARGET_ID), None)
        return Observed({"Name": rule_name, "Arn": found.get("Arn")}, config)

    def create(self, aws: Aws, desired: Desired, config: dict[str, Any],
               remember: Remember) -> dict[str, Any]:
        identity = self._put_rule(aws, config)
        remember(identity)
        self._put_target(aws, config)
        return identity

    def update(self, aws: Aws, desired: Desired, config: dict[str, Any], current: Observed,
               fields: list[str]) -> dict[str, Any]:
        identity = current.identity
        if set(fields) - {"Target"}:
            identity = self._put_rule(aws, config)
        if "Target" in fields:
            self._put_target(aws, config)
        return identity

    def delete(self, aws: Aws, record: dict[str, Any]) -> None:
        rule_name = record["identity"]["Name"]
        aws.call("remove the target of rule %s" % rule_name, "events", "remove_targets",
                 Rule=rule_name, Ids=[RULE_TARGET_ID], missing=("ResourceNotFoundException",))
        aws.call("delete rule %s" % rule_name, "events", "delete_rule", Name=rule_name,
                 missing=("ResourceNotFoundException",))

    @staticmethod
    def _put_rule(aws: Aws, config: dict[str, Any]) -> dict[str, Any]:
        params = {key: config[key] for key in ("ScheduleExpression", "EventPattern",
                                               "Description", "State") if key in config}
        put = aws.call("write rule %s" % config["Name"], "events", "put_rule",
                       Name=config["Name"], **params)
        return {"Name": config["Name"], "Arn": put["RuleArn"]}

    @staticmethod
    def _put_target(aws: Aws, config: dict[str, Any]) -> None:
        put = aws.call("point rule %s at its function" % config["Name"], "events",
                       "put_targets", Rule=config["Name"],
                       Targets=[{"Id": RULE_TARGET_ID, "Arn": config["Target"]}])
        if put.get("FailedEntryCount"):
            entry = put["FailedEntries"][0]
            raise DeployError("point rule %s at its function failed: AWS answered %s: %s"
                              % (config["Name"], entry.get("ErrorCode"),
                                 entry.get("ErrorMessage")))


class PermissionKind(Kind):
    """A statement of a function's resource policy letting a service invoke it."""

    name = "permission"

    def observe(self, aws: Aws, cache: dict[Any, Any], desired: Desired | None,
                record: dict[str, Any] | None) -> Observed | None:
        source = desired.config if desired else _identity(record)
        function_name, sid = source["FunctionName"], source["StatementId"]
        key = ("policy", function_name)
        if key not in cache:
            found = aws.call("read the resource policy of %s" % function_name, "lambda",
                             "get_policy", FunctionName=function_name,
                             missing=("ResourceNotFoundException",))
            statements = json.loads(found["Policy"]).get("Statement", []) if found else []
            cache[key] = {statement.get("Sid"): statement for statement in statements}
        statement = cache[key].get(sid)
        if statement is None:
            return None
        condition = statement.get("Condition") or {}
        principal = statement.get("Principal")
        return Observed({"FunctionName": function_name, "StatementId": sid}, {
            "FunctionName": function_name, "StatementId": sid,
            "Principal": principal.get("Service") if isinstance(principal, dict) else principal,
            "SourceArn": (condition.get("ArnLike") or {}).get("AWS:SourceArn"),
            "SourceAccount": (condition.get("StringEquals") or {}).get("AWS:SourceAccount")})

    def create(self, aws: Aws, desired: Desired, config: dict[str, Any],
               remember: Remember) -> dict[str, Any]:
        identity = {"FunctionName": config["FunctionName"], "StatementId": config["StatementId"]}
        if not self._add(aws, config):  # the statement id is taken: replace it
            self.delete(aws, {"identity": identity})
            self._add(aws, config, replacing=True)
        remember(identity)
        return identity

    def update(self, aws: Aws, desired: Desired, config: dict[str, Any], current: Observed,
               fields: list[str]) -> dict[str, Any]:
        self.delete(aws, {"identity": current.identity})
        self._add(aws, config, replacing=True)
        return current.identity

    def delete(self, aws: Aws, record: dict[str, Any]) -> None:
        identity = record["identity"]
        aws.call("remove permission %s of %s" % (identity["StatementId"],
                                                 identity["FunctionName"]),
                 "lambda", "remove_permission", FunctionName=identity["FunctionName"],
                 StatementId=identity["StatementId"], missing=("ResourceNotFoundException",))

    @staticmethod
    def _add(aws: Aws, config: dict[str, Any], replacing: bool = False) -> bool:
        params = {"FunctionName": config["FunctionName"], "StatementId": config["StatementId"],
                  "Action": "lambda:InvokeFunction", "Principal": config["Principal"],
                  "SourceArn": config["SourceArn"]}
        if config.get("SourceAccount"):
            params["SourceAccount"] = config["SourceAccount"]
        added = aws.call("allow %s to invoke %s" % (config["Principal"], config["FunctionName"]),
                         "lambda", "add_permission",
                         missing=() if replacing else ("ResourceConflictException",), **params)
        return added is not None


class S3NotificationKind(Kind):
    """One entry of a bucket's notification configuration, merged with the others
    (the bucket's other notifications are read and written back unchanged)."""

    name = "s3_notification"

    def observe(self, aws: Aws, cache: dict[Any, Any], desired: Desired | None,
                record: dict[str, Any] | None) -> Observed | None:
        source = desired.config if desired else _identity(record)
        entry = next((item for item in self._read(aws, source["Bucket"]).get(
            "LambdaFunctionConfigurations", []) if item.get("Id") == source["Id"]), None)
        if entry is None:
            return None
        rules = (entry.get("Filter") or {}).get("Key", {}).get("FilterRules", [])
        return Observed({"Bucket": source["Bucket"], "Id": source["Id"]}, {
            "Bucket": source["Bucket"], "Id": source["Id"],
            "LambdaFunctionArn": entry.get("LambdaFunctionArn"),
            "Events": sorted(entry.get("Events", [])),
            "FilterRules": [{"Name": rule["Name"].lower(), "Value": rule["Value"]}
                            for rule in sorted(rules, key=lambda r: r["Name"].lower())]})

    def create(self, aws: Aws, desired: Desired, config: dict[str, Any],
               remember: Remember) -> dict[str, Any]:
        identity = {"Bucket": config["Bucket"], "Id": config["Id"]}
        self._write(aws, config["Bucket"], config["Id"], config)
        remember(identity)
        return identity

    def update(self, aws: Aws, desired: Desired, config: dict[str, Any], current: Observed,
               fields: list[str]) -> dict[str, Any]:
        if current.identity["Bucket"] != config["Bucket"]:
            self.delete(aws, {"identity": current.identity})
        return self.create(aws, desired, config, lambda identity: None)

    def delete(self, aws: Aws, record: dict[str, Any]) -> None:
        identity = record["identity"]
        self._write(aws, identity["Bucket"], identity["Id"], None)

    @staticmethod
    def _read(aws: Aws, bucket: str) -> dict[str, Any]:
        found = aws.call("read the notifications of bucket %s" % bucket, "s3",
                         "get_bucket_notification_configuration", Bucket=bucket)
        return {key: value for key, value in found.items() if key != "ResponseMetadata"}

    def _write(self, aws: Aws, bucket: str, entry_id: str, config: dict[str, Any] | None
               ) -> None:
        """Replace (or with ``config`` None, drop) entry ``entry_id``, keeping the rest."""
        try:
            current = self._read(aws, bucket)
        except DeployError:
            if config is None:  # the bucket is gone, and the notification with it
                return
            raise
        entries = [item for item in current.get("LambdaFunctionConfigurations", [])
                   if item.get("Id") != entry_id]
        if config is None and len(entries) == len(current.get("LambdaFunctionConfigurations",
                                                                   [])):
            return
        if config is not None:
            entry: dict[str, Any] = {"Id": entry_id,
                                     "LambdaFunctionArn": config["LambdaFunctionArn"],
                                     "Events": config["Events"]}
            if config["FilterRules"]:
                entry["Filter"] = {"Key": {"FilterRules": config["FilterRules"]}}
            entries.append(entry)
        current["LambdaFunctionConfigurations"] = entries
        aws.call("write the notifications of bucket %s" % bucket, "s3",
                 "put_bucket_notification_configuration", Bucket=bucket,
                 NotificationConfiguration=current)


class SQSMappingKind(Kind):
    name = "sqs_mapping"

    def observe(self, aws: Aws, cache: dict[Any, Any], desired: Desired | None,
                record: dict[str, Any] | None) -> Observed | None:
        uuid = _identity(record).get("UUID")
        found = None
        if uuid:
            found = aws.call("read event source mapping %s" % uuid, "lambda",
                             "get_event_source_mapping", UUID=uuid,
                             missing=("ResourceNotFoundException",))
        if found is None and desired is not None:
            listed = aws.call("list the event source mappings of %s"
                              % desired.config["FunctionName"], "lambda",
                              "list_event_source_mappings",
                              FunctionName=desired.config["FunctionName"],
                              EventSourceArn=desired.config["EventSourceArn"],
                              missing=("ResourceNotFoundException",)) or {}
            mappings = listed.get("EventSourceMappings") or []
            found = mappings[0] if mappings else None
        if found is None:
            return None
        config: dict[str, Any] = {
            "EventSourceArn": found.get("EventSourceArn"),
            "FunctionName": str(found.get("FunctionArn", "")).rsplit(":", 1)[-1],
            "BatchSize": found.get("BatchSize"),
            "FunctionResponseTypes": sorted(found.get("FunctionResponseTypes") or []),
            "MaximumConcurrency": (found.get("ScalingConfig") or {}).get("MaximumConcurrency")}
        if "MaximumBatchingWindowInSeconds" in found:
            config["MaximumBatchingWindowInSeconds"] = found["MaximumBatchingWindowInSeconds"]
        return Observed({"UUID": found["UUID"]}, config)

    def create(self, aws: Aws, desired: Desired, config: dict[str, Any],
               remember: Remember) -> dict[str, Any]:
        created = aws.call("connect queue %s to %s" % (config["EventSourceArn"].rsplit(":", 1)[-1],
                                                        config["FunctionName"]),
                           "lambda", "create_event_source_mapping",
                           EventSourceArn=config["EventSourceArn"],
                           missing=("ResourceConflictException",), **self._settings(config))
        if created is None:  # an unrecorded one exists
            current = self.observe(aws, {}, desired, None)
            if current is None:
                raise DeployError("the event source mapping of %s exists and then does not; "
                                  "run deploy again" % config["FunctionName"])
            remember(current.identity)
            return self.update(aws, desired, config, current, ["BatchSize"])
        identity = {"UUID": created["UUID"]}
        remember(identity)
        return identity

    def update(self, aws: Aws, desired: Desired, config: dict[str, Any], current: Observed,
               fields: list[str]) -> dict[str, Any]:
        if "EventSourceArn" in fields:
            self.delete(aws, {"identity": current.identity})
            return self.create(aws, desired, config, lambda identity: None)
        aws.call("update the event source mapping of %s" % config["FunctionName"], "lambda",
                 "update_event_source_mapping", UUID=current.identity["UUID"],
                 **self._settings(config))
        return current.identity

    def delete(self, aws: Aws, record: dict[str, Any]) -> None:
        uuid = record["identity"]["UUID"]
        aws.call("delete event source mapping %s" % uuid, "lambda", "delete_event_source_mapping",
                 UUID=uuid, missing=("ResourceNotFoundException",))

    @staticmethod
    def _settings(config: dict[str, Any]) -> dict[str, Any]:
        settings: dict[str, Any] = {
            "FunctionName": config["FunctionName"], "BatchSize": config["BatchSize"],
            "MaximumBatchingWindowInSeconds": config["MaximumBatchingWindowInSeconds"],
            "FunctionResponseTypes": config["FunctionResponseTypes"]}
        if config.get("MaximumConcurrency"):
            settings["ScalingConfig"] = {"MaximumConcurrency": config["MaximumConcurrency"]}
        return settings


class SNSSubscriptionKind(Kind):
    name = "sns_subscription"

    def observe(self, aws: Aws, cache: dict[Any, Any], desired: Desired | None,
                record: dict[str, Any] | None) -> Observed | None:
        source = desired.config if desired else _identity(record)
        topic, endpoint = source["TopicArn"], source["Endpoint"]
        key = ("subscriptions", topic)
        if key not in cache:
            try:
                cache[key] = _pages(aws, "list the subscriptions of topic %s" % topic,
                                    _sns(topic), "list_subscriptions_by_topic", "Subscriptions",
                                    "NextToken", "NextToken", TopicArn=topic)
            except DeployError:
                if desired is not None:
                    raise
                cache[key] = []  # the topic is gone, and its subscriptions with it
        for item in cache[key]:
            if item.get("Protocol") == "lambda" and item.get("Endpoint") == endpoint:
                return Observed({"TopicArn": topic, "Endpoint": endpoint,
                                 "SubscriptionArn": item["SubscriptionArn"]},
                                {"TopicArn": topic, "Endpoint": endpoint})
        return None

    def create(self, aws: Aws, desired: Desired, config: dict[str, Any],
               remember: Remember) -> dict[str, Any]:
        subscribed = aws.call("subscribe %s to topic %s" % (
            config["Endpoint"].rsplit(":", 1)[-1], config["TopicArn"]), _sns(config["TopicArn"]),
            "subscribe", TopicArn=config["TopicArn"], Protocol="lambda",
            Endpoint=config["Endpoint"], ReturnSubscriptionArn=True)
        identity = {"TopicArn": config["TopicArn"], "Endpoint": config["Endpoint"],
                    "SubscriptionArn": subscribed["SubscriptionArn"]}
        remember(identity)
        return identity

    def update(self, aws: Aws, desired: Desired, config: dict[str, Any], current: Observed,
               fields: list[str]) -> dict[str, Any]:
        self.delete(aws, {"identity": current.identity})
        return self.create(aws, desired, config, lambda identity: None)

    def delete(self, aws: Aws, record: dict[str, Any]) -> None:
        identity = record["identity"]
        aws.call("unsubscribe from topic %s" % identity["TopicArn"], _sns(identity["TopicArn"]),
                 "unsubscribe", SubscriptionArn=identity["SubscriptionArn"],
                 missing=("NotFound", "NotFoundException", "InvalidParameter"))


def _sns(topic_arn: str) -> str:
    """The client for the topic's region ("sns" or "sns@<region>")."""
    parts = topic_arn.split(":")
    return "sns@%s" % parts[3] if len(parts) > 3 and parts[3] else "sns"
