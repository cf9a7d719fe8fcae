"""The project configuration: ``.myframework/config.json``.

The file follows Chalice's ``.chalice/config.json`` layout, so a Chalice
project's settings carry over::

    {
      "version": "1.0",
      "app_name": "petstore",
      "environment_variables": {"LOG_LEVEL": "info"},
      "stages": {
        "dev": {
          "api_gateway_stage": "api",
          "environment_variables": {"TABLE": "pets-dev"},
          "lambda_functions": {
            "cleanup": {"lambda_timeout": 300, "environment_variables": {"BATCH": "50"}}
          }
        }
      }
    }

A setting is looked up per function first (``stages.<stage>.lambda_functions.<name>``),
then per stage, then at the top level (``lambda_functions.<name>`` there too);
environment variables and tags are merged across the levels, the most specific
winning. The whole file is validated when it is read, and every error names the
file, the key path and what is allowed, so nothing half-valid reaches AWS.

``api_handler`` is the name of the function that serves the HTTP API (routes
and a mounted WSGI app), as in Chalice.
"""
from __future__ import annotations

import json
import os
import pathlib
import re
from collections.abc import Callable, Mapping
from typing import Any

from .runtime.handlers import RESERVED_ENV  # names Lambda sets itself

CONFIG_DIR = ".myframework"
CONFIG_FILE = "config.json"
API_HANDLER = "api_handler"
DEFAULT_STAGE = "dev"
DEFAULT_API_GATEWAY_STAGE = "api"
DEFAULT_MEMORY_SIZE = 128
DEFAULT_TIMEOUT = 60

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_ENV_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]+")  # Lambda's rule: two characters or more
_STAGE_NAME = re.compile(r"[A-Za-z0-9_]{1,128}")


class ConfigError(Exception):
    """The configuration is invalid; the message names the file, key and fix."""


def _where(path: tuple[str, ...]) -> str:
    return ".".join(path) if path else "the top level"


def _check_env(value: Any, path: tuple[str, ...]) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ConfigError("%s must be an object of NAME: \"value\" strings, got %s"
                          % (_where(path), json.dumps(value)))
    for name, item in value.items():
        if not _ENV_NAME.fullmatch(name):
            raise ConfigError("%s: %r is not a valid environment variable name (two or more "
                              "letters, digits and _, starting with a letter)"
                              % (_where(path), name))
        if name in RESERVED_ENV or name.startswith("MYFRAMEWORK_"):
            raise ConfigError("%s: %s is reserved (set by Lambda or myframework) and cannot be "
                              "set; pick another name" % (_where(path), name))
        if not isinstance(item, str):
            raise ConfigError("%s.%s must be a string (environment variables are strings); "
                              "write %s" % (_where(path), name, json.dumps(json.dumps(item))))
    return value


def _check_tags(value: Any, path: tuple[str, ...]) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ConfigError("%s must be an object of string tag names to string values"
                          % _where(path))
    return value


def _int_range(low: int, high: int, unit: str) -> Callable[[Any, tuple[str, ...]], int]:
    def check(value: Any, path: tuple[str, ...]) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ConfigError("%s must be a whole number of %s from %d to %d, got %s"
                              % (_where(path), unit, low, high, json.dumps(value)))
        return value
    return check


def _choice(*allowed: str) -> Callable[[Any, tuple[str, ...]], str]:
    def check(value: Any, path: tuple[str, ...]) -> str:
        if value not in allowed:
            raise ConfigError("%s must be one of %s, got %s"
                              % (_where(path), ", ".join(allowed), json.dumps(value)))
        return str(value)
    return check


def _string(value: Any, path: tuple[str, ...]) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError("%s must be a non-empty string, got %s" % (_where(path),
                                                                     json.dumps(value)))
    return value


def _bool(value: Any, path: tuple[str, ...]) -> bool:
    if not isinstance(value, bool):
        raise ConfigError("%s must be true or false, got %s" % (_where(path), json.dumps(value)))
    return value


def _strings(value: Any, path: tuple[str, ...]) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError("%s must be a list of strings, got %s" % (_where(path),
                                                                     json.dumps(value)))
    return value


