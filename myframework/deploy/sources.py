"""Which of the project's files go into the deployment package.

The package holds ``app.py`` and every module or package of the project that
it imports, directly or through other project modules (found by reading their
``import`` statements, and dotted strings such as Django's
``"site_app.settings"``), the contents of ``vendor/`` at the top level (as in
Chalice), and the paths the configuration lists in ``include_paths``. It
never holds version-control folders, caches, tests, the ``.myframework``
folder, virtualenvs, or secrets (``.env*``, keys, credentials) unless such a
path is listed in ``include_paths``.

The framework's own runtime (``myframework/__init__.py`` and
``myframework/runtime``) is added from the installed package; the CLI, local
server and deployer never are.
"""
from __future__ import annotations

import ast
import fnmatch
import os
import pathlib
import re

import myframework

from .errors import PackagingError

VENDOR_DIR = "vendor"
_SKIP_DIRS = frozenset(("__pycache__", ".git", ".hg", ".svn", ".myframework", ".venv", "venv",
                        "env", "node_modules", ".tox", ".nox", ".mypy_cache", ".pytest_cache",
                        ".ruff_cache", ".idea", ".vscode", "tests", "test", ".aws", ".ssh"))
_SECRET_PATTERNS = (".env", ".env.*", "*.pem", "*.key", "id_rsa*", "id_dsa*", "id_ecdsa*",
                    "id_ed25519*", "credentials", "credentials.*", "*.p12", "*.pfx",
                    ".netrc", ".pypirc", ".npmrc", "*.keystore", "*.jks")
_SKIP_FILES = ("*.pyc", "*.pyo", ".DS_Store", "test_*.py", "*_test.py", "conftest.py")
_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


def is_secret(name: str) -> bool:
    """Whether a file name looks like a secret (never packaged unless included explicitly)."""
    return any(fnmatch.fnmatch(name, pattern) for pattern in _SECRET_PATTERNS)


def _skipped_file(name: str) -> bool:
    return is_secret(name) or any(fnmatch.fnmatch(name, p) for p in _SKIP_FILES)


def _is_virtualenv(folder: pathlib.Path) -> bool:
    return (folder / "pyvenv.cfg").exists()


def walk_files(folder: pathlib.Path) -> list[pathlib.Path]:
    """The files under ``folder`` that may be packaged, sorted."""
    found: list[pathlib.Path] = []
    for current, dirs, files in os.walk(folder):
        here = pathlib.Path(current)
        dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith(".")
                         and not _is_virtualenv(here / d))
        found.extend(here / f for f in sorted(files) if not _skipped_file(f))
    return found


def _top_level_names(tree: ast.AST) -> set[str]:
    """Top-level module names a module imports, or names in dotted string constants."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and len(node.value) < 200 and _DOTTED.fullmatch(node.value)):
            # "site_app.settings", or a Django INSTALLED_APPS entry such as "polls"; only
            # names of the project's own modules are kept (see _project_module), and never
            # a folder that is skipped anyway ("tests") on the strength of a string alone
            first = node.value.split(".")[0]
            if first not in _SKIP_DIRS:
                names.add(first)
    return names


def _parse(path: pathlib.Path) -> ast.AST | None:
    try:
        return ast.parse(path.read_bytes(), filename=str(path))
    except (SyntaxError, ValueError, OSError):
        return None  # the verify step reports an app that does not import


def _project_module(root: pathlib.Path, name: str) -> pathlib.Path | None:
    """The file or package folder of top-level module ``name`` in the project, if any."""
    if name == VENDOR_DIR or name.startswith("."):
        return None
    package = root / name  # imported by name, so even "env" or "test" is the app's own
    if package.is_dir() and not _is_virtualenv(package) and (
            (package / "__init__.py").is_file() or any(package.glob("*.py"))):
        return package
    module = root / (name + ".py")
    return module if module.is_file() else None


def collect_app_files(root: pathlib.Path, include_paths: list[str] | tuple[str, ...] = ()
                      ) -> dict[str, pathlib.Path]:
    """Archive name -> file for the project's part of the package."""
    app_file = root / "app.py"
    if not app_file.is_file():
        raise PackagingError("no app.py in %s" % root)
    files: dict[str, pathlib.Path] = {"app.py": app_file}
    seen: set[str] = {"app"}
    queue = [app_file]
    while queue:
        tree = _parse(queue.pop())
        if tree is None:
            continue
        for name in sorted(_top_level_names(tree) - seen):
            seen.add(name)
            found = _project_module(root, name)
            if found is None:
                continue
            members = walk_files(found) if found.is_dir() else [found]
            for path in members:
                files[path.relative_to(root).as_posix()] = path
                if path.suffix == ".py":
                    queue.append(path)
    vendor = root / VENDOR_DIR
    if vendor.is_dir():
        for path in walk_files(vendor):
            files.setdefault(path.relative_to(vendor).as_posix(), path)
    for item in include_paths:
        files.update(_included(root, item))
    return files


def _included(root: pathlib.Path, item: str) -> dict[str, pathlib.Path]:
    """An ``include_paths`` entry: a file, folder or glob inside the project, taken as is
    (secrets included: the user asked for them by name)."""
    matches = sorted(root.glob(item)) if any(c in item for c in "*?[") else [root / item]
    found: dict[str, pathlib.Path] = {}
    for match in matches:
        try:
            match.resolve().relative_to(root.resolve())
        except ValueError:
            raise PackagingError("include_paths: %r is outside the project %s" % (item, root)
                                 ) from None
        if match.is_dir():
            for current, dirs, names in os.walk(match):
                dirs[:] = sorted(d for d in dirs if d != "__pycache__")
                for name in sorted(names):
                    if not name.endswith((".pyc", ".pyo")):
                        path = pathlib.Path(current) / name
                        found[path.relative_to(root).as_posix()] = path
        elif match.is_file():
            found[match.relative_to(root).as_posix()] = match
    if not found:
        raise PackagingError("include_paths: %r matches nothing in %s" % (item, root))
    return found


def runtime_files() -> dict[str, pathlib.Path]:
    """Archive name -> file for the framework's Lambda runtime (stdlib only)."""
    package = pathlib.Path(myframework.__file__).resolve().parent
    files = {"myframework/__init__.py": package / "__init__.py"}
    for path in sorted((package / "runtime").rglob("*.py")):
        if "__pycache__" not in path.parts:
            files["myframework/" + path.relative_to(package).as_posix()] = path
    return files
