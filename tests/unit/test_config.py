"""``.myframework/config.json``: reading, validation (every error names the file,
the key path and what is allowed) and the per-function > per-stage > top-level
lookup, with environment variables and tags merged across the levels."""
from __future__ import annotations

import json
import pathlib
import re
from typing import Any

import pytest

from myframework.config import (
    DEFAULT_API_GATEWAY_STAGE,
    DEFAULT_MEMORY_SIZE,
    DEFAULT_TIMEOUT,
    ConfigError,
    ProjectConfig,
    StageConfig,
    config_path,
    load_config,
)


def write_config(root: pathlib.Path, data: Any) -> pathlib.Path:
    path = root / ".myframework" / "config.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=2),
                    encoding="utf-8")
    return path


def config_error(tmp_path: pathlib.Path, data: Any) -> str:
    """The message of the error reading ``data`` as a project's config file."""
    path = write_config(tmp_path, data)
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    message = str(caught.value)
    assert str(path) in message, message  # every error names the file
    return message


def at(level: str, settings: dict[str, Any]) -> dict[str, Any]:
    """A config holding ``settings`` at ``level``: top, top-function, stage or function."""
    if level == "top":
        return settings
    if level == "top-function":
        return {"lambda_functions": {"worker": settings}}
    if level == "stage":
        return {"stages": {"dev": settings}}
    return {"stages": {"dev": {"lambda_functions": {"worker": settings}}}}


KEY_PREFIX = {"top": "", "top-function": "lambda_functions.worker.", "stage": "stages.dev.",
              "function": "stages.dev.lambda_functions.worker."}
LEVELS = list(KEY_PREFIX)


# -- reading the file -----------------------------------------------------------------------

def test_a_project_without_a_config_file_gets_every_default(tmp_path: pathlib.Path) -> None:
    config = load_config(tmp_path)
    assert config.path == config_path(tmp_path)
    assert config.data == {}
    assert config.app_name is None
    assert config.stage_names == []
    stage = config.stage("dev")
    assert stage.name == "dev"
    assert stage.environment() == {}
    assert stage.environment("worker") == {}
    assert stage.tags("worker") == {}
    assert stage.timeout() == DEFAULT_TIMEOUT == 60
    assert stage.memory_size("worker") == DEFAULT_MEMORY_SIZE == 128
    assert stage.api_gateway_stage == DEFAULT_API_GATEWAY_STAGE == "api"
    assert stage.get("runtime", "worker", "fallback") == "fallback"


def test_config_path_is_the_dot_folder_file(tmp_path: pathlib.Path) -> None:
    assert config_path(tmp_path) == tmp_path / ".myframework" / "config.json"
    assert config_path(str(tmp_path)) == tmp_path / ".myframework" / "config.json"


def test_a_valid_file_is_read(tmp_path: pathlib.Path) -> None:
    write_config(tmp_path, {"version": "1.0", "app_name": "pets", "lambda_timeout": 30,
                            "stages": {"dev": {}, "prod": {"lambda_memory_size": 1024}}})
    config = load_config(str(tmp_path))
    assert config.app_name == "pets"
    assert config.stage_names == ["dev", "prod"]
    assert config.stage("prod").memory_size() == 1024
    assert config.stage("dev").timeout() == 30


def test_invalid_json_names_the_file_line_and_column(tmp_path: pathlib.Path) -> None:
    text = '{\n  "app_name": "pets",\n  "stages": {"dev": {}}\n  "oops": 1\n}\n'
    message = config_error(tmp_path, text)
    assert "not valid JSON" in message
    assert "line 4, column 3" in message
    assert "delimiter" in message  # json's own description of the problem


def test_an_empty_file_is_invalid_json_at_line_1(tmp_path: pathlib.Path) -> None:
    message = config_error(tmp_path, "")
    assert "not valid JSON" in message
    assert "line 1, column 1" in message


def test_a_file_that_is_not_utf8_cannot_be_read(tmp_path: pathlib.Path) -> None:
    path = write_config(tmp_path, "{}")
    path.write_bytes(b'{"app_name": "caf\xe9"}')
    with pytest.raises(ConfigError, match="cannot read it") as caught:
        load_config(tmp_path)
    assert str(path) in str(caught.value)


