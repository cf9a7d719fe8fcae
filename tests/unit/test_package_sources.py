"""Which project files go into the deployment package (``myframework.deploy.sources``).

Offline and without pip: only the file selection is checked here. The package
must hold ``app.py`` and what it imports from the project, the contents of
``vendor/`` at the top level, and the ``include_paths``; it must never hold
version-control folders, caches, tests, virtualenvs or secrets, and of the
framework only its runtime.
"""
from __future__ import annotations

import pathlib

import pytest

import myframework
from myframework.deploy.errors import PackagingError
from myframework.deploy.sources import collect_app_files, is_secret, runtime_files


def write(root: pathlib.Path, relative: str, text: str = "") -> pathlib.Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def names(root: pathlib.Path, include_paths: tuple[str, ...] = ()) -> set[str]:
    files = collect_app_files(root, include_paths)
    for name, path in files.items():  # every name points at the file it was found as
        assert path.is_file(), name
    return set(files)


APP_HEADER = "from myframework import App\napp = App('shop')\n"


def test_app_and_the_project_modules_it_imports_directly_and_transitively(
        tmp_path: pathlib.Path) -> None:
    write(tmp_path, "app.py", APP_HEADER + (
        "import os\nimport json, requests\n"  # stdlib and third-party names: ignored
        "import helpers\n"  # a module, importing another module
        "from services import billing\n"  # a package, importing through relative imports
        "import models.user\n"  # `import a.b`
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site_app.settings')\n"
        "def later():\n    import lazy_mod\n"))  # an import inside a function
    write(tmp_path, "helpers.py", "import utils\n")
    write(tmp_path, "utils.py", "X = 1\n")
    write(tmp_path, "services/__init__.py", "from . import billing\n")
    write(tmp_path, "services/billing.py", "from .tax import rate\nfrom .. import x\n")
    write(tmp_path, "services/tax.py", "import deep.inner\nrate = 0.2\n")
    write(tmp_path, "services/data/rates.json", "{}")  # data files of an imported package
    write(tmp_path, "services/templates/mail.txt", "hello")
    write(tmp_path, "deep/__init__.py")
    write(tmp_path, "deep/inner.py", "from pricing import table\n")  # imported three steps away
    write(tmp_path, "pricing.py", "table = {}\n")
    write(tmp_path, "models/__init__.py")
    write(tmp_path, "models/user.py")
    write(tmp_path, "site_app/__init__.py")  # named only in a dotted string
    write(tmp_path, "site_app/settings.py", "ROOT_URLCONF = 'site_app.urls'\n")
    write(tmp_path, "site_app/urls.py")
    write(tmp_path, "lazy_mod.py")
    # Not imported by anything: left out.
    write(tmp_path, "unused.py", "import also_unused\n")
    write(tmp_path, "also_unused.py")
    write(tmp_path, "unused_pkg/__init__.py")
    write(tmp_path, "scripts/migrate.py", "import helpers\n")
    write(tmp_path, "notes.txt", "todo")
    write(tmp_path, "README.md", "# shop")
    write(tmp_path, "requirements.txt", "requests\n")
    write(tmp_path, "manage.py", "import site_app\n")

    assert names(tmp_path) == {
        "app.py", "helpers.py", "utils.py", "lazy_mod.py", "pricing.py",
        "services/__init__.py", "services/billing.py", "services/tax.py",
        "services/data/rates.json", "services/templates/mail.txt",
        "deep/__init__.py", "deep/inner.py",
        "models/__init__.py", "models/user.py",
        "site_app/__init__.py", "site_app/settings.py", "site_app/urls.py",
    }


def test_a_namespace_package_without_init_is_included(tmp_path: pathlib.Path) -> None:
    write(tmp_path, "app.py", APP_HEADER + "from jobs.nightly import run\n")
    write(tmp_path, "jobs/nightly.py", "def run(): pass\n")
    write(tmp_path, "jobs/query.sql", "select 1")
    assert names(tmp_path) == {"app.py", "jobs/nightly.py", "jobs/query.sql"}


def test_an_app_that_does_not_parse_is_still_packaged(tmp_path: pathlib.Path) -> None:
    # The verify step reports it; the selection must not crash on it.
    write(tmp_path, "app.py", "import helpers\ndef broken(:\n")
    write(tmp_path, "helpers.py")
    assert names(tmp_path) == {"app.py"}


