"""``myframework new-project``: every template makes a project whose own tests pass,
and a bad name or an existing folder is refused without writing anything."""
from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

from myframework import App
from myframework.config import load_config
from myframework.newproject import (
    TEMPLATE_DIR,
    TEMPLATES,
    NewProjectError,
    bucket_name,
    create_project,
    render_project,
)

COMMON_FILES = {".gitignore", ".myframework/config.json", "app.py", "requirements.txt",
                "tests/__init__.py", "tests/test_app.py"}
TEMPLATE_FILES = {
    "rest-api": set(),
    "events": set(),
    "flask": {"web.py"},
    "django": {"manage.py", "site_app/__init__.py", "site_app/settings.py", "site_app/urls.py",
               "site_app/views.py", "site_app/wsgi.py"},
}
REQUIREMENTS = {"rest-api": [], "events": [], "flask": ["flask>=3.0"], "django": ["django>=4.2"]}
GITIGNORE_LINES = [".myframework/deployed/*.lock", ".myframework/deployed/*.partial",
                   ".myframework/cache/", ".myframework/build/",
                   "__pycache__/", "*.pyc", ".venv/", "venv/", ".env", ".env.*", "dist/", "*.zip",
                   ".pytest_cache/"]
NAME_RULE = "1-64 letters, digits, '-' and '_'"


