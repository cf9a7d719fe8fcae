"""From the app's registry and a stage's configuration to resource models.

Layout: one function for the HTTP API (routes and WSGI mounts,
``api_handler``), one per event handler and built-in authorizer (each with
``MYFRAMEWORK_HANDLER`` naming it), and one per task queue
(``MYFRAMEWORK_HANDLER=tasks:<queue>``). Every function gets
``MYFRAMEWORK_TASK_FUNCTIONS`` when the app has tasks, so any of them can
``.delay()``.

Settings are looked up in the configuration first (function, stage, top
level), then in the decorator's own arguments (``memory_size=``, ``timeout=``,
``environment=``), then the defaults (128 MB, 60 s). The execution role gets
only what the framework itself needs: its log groups, reading its queues,
invoking its task functions, sending to dead-letter targets; then what the
app's own code calls (:mod:`myframework.policy`, unless ``autogen_policy`` is
false); plus ``iam_policy_extra``. ``iam_policy_file`` replaces all of it.
"""
from __future__ import annotations

import hashlib
import json
import pathlib
import re
from typing import Any

from ..config import API_HANDLER, DEFAULT_MEMORY_SIZE, DEFAULT_TIMEOUT, StageConfig
from ..runtime.app import App
from ..runtime.dispatch import TASKS_PREFIX
from ..runtime.event_specs import (
    CloudWatchEventSpec,
    HandlerSpec,
    S3EventSpec,
    ScheduleSpec,
    SNSEventSpec,
    SQSEventSpec,
    TaskSpec,
)
from ..runtime.tasks import TASK_FUNCTIONS_ENV
from .build import function_target
from .errors import PackagingError
from .models import (
    ARN_PREFIX,
    AppModel,
    EventRuleModel,
    FunctionModel,
    RestApiModel,
    RoleModel,
    S3NotificationModel,
    ScheduleModel,
    SNSSubscriptionModel,
    SQSMappingModel,
)

HANDLER_ENV = "MYFRAMEWORK_HANDLER"
_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]+")
TASK_RETRIES = 2  # Lambda's default for asynchronous invokes
ROLE_ID = "DefaultRole"
MAX_LAYERS = 5


def logical_id(*parts: str) -> str:
    """A CloudFormation logical id (letters and digits) from names."""
    text = "".join(word[:1].upper() + word[1:] for part in parts
                   for word in _NOT_ALNUM.split(part) if word)
    return text or "Resource"


def aws_name(text: str, limit: int = 64) -> str:
    """``text`` cut to ``limit`` characters, with a hash so cut names stay distinct."""
    if len(text) <= limit:
        return text
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    return text[:limit - 9] + "-" + digest


def queue_arn(spec: SQSEventSpec) -> str:
    return spec.queue_arn or "%s:sqs:${Region}:${AccountId}:%s" % (ARN_PREFIX, spec.queue)


def topic_arn(spec: SNSEventSpec) -> str:
    if spec.topic.startswith("arn:"):
        return spec.topic
    return "%s:sns:${Region}:${AccountId}:%s" % (ARN_PREFIX, spec.topic)


def function_arn(function_name: str) -> str:
    return "%s:lambda:${Region}:${AccountId}:function:%s" % (ARN_PREFIX, function_name)


def _dead_letter_arn(target: str) -> str:
    if target.startswith("arn:"):
        return target
    return "%s:sqs:${Region}:${AccountId}:%s" % (ARN_PREFIX, target)


