"""The record of what a stage has on AWS (myframework.deploy.state): written the
moment a resource exists, replaced atomically, refused when damaged or when it
belongs to another app, and the lock that keeps two commands off one stage."""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
from typing import Any

import pytest

from myframework.deploy.aws import DeployError
from myframework.deploy.state import FORMAT, DeployState, state_path

FUNCTION_RECORD: dict[str, Any] = {
    "kind": "function", "label": "function shop-dev",
    "identity": {"FunctionName": "shop-dev",
                 "FunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:shop-dev"},
    "config": {"MemorySize": 128}}


def write_state(root: pathlib.Path, data: Any, stage: str = "dev") -> pathlib.Path:
    path = state_path(root, stage)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


# -- recording ------------------------------------------------------------------------------

def test_nothing_recorded_is_an_empty_state_without_a_file(tmp_path: pathlib.Path) -> None:
    state = DeployState.load(tmp_path, "shop", "dev")
    assert state.resources == {}
    assert not state.exists
    assert state.path == tmp_path / ".myframework" / "deployed" / "dev.json"


def test_record_is_written_at_once(tmp_path: pathlib.Path) -> None:
    state = DeployState.load(tmp_path, "shop", "dev")

    state.record("function:api_handler", FUNCTION_RECORD)

    # another command (or the next deploy, after a crash) sees it without any further call
    again = DeployState.load(tmp_path, "shop", "dev")
    assert again.get("function:api_handler") == FUNCTION_RECORD
    assert again.data["app"] == "shop"
    assert again.data["stage"] == "dev"
    assert again.data["format"] == FORMAT


def test_record_replaces_the_file_atomically(tmp_path: pathlib.Path) -> None:
    state = DeployState.load(tmp_path, "shop", "dev")
    state.record("function:api_handler", FUNCTION_RECORD)
    first = state.path.stat().st_ino

    state.record("role", {"kind": "role", "label": "IAM role shop-dev",
                          "identity": {"RoleName": "shop-dev"}, "config": None})

    # a new file renamed over the old one (never the old one truncated and rewritten)...
    assert state.path.stat().st_ino != first
    # ...and nothing half-written left next to it
    assert sorted(path.name for path in state.path.parent.iterdir()) == ["dev.json"]
    assert set(json.loads(state.path.read_text(encoding="utf-8"))["resources"]) == {
        "function:api_handler", "role"}


def test_forget_is_written_at_once(tmp_path: pathlib.Path) -> None:
    state = DeployState.load(tmp_path, "shop", "dev")
    state.record("function:api_handler", FUNCTION_RECORD)
    state.record("role", {"kind": "role", "label": "role", "identity": {}, "config": None})

    state.forget("function:api_handler")

    assert set(DeployState.load(tmp_path, "shop", "dev").resources) == {"role"}


def test_set_is_written_at_once(tmp_path: pathlib.Path) -> None:
    state = DeployState.load(tmp_path, "shop", "dev")
    state.set("region", "eu-west-1")
    assert DeployState.load(tmp_path, "shop", "dev").data["region"] == "eu-west-1"


# -- refusing a file that cannot be trusted ---------------------------------------------------

@pytest.mark.parametrize("text", [
    "{\"format\": 1, \"resources\": {\"role\": ",  # cut short
    "[]",
    "{\"format\": 1, \"app\": \"shop\"}",
    "{\"format\": 1, \"resources\": []}",
], ids=["truncated", "not-an-object", "no-resources", "resources-not-an-object"])
def test_damaged_file_is_an_error_naming_it(tmp_path: pathlib.Path, text: str) -> None:
    path = write_state(tmp_path, text)
    with pytest.raises(DeployError) as caught:
        DeployState.load(tmp_path, "shop", "dev")
    message = str(caught.value)
    assert str(path) in message
    assert "damaged" in message


def test_file_of_another_app_with_resources_is_an_error(tmp_path: pathlib.Path) -> None:
    path = write_state(tmp_path, {"format": 1, "app": "billing", "stage": "dev",
                                  "resources": {"function:api_handler": FUNCTION_RECORD}})
    with pytest.raises(DeployError) as caught:
        DeployState.load(tmp_path, "shop", "dev")
    message = str(caught.value)
    assert str(path) in message
    assert "'billing'" in message
    assert "'shop'" in message


def test_file_of_another_app_is_read_by_commands_that_do_not_know_the_app(
        tmp_path: pathlib.Path) -> None:
    """``delete``, ``logs`` and ``invoke`` load without an app name."""
    write_state(tmp_path, {"format": 1, "app": "billing", "stage": "dev",
                           "resources": {"function:api_handler": FUNCTION_RECORD}})
    state = DeployState.load(tmp_path, None, "dev")
    assert state.data["app"] == "billing"
    assert state.get("function:api_handler") == FUNCTION_RECORD


def test_file_of_a_newer_format_is_an_error(tmp_path: pathlib.Path) -> None:
    write_state(tmp_path, {"format": FORMAT + 1, "app": "shop", "resources": {}})
    with pytest.raises(DeployError, match="newer myframework"):
        DeployState.load(tmp_path, "shop", "dev")


def test_file_of_another_app_without_resources_is_taken_over(tmp_path: pathlib.Path) -> None:
    # left by a deploy of app "billing" that stopped before making anything (it had
    # already recorded the region), after which the app was renamed "shop"
    write_state(tmp_path, {"format": 1, "app": "billing", "stage": "dev",
                           "region": "us-east-1", "resources": {}})
    state = DeployState.load(tmp_path, "shop", "dev")
    state.record("function:api_handler", FUNCTION_RECORD)

    again = DeployState.load(tmp_path, "shop", "dev")  # the next deploy of "shop"
    assert again.data["app"] == "shop"


# -- the lock -------------------------------------------------------------------------------

def lock_path(tmp_path: pathlib.Path) -> pathlib.Path:
    return state_path(tmp_path, "dev").with_suffix(".lock")


def test_lock_is_held_during_the_block_and_removed_after(tmp_path: pathlib.Path) -> None:
    state = DeployState.load(tmp_path, "shop", "dev")
    with state.locked():
        assert lock_path(tmp_path).exists()
    assert not lock_path(tmp_path).exists()


def test_second_lock_while_the_first_is_held_is_an_error_naming_the_lock(
        tmp_path: pathlib.Path) -> None:
    first = DeployState.load(tmp_path, "shop", "dev")
    second = DeployState.load(tmp_path, "shop", "dev")
    with first.locked():
        with pytest.raises(DeployError) as caught, second.locked():
            pytest.fail("two commands changed stage dev at once")
        assert str(lock_path(tmp_path)) in str(caught.value)
        assert "stage dev" in str(caught.value)
        assert lock_path(tmp_path).exists()  # the refused command leaves the holder's lock
    assert not lock_path(tmp_path).exists()


def dead_pid() -> int:
    """The id of a process that has exited."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_stale_lock_of_a_dead_process_is_taken_over(tmp_path: pathlib.Path) -> None:
    lock = lock_path(tmp_path)
    lock.parent.mkdir(parents=True)
    lock.write_text(str(dead_pid()))
    state = DeployState.load(tmp_path, "shop", "dev")

    with state.locked():
        assert lock.read_text() == str(os.getpid())  # now ours
    assert not lock.exists()


def test_lock_is_removed_after_an_exception(tmp_path: pathlib.Path) -> None:
    state = DeployState.load(tmp_path, "shop", "dev")
    with pytest.raises(DeployError, match="create function failed"), state.locked():
        raise DeployError("create function failed")
    assert not lock_path(tmp_path).exists()
    with state.locked():  # and the stage can be locked again
        pass
