"""From an app to the resources a stage wants (myframework.deploy.desired), and from
those, what AWS reports and what was recorded to a plan (myframework.deploy.planner):
what is created, kept, updated (naming the fields) and deleted (dependents first).
Then the reads a first deploy makes, and what ``delete`` calls."""
from __future__ import annotations

import copy
import pathlib
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.stub import Stubber

from myframework import App, Rate, S3Event, ScheduledEvent, SNSEvent, SQSEvent
from myframework.config import ProjectConfig
from myframework.deploy.appmodel import build_app_model
from myframework.deploy.aws import Aws, DeployError
from myframework.deploy.desired import KIND_ORDER, Artifacts, Desired, desired_resources, ref
from myframework.deploy.executor import delete_all, execute
from myframework.deploy.kinds import Observed
from myframework.deploy.planner import CREATE, DELETE, KEEP, UPDATE, make_plan, observe
from myframework.deploy.state import DeployState
from myframework.runtime.tasks import TASK_FUNCTIONS_ENV

ACCOUNT = "123456789012"
LAYER_ARN = "arn:aws:lambda:us-east-1:%s:layer:shop-dev-dependencies:3" % ACCOUNT
FUNCTION_ARN = "arn:aws:lambda:us-east-1:%s:function:shop-dev" % ACCOUNT


pytestmark = pytest.mark.usefixtures("no_aws_environment")


def fill_arn(template: str) -> str:
    return (template.replace("${Partition}", "aws").replace("${Region}", "us-east-1")
            .replace("${AccountId}", ACCOUNT))


# -- desired resources by hand --------------------------------------------------------------

def function_desired(**changes: Any) -> Desired:
    config: dict[str, Any] = {
        "FunctionName": "shop-dev", "Runtime": "python3.12", "Handler": "app.app",
        "MemorySize": 128, "Timeout": 60, "Layers": [ref("layer", "arn")],
        "DeadLetterTarget": None, "CodeSha256": "c2hh"}
    config.update(changes)
    return Desired("function:api_handler", "function", "function shop-dev", config)


def layer_desired() -> Desired:
    return Desired("layer", "layer", "dependencies layer shop-dev-dependencies",
                   {"LayerName": "shop-dev-dependencies", "CodeSha256": "bGF5"})


def rule_desired() -> Desired:
    return Desired("rule:shop-dev-tick", "rule", "rule shop-dev-tick",
                   {"Name": "shop-dev-tick", "ScheduleExpression": "rate(5 minutes)",
                    "State": "ENABLED", "Target": FUNCTION_ARN})


def record(desired: Desired, identity: dict[str, Any],
           config: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"kind": desired.kind, "label": desired.label, "identity": identity,
            "config": dict(desired.config if config is None else config)}


LAYER_RECORD = record(layer_desired(), {"arn": LAYER_ARN, "LayerName": "shop-dev-dependencies"})


def recorded_function(**changes: Any) -> dict[str, Any]:
    """The record of :func:`function_desired` as the executor writes it (references
    resolved)."""
    config = {**function_desired().config, "Layers": [LAYER_ARN], **changes}
    return record(function_desired(), {"FunctionName": "shop-dev", "FunctionArn": FUNCTION_ARN},
                  config)


def new_state(tmp_path: pathlib.Path, records: dict[str, dict[str, Any]] | None = None
              ) -> DeployState:
    state = DeployState.load(tmp_path, "shop", "dev")
    for key, value in (records or {}).items():
        state.record(key, value)
    return state


# -- make_plan ------------------------------------------------------------------------------

def test_nothing_recorded_is_all_create(tmp_path: pathlib.Path) -> None:
    desired = [layer_desired(), function_desired(), rule_desired()]
    state = new_state(tmp_path)

    nothing_on_aws: dict[str, Observed | None] = {item.key: None for item in desired}
    for observed in (None, nothing_on_aws):
        plan = make_plan(desired, state, observed)
        assert [(change.action, change.key) for change in plan.changes] == [
            (CREATE, "layer"), (CREATE, "function:api_handler"), (CREATE, "rule:shop-dev-tick")]
        assert plan.unchanged == []
        assert plan.summary() == "3 to create, 0 to update, 0 to delete, 0 unchanged"


