"""Test infrastructure for ``myframework deploy`` against moto_server, on 127.0.0.1 only.

* :class:`MotoServer` runs ``python -m moto.server`` in a subprocess on a free
  loopback port (optionally recording every request, so a killed server can be
  brought back with its state), and gives boto3 sessions, clients and
  subprocess environments pointed at it with fake credentials.
* :func:`inventory` reads what exists in the emulator through boto3 (IAM
  roles, Lambda functions, permissions, layers, event source mappings, REST
  APIs, EventBridge rules, S3 notifications, SNS, SQS), for "exactly one of
  each" and "nothing left" assertions; :meth:`Inventory.deployed_by` leaves out
  what a test made itself.
* :func:`hook_env` puts ``aws_hook/sitecustomize.py`` on a subprocess's
  ``PYTHONPATH``: it logs every botocore API call (:func:`read_calls`) and can
  SIGKILL a process (the server) just before the Nth call.

Everything is in ``us-east-1`` in moto's default account.
"""
from __future__ import annotations

import dataclasses
import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

import boto3
import botocore.config
import botocore.session

if TYPE_CHECKING:
    from mypy_boto3_apigateway import APIGatewayClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_iam import IAMClient
    from mypy_boto3_lambda import LambdaClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sns import SNSClient
    from mypy_boto3_sqs import SQSClient

HOST = "127.0.0.1"
REGION = "us-east-1"
ACCOUNT_ID = "123456789012"  # moto's default account
FAKE_KEY = "testing"
SEED = 42  # seeds moto's ids when recording, so a replay recreates the same ids
START_TIMEOUT = 20.0
REPLAY_TIMEOUT = 120.0
LOG_TAIL_LINES = 40

HOOK_DIR = pathlib.Path(__file__).resolve().with_name("aws_hook")
REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]
CALL_LOG_ENV = "MF_CALL_LOG"
KILL_BEFORE_ENV = "MF_KILL_BEFORE_CALL"
KILL_PID_ENV = "MF_KILL_PID"
READ_PREFIXES = ("Get", "List", "Describe", "Head")

# Clients of the test process fail fast rather than retry a dead server.
CLIENT_CONFIG = botocore.config.Config(
    retries={"total_max_attempts": 1, "mode": "standard"},
    connect_timeout=5, read_timeout=60)

# A botocore session that reads no profile, config or credentials file of the
# developer's (AWS_PROFILE, AWS_CONFIG_FILE... in this process are ignored).
_ISOLATED_SESSION_VARS: dict[str, Any] = {
    "profile": (None, None, None, None),
    "config_file": (None, None, os.devnull, None),
    "credentials_file": (None, None, os.devnull, None),
}

# urllib without any proxy from the environment: the emulator is on loopback.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    """A TCP port that was free on 127.0.0.1 a moment ago (bind port 0, close)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _with_no_proxy(env: dict[str, str]) -> None:
    """Keep any proxy for the outside world, but never for loopback."""
    for name in ("NO_PROXY", "no_proxy"):
        entries = [e for e in env.get(name, "").split(",") if e.strip()]
        for host in (HOST, "localhost"):
            if host not in entries:
                entries.append(host)
        env[name] = ",".join(entries)