class _Builder:
    def __init__(self, app: App, stage: StageConfig, code: dict[str, str],
                 layer: str | None) -> None:
        self.app = app
        self.stage = stage
        self.code = code  # function name -> zip (relative path)
        self.layer = layer
        self.prefix = "%s-%s" % (app.app_name, stage.name)
        self.used_ids: set[str] = {ROLE_ID}
        self.root: pathlib.Path | None = None

    def unique_id(self, *parts: str) -> str:
        base = logical_id(*parts)
        candidate, number = base, 2
        while candidate in self.used_ids:
            candidate, number = "%s%d" % (base, number), number + 1
        self.used_ids.add(candidate)
        return candidate

    def function(self, name: str, code_options: Any, env: dict[str, str],
                 description: str, timeout: int | None = None) -> FunctionModel:
        stage = self.stage
        target = function_target(stage, name)
        function_name = aws_name(self.prefix if name == API_HANDLER
                                 else "%s-%s" % (self.prefix, name.replace(":", "-")))
        environment = dict(code_options.environment) if code_options is not None else {}
        environment.update(stage.environment(name))
        environment.update(env)
        memory = (stage.get("lambda_memory_size", name)
                  or (code_options.memory_size if code_options is not None else None)
                  or DEFAULT_MEMORY_SIZE)
        seconds = (stage.get("lambda_timeout", name)
                   or (code_options.timeout if code_options is not None else None)
                   or timeout or DEFAULT_TIMEOUT)
        layers = list(stage.get("layers", name, []))
        if len(layers) + (1 if self.layer else 0) > MAX_LAYERS:
            raise PackagingError("%s: Lambda takes at most %d layers, and this function would "
                                 "have %d%s; drop some from \"layers\"" % (
                                     name, MAX_LAYERS, len(layers) + (1 if self.layer else 0),
                                     " with the automatic layer" if self.layer else ""))
        subnets = list(stage.get("subnet_ids", name, []))
        groups = list(stage.get("security_group_ids", name, []))
        if bool(subnets) != bool(groups):
            raise PackagingError("%s: a function in a VPC needs both subnet_ids and "
                                 "security_group_ids in .myframework/config.json" % name)
        storage = stage.get("lambda_ephemeral_storage", name)
        return FunctionModel(
            logical_id=self.unique_id(name.replace(":", "_")), name=name,
            function_name=function_name, runtime=target.runtime,
            architecture=target.architecture, memory_size=int(memory), timeout=int(seconds),
            code=self.code.get(name) or self.code[API_HANDLER], environment=environment,
            tags={"myframework:app": self.app.app_name, "myframework:stage": stage.name,
                  **stage.tags(name)},
            layers=layers, subnet_ids=subnets, security_group_ids=groups,
            reserved_concurrency=stage.get("reserved_concurrency", name),
            ephemeral_storage=int(storage) if storage is not None else None,
            role_arn=None if stage.get("manage_iam_role", name, True)
            else stage.get("iam_role_arn", name),
            description=description, xray=bool(stage.get("xray", name, False)))


def build_app_model(app: App, stage: StageConfig, code: dict[str, str] | None = None,
                    layer: str | None = None, root: pathlib.Path | None = None) -> AppModel:
    """The resource models of ``stage``. ``code`` maps function names to their zip
    (``api_handler`` is the fallback; default ``deployment.zip``). ``root`` is the
    project folder, where ``iam_policy_file`` is looked for (in ``.myframework/``)."""
    builder = _Builder(app, stage, code or {API_HANDLER: "deployment.zip"}, layer)
    builder.root = root
    registry = app.registry
    task_queues = sorted({spec.queue for spec in registry.tasks})
    task_names = {queue: aws_name("%s-tasks-%s" % (builder.prefix, queue))
                  for queue in task_queues}
    shared_env: dict[str, str] = {}
    if task_names:
        import json
        shared_env[TASK_FUNCTIONS_ENV] = json.dumps(task_names, sort_keys=True)
    model = AppModel(app.app_name, stage.name, [], None, layer=layer)
    api: FunctionModel | None = None
    if registry.routes or registry.mounts:
        api = builder.function(API_HANDLER, None, dict(shared_env),
                               "HTTP API of %s (%s)" % (app.app_name, stage.name))
        model.functions.append(api)
    by_name: dict[str, FunctionModel] = {}
    for spec in registry.handlers:
        function = builder.function(spec.name, spec.options,
                                    {**shared_env, HANDLER_ENV: spec.name},
                                    "%s of %s (%s)" % (spec.name, app.app_name, stage.name))
        model.functions.append(function)
        by_name[spec.name] = function
        _event_source(builder, model, spec, function)
    for queue in task_queues:
        specs = [s for s in registry.tasks if s.queue == queue]
        function = builder.function(TASKS_PREFIX + queue, None,
                                    {**shared_env, HANDLER_ENV: TASKS_PREFIX + queue},
                                    "tasks (queue %s) of %s (%s)" % (queue, app.app_name,
                                                                     stage.name),
                                    timeout=max((s.timeout or 0) for s in specs) or None)
        function.function_name = task_names[queue]
        _task_settings(function, specs)
        model.functions.append(function)
        model.task_functions[queue] = function.logical_id
    if api is not None:
        model.rest_api = _rest_api(builder, app, api, by_name)
    for function in model.functions:
        if (not stage.get("manage_iam_role", function.name, True)
                and not stage.get("iam_role_arn", function.name)):
            raise PackagingError(
                "manage_iam_role is false for %s, so iam_role_arn must name the role it uses "
                "(in .myframework/config.json)" % function.name)
    if any(function.role_arn is None for function in model.functions):
        model.role = _role(builder, model, task_names)
    return model