def test_recorded_with_the_same_config_is_kept(tmp_path: pathlib.Path) -> None:
    state = new_state(tmp_path, {"layer": LAYER_RECORD,
                                 "function:api_handler": recorded_function()})

    plan = make_plan([layer_desired(), function_desired()], state, None)

    assert plan.changes == []
    assert [(change.action, change.key) for change in plan.unchanged] == [
        (KEEP, "layer"), (KEEP, "function:api_handler")]
    assert plan.summary() == "0 to create, 0 to update, 0 to delete, 2 unchanged"


def test_one_field_differs_is_an_update_naming_that_field_only(tmp_path: pathlib.Path) -> None:
    state = new_state(tmp_path, {"layer": LAYER_RECORD,
                                 "function:api_handler": recorded_function()})

    plan = make_plan([layer_desired(), function_desired(MemorySize=512)], state, None)

    [change] = plan.changes
    assert change.action == UPDATE
    assert change.key == "function:api_handler"
    assert change.fields == ["MemorySize"]
    assert change.describe() == "update function shop-dev (MemorySize)"
    assert change.current is not None
    assert change.current.identity["FunctionArn"] == FUNCTION_ARN


def test_deletes_come_last_with_dependents_first(tmp_path: pathlib.Path) -> None:
    def gone(kind: str, key: str) -> dict[str, Any]:
        return {"kind": kind, "label": "%s %s" % (kind, key), "identity": {"id": key},
                "config": {}}
    records = {key: gone(kind, key) for kind, key in [
        ("role", "role"), ("function", "function:a"), ("layer", "layer"),
        ("permission", "permission:a:s3"), ("rest_api", "rest_api"), ("rule", "rule:tick"),
        ("s3_notification", "s3:upload"), ("sns_subscription", "sns:alert"),
        ("function", "function:b"), ("sqs_mapping", "sqs:job"), ("permission", "permission:b:sns"),
    ]}
    state = new_state(tmp_path, records)

    plan = make_plan([rule_desired()], state, None)

    # S3 notifications the app dropped go first (S3 refuses overlapping entries), then what
    # the app has, then the other deletes, dependents first.
    assert [change.action for change in plan.changes[:2]] == [DELETE, CREATE]
    assert plan.changes[0].key == "s3:upload"
    deletes = plan.changes[2:]
    assert all(change.action == DELETE for change in deletes)
    assert [change.key for change in deletes] == [
        "sns:alert", "sqs:job", "permission:a:s3", "permission:b:sns", "rule:tick",
        "rest_api", "function:a", "function:b", "layer", "role"]
    assert plan.count(DELETE) == 11
    assert deletes[0].current == Observed({"id": "sns:alert"}, {})


def test_observed_config_wins_over_the_record(tmp_path: pathlib.Path) -> None:
    """Someone changed the memory on the console: the record says 128, AWS says 2048."""
    state = new_state(tmp_path, {"layer": LAYER_RECORD,
                                 "function:api_handler": recorded_function()})
    observed_config = {**recorded_function()["config"], "MemorySize": 2048}
    observed: dict[str, Observed | None] = {
        "layer": Observed(LAYER_RECORD["identity"], LAYER_RECORD["config"]),
        "function:api_handler": Observed({"FunctionName": "shop-dev",
                                          "FunctionArn": FUNCTION_ARN}, observed_config)}

    plan = make_plan([layer_desired(), function_desired()], state, observed)

    [change] = plan.changes
    assert (change.action, change.fields) == (UPDATE, ["MemorySize"])


