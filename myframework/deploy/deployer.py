"""``deploy``, ``delete``, ``status`` and ``url``: the commands' logic, without click.

A deploy: read and validate the config, build the packages (cached), import
the app, make its resource models and the resources they need, ask AWS
what it has (:func:`~myframework.deploy.planner.observe`), plan, and carry the
plan out, recording each resource as it is made. Output goes through
``echo`` (one line per step); failures raise
:class:`~myframework.deploy.aws.DeployError` with one clear message.
"""
from __future__ import annotations

import dataclasses
import pathlib
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..config import API_HANDLER, ConfigError, StageConfig, load_config
from ..project import AppLoadError, ProjectError, import_environment, load_app
from .aws import Aws, DeployError
from .build import ProjectBuild, build_project
from .desired import Artifacts, b64_sha256, desired_resources
from .errors import PackagingError
from .planner import Plan, make_plan, observe
from .state import DeployState

if TYPE_CHECKING:
    import boto3

Echo = Callable[[str], None]


@dataclasses.dataclass
class DeployReport:
    plan: Plan
    url: str | None
    functions: dict[str, str]  # registered name -> function name on AWS
    calls: int
    seconds: float
    dry_run: bool = False


@dataclasses.dataclass
class _Prepared:
    app_name: str
    stage: StageConfig
    build: ProjectBuild
    model: Any  # AppModel
    artifacts: Artifacts


def _prepare(root: pathlib.Path, stage_name: str, log: Echo) -> _Prepared:
    from .appmodel import build_app_model
    try:
        config = load_config(root)
        stage = config.stage(stage_name)
        functions = sorted(stage.per_function("runtime", "architecture"))
        out = root / ".myframework" / "build" / stage_name
        build = build_project(root, stage, functions, out, log=log)
        app = load_app(root, environment=import_environment(stage.environment(API_HANDLER)))
        code = {name: build.packages[target].zip_path.name
                for name, target in build.targets.items()}
        layer = build.main.layer_path
        model = build_app_model(app, stage, code, layer.name if layer else None, root)
    except (ProjectError, AppLoadError, ConfigError, PackagingError) as exc:
        raise DeployError(str(exc)) from None
    artifacts = Artifacts(out, {result.zip_path.name: result.code_sha256
                                for result in build.packages.values()})
    if layer is not None and build.main.layer_sha256:
        artifacts.layer = layer.name
        artifacts.layer_sha256 = b64_sha256(build.main.layer_sha256)
    return _Prepared(app.app_name, stage, build, model, artifacts)


def _verify(prepared: _Prepared, echo: Echo) -> None:
    from .verify import verify_package
    for target, result in prepared.build.packages.items():
        checked = verify_package(result.zip_path, target, result.layer_path,
                                 prepared.stage.environment(API_HANDLER), prepared.stage.name)
        echo(checked.describe())
        if not checked.ok:
            raise DeployError("the package failed verification (see above); nothing was "
                              "deployed")


def _connect(state: DeployState, session: boto3.session.Session | None,
             sleep: Callable[[float], None]) -> Aws:
    aws = Aws(session, sleep=sleep)
    recorded_region = state.data.get("region")
    if state.resources and recorded_region and recorded_region != aws.region:
        raise DeployError("stage %s is deployed in %s, but the AWS region is now %s; set "
                          "AWS_DEFAULT_REGION=%s (or use another stage)"
                          % (state.data.get("stage"), recorded_region, aws.region,
                             recorded_region))
    recorded_account = state.data.get("account")
    if state.resources and recorded_account and recorded_account != aws.account:
        raise DeployError("stage %s is deployed in AWS account %s, but these credentials are "
                          "for account %s; use the credentials of %s (or another stage)"
                          % (state.data.get("stage"), recorded_account, aws.account,
                             recorded_account))
    return aws


def _api_url(aws: Aws, state: DeployState, stage_name: str | None) -> str | None:
    record = state.get("rest_api")
    if record is None or not stage_name:
        return None
    return "https://%s.execute-api.%s.%s/%s/" % (record["identity"]["id"], aws.region,
                                                aws.url_suffix, stage_name)


