"""Building the deployment package: a reproducible zip of the app, the
framework's runtime and the dependencies built for the target Lambda runtime.

Dependencies come from ``requirements.txt``, installed by pip for the target
(``--platform manylinux... --python-version X.Y --only-binary=:all:``), never
for the machine that builds. A requirement with no wheel for the target is
built from its sdist when that gives a pure-Python wheel; otherwise the build
stops with an error naming it. The installed dependencies are cached in
``.myframework/cache/deps/<key>`` (the key covers the requirements, runtime and
architecture) as a ready zip, so a rebuild with nothing changed does no pip
work, and a code-only change only re-adds the project's files.

The same inputs always give the same bytes: entries are sorted (dependencies
first, then the runtime and the app), every timestamp is 1980-01-01 and every
mode 0644, so the zip's hash tells whether anything needs uploading.
"""
from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable

from .errors import PackagingError
from .sources import collect_app_files, runtime_files

RUNTIMES = {  # Lambda runtime -> (Python version, newest glibc of its Amazon Linux)
    "python3.10": ("3.10", 26), "python3.11": ("3.11", 26),
    "python3.12": ("3.12", 34), "python3.13": ("3.13", 34),
}
DEFAULT_RUNTIME = "python3.12"
ARCHITECTURES = {"x86_64": "x86_64", "arm64": "aarch64"}
DEFAULT_ARCHITECTURE = "x86_64"
ZIP_LIMIT = 50 * 1024 * 1024  # what Lambda takes in a request; bigger goes through S3
UNZIPPED_LIMIT = 250 * 1024 * 1024  # function + layers, unzipped
# Lambda provides these; packaged only when requirements.txt names them itself.
PROVIDED = ("boto3", "botocore", "s3transfer")
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_FILE_MODE = 0o100644 << 16
_CACHE_VERSION = "1"
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")

Log = Callable[[str], None]


@dataclasses.dataclass(frozen=True)
class Target:
    """The Lambda runtime and architecture the package is built for."""

    runtime: str = DEFAULT_RUNTIME
    architecture: str = DEFAULT_ARCHITECTURE

    def __post_init__(self) -> None:
        if self.runtime not in RUNTIMES:
            raise PackagingError("runtime %r is not supported; use one of %s"
                                 % (self.runtime, ", ".join(RUNTIMES)))
        if self.architecture not in ARCHITECTURES:
            raise PackagingError("architecture %r is not supported; use x86_64 or arm64"
                                 % self.architecture)

    @property
    def python_version(self) -> str:
        return RUNTIMES[self.runtime][0]

    def pip_options(self) -> list[str]:
        """pip options that pick wheels for this target only."""
        machine = ARCHITECTURES[self.architecture]
        newest = RUNTIMES[self.runtime][1]
        platforms = ["manylinux_2_%d_%s" % (minor, machine) for minor in range(newest, 16, -1)]
        platforms.append("manylinux2014_%s" % machine)
        if machine == "x86_64":
            platforms += ["manylinux_2_12_x86_64", "manylinux2010_x86_64",
                          "manylinux_2_5_x86_64", "manylinux1_x86_64"]
        options = []
        for platform in platforms:
            options += ["--platform", platform]
        abi = "cp" + self.python_version.replace(".", "")
        return [*options, "--implementation", "cp", "--python-version", self.python_version,
                "--abi", abi, "--abi", "abi3", "--abi", "none", "--only-binary=:all:"]

    def __str__(self) -> str:
        return "%s %s" % (self.runtime, self.architecture)


@dataclasses.dataclass
class PackageResult:
    """What a build produced."""

    zip_path: pathlib.Path
    sha256: str  # hex digest of the zip's bytes
    size: int  # zipped bytes
    unzipped: int
    contributors: list[tuple[str, int]]  # (top-level name, unzipped bytes), largest first
    layer_path: pathlib.Path | None = None
    layer_sha256: str | None = None
    dependencies_reused: bool = False
    pip_runs: int = 0
    notes: list[str] = dataclasses.field(default_factory=list)

    @property
    def code_sha256(self) -> str:
        """The zip's hash as Lambda reports it (``CodeSha256``: base64 of SHA-256)."""
        return base64.b64encode(bytes.fromhex(self.sha256)).decode("ascii")


# -- requirements ------------------------------------------------------------------------

def requirement_names(text: str) -> set[str]:
    """Normalised names of the distributions a requirements file names."""
    names = set()
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        match = _NAME.match(line)
        if match:
            names.add(re.sub(r"[-_.]+", "-", match.group(1)).lower())
    return names


_INDEX_OPTIONS = ("-i", "--index-url", "--extra-index-url", "-f", "--find-links", "--no-index",
                  "--trusted-host", "--pre", "--prefer-binary")