def _api_stage(value: Any, path: tuple[str, ...]) -> str:
    if not isinstance(value, str) or not _STAGE_NAME.fullmatch(value):
        raise ConfigError("%s must be an API Gateway stage name (1-128 letters, digits and _), "
                          "got %s" % (_where(path), json.dumps(value)))
    return value


def _policy_document(value: Any, path: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict) or not isinstance(value.get("Statement"), list):
        raise ConfigError("%s must be an IAM policy document with a \"Statement\" list"
                          % _where(path))
    return value


# Settings any function can have (top level, per stage, per function).
FUNCTION_SETTINGS: dict[str, Callable[[Any, tuple[str, ...]], Any]] = {
    "environment_variables": _check_env,
    "tags": _check_tags,
    "lambda_memory_size": _int_range(128, 10240, "MB"),
    "lambda_timeout": _int_range(1, 900, "seconds"),
    "lambda_ephemeral_storage": _int_range(512, 10240, "MB"),
    "reserved_concurrency": _int_range(0, 1000000, "executions"),
    "runtime": _choice("python3.10", "python3.11", "python3.12", "python3.13"),
    "architecture": _choice("x86_64", "arm64"),
    "layers": _strings,
    "subnet_ids": _strings,
    "security_group_ids": _strings,
    "manage_iam_role": _bool,
    "iam_role_arn": _string,
    "iam_policy_file": _string,
    "iam_policy_extra": _policy_document,
    "autogen_policy": _bool,
    "xray": _bool,
}
# Settings of a stage (and the top level) that are not per function.
STAGE_SETTINGS: dict[str, Callable[[Any, tuple[str, ...]], Any]] = {
    "api_gateway_stage": _api_stage,
    "api_gateway_endpoint_type": _choice("EDGE", "REGIONAL", "PRIVATE"),
    "automatic_layer": _bool,
    "include_paths": _strings,
    "minimum_compression_size": _int_range(0, 10485760, "bytes"),
}
TOP_SETTINGS = ("version", "app_name", "stages", "lambda_functions")
MERGED = ("environment_variables", "tags")


def _check_settings(data: Any, path: tuple[str, ...],
                    allowed: Mapping[str, Callable[[Any, tuple[str, ...]], Any]],
                    extra: tuple[str, ...] = ()) -> None:
    if not isinstance(data, dict):
        raise ConfigError("%s must be a JSON object, got %s" % (_where(path), json.dumps(data)))
    for key, value in data.items():
        check = allowed.get(key)
        if check is None:
            if key in extra:
                continue
            raise ConfigError("%s: unknown setting %r; allowed here: %s"
                              % (_where(path), key, ", ".join(sorted([*allowed, *extra]))))
        check(value, (*path, key))


def _check_functions(data: Any, path: tuple[str, ...]) -> None:
    if not isinstance(data, dict):
        raise ConfigError("%s must be an object of function name -> settings" % _where(path))
    for name, settings in data.items():
        if not _NAME.fullmatch(name):
            raise ConfigError("%s: %r is not a function name (letters, digits, - and _)"
                              % (_where(path), name))
        _check_settings(settings, (*path, name), FUNCTION_SETTINGS)