def test_a_folder_in_place_of_the_file_cannot_be_read(tmp_path: pathlib.Path) -> None:
    (tmp_path / ".myframework" / "config.json").mkdir(parents=True)
    with pytest.raises(ConfigError, match="cannot read it"):
        load_config(tmp_path)


@pytest.mark.parametrize("data", ["[]", '"text"', "3", "null"])
def test_the_file_must_hold_an_object(tmp_path: pathlib.Path, data: str) -> None:
    assert "must hold a JSON object" in config_error(tmp_path, data)


def test_an_error_without_a_file_says_config(tmp_path: pathlib.Path) -> None:
    with pytest.raises(ConfigError, match=r"^config: .*lambda_timeout"):
        ProjectConfig({"lambda_timeout": 0})


# -- unknown keys ----------------------------------------------------------------------------

@pytest.mark.parametrize(("data", "where", "key", "allowed", "not_allowed"), [
    ({"lamda_timeout": 5}, "the top level", "lamda_timeout",
     ["lambda_timeout", "stages", "lambda_functions", "app_name", "api_gateway_stage"], []),
    ({"stages": {"dev": {"enviroment_variables": {}}}}, "stages.dev", "enviroment_variables",
     ["environment_variables", "lambda_functions", "api_gateway_stage"], ["stages", "app_name"]),
    ({"stages": {"dev": {"lambda_functions": {"worker": {"api_gateway_stage": "v1"}}}}},
     "stages.dev.lambda_functions.worker", "api_gateway_stage",
     ["lambda_memory_size", "lambda_timeout", "environment_variables"],
     ["api_gateway_stage", "lambda_functions", "stages"]),
    ({"lambda_functions": {"worker": {"memory": 512}}}, "lambda_functions.worker", "memory",
     ["lambda_memory_size", "tags"], ["stages", "api_gateway_stage"]),
])
def test_an_unknown_key_names_its_path_and_lists_the_allowed_keys(
        tmp_path: pathlib.Path, data: dict[str, Any], where: str, key: str,
        allowed: list[str], not_allowed: list[str]) -> None:
    message = config_error(tmp_path, data)
    assert "%s: unknown setting %r" % (where, key) in message
    listed = message.split("allowed here: ", 1)[1].split(", ")
    assert listed == sorted(listed)
    for name in allowed:
        assert name in listed
    for name in not_allowed:
        assert name not in listed


# -- typed settings ----------------------------------------------------------------------------

BAD_VALUES = [
    ("lambda_memory_size", 127, "from 128 to 10240"),
    ("lambda_memory_size", 10241, "from 128 to 10240"),
    ("lambda_memory_size", "512", "whole number of MB"),
    ("lambda_memory_size", 512.0, "whole number of MB"),
    ("lambda_memory_size", True, "whole number of MB"),
    ("lambda_timeout", 0, "from 1 to 900"),
    ("lambda_timeout", 901, "from 1 to 900"),
    ("lambda_ephemeral_storage", 511, "from 512 to 10240"),
    ("reserved_concurrency", -1, "from 0 to"),
    ("runtime", "python3.9", "python3.10, python3.11, python3.12, python3.13"),
    ("runtime", 3.12, "one of"),
    ("architecture", "x86", "x86_64, arm64"),
    ("architecture", "ARM64", "x86_64, arm64"),
    ("xray", "true", "true or false"),
    ("manage_iam_role", "true", "true or false"),
    ("autogen_policy", 1, "true or false"),
    ("layers", "arn:aws:lambda:us-east-1:1:layer:x:1", "list of strings"),
    ("subnet_ids", ["subnet-1", 2], "list of strings"),
    ("security_group_ids", [""], "list of strings"),
    ("iam_role_arn", "", "non-empty string"),
    ("iam_policy_file", 7, "non-empty string"),
    ("iam_policy_extra", {"Version": "2012-10-17"}, "Statement"),
    ("tags", {"team": 5}, "string tag names to string values"),
    ("tags", ["team"], "string tag names to string values"),
    ("environment_variables", ["A=1"], "NAME"),
]


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize(("key", "value", "expected"), BAD_VALUES)
def test_a_wrong_type_or_range_names_the_key_path(
        tmp_path: pathlib.Path, level: str, key: str, value: Any, expected: str) -> None:
    message = config_error(tmp_path, at(level, {key: value}))
    assert KEY_PREFIX[level] + key in message
    assert expected in message
    if key not in ("tags", "iam_policy_extra", "environment_variables"):
        assert json.dumps(value) in message  # what was given