class MotoServer:
    """``python -m moto.server -H 127.0.0.1 -p PORT`` in a subprocess.

    With ``recording_file`` every request is appended to that file
    (``MOTO_ENABLE_RECORDING``); the first :meth:`start` empties it and seeds
    moto's ids (``/moto-api/seed``) before any other request, so that
    :meth:`restart_with_replay` after a :meth:`kill` rebuilds the same state
    with the same ids. The server's output goes to :attr:`log_file` (in
    ``workdir``, a temporary directory removed by :meth:`stop` if not given).

    Lambda runs without Docker (``{"lambda": {"use_docker": false}}``, so
    ``invoke`` answers instead of failing), unless ``lambda_docker``. moto
    5.2 then keeps functions in its Docker-less backend but still looks
    layers up in the Docker one: a function given ``Layers`` fails with
    "One or more LayerVersion does not exist". A test that deploys layers
    needs ``lambda_docker=True`` (and must not invoke).
    """

    def __init__(self, recording_file: pathlib.Path | None = None,
                 workdir: pathlib.Path | None = None,
                 start_timeout: float = START_TIMEOUT,
                 lambda_docker: bool = False) -> None:
        self.recording_file = recording_file.resolve() if recording_file is not None else None
        self.lambda_docker = lambda_docker
        self.start_timeout = start_timeout
        self.port = free_port()
        self._workdir = workdir
        self._own_workdir = workdir is None
        self.proc: subprocess.Popen[bytes] | None = None
        self._session: boto3.session.Session | None = None

    # -- process ---------------------------------------------------------

    @property
    def url(self) -> str:
        return "http://%s:%d" % (HOST, self.port)

    @property
    def pid(self) -> int:
        if self.proc is None:
            raise RuntimeError("moto_server was never started")
        return self.proc.pid

    @property
    def running(self) -> bool:
        """The process is alive (a killed process is reaped by this check)."""
        return self.proc is not None and self.proc.poll() is None

    @property
    def workdir(self) -> pathlib.Path:
        if self._workdir is None:
            self._workdir = pathlib.Path(tempfile.mkdtemp(prefix="moto-server-"))
        self._workdir.mkdir(parents=True, exist_ok=True)
        return self._workdir

    @property
    def log_file(self) -> pathlib.Path:
        return self.workdir / "moto_server.log"

    def start(self) -> MotoServer:
        """Start on :attr:`port`, wait until it answers, configure Lambda's Docker use."""
        if self.recording_file is not None:
            self.recording_file.parent.mkdir(parents=True, exist_ok=True)
            self.recording_file.write_bytes(b"")
        self._launch()
        if self.recording_file is not None:
            self.post("/moto-api/seed?a=%d" % SEED)
        self._configure()
        return self

    def stop(self) -> None:
        """SIGKILL and reap the server (idempotent); remove its own temporary workdir."""
        self.kill()
        if self._own_workdir and self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None

    def kill(self) -> None:
        """SIGKILL and reap the server, keeping its recording: a crash."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)

    def restart_with_replay(self) -> MotoServer:
        """Start again on the same port (killing a live server first) and replay the recording.

        The same port matters: recorded requests carry their Host header, and
        ids and URLs moto generated (queue URLs, for one) contain it.
        """
        if self.recording_file is None:
            raise RuntimeError("restart_with_replay() needs a MotoServer with a recording_file")
        self.kill()
        self._launch()
        self.post("/moto-api/recorder/replay-recording", timeout=REPLAY_TIMEOUT)
        self._configure()
        return self

    def reset(self) -> None:
        """Wipe every model (and the recording, re-seeded), then configure Lambda again."""
        self.post("/moto-api/reset")
        if self.recording_file is not None:
            self.post("/moto-api/recorder/reset-recording")
            self.post("/moto-api/seed?a=%d" % SEED)
        self._configure()

    def _configure(self) -> None:
        self.post("/moto-api/config", {"lambda": {"use_docker": self.lambda_docker}})

    def _launch(self) -> None:
        if self.running:
            raise RuntimeError("moto_server is already running (pid %d)" % self.pid)
        env = {k: v for k, v in os.environ.items()
               if k not in ("MOTO_ENABLE_RECORDING", "MOTO_RECORDER_FILEPATH")}
        _with_no_proxy(env)  # moto replays a recording through `requests`, to itself
        if self.recording_file is not None:
            env["MOTO_ENABLE_RECORDING"] = "True"
            env["MOTO_RECORDER_FILEPATH"] = str(self.recording_file)
        command = [sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(self.port)]
        with open(self.log_file, "ab") as log:
            log.write(b"$ %s\n" % " ".join(command).encode())
            log.flush()
            self.proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, env=env, cwd=self.workdir)
        self._wait_ready()

    def _wait_ready(self) -> None:
        # With recording on, probe a path moto does not record (and that changes
        # nothing, recording being on already) so the recording starts clean.
        if self.recording_file is not None:
            method, probe = "POST", "/moto-api/recorder/start-recording"
        else:
            method, probe = "GET", "/moto-api/config"
        deadline = time.monotonic() + self.start_timeout
        while True:
            assert self.proc is not None
            code = self.proc.poll()
            if code is not None:
                raise RuntimeError(
                    "moto_server exited with %s before answering on %s; log tail:\n%s"
                    % (code, self.url, self.log_tail()))
            try:
                self.request(method, probe, timeout=2.0)
                return
            except urllib.error.HTTPError:
                return  # it answers
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.kill()
                raise RuntimeError("moto_server did not answer on %s within %g s; log tail:\n%s"
                                   % (self.url, self.start_timeout, self.log_tail()))
            time.sleep(0.05)

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        try:
            text = self.log_file.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            return "(no log: %s)" % exc
        return "\n".join(text.splitlines()[-lines:])

    # -- HTTP to the moto API --------------------------------------------

    def request(self, method: str, path: str, body: Any = None,
                timeout: float = 30.0) -> bytes:
        """``method`` ``path`` on the server (a JSON ``body`` if given); raises on HTTP errors."""
        url = self.url + path
        assert urllib.parse.urlsplit(url).hostname == HOST, url
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        with _OPENER.open(req, timeout=timeout) as response:
            content: bytes = response.read()
            return content

    def post(self, path: str, body: Any = None, timeout: float = 30.0) -> bytes:
        return self.request("POST", path, body, timeout=timeout)

    def data(self) -> Any:
        """``GET /moto-api/data.json``: every model moto holds."""
        return json.loads(self.request("GET", "/moto-api/data.json"))

    # -- boto3 -----------------------------------------------------------

    def env(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """The environment for a boto3/CLI subprocess: ``base`` (``os.environ``) with every
        ``AWS_*`` variable replaced by the emulator's endpoint, fake keys and us-east-1."""
        assert urllib.parse.urlsplit(self.url).hostname == HOST, self.url
        source = os.environ if base is None else base
        env = {k: v for k, v in source.items() if not k.startswith("AWS_")}
        env.update({
            "AWS_ENDPOINT_URL": self.url,
            "AWS_ACCESS_KEY_ID": FAKE_KEY,
            "AWS_SECRET_ACCESS_KEY": FAKE_KEY,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_MAX_ATTEMPTS": "1",
        })
        _with_no_proxy(env)
        return env

    def session(self) -> boto3.session.Session:
        """A boto3 session with fake keys in us-east-1 that reads nothing of the developer's.

        Its clients still need ``endpoint_url=server.url`` (or use :meth:`client`);
        one that lacks it fails before sending anything, as every request is
        checked to go to 127.0.0.1.
        """
        if self._session is None:
            core = botocore.session.Session(session_vars=_ISOLATED_SESSION_VARS)
            session = boto3.session.Session(
                aws_access_key_id=FAKE_KEY, aws_secret_access_key=FAKE_KEY,
                region_name=REGION, botocore_session=core)
            session.events.register("before-send", _loopback_only)
            self._session = session
        return self._session

    def client(self, service: str) -> Any:
        """``session().client(service)`` on the emulator (untyped; use :meth:`session` with
        ``endpoint_url=server.url`` for a typed client)."""
        session = cast(Any, self.session())
        return session.client(service, endpoint_url=self.url, config=CLIENT_CONFIG)