_FILE_OPTIONS = ("-r", "--requirement", "-c", "--constraint")


def _read(path: pathlib.Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    except (OSError, UnicodeDecodeError) as exc:
        raise PackagingError("cannot read %s: %s" % (path, exc)) from None


def _absolute(line: str, folder: pathlib.Path, key_parts: list[str]) -> str:
    """``line`` of a requirements file in ``folder`` with relative paths made absolute
    (pip runs elsewhere); the contents of files it refers to go into ``key_parts``."""
    stripped = line.strip()
    for option in _FILE_OPTIONS:
        if stripped.startswith(option + " ") or stripped.startswith(option + "="):
            target = stripped[len(option) + 1:].strip()
            path = (folder / target).resolve()
            text = _read(path)
            if not text and not path.exists():
                raise PackagingError("requirements.txt refers to %s, which does not exist"
                                     % path)
            key_parts.append(text)
            for inner in text.splitlines():  # nested files, for the cache key
                _absolute(inner, path.parent, key_parts)
            return "%s %s" % (option, path)
    if stripped.startswith((".", "/")) or (
            "/" in stripped and "://" not in stripped and not stripped.startswith("-")):
        return str((folder / stripped).resolve())  # a local path to a project or archive
    return line


def read_requirements(root: pathlib.Path) -> tuple[str, str]:
    """The requirements pip installs (relative paths made absolute; myframework itself
    left out: its runtime comes from this installation, and its CLI and deployer do not
    belong on Lambda), and the text their cache key covers (files they refer to
    included)."""
    text = _read(root / "requirements.txt")
    key_parts = [text]
    kept = [_absolute(line, root, key_parts) for line in text.splitlines()
            if requirement_names(line) != {"myframework"}]
    return "\n".join(kept) + "\n", "\0".join(key_parts)


def _installs_something(requirements: str) -> bool:
    for line in requirements.splitlines():
        line = line.split(" #", 1)[0].strip()
        if line and not line.startswith("#") and not line.startswith(_INDEX_OPTIONS):
            return True
    return False


def _index_options(requirements: str) -> list[str]:
    return [line.strip() for line in requirements.splitlines()
            if line.strip().startswith(_INDEX_OPTIONS)]


def dependency_key(requirements: str, target: Target) -> str:
    digest = hashlib.sha256()
    for part in (_CACHE_VERSION, target.runtime, target.architecture, requirements):
        digest.update(part.encode("utf-8") + b"\0")
    return digest.hexdigest()[:24]


# -- zips ----------------------------------------------------------------------------------

def _zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
    info.external_attr = _FILE_MODE
    info.create_system = 3
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def add_files(archive: zipfile.ZipFile, files: dict[str, pathlib.Path], prefix: str = "") -> None:
    """Add files sorted by archive name, with fixed times and modes."""
    for name in sorted(files):
        with open(files[name], "rb") as handle:
            archive.writestr(_zip_info(prefix + name), handle.read(), compresslevel=6)


def sha256_file(path: pathlib.Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _tree_files(folder: pathlib.Path) -> dict[str, pathlib.Path]:
    files = {}
    for current, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in names:
            if not name.endswith((".pyc", ".pyo")):
                path = pathlib.Path(current) / name
                files[path.relative_to(folder).as_posix()] = path
    return files


# -- dependencies ------------------------------------------------------------------------

class DependencyBuilder:
    """Installs requirements for a target into a cached folder and zips them once."""

    def __init__(self, cache_dir: pathlib.Path, log: Log, python: str = sys.executable) -> None:
        self.cache_dir = cache_dir
        self.log = log
        self.python = python
        self.pip_runs = 0

    def build(self, requirements: str, target: Target, key_text: str | None = None
              ) -> tuple[pathlib.Path, bool]:
        """The cached zip of the dependencies (entries at the zip root), and whether it
        was reused. ``key_text`` is what the cache key covers (default: the requirements)."""
        key = dependency_key(requirements if key_text is None else key_text, target)
        entry = self.cache_dir / "deps" / key
        done = entry / "deps.zip"
        if done.is_file() and (entry / "manifest.json").is_file():
            return done, True
        if entry.exists():
            shutil.rmtree(entry)
        entry.mkdir(parents=True)
        site = entry / "site"
        if _installs_something(requirements):
            self.log("Installing dependencies for %s (pip)..." % target)
            self._install(requirements, target, site, entry)
            self._drop_provided(site, requirement_names(requirements))
        else:
            site.mkdir()
        files = _tree_files(site)
        partial = entry / "deps.zip.partial"
        with zipfile.ZipFile(partial, "w") as archive:
            add_files(archive, {k: v for k, v in files.items() if not k.startswith("bin/")})
        (entry / "manifest.json").write_text(json.dumps(
            {"target": str(target), "requirements": requirements}, indent=1), encoding="utf-8")
        os.replace(partial, done)
        shutil.rmtree(site, ignore_errors=True)
        return done, False

    def _pip(self, *args: str) -> subprocess.CompletedProcess[str]:
        self.pip_runs += 1
        return subprocess.run([self.python, "-m", "pip", *args, "--disable-pip-version-check",
                               "--no-input"], capture_output=True, text=True, check=False)

    def _install(self, requirements: str, target: Target, site: pathlib.Path,
                 entry: pathlib.Path) -> None:
        req_file = entry / "requirements.txt"
        req_file.write_text(requirements, encoding="utf-8")
        wheels = entry / "built-wheels"
        built: set[str] = set()
        while True:
            result = self._pip("install", "--target", str(site), "--no-compile",
                               "--no-warn-conflicts", "--upgrade", *target.pip_options(),
                               "--find-links", str(wheels), "-r", str(req_file))
            if result.returncode == 0:
                return
            missing = re.search(r"No matching distribution found for ([^\s;]+)",
                                result.stderr)
            if missing is None:
                raise PackagingError("pip could not install the requirements for %s:\n%s"
                                     % (target, _pip_error(result.stderr)))
            requirement = missing.group(1)
            name = _NAME.match(requirement)
            if name is None or requirement in built:
                raise PackagingError(self._no_wheel(requirement, target, ""))
            built.add(requirement)
            self._build_pure_wheel(requirement, target, wheels, _index_options(requirements))

    def _build_pure_wheel(self, requirement: str, target: Target, wheels: pathlib.Path,
                          index_options: list[str]) -> None:
        """Build ``requirement`` from its sdist (from the same indexes the requirements
        name); only a pure-Python wheel will do."""
        self.log("No wheel of %s for %s; building it from source..." % (requirement, target))
        with tempfile.TemporaryDirectory() as scratch:
            spec = pathlib.Path(scratch) / "requirement.txt"
            spec.write_text("\n".join([*index_options, requirement]) + "\n", encoding="utf-8")
            out = pathlib.Path(scratch) / "wheels"
            result = self._pip("wheel", "--no-deps", "--no-binary", ":all:", "-w", str(out),
                               "-r", str(spec))
            if result.returncode != 0:
                raise PackagingError(self._no_wheel(requirement, target,
                                                    _pip_error(result.stderr)))
            made = sorted(out.glob("*.whl"))
            impure = [w.name for w in made if not w.name.endswith("-none-any.whl")]
            if impure or not made:
                raise PackagingError(self._no_wheel(
                    requirement, target, "its source builds a platform-specific wheel (%s)"
                    % ", ".join(impure) if impure else "pip built no wheel"))
            wheels.mkdir(exist_ok=True)
            for wheel in made:
                shutil.copy2(wheel, wheels / wheel.name)

    @staticmethod
    def _no_wheel(requirement: str, target: Target, why: str) -> str:
        return ("%s cannot be had for %s: pip finds no wheel for that runtime and "
                "architecture%s. Check the name and version are right; then vendor a copy "
                "built for Lambda into the project's vendor/ folder (and remove it from "
                "requirements.txt), pin a version that has such a wheel, or change the runtime "
                "or architecture in .myframework/config.json"
                % (requirement, target, " and " + why if why else ""))

    @staticmethod
    def _drop_provided(site: pathlib.Path, named: set[str]) -> None:
        """Leave out what Lambda provides, unless requirements.txt asked for any of it
        (then the whole family stays: boto3 pins its botocore and s3transfer)."""
        if named & set(PROVIDED):
            return
        for name in PROVIDED:
            for path in [site / name, *site.glob("%s-*.dist-info" % name)]:
                if path.is_dir():
                    shutil.rmtree(path)


def _pip_error(stderr: str) -> str:
    lines = [line for line in stderr.splitlines()
             if line.strip() and not line.startswith("WARNING:")]
    return "\n".join(lines[-12:])


# -- the package -----------------------------------------------------------------------------

def _contributors(paths: Iterable[zipfile.ZipInfo]) -> list[tuple[str, int]]:
    entries = []
    for info in paths:
        name = info.filename
        if name.startswith("python/"):  # a layer's entries: counted by distribution too
            name = name[len("python/"):]
        entries.append((name.split("/", 1)[0], info.file_size))
    distributions = {top.split("-", 1)[0] for top, _ in entries if top.endswith(".dist-info")}
    sizes: dict[str, int] = {}
    for top, size in entries:
        if top.endswith(".dist-info"):  # counted with its distribution
            top = top.split("-", 1)[0]
        elif top.endswith(".py") and top[:-3] in distributions:  # a one-module distribution
            top = top[:-3]
        sizes[top] = sizes.get(top, 0) + size
    return sorted(sizes.items(), key=lambda item: (-item[1], item[0]))


def build_package(root: pathlib.Path, out_dir: pathlib.Path, target: Target | None = None,
                  include_paths: Iterable[str] = (), automatic_layer: bool = False,
                  cache_dir: pathlib.Path | None = None, log: Log | None = None,
                  name: str | None = None, unzipped_limit: int = UNZIPPED_LIMIT,
                  zip_limit: int = ZIP_LIMIT) -> PackageResult:
    """Build ``<out_dir>/<name>.zip`` (and ``<name>-layer.zip`` with ``automatic_layer``)."""
    target = target or Target()
    log = log or (lambda message: None)
    cache_dir = cache_dir or root / ".myframework" / "cache"
    name = name or "deployment"
    out_dir.mkdir(parents=True, exist_ok=True)
    builder = DependencyBuilder(cache_dir, log)
    requirements, key_text = read_requirements(root)
    deps_zip, reused = builder.build(requirements, target, key_text)
    app_files = collect_app_files(root, list(include_paths))
    code_files = {**runtime_files(), **app_files}
    zip_path = out_dir / (name + ".zip")
    partial = out_dir / (name + ".zip.partial")
    layer_path: pathlib.Path | None = None
    try:
        if automatic_layer:
            layer_path = out_dir / (name + "-layer.zip")
            _layer_from(deps_zip, layer_path)
            with zipfile.ZipFile(partial, "w") as archive:
                add_files(archive, code_files)
        else:
            shutil.copyfile(deps_zip, partial)  # the dependencies' entries come first
            with zipfile.ZipFile(partial, "a") as archive:
                clashes = sorted(set(archive.namelist()) & set(code_files))
                if clashes:
                    raise PackagingError("the project's %s would overwrite the dependency "
                                         "file(s) of the same name in the package; rename them"
                                         % ", ".join(clashes[:5]))
                add_files(archive, code_files)
        os.replace(partial, zip_path)
    finally:
        partial.unlink(missing_ok=True)
    infos = zipfile.ZipFile(zip_path).infolist()
    if layer_path is not None:
        infos += zipfile.ZipFile(layer_path).infolist()
    unzipped = sum(info.file_size for info in infos)
    contributors = _contributors(infos)
    result = PackageResult(zip_path, sha256_file(zip_path), zip_path.stat().st_size, unzipped,
                           contributors, layer_path,
                           sha256_file(layer_path) if layer_path else None, reused,
                           builder.pip_runs)
    if unzipped > unzipped_limit:
        zip_path.unlink()
        if layer_path is not None:
            layer_path.unlink()
        raise PackagingError(
            "the package is %s unzipped, over Lambda's %s limit for a function and its "
            "layers; the largest parts: %s. Drop dependencies you do not need, or move big "
            "ones to a container image" % (_mb(unzipped), _mb(unzipped_limit),
                                          _top(contributors)))
    if result.size > zip_limit:
        result.notes.append("the zip is over %s, so deploy uploads it through S3 (its "
                            "deployment bucket)" % _mb(zip_limit))
    return result


def _layer_from(deps_zip: pathlib.Path, layer_path: pathlib.Path) -> None:
    """A Lambda layer zip: the same dependencies under ``python/``."""
    partial = layer_path.with_suffix(".zip.partial")
    with zipfile.ZipFile(deps_zip) as source, zipfile.ZipFile(partial, "w") as layer:
        for info in sorted(source.infolist(), key=lambda i: i.filename):
            layer.writestr(_zip_info("python/" + info.filename), source.read(info),
                           compresslevel=6)
    os.replace(partial, layer_path)


def _mb(size: int) -> str:
    return "%.1f MB" % (size / (1024 * 1024))


def _top(contributors: list[tuple[str, int]], count: int = 5) -> str:
    return ", ".join("%s %s" % (name, _mb(size)) for name, size in contributors[:count])


def describe(result: PackageResult) -> str:
    """The lines a build prints: where, how big, what is big."""
    lines = ["%s: %s zipped, %s unzipped%s (sha256 %s)" % (
        result.zip_path, _mb(result.size), _mb(result.unzipped),
        " with its layer" if result.layer_path is not None else "", result.sha256[:12])]
    if result.layer_path is not None:
        lines.append("%s: dependencies as a Lambda layer (%s)" % (
            result.layer_path, _mb(result.layer_path.stat().st_size)))
    lines.append("largest parts (unzipped): " + _top(result.contributors))
    if result.dependencies_reused:
        deps = "reused from the cache (no pip run)"
    elif result.pip_runs:
        deps = "built with %d pip run(s) and cached" % result.pip_runs
    else:
        deps = "none (requirements.txt lists nothing to install)"
    lines.append("dependencies: " + deps)
    lines.extend("note: " + note for note in result.notes)
    return "\n".join(lines)