@pytest.mark.parametrize(("key", "value"), [
    ("lambda_memory_size", 128), ("lambda_memory_size", 10240), ("lambda_timeout", 1),
    ("lambda_timeout", 900), ("runtime", "python3.13"), ("architecture", "arm64"),
    ("xray", True), ("manage_iam_role", False), ("layers", []), ("reserved_concurrency", 0),
    ("iam_policy_extra", {"Version": "2012-10-17", "Statement": []}),
])
@pytest.mark.parametrize("level", LEVELS)
def test_values_at_the_limits_are_accepted(tmp_path: pathlib.Path, level: str, key: str,
                                           value: Any) -> None:
    write_config(tmp_path, at(level, {key: value}))
    assert load_config(tmp_path).stage("dev").get(key, "worker") == value


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("api_gateway_stage", "v-1", "API Gateway stage name"),
    ("api_gateway_endpoint_type", "regional", "EDGE, REGIONAL, PRIVATE"),
    ("automatic_layer", "yes", "true or false"),
    ("minimum_compression_size", -1, "from 0 to 10485760"),
])
@pytest.mark.parametrize("level", ["top", "stage"])
def test_stage_settings_are_checked_too(tmp_path: pathlib.Path, level: str, key: str,
                                        value: Any, expected: str) -> None:
    message = config_error(tmp_path, at(level, {key: value}))
    assert KEY_PREFIX[level] + key in message
    assert expected in message


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("value", [5, 1.5, True, None, {"a": "b"}])
def test_an_environment_value_must_be_a_string(tmp_path: pathlib.Path, level: str,
                                               value: Any) -> None:
    message = config_error(tmp_path, at(level, {"environment_variables": {"LIMIT": value}}))
    assert KEY_PREFIX[level] + "environment_variables.LIMIT must be a string" in message
    assert "write %s" % json.dumps(json.dumps(value)) in message  # the fix, quoted


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("name", ["AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_LAMBDA_FUNCTION_NAME",
                                  "LAMBDA_TASK_ROOT", "AWS_SESSION_TOKEN"])
def test_a_name_reserved_by_lambda_is_refused(tmp_path: pathlib.Path, level: str,
                                              name: str) -> None:
    message = config_error(tmp_path, at(level, {"environment_variables": {name: "x"}}))
    assert (KEY_PREFIX[level] + "environment_variables: %s is reserved "
            "(set by Lambda or myframework)" % name in message)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("name", ["1ST", "MY-VAR", "MY VAR", "_PRIVATE", "", "caf\u00e9"])
def test_a_bad_environment_name_is_refused(tmp_path: pathlib.Path, level: str,
                                           name: str) -> None:
    message = config_error(tmp_path, at(level, {"environment_variables": {name: "x"}}))
    assert KEY_PREFIX[level] + "environment_variables: %r is not a valid" % name in message
    assert "starting with a letter" in message


def test_a_one_letter_environment_name_is_refused(tmp_path: pathlib.Path) -> None:
    config_error(tmp_path, {"environment_variables": {"X": "x"}})


@pytest.mark.parametrize(("data", "expected"), [
    ({"environment_variables": {"NAME\n": "x"}}, "is not a valid environment variable name"),
    ({"stages": {"dev\n": {}}}, "is not a stage name"),
    ({"lambda_functions": {"worker\n": {}}}, "is not a function name"),
    ({"app_name": "pets\n"}, "app_name must be"),
    ({"api_gateway_stage": "api\n"}, "API Gateway stage name"),
])
def test_a_name_with_a_trailing_newline_is_refused(tmp_path: pathlib.Path,
                                                   data: dict[str, Any], expected: str) -> None:
    assert expected in config_error(tmp_path, data)


def test_valid_environment_names_are_accepted(tmp_path: pathlib.Path) -> None:
    env = {"LOG_LEVEL": "debug", "a1": "", "Table_Name_2": "pets"}
    write_config(tmp_path, {"environment_variables": env})
    assert load_config(tmp_path).stage("dev").environment() == env