def test_without_app_py_nothing_is_packaged(tmp_path: pathlib.Path) -> None:
    write(tmp_path, "main.py")
    with pytest.raises(PackagingError, match=r"no app\.py in"):
        collect_app_files(tmp_path)


def test_vendor_contents_land_at_the_zip_root(tmp_path: pathlib.Path) -> None:
    write(tmp_path, "app.py", APP_HEADER + "import vendlib, single\n")
    write(tmp_path, "vendor/vendlib/__init__.py", "VERSION = 1\n")
    write(tmp_path, "vendor/vendlib/_speedups.so", "\x7fELF")
    write(tmp_path, "vendor/vendlib/tests/test_vendlib.py")
    write(tmp_path, "vendor/vendlib/__pycache__/x.cpython-311.pyc")
    write(tmp_path, "vendor/single.py")
    write(tmp_path, "vendor/.env", "SECRET=1")
    write(tmp_path, "vendor/nested/deeper/data.bin", "x")
    assert names(tmp_path) == {"app.py", "vendlib/__init__.py", "vendlib/_speedups.so",
                               "single.py", "nested/deeper/data.bin"}


def test_importing_vendor_itself_does_not_package_the_folder_twice(
        tmp_path: pathlib.Path) -> None:
    write(tmp_path, "app.py", APP_HEADER + "import vendor\n")
    write(tmp_path, "vendor/__init__.py")
    write(tmp_path, "vendor/lib.py")
    assert names(tmp_path) == {"app.py", "__init__.py", "lib.py"}


NEVER_PACKAGED = [
    ".git/config", ".git/objects/ab/cdef", "__pycache__/mod.cpython-311.pyc", "stale.pyc",
    "tests/test_mod.py", "tests/data.json", "test/helpers.py", "test_mod.py", "mod_test.py",
    "conftest.py", ".myframework/config.json", ".myframework/cache/deps/x/deps.zip",
    ".env", ".env.local", ".env.production", "server.pem", "server.key", "id_rsa",
    "id_rsa.pub", "id_ed25519", ".aws/credentials", ".aws/config", ".ssh/known_hosts",
    "credentials", "credentials.json", "cert.p12", ".netrc", ".pypirc", ".DS_Store",
    "localvenv/pyvenv.cfg",
    "node_modules/x/index.js", ".mypy_cache/3.11/x.json", ".idea/workspace.xml",
]


@pytest.mark.parametrize("relative", NEVER_PACKAGED)
def test_caches_tests_virtualenvs_and_secrets_are_never_packaged(
        tmp_path: pathlib.Path, relative: str) -> None:
    write(tmp_path, "app.py", APP_HEADER + "import mylib\n")
    write(tmp_path, "mylib/__init__.py", "from . import core\n")
    write(tmp_path, "mylib/core.py")
    # Inside an imported package, inside vendor/, and at the project root.
    for where in ("mylib/", "vendor/", ""):
        write(tmp_path, where + relative, "secret or junk")
    assert names(tmp_path) == {"app.py", "mylib/__init__.py", "mylib/core.py"}


def test_a_virtualenv_named_like_an_imported_package_is_not_packaged(
        tmp_path: pathlib.Path) -> None:
    write(tmp_path, "app.py", APP_HEADER + "import lambda_env\nimport mylib\n")
    write(tmp_path, "lambda_env/pyvenv.cfg", "home = /usr/bin\n")
    write(tmp_path, "lambda_env/__init__.py")
    write(tmp_path, "lambda_env/lib/python3.11/site-packages/requests/__init__.py")
    write(tmp_path, "mylib/__init__.py")
    write(tmp_path, "mylib/.venv/pyvenv.cfg")
    write(tmp_path, "mylib/sandbox/pyvenv.cfg")
    write(tmp_path, "mylib/sandbox/lib/python3.11/site-packages/x.py")
    assert names(tmp_path) == {"app.py", "mylib/__init__.py"}


