"""``myframework new-project``: create a working project from a template.

Standard library only. Each template is a folder under ``templates/`` whose
files end in ``.tmpl`` (so this repository's test, type and lint tools never
read them as code); ``templates/_common`` holds the files every template
gets, and a template's own file of the same name wins. A path part
``dot-x`` becomes ``.x`` (``dot-gitignore.tmpl`` is ``.gitignore``), and
``{{placeholder}}`` in a file is replaced by its value (see
:func:`render_project`).

The project is written into a hidden temporary folder beside the target and
renamed to it at the end, so a failure never leaves half a project behind.
"""
from __future__ import annotations

import errno
import os
import pathlib
import re
import secrets
import shutil

__all__ = [
    "DEFAULT_TEMPLATE",
    "TEMPLATES",
    "NewProjectError",
    "bucket_name",
    "check_name",
    "create_project",
    "has_requirements",
    "render_project",
]

TEMPLATES: tuple[str, ...] = ("rest-api", "events", "flask", "django")
DEFAULT_TEMPLATE = "rest-api"

TEMPLATE_DIR = pathlib.Path(__file__).resolve().parent / "templates"
_COMMON = "_common"
_SUFFIX = ".tmpl"
_DOT = "dot-"
# The config's app_name rule (myframework.config), checked with fullmatch: a
# trailing newline must not slip through as `$` would let it.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
_PLACEHOLDER = re.compile(r"\{\{([a-z_]+)\}\}")
# S3 reserves these bucket name prefixes and suffixes (see runtime/handlers.py).
_BUCKET_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_BUCKET_SUFFIX = "-uploads"


class NewProjectError(Exception):
    """The project cannot be created; the message says why and what to do."""


def check_name(name: str) -> None:
    """Raise :class:`NewProjectError` unless ``name`` can be a project (and app) name."""
    if _NAME.fullmatch(name):
        return
    rule = ("use 1-64 letters, digits, '-' and '_', starting with a letter or digit "
            "(it becomes the folder name and the app name, which prefixes the AWS resource "
            "names)")
    if not name:
        raise NewProjectError("the project name is empty; %s" % rule)
    if len(name) > 64:
        raise NewProjectError("the project name is %d characters long; %s" % (len(name), rule))
    if name.startswith("-"):
        raise NewProjectError("%r is not a valid project name (if you meant an option, see "
                              "`myframework new-project --help`); %s" % (name, rule))
    raise NewProjectError("%r is not a valid project name; %s" % (name, rule))


def bucket_name(name: str) -> str:
    """An S3 bucket name derived from the project name, for the events template's
    ``@app.on_s3_event`` (lower case, no ``_``, at most 63 characters)."""
    base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    base = base[:63 - len(_BUCKET_SUFFIX)].rstrip("-") or "my-app"
    if base.startswith(_BUCKET_RESERVED_PREFIXES):
        base = ("my-" + base)[:63 - len(_BUCKET_SUFFIX)].rstrip("-")
    return base + _BUCKET_SUFFIX


def _output_path(relative: pathlib.PurePosixPath) -> str:
    """``dot-myframework/config.json.tmpl`` -> ``.myframework/config.json``."""
    parts = list(relative.parts)
    parts[-1] = parts[-1][:-len(_SUFFIX)]
    return "/".join("." + part[len(_DOT):] if part.startswith(_DOT) else part
                    for part in parts)


def _template_files(template: str) -> dict[str, pathlib.Path]:
    """Output path (``/``-separated) -> template file, common files first."""
    files: dict[str, pathlib.Path] = {}
    for folder in (TEMPLATE_DIR / _COMMON, TEMPLATE_DIR / template):
        if not folder.is_dir():
            raise NewProjectError("the %s template is missing from this installation of "
                                  "myframework (%s); reinstall it" % (template, folder))
        for path in sorted(folder.rglob("*" + _SUFFIX)):
            if path.is_file():
                relative = pathlib.PurePosixPath(path.relative_to(folder).as_posix())
                files[_output_path(relative)] = path
    return files


def render_project(name: str, template: str = DEFAULT_TEMPLATE) -> dict[str, str]:
    """The files of a new project: path relative to the project folder (``/``-separated)
    -> text. Placeholders: ``{{app_name}}`` (the project name), ``{{bucket}}``
    (an S3 bucket name made from it)."""
    if template not in TEMPLATES:
        raise NewProjectError("unknown template %r; choose one of %s"
                              % (template, ", ".join(TEMPLATES)))
    check_name(name)
    values = {"app_name": name, "bucket": bucket_name(name)}

    def substitute(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            raise NewProjectError("the %s template uses an unknown placeholder {{%s}}; this is "
                                  "a bug in myframework" % (template, key))
        return values[key]

    return {path: _PLACEHOLDER.sub(substitute, source.read_text(encoding="utf-8"))
            for path, source in _template_files(template).items()}


def has_requirements(project: pathlib.Path) -> bool:
    """Whether the project's ``requirements.txt`` lists anything to install."""
    try:
        text = (project / "requirements.txt").read_text(encoding="utf-8")
    except FileNotFoundError:
        return False
    return any(line.strip() and not line.lstrip().startswith("#") for line in text.splitlines())


def _exists_error(target: pathlib.Path) -> NewProjectError:
    what = ("a symbolic link" if target.is_symlink() else "a folder" if target.is_dir()
            else "a file")
    return NewProjectError("%s already exists (%s); pick another name or remove it"
                           % (target, what))


def _make_temp_dir(parent: pathlib.Path, name: str) -> pathlib.Path:
    """A new, empty, hidden folder in ``parent`` (created with the usual
    permissions, unlike tempfile.mkdtemp's 0700)."""
    for _ in range(100):
        candidate = parent / (".%s.new-project-%s" % (name, secrets.token_hex(4)))
        try:
            candidate.mkdir()
        except FileExistsError:
            continue
        return candidate
    raise NewProjectError("cannot create a temporary folder in %s" % parent)


def create_project(name: str, parent: pathlib.Path,
                   template: str = DEFAULT_TEMPLATE) -> pathlib.Path:
    """Create the project ``parent/name`` from ``template`` and return its path.

    Raises :class:`NewProjectError` (nothing written) when the name or template
    is invalid, ``parent/name`` already exists (even an empty folder) or the
    files cannot be written.
    """
    files = render_project(name, template)
    parent = pathlib.Path(parent)
    if not parent.is_dir():
        raise NewProjectError("%s is not a folder; create the project somewhere else" % parent)
    target = parent / name
    if os.path.lexists(target):
        raise _exists_error(target)
    try:
        temp = _make_temp_dir(parent, name)
    except OSError as exc:
        raise NewProjectError("cannot create the project in %s: %s"
                              % (parent, exc.strerror or exc)) from None
    try:
        for relative, text in files.items():
            path = temp.joinpath(*relative.split("/"))
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
        # Checked again just before the rename: os.replace would quietly replace an
        # empty folder created in the meantime.
        if os.path.lexists(target):
            raise _exists_error(target)
        os.replace(temp, target)
    except NewProjectError:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    except OSError as exc:
        shutil.rmtree(temp, ignore_errors=True)
        if exc.errno in (errno.EEXIST, errno.ENOTEMPTY, errno.ENOTDIR) and os.path.lexists(
                target):
            raise _exists_error(target) from None
        raise NewProjectError("cannot create the project in %s: %s"
                              % (parent, exc.strerror or exc)) from None
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return target