def _loopback_only(request: Any, **kwargs: Any) -> None:
    host = urllib.parse.urlsplit(request.url).hostname
    if host != HOST:
        raise RuntimeError("a test client tried to reach %s: pass endpoint_url=server.url "
                           "(or use MotoServer.client)" % request.url)


# -- what exists -------------------------------------------------------------


@dataclasses.dataclass
class Role:
    name: str
    arn: str
    inline_policies: list[str]
    attached_policies: list[str]  # managed policy ARNs


@dataclasses.dataclass
class Function:
    name: str
    arn: str
    role: str
    handler: str
    runtime: str
    code_sha256: str
    environment: dict[str, str]
    tags: dict[str, str]
    layers: list[str]
    policy_sids: list[str]  # the statements of its resource policy (add_permission)
    event_invoke_configs: list[dict[str, Any]]  # without LastModified


@dataclasses.dataclass
class EventSourceMapping:
    uuid: str
    function_arn: str
    source_arn: str


@dataclasses.dataclass
class RestApi:
    id: str
    name: str
    stages: list[str]
    deployments: int


@dataclasses.dataclass
class Target:
    id: str
    arn: str


@dataclasses.dataclass
class Rule:
    name: str
    arn: str
    schedule_expression: str | None
    event_pattern: Any  # parsed JSON, or None
    state: str
    targets: list[Target]


@dataclasses.dataclass
class S3Notification:
    bucket: str
    kind: str  # "lambda", "queue" or "topic"
    id: str
    arn: str
    events: list[str]
    filter: dict[str, str]  # {"prefix": ..., "suffix": ...}


@dataclasses.dataclass
class Subscription:
    arn: str
    topic_arn: str
    protocol: str
    endpoint: str