def _event_source(builder: _Builder, model: AppModel, spec: HandlerSpec,
                  function: FunctionModel) -> None:
    fid = function.logical_id
    if isinstance(spec, ScheduleSpec):
        model.schedules.append(ScheduleModel(
            builder.unique_id(spec.name, "schedule"),
            aws_name("%s-%s" % (builder.prefix, spec.name)), spec.expression,
            spec.description, fid))
    elif isinstance(spec, CloudWatchEventSpec):
        model.event_rules.append(EventRuleModel(
            builder.unique_id(spec.name, "rule"), aws_name("%s-%s" % (builder.prefix, spec.name)),
            spec.event_pattern, fid))
    elif isinstance(spec, S3EventSpec):
        model.s3_notifications.append(S3NotificationModel(
            builder.unique_id(spec.name, "s3"), spec.bucket, list(spec.events), spec.prefix,
            spec.suffix, fid))
    elif isinstance(spec, SQSEventSpec):
        model.sqs_mappings.append(SQSMappingModel(
            builder.unique_id(spec.name, "sqs"), queue_arn(spec), spec.batch_size,
            spec.maximum_batching_window_in_seconds, spec.maximum_concurrency,
            spec.report_batch_item_failures, fid))
    elif isinstance(spec, SNSEventSpec):
        model.sns_subscriptions.append(SNSSubscriptionModel(
            builder.unique_id(spec.name, "sns"), topic_arn(spec), fid))


def _task_settings(function: FunctionModel, specs: list[TaskSpec]) -> None:
    retries = {s.retries for s in specs if s.retries is not None}
    function.max_retries = min(retries) if retries else TASK_RETRIES
    targets = sorted({s.dead_letter for s in specs if s.dead_letter})
    if targets:
        function.dead_letter_arn = _dead_letter_arn(targets[0])


def _rest_api(builder: _Builder, app: App, api: FunctionModel,
              by_name: dict[str, FunctionModel]) -> RestApiModel:
    from ..runtime.authorizers import BuiltinAuthorizer
    authorizers: dict[str, str] = {}
    for methods in app.routes.values():
        for route in methods.values():
            if isinstance(route.authorizer, BuiltinAuthorizer):
                function = by_name.get(route.authorizer.name)
                if function is not None:
                    authorizers[route.authorizer.name] = function.logical_id
    stage = builder.stage

    def document(integration_uri: Any, authorizer_uris: dict[str, Any]) -> dict[str, Any]:
        from .openapi import openapi_document
        return openapi_document(app, integration_uri, authorizer_uris=authorizer_uris,
                                title=builder.prefix)

    compression = stage.get("minimum_compression_size")
    return RestApiModel(builder.unique_id("rest_api"), builder.prefix,
                        stage.api_gateway_stage, api.logical_id, authorizers, document,
                        str(stage.get("api_gateway_endpoint_type", default="EDGE")),
                        int(compression) if compression is not None else None)


def _policy_file(builder: _Builder, name: str) -> list[dict[str, Any]]:
    """The statements of ``iam_policy_file`` (in ``.myframework/``): the whole policy."""
    folder = (builder.root or pathlib.Path.cwd()) / ".myframework"
    path = folder / name
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PackagingError("iam_policy_file %r cannot be read (%s); it is looked for in %s"
                             % (name, exc.strerror or exc, folder)) from None
    except ValueError as exc:
        raise PackagingError("iam_policy_file %s is not JSON: %s" % (path, exc)) from None
    statements = document.get("Statement") if isinstance(document, dict) else None
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        raise PackagingError("iam_policy_file %s must be an IAM policy document with a "
                             "\"Statement\" list" % path)
    return statements