def test_field_aws_does_not_report_is_taken_from_the_record(tmp_path: pathlib.Path) -> None:
    """moto (and AWS without a target) report no dead-letter config: no update each deploy."""
    target = "arn:aws:sqs:us-east-1:%s:failed" % ACCOUNT
    state = new_state(tmp_path, {"layer": LAYER_RECORD,
                                 "function:api_handler": recorded_function(
                                     DeadLetterTarget=target)})
    reported = {key: value for key, value in recorded_function()["config"].items()
                if key != "DeadLetterTarget"}
    observed: dict[str, Observed | None] = {
        "layer": Observed(LAYER_RECORD["identity"], LAYER_RECORD["config"]),
        "function:api_handler": Observed({"FunctionName": "shop-dev"}, reported)}

    plan = make_plan([layer_desired(), function_desired(DeadLetterTarget=target)], state,
                     observed)

    assert plan.changes == []
    assert len(plan.unchanged) == 2


def test_recorded_but_gone_from_aws_is_created_again(tmp_path: pathlib.Path) -> None:
    state = new_state(tmp_path, {"layer": LAYER_RECORD,
                                 "function:api_handler": recorded_function()})
    observed: dict[str, Observed | None] = {
        "layer": Observed(LAYER_RECORD["identity"], LAYER_RECORD["config"]),
        "function:api_handler": None}

    plan = make_plan([layer_desired(), function_desired()], state, observed)

    assert [(change.action, change.key) for change in plan.changes] == [
        (CREATE, "function:api_handler")]


def test_reference_is_resolved_from_the_recorded_identity(tmp_path: pathlib.Path) -> None:
    state = new_state(tmp_path, {"layer": LAYER_RECORD,
                                 "function:api_handler": recorded_function()})
    plan = make_plan([layer_desired(), function_desired()], state, None)
    assert plan.changes == []  # ${ref:layer.arn} is the recorded version ARN

    # a new layer version was published (and recorded): the function must follow it
    state.record("layer", {**LAYER_RECORD, "identity": {**LAYER_RECORD["identity"],
                                                        "arn": LAYER_ARN[:-1] + "4"}})
    plan = make_plan([layer_desired(), function_desired()], state, None)
    [change] = plan.changes
    assert (change.action, change.key, change.fields) == (UPDATE, "function:api_handler",
                                                          ["Layers"])


def test_unresolved_reference_is_an_update(tmp_path: pathlib.Path) -> None:
    """The function is recorded but the layer is not (yet): the function will need the
    layer's new ARN once it exists."""
    state = new_state(tmp_path, {"function:api_handler": recorded_function()})

    plan = make_plan([layer_desired(), function_desired()], state, None)

    assert [(change.action, change.key, change.fields) for change in plan.changes] == [
        (CREATE, "layer", []), (UPDATE, "function:api_handler", ["Layers"])]


# -- observe --------------------------------------------------------------------------------

@pytest.fixture
def stubbed_aws() -> Iterator[tuple[Aws, dict[str, Stubber]]]:
    """An Aws whose clients all answer through Stubbers (with nothing queued: any
    call not stubbed by the test fails it)."""
    session = boto3.session.Session(region_name="us-east-1", aws_access_key_id="x",
                                    aws_secret_access_key="y")
    aws = Aws(session, sleep=lambda seconds: None)
    aws.account = ACCOUNT
    stubbers = {service: Stubber(aws.client(service))
                for service in ("iam", "lambda", "apigateway", "events", "s3", "sns", "sqs")}
    for stubber in stubbers.values():
        stubber.activate()
    yield aws, stubbers
    for stubber in stubbers.values():
        stubber.deactivate()