def test_a_venv_like_folder_without_pyvenv_cfg_is_not_a_virtualenv(
        tmp_path: pathlib.Path) -> None:
    write(tmp_path, "app.py", APP_HEADER + "import mylib\n")
    write(tmp_path, "mylib/__init__.py")
    write(tmp_path, "mylib/sandbox/__init__.py")
    write(tmp_path, "mylib/sandbox/runner.py")
    assert names(tmp_path) == {"app.py", "mylib/__init__.py", "mylib/sandbox/__init__.py",
                               "mylib/sandbox/runner.py"}


def test_an_imported_package_named_env_is_packaged(tmp_path: pathlib.Path) -> None:
    write(tmp_path, "app.py", APP_HEADER + "import env\n")
    write(tmp_path, "env/__init__.py", "STAGE = 'dev'\n")
    assert names(tmp_path) == {"app.py", "env/__init__.py"}


def test_include_paths_add_files_folders_and_globs_even_secret_like(
        tmp_path: pathlib.Path) -> None:
    write(tmp_path, "app.py", APP_HEADER)
    write(tmp_path, ".env", "A=1")
    write(tmp_path, "certs/server.pem", "---")
    write(tmp_path, "certs/server.key", "---")
    write(tmp_path, "certs/__pycache__/x.pyc")
    write(tmp_path, "data/a.csv", "1")
    write(tmp_path, "data/b.csv", "2")
    write(tmp_path, "data/c.txt", "3")
    write(tmp_path, "templates/base.html", "<html>")
    write(tmp_path, "templates/mail/welcome.txt", "hi")
    write(tmp_path, "tests/fixture.json", "{}")
    assert names(tmp_path, (".env", "certs", "data/*.csv", "templates", "tests/fixture.json")) == {
        "app.py", ".env", "certs/server.pem", "certs/server.key", "data/a.csv", "data/b.csv",
        "templates/base.html", "templates/mail/welcome.txt", "tests/fixture.json"}


@pytest.mark.parametrize("entry", ["../outside.txt", "../outside*", "/etc/hostname"])
def test_include_paths_outside_the_project_are_refused(tmp_path: pathlib.Path,
                                                       entry: str) -> None:
    project = tmp_path / "project"
    write(project, "app.py", APP_HEADER)
    write(tmp_path, "outside.txt", "not mine")
    with pytest.raises(PackagingError) as caught:
        collect_app_files(project, [entry])
    assert repr(entry) in str(caught.value)
    assert "outside the project" in str(caught.value)


@pytest.mark.parametrize("entry", ["missing.txt", "data/*.csv", "empty"])
def test_include_paths_matching_nothing_are_refused(tmp_path: pathlib.Path,
                                                    entry: str) -> None:
    write(tmp_path, "app.py", APP_HEADER)
    write(tmp_path, "data/a.txt")
    (tmp_path / "empty").mkdir()
    with pytest.raises(PackagingError) as caught:
        collect_app_files(tmp_path, ["data/a.txt", entry])
    assert repr(entry) in str(caught.value)
    assert "matches nothing" in str(caught.value)


@pytest.mark.parametrize("name", [".env", ".env.local", "server.pem", "tls.key", "id_rsa",
                                  "id_ed25519.pub", "credentials", "credentials.json",
                                  ".netrc", "store.jks"])
def test_secret_like_names(name: str) -> None:
    assert is_secret(name)


@pytest.mark.parametrize("name", ["app.py", "environment.py", "keys.py", "env.py", "pem.txt",
                                  "README.md", "credentials_helper.py"])
def test_ordinary_names_are_not_secrets(name: str) -> None:
    assert not is_secret(name)


def test_runtime_files_are_exactly_the_framework_runtime() -> None:
    package = pathlib.Path(myframework.__file__).resolve().parent
    files = runtime_files()
    expected = {"myframework/__init__.py"} | {
        "myframework/runtime/" + path.name for path in (package / "runtime").glob("*.py")}
    assert set(files) == expected
    assert "myframework/runtime/__init__.py" in files
    assert "myframework/runtime/app.py" in files
    for name, path in files.items():
        assert path == package / name.split("/", 1)[1]
        assert path.is_file()
    for name in files:
        assert not name.startswith(("myframework/cli/", "myframework/local/",
                                    "myframework/deploy/", "myframework/newproject/"))
        assert name not in ("myframework/testing.py", "myframework/config.py",
                            "myframework/project.py", "myframework/__main__.py")
        assert not name.endswith(".pyc")