@dataclasses.dataclass
class Inventory:
    """What the emulator holds (us-east-1, default bus), every list sorted."""

    roles: dict[str, Role]
    functions: dict[str, Function]
    layer_versions: list[str]  # LayerVersionArn
    mappings: list[EventSourceMapping]
    rest_apis: list[RestApi]  # by (name, id): two APIs of one name both show
    rules: dict[str, Rule]
    buckets: list[str]
    s3_notifications: list[S3Notification]
    topics: list[str]  # ARNs
    subscriptions: list[Subscription]
    queues: list[str]  # URLs

    def counts(self) -> dict[str, int]:
        functions = self.functions.values()
        return {
            "roles": len(self.roles),
            "inline_policies": sum(len(r.inline_policies) for r in self.roles.values()),
            "functions": len(self.functions),
            "permissions": sum(len(f.policy_sids) for f in functions),
            "event_invoke_configs": sum(len(f.event_invoke_configs) for f in functions),
            "layer_versions": len(self.layer_versions),
            "mappings": len(self.mappings),
            "rest_apis": len(self.rest_apis),
            "stages": sum(len(a.stages) for a in self.rest_apis),
            "deployments": sum(a.deployments for a in self.rest_apis),
            "rules": len(self.rules),
            "targets": sum(len(r.targets) for r in self.rules.values()),
            "buckets": len(self.buckets),
            "s3_notifications": len(self.s3_notifications),
            "s3_lambda_notifications": sum(n.kind == "lambda" for n in self.s3_notifications),
            "topics": len(self.topics),
            "subscriptions": len(self.subscriptions),
            "queues": len(self.queues),
        }

    def is_empty(self) -> bool:
        return not any(self.counts().values())

    def deployed_by(self, app_prefix: str) -> Inventory:
        """Only what belongs to an app whose resource names start with ``app_prefix``.

        A resource is kept when its own name starts with the prefix or, for
        what links two resources (mappings, rule targets, S3 notifications,
        subscriptions), when either end's name does: the app's S3 notification
        on a bucket a test made is kept, the bucket itself is not.
        """
        def mine(*arns_or_names: str) -> bool:
            return any(resource_name(a).startswith(app_prefix) for a in arns_or_names)

        rules = {}
        for name, rule in self.rules.items():
            if mine(name) or any(mine(t.arn) for t in rule.targets):
                rules[name] = rule
        return Inventory(
            roles={k: v for k, v in self.roles.items() if mine(k)},
            functions={k: v for k, v in self.functions.items() if mine(k)},
            layer_versions=[a for a in self.layer_versions if mine(a)],
            mappings=[m for m in self.mappings if mine(m.function_arn, m.source_arn)],
            rest_apis=[a for a in self.rest_apis if mine(a.name)],
            rules=rules,
            buckets=[b for b in self.buckets if mine(b)],
            s3_notifications=[n for n in self.s3_notifications if mine(n.bucket, n.arn)],
            topics=[t for t in self.topics if mine(t)],
            subscriptions=[s for s in self.subscriptions if mine(s.topic_arn, s.endpoint)],
            queues=[q for q in self.queues if mine(q)],
        )


def resource_name(arn_or_name: str) -> str:
    """The name in an ARN or URL (function, layer, role, queue, topic, bucket); a plain name as is.

    ``arn:aws:lambda:us-east-1:123456789012:function:app-dev:live`` is
    ``app-dev``, ``...:layer:app-deps:3`` is ``app-deps``,
    ``arn:aws:iam::123456789012:role/app-dev`` and a queue URL their last part.
    """
    if arn_or_name.startswith("arn:"):
        parts = arn_or_name.split(":")
        for kind in ("function", "layer"):
            if kind in parts[5:-1]:
                return parts[parts.index(kind, 5) + 1]
        return parts[-1].rsplit("/", 1)[-1]
    return arn_or_name.rstrip("/").rsplit("/", 1)[-1]


def inventory(server: MotoServer) -> Inventory:
    """Read everything the inventory covers from ``server`` through boto3."""
    session, url = server.session(), server.url
    lam = session.client("lambda", endpoint_url=url, config=CLIENT_CONFIG)
    return Inventory(
        roles=_roles(session.client("iam", endpoint_url=url, config=CLIENT_CONFIG)),
        functions=_functions(lam),
        layer_versions=_layer_versions(lam),
        mappings=_mappings(lam),
        rest_apis=_rest_apis(session.client("apigateway", endpoint_url=url, config=CLIENT_CONFIG)),
        rules=_rules(session.client("events", endpoint_url=url, config=CLIENT_CONFIG)),
        **_s3(session.client("s3", endpoint_url=url, config=CLIENT_CONFIG)),
        **_sns(session.client("sns", endpoint_url=url, config=CLIENT_CONFIG)),
        queues=_queues(session.client("sqs", endpoint_url=url, config=CLIENT_CONFIG)),
    )