def every_kind() -> list[Desired]:
    topic = "arn:aws:sns:us-east-1:%s:alerts" % ACCOUNT
    return [
        Desired("role", "role", "IAM role shop-dev", {"RoleName": "shop-dev"}),
        layer_desired(),
        function_desired(),
        Desired("rest_api", "rest_api", "REST API shop-dev", {"Name": "shop-dev"}, {}),
        rule_desired(),
        Desired("permission:shop-dev:myframework-rest-api", "permission", "permission",
                {"FunctionName": "shop-dev", "StatementId": "myframework-rest-api"}),
        Desired("s3:OnUploadS3", "s3_notification", "notification",
                {"Bucket": "uploads", "Id": "shop-dev-OnUploadS3"}),
        Desired("sqs:OnJobSqs", "sqs_mapping", "mapping",
                {"FunctionName": "shop-dev-on_job",
                 "EventSourceArn": "arn:aws:sqs:us-east-1:%s:jobs" % ACCOUNT}),
        Desired("sns:OnAlertSns", "sns_subscription", "subscription",
                {"TopicArn": topic, "Endpoint": FUNCTION_ARN}),
    ]


def test_first_deploy_only_looks_for_the_rest_api(
        tmp_path: pathlib.Path, stubbed_aws: tuple[Aws, dict[str, Stubber]]) -> None:
    """Every other kind is found by its name when it is created; a REST API's name is
    not unique, so an unrecorded one (a deploy stopped before recording it) must be
    looked for."""
    aws, stubbers = stubbed_aws
    stubbers["apigateway"].add_response(
        "get_rest_apis", {"items": [{"id": "abc123", "name": "shop-dev"}]},
        expected_params={"limit": 500})
    desired = every_kind()
    assert sorted({item.kind for item in desired}) == sorted(KIND_ORDER)

    observed = observe(aws, desired, new_state(tmp_path))

    assert observed == {item.key: (Observed({"id": "abc123"}, {"Name": "shop-dev"})
                                   if item.kind == "rest_api" else None)
                        for item in desired}
    assert aws.calls == 1
    for stubber in stubbers.values():
        stubber.assert_no_pending_responses()


def test_later_deploy_reads_what_is_recorded(
        tmp_path: pathlib.Path, stubbed_aws: tuple[Aws, dict[str, Stubber]]) -> None:
    aws, stubbers = stubbed_aws
    stubbers["lambda"].add_response(
        "get_function", {"Configuration": {"FunctionName": "shop-dev",
                                           "FunctionArn": FUNCTION_ARN, "MemorySize": 256}},
        expected_params={"FunctionName": "shop-dev"})
    state = new_state(tmp_path, {"function:api_handler": recorded_function()})

    observed = observe(aws, [function_desired()], state)

    seen = observed["function:api_handler"]
    assert seen is not None
    assert seen.config["MemorySize"] == 256
    stubbers["lambda"].assert_no_pending_responses()


# -- desired_resources from an app ----------------------------------------------------------

def small_app() -> App:
    app = App("shop")

    @app.route("/items/{item}")
    def get_item(item: str) -> dict[str, str]:
        return {"item": item}

    @app.schedule(Rate(5, unit=Rate.MINUTES))
    def tick(event: ScheduledEvent) -> None:
        return None

    @app.on_s3_event(bucket="shop-uploads", prefix="in/")
    def on_upload(event: S3Event) -> None:
        return None

    @app.on_sqs_message(queue="jobs", batch_size=5)
    def on_job(event: SQSEvent) -> None:
        return None

    @app.on_sns_message(topic="alerts")
    def on_alert(event: SNSEvent) -> None:
        return None

    @app.task
    def send_email(to: str) -> None:
        return None

    return app


def build_desired(tmp_path: pathlib.Path) -> list[Desired]:
    model = build_app_model(small_app(), ProjectConfig({}).stage("dev"))
    return desired_resources(model, fill_arn, Artifacts(tmp_path, {"deployment.zip": "c2hh"}))


