"""Finding a project and importing its ``app.py``: errors a user can act on
(file, line and caret for a syntax error; only the project's own frames for an
exception), and a fresh import each time (edits to helper modules are seen)."""
from __future__ import annotations

import os
import pathlib
import sys
import uuid
from collections.abc import Iterator

import pytest

import myframework
from myframework import App
from myframework.project import (
    APP_FILE,
    AppLoadError,
    ProjectError,
    find_project,
    load_app,
    project_modules,
)

FRAMEWORK_DIR = str(pathlib.Path(myframework.__file__).resolve().parent)


def _under(module: object, roots: list[str]) -> bool:
    paths = [getattr(module, "__file__", None) or "",
             *list(getattr(module, "__path__", None) or [])]
    return any(str(p).startswith(root) for p in paths for root in roots)


@pytest.fixture(autouse=True)
def clean_imports(tmp_path: pathlib.Path) -> Iterator[None]:
    """Forget every module imported from this test's projects, and their sys.path
    entries, so no project leaks into the next test."""
    saved_path = list(sys.path)
    before = set(sys.modules)
    yield
    roots = [str(tmp_path), str(tmp_path.resolve())]
    for name, module in list(sys.modules.items()):
        if name not in before and (name == "app" or _under(module, roots)):
            del sys.modules[name]
    sys.path[:] = saved_path


def token() -> str:
    return uuid.uuid4().hex[:10]


def make_project(root: pathlib.Path, files: dict[str, str]) -> pathlib.Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root.resolve()


def app_source(name: str, extra: str = "") -> str:
    return "from myframework import App\n%s\napp = App(%r)\n" % (extra, name)


def load_error(root: pathlib.Path) -> AppLoadError:
    with pytest.raises(AppLoadError) as caught:
        load_app(root)
    return caught.value


# -- find_project --------------------------------------------------------------------------

def test_find_project_returns_the_resolved_folder(tmp_path: pathlib.Path) -> None:
    make_project(tmp_path / "real", {APP_FILE: app_source("x")})
    (tmp_path / "link").symlink_to(tmp_path / "real")
    assert find_project(tmp_path / "link") == (tmp_path / "real").resolve()
    assert find_project(str(tmp_path / "real")) == (tmp_path / "real").resolve()


