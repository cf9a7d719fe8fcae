"""Finding a project and importing its app, with errors a user can act on.

Used by ``myframework local`` and ``invoke --local`` (and later by package and
deploy): a project is a folder with ``app.py`` defining ``app = App(...)``,
and an optional ``.myframework/config.json``.
"""
from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import importlib.machinery
import os
import pathlib
import sys
import traceback
import types
from collections.abc import Iterator, Mapping, Sequence

from .runtime.app import App

APP_FILE = "app.py"


class ProjectError(Exception):
    """The project cannot be used as it is; the message says why and what to do."""


class AppLoadError(ProjectError):
    """Importing ``app.py`` failed (syntax error, import error, exception at import).

    ``summary`` is one line saying what went wrong."""

    def __init__(self, message: str, summary: str = "") -> None:
        super().__init__(message)
        self.summary = summary or message.strip().splitlines()[-1]


def find_project(project_dir: str | os.PathLike[str] | None = None) -> pathlib.Path:
    """The project folder: ``project_dir`` or the current directory, holding ``app.py``."""
    root = pathlib.Path(project_dir if project_dir is not None else os.getcwd()).resolve()
    if not root.is_dir():
        raise ProjectError("%s is not a directory: pass --project-dir with your project's "
                           "folder, or create a project with `myframework new-project NAME`"
                           % root)
    if not (root / APP_FILE).is_file():
        raise ProjectError(
            "no %s in %s: run this in your project's folder, pass --project-dir, or create a "
            "project with `myframework new-project NAME`" % (APP_FILE, root))
    return root


def project_traceback(exc: BaseException, root: pathlib.Path) -> str:
    """The traceback, keeping only frames from the project's own files."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not f.filename.startswith("<frozen ")]
    inside = [f for f in frames
              if f.filename.startswith(str(root)) and "site-packages" not in f.filename]
    shown = traceback.format_list(inside)  # the framework's own frames are noise here
    return "".join(shown) + "".join(traceback.format_exception_only(type(exc), exc))


def describe_load_error(exc: BaseException, root: pathlib.Path) -> str:
    """A short, clear account of why importing the app failed."""
    if isinstance(exc, SyntaxError):
        where = exc.filename or APP_FILE
        try:
            where = str(pathlib.Path(where).relative_to(root))
        except ValueError:
            pass
        lines = ["%s, line %s: %s" % (where, exc.lineno, exc.msg)]
        if exc.text:
            text = exc.text.rstrip("\n")
            lines.append("    " + text.strip())
            if exc.offset:
                indent = len(text) - len(text.lstrip())
                lines.append("    " + " " * max(0, exc.offset - 1 - indent) + "^")
        return "\n".join(lines)
    return project_traceback(exc, root).rstrip("\n")


def project_modules(root: pathlib.Path) -> list[str]:
    """Names of the imported modules whose source lives in the project folder
    (not in a virtualenv inside it)."""
    prefix = str(root) + os.sep
    names = []
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None)
        if path and path.startswith(prefix) and "site-packages" not in path:
            names.append(name)
    return names


class _FreshSourceLoader(importlib.machinery.SourceFileLoader):
    """Compiles the source every time: ``__pycache__`` is validated by whole-second
    mtime and size, so a same-size edit saved in the same second would otherwise
    load the old code."""

    def get_code(self, fullname: str) -> types.CodeType:
        path = self.get_filename(fullname)
        return self.source_to_code(self.get_data(path), path)


class _ProjectFinder(importlib.abc.MetaPathFinder):
    """Finds the project's own modules with :class:`_FreshSourceLoader`."""

    def __init__(self, root: pathlib.Path) -> None:
        self.prefix = str(root) + os.sep

    def find_spec(self, fullname: str, path: Sequence[str] | None,
                  target: types.ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        origin = spec.origin if spec is not None else None
        if (spec is None or origin is None or not origin.startswith(self.prefix)
                or not origin.endswith(".py") or "site-packages" in origin):
            return None  # not the project's: the usual finders (and their hooks) take it
        spec.loader = _FreshSourceLoader(fullname, origin)
        spec.cached = None
        return spec


@contextlib.contextmanager
def temporary_environment(values: Mapping[str, str]) -> Iterator[None]:
    """``os.environ`` with ``values`` set, restored afterwards."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def import_environment(stage_environment: Mapping[str, str]) -> dict[str, str]:
    """What importing the app outside Lambda needs, to build or describe it: the stage's
    environment variables (module-level ``os.environ["TABLE"]``), and a region for
    module-level boto3 clients when none is configured (they are made and dropped; the
    region is not used)."""
    values = dict(stage_environment)
    if not (os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")):
        values["AWS_DEFAULT_REGION"] = _configured_region() or "us-east-1"
    return values


def _configured_region() -> str | None:
    try:
        import botocore.session
    except ImportError:
        return None
    try:
        region = botocore.session.get_session().get_config_variable("region")
    except Exception:
        return None
    return str(region) if region else None


def load_app(root: pathlib.Path, module_name: str = "app", attribute: str = "app",
             environment: Mapping[str, str] | None = None) -> App:
    """Import ``root/app.py`` (fresh, with the project folder first on
    ``sys.path``) and return its ``app``. Raises :class:`AppLoadError`.
    ``environment`` is set in ``os.environ`` while it imports."""
    if environment is not None:
        with temporary_environment(environment):
            return load_app(root, module_name, attribute)
    path = str(root)
    if not sys.path or sys.path[0] != path:
        sys.path.insert(0, path)
    for name in project_modules(root):  # a reload must see edits to helper modules too
        del sys.modules[name]
    sys.modules.pop(module_name, None)  # e.g. another project's app.py, loaded before
    importlib.invalidate_caches()
    finder = _ProjectFinder(root)
    sys.meta_path.insert(0, finder)
    try:
        module = importlib.import_module(module_name)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # anything the import does (even sys.exit) is reported
        detail = describe_load_error(exc, root)
        summary = (detail.splitlines()[0] if isinstance(exc, SyntaxError)
                   else "".join(traceback.format_exception_only(type(exc), exc)).strip())
        raise AppLoadError("%s failed to import:\n%s" % (APP_FILE, detail), summary) from exc
    finally:
        sys.meta_path.remove(finder)
    app = getattr(module, attribute, None)
    if not isinstance(app, App):
        raise AppLoadError("%s must define `%s = App(\"name\")` (from myframework import App); "
                           "found %s" % (APP_FILE, attribute,
                                         "nothing" if app is None else type(app).__name__))
    return app