@pytest.mark.parametrize(("data", "expected"), [
    ({"app_name": "my app"}, "app_name must be 1-64 letters"),
    ({"app_name": "a" * 65}, "app_name must be 1-64 letters"),
    ({"app_name": 5}, "app_name must be 1-64 letters"),
    ({"version": 1.0}, "version must be a string"),
    ({"stages": ["dev"]}, "stages must be an object"),
    ({"stages": {"dev-1": {}}}, "'dev-1' is not a stage name"),
    ({"stages": {"dev": []}}, "stages.dev must be a JSON object"),
    ({"stages": {"dev": {"lambda_functions": []}}},
     "stages.dev.lambda_functions must be an object"),
    ({"lambda_functions": {"bad name": {}}}, "lambda_functions: 'bad name' is not a function"),
    ({"lambda_functions": {"worker": 5}}, "lambda_functions.worker must be a JSON object"),
    ({"stages": {"dev": {"lambda_functions": {"-x": {}}}}},
     "stages.dev.lambda_functions: '-x' is not a function name"),
])
def test_structure_errors_name_the_key(tmp_path: pathlib.Path, data: dict[str, Any],
                                       expected: str) -> None:
    assert expected in config_error(tmp_path, data)


def test_lambda_functions_under_a_stage_are_not_allowed_inside_a_function(
        tmp_path: pathlib.Path) -> None:
    inner: dict[str, Any] = {"lambda_functions": {}}
    data = {"stages": {"dev": {"lambda_functions": {"worker": inner}}}}
    assert ("stages.dev.lambda_functions.worker: unknown setting 'lambda_functions'"
            in config_error(tmp_path, data))


# -- lookup order ------------------------------------------------------------------------------

LAYERED = {
    "lambda_timeout": 10,
    "lambda_memory_size": 256,
    "runtime": "python3.10",
    "lambda_functions": {"worker": {"lambda_timeout": 20, "runtime": "python3.11"},
                         "other": {"lambda_memory_size": 512}},
    "stages": {
        "dev": {"lambda_timeout": 30,
                "lambda_functions": {"worker": {"lambda_timeout": 40,
                                                "lambda_memory_size": 1024}}},
        "prod": {"architecture": "arm64"},
    },
}


@pytest.fixture
def layered(tmp_path: pathlib.Path) -> ProjectConfig:
    write_config(tmp_path, LAYERED)
    return load_config(tmp_path)


def test_the_function_of_the_stage_wins(layered: ProjectConfig) -> None:
    dev = layered.stage("dev")
    assert dev.timeout("worker") == 40
    assert dev.memory_size("worker") == 1024


def test_the_stage_wins_over_the_top_level_and_its_functions(layered: ProjectConfig) -> None:
    dev = layered.stage("dev")
    assert dev.timeout() == 30
    assert dev.timeout("other") == 30
    assert dev.timeout("unknown") == 30


def test_a_top_level_function_wins_over_the_top_level(layered: ProjectConfig) -> None:
    prod = layered.stage("prod")
    assert prod.timeout("worker") == 20
    assert prod.memory_size("other") == 512
    assert prod.memory_size("worker") == 256
    assert prod.timeout() == 10
    assert prod.get("runtime", "worker") == "python3.11"
    assert prod.get("runtime", "other") == "python3.10"
    assert layered.stage("dev").get("runtime", "worker") == "python3.11"


def test_a_stage_only_setting_is_seen_by_its_functions(layered: ProjectConfig) -> None:
    assert layered.stage("prod").get("architecture", "worker") == "arm64"
    assert layered.stage("dev").get("architecture", "worker", "x86_64") == "x86_64"


def test_api_gateway_stage_comes_from_the_stage_then_the_top(tmp_path: pathlib.Path) -> None:
    write_config(tmp_path, {"api_gateway_stage": "v1",
                            "stages": {"dev": {}, "prod": {"api_gateway_stage": "live"}}})
    config = load_config(tmp_path)
    assert config.stage("dev").api_gateway_stage == "v1"
    assert config.stage("prod").api_gateway_stage == "live"


MERGED = {
    "environment_variables": {"AA": "top", "BB": "top", "CC": "top", "DD": "top"},
    "tags": {"team": "top", "cost": "top"},
    "lambda_functions": {"worker": {"environment_variables": {"BB": "top-fn", "CC": "top-fn",
                                                             "EE": "top-fn"},
                                    "tags": {"cost": "top-fn"}}},
    "stages": {
        "dev": {"environment_variables": {"CC": "stage", "DD": "stage"},
                "tags": {"env": "dev"},
                "lambda_functions": {"worker": {"environment_variables": {"DD": "fn",
                                                                         "FF": "fn"},
                                                "tags": {"team": "fn"}}}},
        "prod": {},
    },
}