def test_find_project_defaults_to_the_current_folder(tmp_path: pathlib.Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    make_project(tmp_path, {APP_FILE: app_source("x")})
    monkeypatch.chdir(tmp_path)
    assert find_project() == tmp_path.resolve()
    assert find_project(None) == tmp_path.resolve()


@pytest.mark.parametrize("layout", [{}, {"lib/app.py": ""}, {"app.txt": ""}])
def test_a_folder_without_app_py_says_what_to_do(tmp_path: pathlib.Path,
                                                 layout: dict[str, str]) -> None:
    make_project(tmp_path, layout)
    with pytest.raises(ProjectError) as caught:
        find_project(tmp_path)
    message = str(caught.value)
    assert "no app.py in %s" % tmp_path.resolve() in message
    assert "--project-dir" in message
    assert "myframework new-project" in message


def test_a_folder_named_app_py_is_not_an_app(tmp_path: pathlib.Path) -> None:
    (tmp_path / APP_FILE).mkdir()
    with pytest.raises(ProjectError, match=r"no app\.py in"):
        find_project(tmp_path)


@pytest.mark.parametrize("kind", ["file", "missing"])
def test_a_project_dir_that_is_not_a_folder_is_refused(tmp_path: pathlib.Path,
                                                       kind: str) -> None:
    target = tmp_path / "app.py"
    if kind == "file":
        target.write_text(app_source("x"), encoding="utf-8")
    with pytest.raises(ProjectError) as caught:
        find_project(target)
    assert "%s is not a directory" % target.resolve() in str(caught.value)


def test_a_project_dir_that_is_not_a_folder_says_what_to_do(tmp_path: pathlib.Path) -> None:
    with pytest.raises(ProjectError) as caught:
        find_project(tmp_path / "missing")
    assert "--project-dir" in str(caught.value)
    assert "new-project" in str(caught.value)


# -- load_app: success and freshness ----------------------------------------------------------

def test_load_app_returns_the_app_and_puts_the_project_first_on_sys_path(
        tmp_path: pathlib.Path) -> None:
    name = "ok-" + token()
    root = make_project(tmp_path, {APP_FILE: app_source(name)})
    app = load_app(root)
    assert isinstance(app, App)
    assert app.app_name == name
    assert sys.path[0] == str(root)
    load_app(root)
    assert sys.path.count(str(root)) == 1


def test_load_app_takes_another_attribute_name(tmp_path: pathlib.Path) -> None:
    name = "attr-" + token()
    root = make_project(tmp_path, {APP_FILE: "from myframework import App\n"
                                              "service = App(%r)\n" % name})
    assert load_app(root, attribute="service").app_name == name


def test_a_reload_sees_edits_to_app_py_and_to_helper_modules(tmp_path: pathlib.Path) -> None:
    first, second = "first-" + token(), "second-edit-" + token()
    root = make_project(tmp_path, {
        APP_FILE: "from myframework import App\nfrom lib.names import NAME\napp = App(NAME)\n",
        "lib/__init__.py": "",
        "lib/names.py": "NAME = %r\n" % first,
    })
    assert load_app(root).app_name == first
    assert "lib.names" in project_modules(root)
    (root / "lib" / "names.py").write_text("NAME = %r\n" % second, encoding="utf-8")
    assert load_app(root).app_name == second
    third = "third-" + token()
    (root / APP_FILE).write_text(app_source(third), encoding="utf-8")
    assert load_app(root).app_name == third
    assert "lib.names" not in sys.modules  # app.py no longer imports it


def test_a_helper_module_without_init_py_is_reloaded_too(tmp_path: pathlib.Path) -> None:
    first, second = "ns-" + token(), "ns-edited-" + token()
    root = make_project(tmp_path, {
        APP_FILE: "from myframework import App\nfrom helpers.x import NAME\napp = App(NAME)\n",
        "helpers/x.py": "NAME = %r\n" % first,
    })
    assert load_app(root).app_name == first
    (root / "helpers" / "x.py").write_text("NAME = %r\n" % second, encoding="utf-8")
    assert load_app(root).app_name == second


def test_project_modules_skips_a_virtualenv_inside_the_project(tmp_path: pathlib.Path) -> None:
    site = tmp_path / ".venv" / "lib" / "python3.11" / "site-packages"
    name = "vendored_" + token()
    root = make_project(tmp_path, {
        APP_FILE: "from myframework import App\nimport %s\napp = App('venv')\n" % name,
        str(site.relative_to(tmp_path) / ("%s.py" % name)): "VALUE = 1\n",
    })
    sys.path.insert(0, str(site.resolve()))
    load_app(root)
    assert name in sys.modules
    assert "app" in project_modules(root)
    assert name not in project_modules(root)


def test_loading_a_second_project_gets_the_second_app(tmp_path: pathlib.Path) -> None:
    first, second = "one-" + token(), "two-" + token()
    root_a = make_project(tmp_path / "a", {APP_FILE: app_source(first)})
    root_b = make_project(tmp_path / "b", {APP_FILE: app_source(second)})
    assert load_app(root_a).app_name == first
    assert load_app(root_b).app_name == second


def test_a_same_size_edit_in_the_same_second_is_seen(tmp_path: pathlib.Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    first = "a-" + token()
    second = "b-" + first[2:][::-1]
    assert len(first) == len(second)
    root = make_project(tmp_path, {APP_FILE: app_source(first)})
    second_ns = 1_700_000_000 * 10**9
    os.utime(root / APP_FILE, ns=(second_ns + 100_000_000, second_ns + 100_000_000))
    assert load_app(root).app_name == first
    (root / APP_FILE).write_text(app_source(second), encoding="utf-8")
    os.utime(root / APP_FILE, ns=(second_ns + 600_000_000, second_ns + 600_000_000))
    assert load_app(root).app_name == second


# -- load_app: errors --------------------------------------------------------------------------

def test_a_syntax_error_shows_file_line_source_and_caret(tmp_path: pathlib.Path) -> None:
    root = make_project(tmp_path, {APP_FILE: "from myframework import App\n"
                                              "app = App(%r)\n"
                                              "def handler():\n"
                                              "    total = = 1\n" % token()})
    error = load_error(root)
    lines = str(error).splitlines()
    assert lines[0] == "app.py failed to import:"
    assert lines[1] == "app.py, line 4: invalid syntax"
    assert lines[2] == "    total = = 1"
    caret = lines[3]
    assert caret.strip() == "^"
    assert lines[2][caret.index("^")] == "="  # under the second '='
    assert caret.index("^") == lines[2].rindex("=")
    assert error.summary == "app.py, line 4: invalid syntax"
    assert "\n" not in error.summary
    assert "Traceback" not in str(error)
    assert isinstance(error.__cause__, SyntaxError)


def test_a_syntax_error_in_a_helper_names_the_helper(tmp_path: pathlib.Path) -> None:
    root = make_project(tmp_path, {
        APP_FILE: "from myframework import App\nimport lib.bad\napp = App('x')\n",
        "lib/__init__.py": "",
        "lib/bad.py": "VALUE = 1\nVALUE = (2,\n",
    })
    error = load_error(root)
    assert os.path.join("lib", "bad.py") + ", line 2: '(' was never closed" in str(error)
    assert "VALUE = (2," in str(error)
    assert error.summary.startswith(os.path.join("lib", "bad.py") + ", line 2")
    assert "\n" not in error.summary


def test_an_exception_at_import_shows_only_the_project_frames(tmp_path: pathlib.Path) -> None:
    root = make_project(tmp_path, {
        APP_FILE: "from myframework import App\n"
                  "from lib.settings import load\n"
                  "SETTINGS = load()\n"
                  "app = App('x')\n",
        "lib/__init__.py": "",
        "lib/settings.py": "def load():\n    raise RuntimeError('no TABLE_NAME set')\n",
    })
    error = load_error(root)
    message = str(error)
    assert message.startswith("app.py failed to import:\n")
    assert 'File "%s", line 3, in <module>' % (root / APP_FILE) in message
    assert "SETTINGS = load()" in message
    assert 'File "%s", line 2, in load' % (root / "lib" / "settings.py") in message
    assert message.rstrip().endswith("RuntimeError: no TABLE_NAME set")
    assert "importlib" not in message
    assert "<frozen" not in message
    assert FRAMEWORK_DIR not in message
    assert error.summary == "RuntimeError: no TABLE_NAME set"
    assert isinstance(error.__cause__, RuntimeError)


def test_a_missing_dependency_is_reported_in_one_line(tmp_path: pathlib.Path) -> None:
    missing = "no_such_package_" + token()
    root = make_project(tmp_path, {APP_FILE: app_source("x", "import %s" % missing)})
    error = load_error(root)
    assert error.summary == "ModuleNotFoundError: No module named %r" % missing
    assert "importlib" not in str(error)


def test_sys_exit_at_import_is_reported_not_obeyed(tmp_path: pathlib.Path) -> None:
    root = make_project(tmp_path, {APP_FILE: app_source("x", "import sys\nsys.exit(3)")})
    error = load_error(root)
    assert "SystemExit: 3" in error.summary


@pytest.mark.parametrize(("source", "found"), [
    ("from myframework import App\napplication = App('x')\n", "found nothing"),
    ("app = 42\n", "found int"),
    ("app = None\n", "found nothing"),
    ("from myframework import App\napp = App\n", "found type"),
])
def test_app_py_must_define_an_app(tmp_path: pathlib.Path, source: str, found: str) -> None:
    root = make_project(tmp_path, {APP_FILE: "# %s\n%s" % (token(), source)})
    error = load_error(root)
    message = str(error)
    assert "app.py must define `app = App(\"name\")`" in message
    assert "from myframework import App" in message
    assert message.endswith(found)
    assert "\n" not in error.summary