def _roles(iam: IAMClient) -> dict[str, Role]:
    roles = {}
    for page in iam.get_paginator("list_roles").paginate():
        for role in page["Roles"]:
            name = role["RoleName"]
            inline = [p for pg in iam.get_paginator("list_role_policies").paginate(RoleName=name)
                      for p in pg["PolicyNames"]]
            attached = [p["PolicyArn"] for pg in
                        iam.get_paginator("list_attached_role_policies").paginate(RoleName=name)
                        for p in pg["AttachedPolicies"]]
            roles[name] = Role(name=name, arn=role["Arn"], inline_policies=sorted(inline),
                               attached_policies=sorted(attached))
    return dict(sorted(roles.items()))


def _functions(lam: LambdaClient) -> dict[str, Function]:
    functions = {}
    for page in lam.get_paginator("list_functions").paginate():
        for listed in page["Functions"]:
            name = listed["FunctionName"]
            got = lam.get_function(FunctionName=name)
            config = got["Configuration"]
            try:
                policy = json.loads(lam.get_policy(FunctionName=name)["Policy"])
                sids = sorted(str(s.get("Sid", "")) for s in policy.get("Statement", []))
            except lam.exceptions.ResourceNotFoundException:
                sids = []
            invoke_configs = []
            for pg in lam.get_paginator("list_function_event_invoke_configs").paginate(
                    FunctionName=name):
                for item in pg["FunctionEventInvokeConfigs"]:
                    invoke_configs.append({k: v for k, v in item.items()
                                           if k != "LastModified"})
            functions[name] = Function(
                name=name,
                arn=config.get("FunctionArn", ""),
                role=config.get("Role", ""),
                handler=config.get("Handler", ""),
                runtime=config.get("Runtime", ""),
                code_sha256=config.get("CodeSha256", ""),
                environment=dict(sorted(config.get("Environment", {})
                                        .get("Variables", {}).items())),
                tags=dict(sorted(got.get("Tags", {}).items())),
                layers=[layer.get("Arn", "") for layer in config.get("Layers", [])],
                policy_sids=sids,
                event_invoke_configs=sorted(invoke_configs,
                                            key=lambda c: json.dumps(c, sort_keys=True)),
            )
    return dict(sorted(functions.items()))


def _layer_versions(lam: LambdaClient) -> list[str]:
    arns: list[str] = []
    for page in lam.get_paginator("list_layers").paginate():
        for layer in page["Layers"]:
            for pg in lam.get_paginator("list_layer_versions").paginate(
                    LayerName=layer["LayerName"]):
                arns.extend(v["LayerVersionArn"] for v in pg["LayerVersions"])
    return sorted(arns)


def _mappings(lam: LambdaClient) -> list[EventSourceMapping]:
    mappings = [EventSourceMapping(uuid=m["UUID"], function_arn=m.get("FunctionArn", ""),
                                   source_arn=m.get("EventSourceArn", ""))
                for page in lam.get_paginator("list_event_source_mappings").paginate()
                for m in page["EventSourceMappings"]]
    return sorted(mappings, key=lambda m: (m.function_arn, m.source_arn, m.uuid))


def _rest_apis(apigw: APIGatewayClient) -> list[RestApi]:
    apis = []
    for page in apigw.get_paginator("get_rest_apis").paginate():
        for api in page["items"]:
            api_id = api["id"]
            stages = sorted(s["stageName"] for s in apigw.get_stages(restApiId=api_id)["item"])
            deployments = sum(len(pg["items"]) for pg in apigw.get_paginator(
                "get_deployments").paginate(restApiId=api_id))
            apis.append(RestApi(id=api_id, name=api.get("name", ""), stages=stages,
                                deployments=deployments))
    return sorted(apis, key=lambda a: (a.name, a.id))