def test_desired_keys_and_configs_are_stable_across_builds(tmp_path: pathlib.Path) -> None:
    first = build_desired(tmp_path)
    second = build_desired(tmp_path)

    assert [(item.key, item.kind, item.config) for item in first] == [
        (item.key, item.kind, item.config) for item in second]
    keys = [item.key for item in first]
    assert len(keys) == len(set(keys))
    # every kind of this app is there
    assert {item.kind for item in first} == set(KIND_ORDER) - {"layer"}


def test_desired_resources_come_in_kind_order(tmp_path: pathlib.Path) -> None:
    kinds = [item.kind for item in build_desired(tmp_path)]
    assert kinds == sorted(kinds, key=KIND_ORDER.index)
    assert kinds[0] == "role"


def test_every_function_knows_the_task_functions(tmp_path: pathlib.Path) -> None:
    functions = [item for item in build_desired(tmp_path) if item.kind == "function"]
    assert len(functions) == 6  # the API, four handlers, one task queue
    for item in functions:
        assert TASK_FUNCTIONS_ENV in item.config["Environment"], item.key
        assert "shop-dev-tasks-default" in item.config["Environment"][TASK_FUNCTIONS_ENV]


def test_functions_refer_to_the_automatic_layer_by_reference(tmp_path: pathlib.Path) -> None:
    """The layer's version ARN is only known once it is published: each function's
    Layers holds a reference the planner and executor resolve from the record."""
    model = build_app_model(small_app(), ProjectConfig({}).stage("dev"),
                            layer="deployment-layer.zip")
    artifacts = Artifacts(tmp_path, {"deployment.zip": "c2hh"}, layer="deployment-layer.zip",
                          layer_sha256="bGF5")
    desired = desired_resources(model, fill_arn, artifacts)

    [layer] = [item for item in desired if item.kind == "layer"]
    assert layer.key == "layer"
    assert layer.config["CodeSha256"] == "bGF5"
    assert layer.payload == tmp_path / "deployment-layer.zip"
    functions = [item for item in desired if item.kind == "function"]
    assert functions
    assert all(item.config["Layers"] == [ref("layer", "arn")] for item in functions)

def test_s3_permission_comes_before_the_notification(tmp_path: pathlib.Path) -> None:
    """S3 checks that it may invoke the function when the notification is written."""
    desired = build_desired(tmp_path)
    keys = [item.key for item in desired]
    [notification] = [item for item in desired if item.kind == "s3_notification"]
    [permission] = [item for item in desired if item.kind == "permission"
                    and item.config["Principal"] == "s3.amazonaws.com"]
    assert keys.index(permission.key) < keys.index(notification.key)
    assert permission.config["SourceArn"] == "arn:aws:s3:::shop-uploads"
    assert permission.config["SourceAccount"] == ACCOUNT
    assert permission.config["FunctionName"] == notification.config[
        "LambdaFunctionArn"].rsplit(":", 1)[-1]


def test_rest_api_permission_refers_to_the_api_id(tmp_path: pathlib.Path) -> None:
    desired = build_desired(tmp_path)
    [permission] = [item for item in desired if item.kind == "permission"
                    and item.config["Principal"] == "apigateway.amazonaws.com"]
    assert permission.config["SourceArn"] == (
        "arn:aws:execute-api:us-east-1:%s:${ref:rest_api.id}/*" % ACCOUNT)
    keys = [item.key for item in desired]
    assert keys.index("rest_api") < keys.index(permission.key)


def test_rest_api_permission_is_resolved_once_the_api_is_recorded(
        tmp_path: pathlib.Path) -> None:
    desired = build_desired(tmp_path)
    [permission] = [item for item in desired if item.kind == "permission"
                    and item.config["Principal"] == "apigateway.amazonaws.com"]
    resolved = {**permission.config,
                "SourceArn": "arn:aws:execute-api:us-east-1:%s:abc123/*" % ACCOUNT}
    state = new_state(tmp_path, {
        "rest_api": {"kind": "rest_api", "label": "REST API", "identity": {"id": "abc123"},
                     "config": {}},
        permission.key: record(permission, {"FunctionName": permission.config["FunctionName"],
                                            "StatementId": "myframework-rest-api"}, resolved)})

    plan = make_plan([permission], state, None)

    assert [change.key for change in plan.unchanged] == [permission.key]
    assert [change.key for change in plan.changes] == ["rest_api"]  # only not desired here