def _functions(state: DeployState) -> dict[str, str]:
    return {key.split(":", 1)[1]: record["identity"]["FunctionName"]
            for key, record in sorted(state.resources.items()) if record.get("kind") == "function"}


def _dry_run_arn(state: DeployState, session: boto3.session.Session | None
                 ) -> tuple[Callable[[str], str], str]:
    if session is None:
        import boto3
        session = boto3.session.Session()
    region = str(state.data.get("region") or session.region_name or "${Region}")
    partition = session.get_partition_for_region(region) if "$" not in region else "aws"
    account = str(state.data.get("account") or "${AccountId}")

    def arn(template: str) -> str:
        return (template.replace("${Partition}", partition).replace("${Region}", region)
                .replace("${AccountId}", account))
    return arn, region


def deploy(root: pathlib.Path, stage_name: str, *, echo: Echo, log: Echo,
           session: boto3.session.Session | None = None, dry_run: bool = False,
           verify: bool = False, sleep: Callable[[float], None] = time.sleep) -> DeployReport:
    started = time.monotonic()
    prepared = _prepare(root, stage_name, log)
    if verify:
        _verify(prepared, echo)
    state = DeployState.load(root, prepared.app_name, stage_name)
    if dry_run:
        arn, _ = _dry_run_arn(state, session)
        desired = desired_resources(prepared.model, arn, prepared.artifacts)
        plan = make_plan(desired, state, None)
        return DeployReport(plan, None, {}, 0, time.monotonic() - started, dry_run=True)
    aws = _connect(state, session, sleep)
    with state.locked():
        state.set("region", aws.region)
        state.set("account", aws.account)
        desired = desired_resources(prepared.model, aws.arn, prepared.artifacts)
        echo("Deploying %s (stage %s) to AWS account %s in %s"
             % (prepared.app_name, stage_name, aws.account, aws.region))
        plan = make_plan(desired, state, observe(aws, desired, state))
        echo("Plan: %s" % plan.summary())
        from .executor import execute
        try:
            execute(aws, plan, state, lambda line: echo("  " + line))
        except DeployError as exc:
            exc.state_file = str(state.path)
            raise
        api = prepared.model.rest_api
        url = _api_url(aws, state, api.stage_name if api is not None else None)
        state.set("api_url", url)
    return DeployReport(plan, url, _functions(state), aws.calls, time.monotonic() - started)


def status(root: pathlib.Path, stage_name: str, *, log: Echo,
           session: boto3.session.Session | None = None) -> tuple[Plan, DeployState]:
    """The plan a deploy would carry out now (AWS is asked; nothing is changed)."""
    prepared = _prepare(root, stage_name, log)
    state = DeployState.load(root, prepared.app_name, stage_name)
    aws = _connect(state, session, time.sleep)
    desired = desired_resources(prepared.model, aws.arn, prepared.artifacts)
    return make_plan(desired, state, observe(aws, desired, state)), state


def delete(root: pathlib.Path, stage_name: str, *, echo: Echo,
           session: boto3.session.Session | None = None,
           sleep: Callable[[float], None] = time.sleep) -> int:
    """Delete everything recorded for the stage; the number of resources deleted."""
    state = DeployState.load(root, None, stage_name)
    if not state.resources:
        if state.exists:
            state.path.unlink()
        return 0
    aws = _connect(state, session, sleep)
    from .executor import delete_all
    with state.locked():
        try:
            count = delete_all(aws, state, lambda line: echo("  " + line))
        except DeployError as exc:
            exc.state_file = str(state.path)
            raise
        state.path.unlink()
    return count


def recorded(root: pathlib.Path, stage_name: str) -> DeployState:
    """The recorded state of a deployed stage (an error if there is none)."""
    state = DeployState.load(root, None, stage_name)
    if not state.resources:
        raise DeployError("stage %s is not deployed (no %s); run `myframework deploy --stage "
                          "%s` first" % (stage_name, state.path, stage_name))
    return state