def _rules(events: EventBridgeClient) -> dict[str, Rule]:
    rules = {}
    for page in events.get_paginator("list_rules").paginate(EventBusName="default"):
        for rule in page["Rules"]:
            name = rule["Name"]
            targets = [Target(id=t["Id"], arn=t["Arn"]) for pg in events.get_paginator(
                "list_targets_by_rule").paginate(Rule=name, EventBusName="default")
                for t in pg["Targets"]]
            pattern = rule.get("EventPattern")
            rules[name] = Rule(
                name=name, arn=rule.get("Arn", ""),
                schedule_expression=rule.get("ScheduleExpression"),
                event_pattern=json.loads(pattern) if pattern else None,
                state=rule.get("State", ""),
                targets=sorted(targets, key=lambda t: (t.id, t.arn)))
    return dict(sorted(rules.items()))


def _s3(s3: S3Client) -> dict[str, Any]:
    buckets = sorted(b["Name"] for b in s3.list_buckets().get("Buckets", []) if "Name" in b)
    notifications = []
    kinds = (("lambda", "LambdaFunctionConfigurations", "LambdaFunctionArn"),
             ("queue", "QueueConfigurations", "QueueArn"),
             ("topic", "TopicConfigurations", "TopicArn"))
    for bucket in buckets:
        config = cast(dict[str, Any], s3.get_bucket_notification_configuration(Bucket=bucket))
        for kind, key, arn_key in kinds:
            for item in config.get(key, []):
                rules = item.get("Filter", {}).get("Key", {}).get("FilterRules", [])
                notifications.append(S3Notification(
                    bucket=bucket, kind=kind, id=item.get("Id", ""), arn=item[arn_key],
                    events=sorted(item.get("Events", [])),
                    filter={r["Name"].lower(): r["Value"] for r in rules}))
    notifications.sort(key=lambda n: (n.bucket, n.kind, n.arn, n.id))
    return {"buckets": buckets, "s3_notifications": notifications}


def _sns(sns: SNSClient) -> dict[str, Any]:
    topics = sorted(t["TopicArn"] for page in sns.get_paginator("list_topics").paginate()
                    for t in page["Topics"] if "TopicArn" in t)
    subscriptions = sorted(
        (Subscription(arn=s.get("SubscriptionArn", ""), topic_arn=s.get("TopicArn", ""),
                      protocol=s.get("Protocol", ""), endpoint=s.get("Endpoint", ""))
         for page in sns.get_paginator("list_subscriptions").paginate()
         for s in page["Subscriptions"]),
        key=lambda s: (s.topic_arn, s.protocol, s.endpoint, s.arn))
    return {"topics": topics, "subscriptions": subscriptions}


def _queues(sqs: SQSClient) -> list[str]:
    return sorted(url for page in sqs.get_paginator("list_queues").paginate()
                  for url in page.get("QueueUrls", []))


# -- the API call hook (aws_hook/sitecustomize.py) ---------------------------


def hook_env(call_log: pathlib.Path, kill_before: int | None = None,
             kill_pid: int | None = None, base: Mapping[str, str] | None = None,
             ) -> dict[str, str]:
    """Variables to add to a subprocess's environment so it logs its API calls to ``call_log``.

    ``PYTHONPATH`` is the hook's folder, then the repository root, then
    ``base``'s (``os.environ``'s) ``PYTHONPATH``. With ``kill_before`` and
    ``kill_pid``, the process SIGKILLs ``kill_pid`` just before its
    ``kill_before``-th call (1-based) and lets that call fail. Use as
    ``env = {**server.env(), **hook_env(log)}``.
    """
    if (kill_before is None) != (kill_pid is None):
        raise ValueError("kill_before and kill_pid go together")
    source = os.environ if base is None else base
    paths = [str(HOOK_DIR), str(REPO_ROOT)]
    paths += [p for p in source.get("PYTHONPATH", "").split(os.pathsep) if p and p not in paths]
    env = {"PYTHONPATH": os.pathsep.join(paths), CALL_LOG_ENV: str(call_log)}
    if kill_before is not None and kill_pid is not None:
        if kill_before < 1:
            raise ValueError("kill_before counts calls from 1")
        env[KILL_BEFORE_ENV] = str(kill_before)
        env[KILL_PID_ENV] = str(kill_pid)
    return env


def read_calls(call_log: pathlib.Path) -> list[dict[str, Any]]:
    """The logged calls, in order: ``{"n", "service", "operation"}`` (+ ``"killed"``);
    no file means no call."""
    try:
        text = call_log.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def is_write(operation: str) -> bool:
    """Anything but Get*, List*, Describe*, Head* (``operation`` as botocore names it)."""
    return not operation.startswith(READ_PREFIXES)