# -- the executor ---------------------------------------------------------------------------

def test_delete_all_leaves_permissions_to_their_function(
        tmp_path: pathlib.Path, stubbed_aws: tuple[Aws, dict[str, Stubber]]) -> None:
    """Deleting a function deletes its resource policy: no remove_permission call."""
    aws, stubbers = stubbed_aws
    stubbers["lambda"].add_response("delete_function", {},
                                    expected_params={"FunctionName": "shop-dev"})
    permission = {"kind": "permission", "label": "permission for s3 to invoke shop-dev",
                  "identity": {"FunctionName": "shop-dev", "StatementId": "myframework-s3"},
                  "config": {}}
    state = new_state(tmp_path, {"function:api_handler": recorded_function(),
                                 "permission:shop-dev:myframework-s3": permission})
    lines: list[str] = []

    count = delete_all(aws, state, lines.append)

    assert count == 2
    assert aws.calls == 1
    assert "delete function shop-dev" in lines
    assert DeployState.load(tmp_path, None, "dev").resources == {}
    stubbers["lambda"].assert_no_pending_responses()


def test_resource_made_before_a_failure_is_recorded_and_not_created_again(
        tmp_path: pathlib.Path, stubbed_aws: tuple[Aws, dict[str, Stubber]]) -> None:
    aws, stubbers = stubbed_aws
    zip_path = tmp_path / "deployment.zip"
    zip_path.write_bytes(b"PK\x05\x06" + b"\0" * 18)
    config = {
        "FunctionName": "shop-dev", "Runtime": "python3.12", "Handler": "app.app",
        "Role": "arn:aws:iam::%s:role/shop-dev" % ACCOUNT, "MemorySize": 128, "Timeout": 60,
        "Description": "", "Environment": {}, "Layers": [], "Architectures": ["x86_64"],
        "VpcConfig": {"SubnetIds": [], "SecurityGroupIds": []}, "EphemeralStorage": 512,
        "TracingConfig": "PassThrough", "DeadLetterTarget": None, "Tags": {},
        "ReservedConcurrency": 5, "CodeSha256": "c2hh"}
    desired = [Desired("function:api_handler", "function", "function shop-dev", config,
                       zip_path)]
    stubbers["lambda"].add_response("create_function", {"FunctionName": "shop-dev",
                                                        "FunctionArn": FUNCTION_ARN})
    stubbers["lambda"].add_client_error("put_function_concurrency", "AccessDeniedException",
                                        "not allowed", 403)
    state = new_state(tmp_path)

    with pytest.raises(DeployError, match="AccessDeniedException"):
        execute(aws, make_plan(desired, state, None), state, lambda line: None)

    again = DeployState.load(tmp_path, "shop", "dev")
    assert again.get("function:api_handler") == {
        "kind": "function", "label": "function shop-dev",
        "identity": {"FunctionName": "shop-dev", "FunctionArn": FUNCTION_ARN}, "config": None}
    [change] = make_plan(desired, again, None).changes
    assert change.action == UPDATE  # the next deploy finishes it instead of creating another
    assert "ReservedConcurrency" in change.fields