def child_env() -> dict[str, str]:
    """The environment of the commands run here, without what would leak this
    test run's settings into them."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    for name in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "DJANGO_SETTINGS_MODULE", "STAGE"):
        env.pop(name, None)
    return env


def new_project(cwd: pathlib.Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "myframework.cli", "new-project", *args],
                          cwd=cwd, env=child_env(), capture_output=True, text=True, timeout=60,
                          check=False)


def files_in(folder: pathlib.Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def snapshot(folder: pathlib.Path) -> dict[str, bytes | None]:
    """Every path under ``folder`` with its content (None for folders)."""
    return {p.relative_to(folder).as_posix(): (p.read_bytes() if p.is_file() else None)
            for p in sorted(folder.rglob("*"))}


def assert_refused(proc: subprocess.CompletedProcess[str], *phrases: str) -> None:
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert proc.stdout == ""
    assert proc.stderr.startswith("Error: ")
    assert proc.stderr.count("\n") == 1, proc.stderr  # one line, no traceback
    for phrase in phrases:
        assert phrase in proc.stderr


@pytest.mark.parametrize("template", TEMPLATES)
def test_each_template_makes_a_project_whose_own_tests_pass(
        tmp_path: pathlib.Path, template: str) -> None:
    name = "Shop_" + template  # upper case, '_' and '-': the S3 bucket name must be derived
    proc = new_project(tmp_path, name, "--template", template)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert os.listdir(tmp_path) == [name]  # no temporary folder left behind
    project = tmp_path / name

    assert files_in(project) == COMMON_FILES | TEMPLATE_FILES[template]
    for path in files_in(project):
        assert "{{" not in (project / path).read_text(encoding="utf-8"), path

    # What was created, and the next steps.
    assert "from the %s template" % template in proc.stdout
    assert "%s/app.py" % name in proc.stdout
    steps = proc.stdout.split("Next steps:")[1]
    assert "cd %s\n" % name in steps
    assert ("python -m pip install -r requirements.txt" in steps) == bool(REQUIREMENTS[template])
    assert "myframework local" in steps
    assert "python -m pytest" in steps

    assert 'app = App("%s")' % name in (project / "app.py").read_text(encoding="utf-8")
    requirements = (project / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert [line for line in requirements if line and not line.startswith("#")] == (
        REQUIREMENTS[template])
    assert requirements  # at least a comment line
    assert (project / "tests" / "__init__.py").read_text(encoding="utf-8") == ""
    gitignore = (project / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert [line for line in GITIGNORE_LINES if line not in gitignore] == []
    # The deployed state is kept: deploy and delete find a stage's resources through it.
    assert ".myframework/deployed/" not in gitignore

    config = load_config(project)
    assert config.app_name == name
    assert config.stage_names == ["dev", "prod"]
    for stage in ("dev", "prod"):
        settings = config.stage(stage)
        assert settings.api_gateway_stage == "api"
        assert settings.environment()["STAGE"] == stage
    if template == "events":
        assert config.stage("dev").timeout("hourly_cleanup") == 300
        assert config.stage("dev").timeout() == 60
        assert config.stage("prod").memory_size("on_upload") == 512
        assert bucket_name(name) in (project / "app.py").read_text(encoding="utf-8")

    # The project's own tests, run as its user would, with the project as pytest's rootdir.
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                         cwd=project, env=child_env(), capture_output=True, text=True,
                         timeout=120, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert " passed" in run.stdout
    assert "failed" not in run.stdout
    assert "error" not in run.stdout
    assert not list(project.rglob("__pycache__"))


@pytest.mark.parametrize("kind", ["empty folder", "folder", "file", "dangling symlink"])
def test_an_existing_name_is_refused_and_left_alone(tmp_path: pathlib.Path, kind: str) -> None:
    target = tmp_path / "taken"
    if kind == "empty folder":
        target.mkdir()
    elif kind == "folder":
        target.mkdir()
        (target / "app.py").write_text("# mine\n", encoding="utf-8")
    elif kind == "file":
        target.write_text("notes\n", encoding="utf-8")
    else:
        target.symlink_to(tmp_path / "nowhere")
    before = snapshot(tmp_path)
    proc = new_project(tmp_path, "taken")
    assert_refused(proc, "taken already exists", "pick another name or remove it")
    assert snapshot(tmp_path) == before
    assert os.path.lexists(target)


@pytest.mark.parametrize("name", ["", "a b", "../x", "-x", "a" * 65, "x/y", ".hidden", "x\n"])
def test_an_invalid_name_is_refused(tmp_path: pathlib.Path, name: str) -> None:
    cwd = tmp_path / "work"
    cwd.mkdir()
    proc = new_project(cwd, name)
    assert_refused(proc, NAME_RULE)
    assert snapshot(tmp_path) == {"work": None}


def test_a_name_that_looks_like_an_option_gets_a_hint(tmp_path: pathlib.Path) -> None:
    proc = new_project(tmp_path, "--tempalte=events")
    assert_refused(proc, "if you meant an option, see `myframework new-project --help`")
    assert os.listdir(tmp_path) == []


def test_an_unknown_template_is_a_usage_error(tmp_path: pathlib.Path) -> None:
    proc = new_project(tmp_path, "shop", "--template", "rails")
    assert proc.returncode == 2
    assert "Invalid value for '--template'" in proc.stderr
    assert "rest-api" in proc.stderr
    assert os.listdir(tmp_path) == []


def test_the_default_template_is_rest_api(tmp_path: pathlib.Path) -> None:
    project = create_project("shop", tmp_path)
    assert project == tmp_path / "shop"
    assert files_in(project) == COMMON_FILES
    assert "/items/{item_id}" in (project / "app.py").read_text(encoding="utf-8")


def test_the_api_refuses_an_unknown_template_and_a_missing_parent(
        tmp_path: pathlib.Path) -> None:
    with pytest.raises(NewProjectError, match="unknown template 'rails'; choose one of "
                                              "rest-api, events, flask, django"):
        create_project("shop", tmp_path, "rails")
    with pytest.raises(NewProjectError, match="is not a folder"):
        create_project("shop", tmp_path / "missing")
    assert os.listdir(tmp_path) == []


def test_a_failure_while_writing_leaves_nothing(
        tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(NewProjectError, match=r"cannot create the project in .*: No space left"):
        create_project("shop", tmp_path, "django")
    assert os.listdir(tmp_path) == []


def test_a_folder_created_meanwhile_is_not_replaced(
        tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_replace = os.replace

    def someone_else_first(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        pathlib.Path(dst).mkdir()
        pathlib.Path(dst, "theirs.txt").write_text("theirs", encoding="utf-8")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", someone_else_first)
    with pytest.raises(NewProjectError, match="already exists"):
        create_project("shop", tmp_path)
    assert snapshot(tmp_path) == {"shop": None, "shop/theirs.txt": b"theirs"}


@pytest.mark.parametrize("name", ["a", "Shop_events", "x" * 64, "xn--punycode", "a__b--c", "9"])
def test_the_events_bucket_is_a_valid_s3_bucket_name(name: str) -> None:
    bucket = bucket_name(name)
    assert len(bucket) <= 63
    app = App("check")
    app.on_s3_event(bucket=bucket, name="check")(print)  # RegistrationError if invalid
    assert '"%s"' % bucket in render_project(name, "events")["app.py"]


def test_every_template_file_ships_as_tmpl() -> None:
    # setup.py's package_data takes *.tmpl files only: anything else would be left out
    # of the wheel, and so missing from the projects it creates.
    stray = [p.relative_to(TEMPLATE_DIR).as_posix() for p in TEMPLATE_DIR.rglob("*")
             if p.is_file() and not p.name.endswith(".tmpl") and "__pycache__" not in p.parts]
    assert stray == []
    assert {p.name for p in TEMPLATE_DIR.iterdir() if p.is_dir()} == {"_common", *TEMPLATES}