def _role(builder: _Builder, model: AppModel, task_names: dict[str, str]) -> RoleModel:
    prefix = builder.prefix
    per_function = sorted(builder.stage.per_function("iam_policy_file", "iam_policy_extra"))
    if per_function:
        raise PackagingError(
            "iam_policy_file and iam_policy_extra apply to the role all the app's functions "
            "share, so they go at the top level or in a stage of .myframework/config.json, not "
            "under lambda_functions (found for: %s); a function that needs its own role "
            "takes manage_iam_role: false and iam_role_arn" % ", ".join(per_function))
    policy_file = builder.stage.get("iam_policy_file")
    if policy_file:  # the user's whole policy, as it is
        return RoleModel(ROLE_ID, aws_name(prefix), _policy_file(builder, str(policy_file)))
    # The app's own log groups: /aws/lambda/<app>-<stage> and /aws/lambda/<app>-<stage>-*
    # (not another stage whose name merely starts the same).
    groups = ["%s:logs:${Region}:${AccountId}:log-group:/aws/lambda/%s%s" % (ARN_PREFIX, prefix,
                                                                             tail)
              for tail in ("", "-*")]
    statements: list[dict[str, Any]] = [{
        "Sid": "Logs", "Effect": "Allow",
        "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
        "Resource": [*groups, *(group + ":*" for group in groups)]}]
    queues = sorted({m.queue_arn for m in model.sqs_mappings})
    if queues:
        statements.append({
            "Sid": "ReadEventQueues", "Effect": "Allow",
            "Action": ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage",
                       "sqs:GetQueueAttributes", "sqs:ReceiveMessage"],
            "Resource": queues})
    if task_names:
        statements.append({
            "Sid": "InvokeTaskFunctions", "Effect": "Allow", "Action": ["lambda:InvokeFunction"],
            "Resource": sorted(function_arn(name) for name in task_names.values())})
    dead_letters = sorted({f.dead_letter_arn for f in model.functions if f.dead_letter_arn})
    for arn in dead_letters:
        action = "sns:Publish" if ":sns:" in arn else "sqs:SendMessage"
        statements.append({"Sid": logical_id("DeadLetter", arn.rsplit(":", 1)[-1]),
                           "Effect": "Allow", "Action": [action], "Resource": [arn]})
    if any(f.subnet_ids for f in model.functions):
        statements.append({  # AWS requires "*" for these (AWSLambdaVPCAccessExecutionRole)
            "Sid": "VpcNetworkInterfaces", "Effect": "Allow",
            "Action": ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface",
                       "ec2:DescribeNetworkInterfaces", "ec2:AssignPrivateIpAddresses",
                       "ec2:UnassignPrivateIpAddresses"],
            "Resource": ["*"]})
    if any(f.xray for f in model.functions):
        statements.append({"Sid": "XRay", "Effect": "Allow",
                           "Action": ["xray:PutTelemetryRecords", "xray:PutTraceSegments"],
                           "Resource": ["*"]})
    if builder.root is not None and builder.stage.get("autogen_policy", default=True):
        statements.extend(app_statements(builder.root, builder.stage, model))
    extra = builder.stage.get("iam_policy_extra")
    if isinstance(extra, dict):
        statements.extend(extra.get("Statement", []))
    return RoleModel(ROLE_ID, aws_name(prefix), statements)


def code_environment(model: AppModel) -> dict[str, str]:
    """The environment variables the functions get, for names the code reads: a name
    with different values in different functions is left out (its resources are then
    unknown, and granted as "*")."""
    values: dict[str, set[str]] = {}
    for function in model.functions:
        for name, value in function.environment.items():
            values.setdefault(name, set()).add(value)
    return {name: found.pop() for name, found in values.items() if len(found) == 1}


def app_permissions(root: pathlib.Path, stage: StageConfig, model: AppModel) -> Any:
    """What the app's own code calls (:mod:`myframework.policy`), read from the files its
    package holds."""
    from ..policy import required_permissions
    from .sources import collect_app_files
    files = collect_app_files(root, stage.get("include_paths", default=[]))
    return required_permissions(files, code_environment(model))


def app_statements(root: pathlib.Path, stage: StageConfig, model: AppModel
                   ) -> list[dict[str, Any]]:
    from ..policy.generate import policy_statements
    return policy_statements(app_permissions(root, stage, model))