def test_environment_variables_merge_across_levels_most_specific_first(
        tmp_path: pathlib.Path) -> None:
    write_config(tmp_path, MERGED)
    config = load_config(tmp_path)
    dev = config.stage("dev")
    assert dev.environment("worker") == {"AA": "top", "BB": "top-fn", "CC": "stage", "DD": "fn",
                                         "EE": "top-fn", "FF": "fn"}
    assert dev.environment("other") == {"AA": "top", "BB": "top", "CC": "stage", "DD": "stage"}
    assert dev.environment() == dev.environment("other")
    assert config.stage("prod").environment("worker") == {"AA": "top", "BB": "top-fn",
                                                          "CC": "top-fn", "DD": "top",
                                                          "EE": "top-fn"}


def test_tags_merge_across_levels(tmp_path: pathlib.Path) -> None:
    write_config(tmp_path, MERGED)
    config = load_config(tmp_path)
    assert config.stage("dev").tags("worker") == {"team": "fn", "cost": "top-fn", "env": "dev"}
    assert config.stage("dev").tags() == {"team": "top", "cost": "top", "env": "dev"}
    assert config.stage("prod").tags("worker") == {"team": "top", "cost": "top-fn"}


def test_merging_does_not_change_the_config(tmp_path: pathlib.Path) -> None:
    write_config(tmp_path, MERGED)
    config = load_config(tmp_path)
    env = config.stage("dev").environment("worker")
    env["AA"] = "changed"
    assert config.stage("dev").environment("worker")["AA"] == "top"
    assert config.data["environment_variables"]["AA"] == "top"


# -- stages ------------------------------------------------------------------------------------

def test_an_unknown_stage_lists_the_stages(tmp_path: pathlib.Path) -> None:
    path = write_config(tmp_path, {"stages": {"prod": {}, "dev": {}, "qa": {}}})
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path).stage("nope")
    message = str(caught.value)
    assert str(path) in message
    assert "no stage 'nope'" in message
    assert "the stages are dev, prod, qa" in message
    assert "--stage" in message


def test_a_config_without_stages_accepts_any_stage(tmp_path: pathlib.Path) -> None:
    write_config(tmp_path, {"lambda_timeout": 90, "environment_variables": {"LEVEL": "top"}})
    config = load_config(tmp_path)
    for name in ("dev", "prod", "anything_else"):
        stage = config.stage(name)
        assert isinstance(stage, StageConfig)
        assert stage.name == name
        assert stage.timeout("worker") == 90
        assert stage.environment() == {"LEVEL": "top"}


def test_an_empty_stages_object_accepts_any_stage(tmp_path: pathlib.Path) -> None:
    write_config(tmp_path, {"stages": {}})
    assert load_config(tmp_path).stage("whatever").name == "whatever"


def test_stage_names_keep_the_file_order(tmp_path: pathlib.Path) -> None:
    write_config(tmp_path, '{"stages": {"prod": {}, "dev": {}}}')
    assert load_config(tmp_path).stage_names == ["prod", "dev"]


def test_a_chalice_style_config_is_accepted(tmp_path: pathlib.Path) -> None:
    write_config(tmp_path, {
        "version": "2.0", "app_name": "petstore",
        "environment_variables": {"LOG_LEVEL": "info"},
        "stages": {"dev": {"api_gateway_stage": "api", "autogen_policy": True,
                           "environment_variables": {"TABLE": "pets-dev"},
                           "lambda_functions": {"cleanup": {"lambda_timeout": 300}}}},
    })
    dev = load_config(tmp_path).stage("dev")
    assert dev.timeout("cleanup") == 300
    assert dev.environment("cleanup") == {"LOG_LEVEL": "info", "TABLE": "pets-dev"}
    assert re.fullmatch(r"[a-z]+", dev.api_gateway_stage)


def test_myframework_variable_names_are_reserved(tmp_path: pathlib.Path) -> None:
    write_config(tmp_path, {"environment_variables": {"MYFRAMEWORK_HANDLER": "x"}})
    with pytest.raises(ConfigError, match="MYFRAMEWORK_HANDLER is reserved"):
        load_config(tmp_path)