class FakeBucketNotifications:
    """The notification configuration of bucket ``shop-uploads`` as S3 keeps it, answered
    through botocore's own events (the way the Stubber answers, but keeping state), and
    refusing what S3 refuses: two entries for a common event type whose key filters
    overlap."""

    def __init__(self, client: Any, entries: list[dict[str, Any]]) -> None:
        self.entries = entries
        self.params: dict[str, Any] = {}
        client.meta.events.register("before-parameter-build.s3.*", self.remember_params)
        client.meta.events.register("before-call.s3.*", self.answer)

    def remember_params(self, params: dict[str, Any], **kwargs: Any) -> None:
        self.params = copy.deepcopy(params)

    def answer(self, model: Any, **kwargs: Any) -> tuple[AWSResponse, dict[str, Any]]:
        assert self.params["Bucket"] == "shop-uploads"
        if model.name == "GetBucketNotificationConfiguration":
            return (AWSResponse("", 200, {}, None),  # type: ignore[arg-type]
                    {"LambdaFunctionConfigurations": copy.deepcopy(self.entries)})
        assert model.name == "PutBucketNotificationConfiguration", model.name
        entries = self.params["NotificationConfiguration"].get(
            "LambdaFunctionConfigurations", [])
        if any(self.overlap(a, b) for index, a in enumerate(entries) for b in entries[:index]):
            return (AWSResponse("", 400, {}, None),  # type: ignore[arg-type]
                    {"ResponseMetadata": {"HTTPStatusCode": 400},
                     "Error": {"Code": "InvalidArgument", "Message": (
                         "Configuration is ambiguously defined. Cannot have overlapping "
                         "suffixes in two rules if the prefixes are overlapping for the same "
                         "event type.")}})
        self.entries = entries
        return AWSResponse("", 200, {}, None), {}  # type: ignore[arg-type]

    @staticmethod
    def overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
        def same_event(x: str, y: str) -> bool:
            return (x == y or (x.endswith("*") and y.startswith(x[:-1]))
                    or (y.endswith("*") and x.startswith(y[:-1])))

        def rules(entry: dict[str, Any]) -> dict[str, str]:
            return {rule["Name"].lower(): rule["Value"] for rule in
                    entry.get("Filter", {}).get("Key", {}).get("FilterRules", [])}
        if not any(same_event(x, y) for x in a["Events"] for y in b["Events"]):
            return False
        prefix_a, prefix_b = rules(a).get("prefix", ""), rules(b).get("prefix", "")
        suffix_a, suffix_b = rules(a).get("suffix", ""), rules(b).get("suffix", "")
        return ((prefix_a.startswith(prefix_b) or prefix_b.startswith(prefix_a))
                and (suffix_a.endswith(suffix_b) or suffix_b.endswith(suffix_a)))


def notification(logical_id: str, function: str) -> Desired:
    return Desired("s3:%s" % logical_id, "s3_notification",
                   "notification of bucket shop-uploads", {
                       "Bucket": "shop-uploads", "Id": "shop-dev-%s" % logical_id,
                       "LambdaFunctionArn": "arn:aws:lambda:us-east-1:%s:function:%s"
                                            % (ACCOUNT, function),
                       "Events": ["s3:ObjectCreated:*"],
                       "FilterRules": [{"Name": "prefix", "Value": "in/"}]})


def test_renamed_s3_handler_replaces_its_notification(tmp_path: pathlib.Path) -> None:
    old, new = notification("OnUploadS3", "shop-dev-on_upload"), notification(
        "HandleUploadS3", "shop-dev-handle_upload")
    aws = Aws(boto3.session.Session(region_name="us-east-1", aws_access_key_id="x",
                                    aws_secret_access_key="y"), sleep=lambda seconds: None)
    entry = {"Id": old.config["Id"], "LambdaFunctionArn": old.config["LambdaFunctionArn"],
             "Events": old.config["Events"],
             "Filter": {"Key": {"FilterRules": old.config["FilterRules"]}}}
    bucket = FakeBucketNotifications(aws.client("s3"), [entry])
    state = new_state(tmp_path, {old.key: record(old, {"Bucket": "shop-uploads",
                                                       "Id": old.config["Id"]})})

    execute(aws, make_plan([new], state, None), state, lambda line: None)

    assert [item["Id"] for item in bucket.entries] == [new.config["Id"]]
    assert set(state.resources) == {new.key}