class ProjectConfig:
    """A validated ``config.json``. ``stage(name)`` gives the settings of one stage."""

    def __init__(self, data: dict[str, Any], path: pathlib.Path | None = None) -> None:
        self.path = path
        self.data = data
        try:
            self._validate()
        except ConfigError as exc:
            raise ConfigError("%s: %s" % (path or "config", exc)) from None

    def _validate(self) -> None:
        data = self.data
        if not isinstance(data, dict):
            raise ConfigError("the file must hold a JSON object")
        _check_settings(data, (), {**FUNCTION_SETTINGS, **STAGE_SETTINGS}, TOP_SETTINGS)
        if "app_name" in data and (not isinstance(data["app_name"], str)
                                   or not _NAME.fullmatch(data["app_name"])):
            raise ConfigError("app_name must be 1-64 letters, digits, - and _ (it prefixes the "
                              "AWS resource names), got %s" % json.dumps(data["app_name"]))
        if "version" in data and not isinstance(data["version"], str):
            raise ConfigError("version must be a string such as \"1.0\"")
        _check_functions(data.get("lambda_functions", {}), ("lambda_functions",))
        stages = data.get("stages", {})
        if not isinstance(stages, dict):
            raise ConfigError("stages must be an object of stage name -> settings")
        for name, settings in stages.items():
            if not _STAGE_NAME.fullmatch(name):
                raise ConfigError("stages: %r is not a stage name (letters, digits and _)" % name)
            _check_settings(settings, ("stages", name), {**FUNCTION_SETTINGS, **STAGE_SETTINGS},
                            ("lambda_functions",))
            _check_functions(settings.get("lambda_functions", {}),
                             ("stages", name, "lambda_functions"))

    @property
    def app_name(self) -> str | None:
        name = self.data.get("app_name")
        return name if isinstance(name, str) else None

    @property
    def stage_names(self) -> list[str]:
        return list(self.data.get("stages", {}))

    def stage(self, name: str) -> StageConfig:
        """The settings of stage ``name``. A stage the file does not list is an
        error, unless the file lists no stages at all (then every stage gets the
        top-level settings)."""
        stages = self.data.get("stages", {})
        if stages and name not in stages:
            raise ConfigError("%s: no stage %r; the stages are %s (add it under \"stages\" or "
                              "pass --stage with one of those)"
                              % (self.path or "config", name, ", ".join(sorted(stages))))
        return StageConfig(name, self.data, stages.get(name, {}))


class StageConfig:
    """The settings of one stage, looked up per function."""

    def __init__(self, name: str, top: dict[str, Any], stage: dict[str, Any]) -> None:
        self.name = name
        self._top = top
        self._stage = stage

    def _levels(self, function: str | None) -> list[dict[str, Any]]:
        """The dicts to look in, least specific first."""
        levels = [self._top]
        if function is not None:
            levels.append(self._top.get("lambda_functions", {}).get(function, {}))
        levels.append(self._stage)
        if function is not None:
            levels.append(self._stage.get("lambda_functions", {}).get(function, {}))
        return levels

    def get(self, key: str, function: str | None = None, default: Any = None) -> Any:
        """The most specific value of ``key`` for ``function`` (or the stage)."""
        value = default
        for level in self._levels(function):
            if key in level:
                value = level[key]
        return value

    def per_function(self, *keys: str) -> set[str]:
        """Names of the functions that set any of ``keys`` themselves (at either level)."""
        names: set[str] = set()
        for functions in (self._top.get("lambda_functions", {}),
                          self._stage.get("lambda_functions", {})):
            names.update(name for name, settings in functions.items()
                         if any(key in settings for key in keys))
        return names

    def environment(self, function: str | None = None) -> dict[str, str]:
        """Environment variables for ``function``, merged from every level."""
        return self._merged("environment_variables", function)

    def tags(self, function: str | None = None) -> dict[str, str]:
        return self._merged("tags", function)

    def _merged(self, key: str, function: str | None) -> dict[str, str]:
        merged: dict[str, str] = {}
        for level in self._levels(function):
            merged.update(level.get(key, {}))
        return merged

    @property
    def api_gateway_stage(self) -> str:
        return str(self.get("api_gateway_stage", default=DEFAULT_API_GATEWAY_STAGE))

    def timeout(self, function: str | None = None) -> int:
        return int(self.get("lambda_timeout", function, DEFAULT_TIMEOUT))

    def memory_size(self, function: str | None = None) -> int:
        return int(self.get("lambda_memory_size", function, DEFAULT_MEMORY_SIZE))


def config_path(project_dir: str | os.PathLike[str]) -> pathlib.Path:
    return pathlib.Path(project_dir) / CONFIG_DIR / CONFIG_FILE


def load_config(project_dir: str | os.PathLike[str]) -> ProjectConfig:
    """Read and validate ``<project_dir>/.myframework/config.json``.

    A project without the file gets an empty configuration (every default).
    """
    path = config_path(project_dir)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ProjectConfig({}, path)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError("%s: cannot read it: %s" % (path, exc)) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError("%s: not valid JSON: %s at line %d, column %d"
                          % (path, exc.msg, exc.lineno, exc.colno)) from None
    return ProjectConfig(data, path)
