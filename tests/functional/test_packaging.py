"""Building and verifying the deployment package, offline.

Dependencies come from tiny pure wheels built once per session into a local
folder, named in ``requirements.txt`` with ``--no-index --find-links``, so the
packager's real pip run (with its ``--platform``/``--only-binary=:all:``
options) works without the network. Every test gets its own dependency cache
unless the cache is what it tests.
"""
from __future__ import annotations

import base64
import hashlib
import io
import os
import pathlib
import platform
import shutil
import struct
import sys
import tarfile
import zipfile
from collections.abc import Iterable

import pytest

from myframework.deploy.errors import PackagingError
from myframework.deploy.packaging import (
    UNZIPPED_LIMIT,
    ZIP_LIMIT,
    PackageResult,
    Target,
    build_package,
    describe,
)
from myframework.deploy.sources import runtime_files
from myframework.deploy.verify import verify_package

FIXED_DATE = (1980, 1, 1, 0, 0, 0)
APP = "from myframework import App\n\napp = App('shop')\n"
ROUTE_APP = APP + "\n\n@app.route('/')\ndef index():\n    return {'ok': True}\n"


# -- wheels ---------------------------------------------------------------------------------

def build_wheel(folder: pathlib.Path, name: str, version: str, files: dict[str, str],
                requires: Iterable[str] = ()) -> pathlib.Path:
    """A pure ``py3-none-any`` wheel, written by hand (no setuptools, no network)."""
    info = "%s-%s.dist-info" % (name, version)
    metadata = "Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (name, version)
    metadata += "".join("Requires-Dist: %s\n" % requirement for requirement in requires)
    entries = {**files, info + "/METADATA": metadata,
               info + "/WHEEL": ("Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\n"
                                 "Tag: py3-none-any\n")}
    record = []
    for entry, text in entries.items():
        data = text.encode("utf-8")
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
        record.append("%s,sha256=%s,%d" % (entry, digest.decode("ascii"), len(data)))
    entries[info + "/RECORD"] = "\n".join([*record, info + "/RECORD,,"]) + "\n"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ("%s-%s-py3-none-any.whl" % (name, version))
    with zipfile.ZipFile(path, "w") as archive:
        for entry, text in entries.items():
            archive.writestr(entry, text)
    return path


def build_wheelhouse(folder: pathlib.Path) -> pathlib.Path:
    """The wheels the offline tests install. Lambda's own boto3 family is faked here."""
    build_wheel(folder, "tinypkg", "1.0", {"tinypkg/__init__.py": "VALUE = 41\n",
                                           "tinypkg/data.txt": "tiny data\n"})
    build_wheel(folder, "otherpkg", "2.0", {"otherpkg.py": "NAME = 'other'\n"})
    build_wheel(folder, "bigpkg", "1.0", {"bigpkg/__init__.py": "# big\n" + "x = 1\n" * 70000})
    build_wheel(folder, "needsboto", "1.0", {"needsboto/__init__.py": "import boto3\n"},
                requires=["boto3"])
    build_wheel(folder, "boto3", "1.0", {"boto3/__init__.py": "import botocore\n"},
                requires=["botocore", "s3transfer"])
    build_wheel(folder, "botocore", "1.0", {"botocore/__init__.py": ""})
    build_wheel(folder, "s3transfer", "1.0", {"s3transfer/__init__.py": ""})
    build_sdist(folder, "srconly")
    build_sdist(folder, "srcnative", "cp311-cp311-linux_x86_64")
    return folder


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    return build_wheelhouse(tmp_path_factory.mktemp("wheelhouse"))


SDIST_BACKEND = """
import base64, hashlib, os, zipfile
NAME, VERSION, TAG = %(name)r, "1.0", %(tag)r
def get_requires_for_build_wheel(config_settings=None):
    return []
def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    info = "%%s-%%s.dist-info" %% (NAME, VERSION)
    entries = {NAME + ".py": "BUILT_FROM_SOURCE = True\\n",
               info + "/METADATA": "Metadata-Version: 2.1\\nName: %%s\\nVersion: 1.0\\n" %% NAME,
               info + "/WHEEL": "Wheel-Version: 1.0\\nRoot-Is-Purelib: true\\nTag: %%s\\n" %% TAG}
    record = []
    for name, text in entries.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        record.append("%%s,sha256=%%s,%%d" %% (name, digest.decode(), len(text.encode())))
    entries[info + "/RECORD"] = "\\n".join(record + [info + "/RECORD,,"]) + "\\n"
    filename = "%%s-%%s-%%s.whl" %% (NAME, VERSION, TAG)
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w") as archive:
        for name, text in entries.items():
            archive.writestr(name, text)
    return filename
"""


def build_sdist(folder: pathlib.Path, name: str, tag: str = "py3-none-any") -> pathlib.Path:
    """An sdist (no wheel) whose in-tree build backend needs nothing from an index and
    makes a wheel tagged ``tag``: pure, or platform-specific."""
    files = {
        "PKG-INFO": "Metadata-Version: 2.1\nName: %s\nVersion: 1.0\n" % name,
        "pyproject.toml": ('[build-system]\nrequires = []\nbuild-backend = "backend"\n'
                           'backend-path = ["."]\n\n[project]\nname = "%s"\nversion = "1.0"\n'
                           % name),
        "backend.py": SDIST_BACKEND % {"name": name, "tag": tag},
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ("%s-1.0.tar.gz" % name)
    with tarfile.open(path, "w:gz") as archive:
        for relative, text in files.items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo("%s-1.0/%s" % (name, relative))
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def offline_requirements(wheelhouse: pathlib.Path, *names: str) -> str:
    return "--no-index\n--find-links %s\n%s" % (wheelhouse.resolve(),
                                                "".join(name + "\n" for name in names))


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """pip never reaches an index here, whatever a test's requirements say (the packager's
    pip runs inherit the environment)."""
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.delenv("PIP_FIND_LINKS", raising=False)
    monkeypatch.delenv("PIP_INDEX_URL", raising=False)
    monkeypatch.delenv("PIP_EXTRA_INDEX_URL", raising=False)


# -- helpers --------------------------------------------------------------------------------

def make_project(root: pathlib.Path, app: str = ROUTE_APP, requirements: str | None = None,
                 files: dict[str, str] | None = None) -> pathlib.Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "app.py").write_text(app, encoding="utf-8")
    if requirements is not None:
        (root / "requirements.txt").write_text(requirements, encoding="utf-8")
    for name, text in (files or {}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def build(root: pathlib.Path, tmp_path: pathlib.Path, tag: str = "a",
          cache: pathlib.Path | None = None, target: Target | None = None,
          automatic_layer: bool = False, unzipped_limit: int = UNZIPPED_LIMIT,
          zip_limit: int = ZIP_LIMIT) -> PackageResult:
    """``build_package`` into ``tmp_path/out-<tag>`` with the cache ``tmp_path/cache-<tag>``."""
    return build_package(root, tmp_path / ("out-" + tag), target or Target("python3.11"),
                         automatic_layer=automatic_layer,
                         cache_dir=cache or tmp_path / ("cache-" + tag),
                         unzipped_limit=unzipped_limit, zip_limit=zip_limit)


def namelist(path: pathlib.Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return archive.namelist()


def raw_entries(path: pathlib.Path) -> dict[str, tuple[int, int, int, int, bytes]]:
    """Entry name -> (offset, CRC, sizes, the stored compressed bytes), read from the file."""
    data = path.read_bytes()
    found = {}
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            start = info.header_offset
            name_length, extra_length = struct.unpack("<HH", data[start + 26:start + 30])
            body = start + 30 + name_length + extra_length
            found[info.filename] = (info.header_offset, info.CRC, info.compress_size,
                                    info.file_size, data[body:body + info.compress_size])
    return found


def code_part(names: list[str], app_files: set[str]) -> list[str]:
    """The entries from the first runtime or app file on (the dependencies come first)."""
    code = set(runtime_files()) | app_files
    first = min(i for i, name in enumerate(names) if name in code)
    return names[first:]


def this_target() -> Target:
    """The Lambda runtime of the running Python, on this machine's architecture."""
    runtime = "python%d.%d" % sys.version_info[:2]
    machine = platform.machine().lower()
    architecture = "arm64" if machine in ("aarch64", "arm64") else "x86_64"
    try:
        return Target(runtime, architecture)
    except PackagingError:
        pytest.skip("no Lambda runtime for Python %s" % runtime)


def other_architecture() -> Target:
    return Target("python3.11", "x86_64" if this_target().architecture == "arm64" else "arm64")


# -- reproducibility -----------------------------------------------------------------------

def test_the_same_inputs_give_byte_identical_zips(tmp_path: pathlib.Path,
                                                  wheelhouse: pathlib.Path) -> None:
    root = make_project(tmp_path / "shop", ROUTE_APP + "import tinypkg\nimport helpers\n",
                        offline_requirements(wheelhouse, "tinypkg"),
                        {"helpers.py": "X = 1\n", "vendor/vend.py": "V = 2\n"})
    first = build(root, tmp_path, "a")
    stamp = 2_000_000_000
    for path in root.rglob("*"):
        os.utime(path, (stamp, stamp))
    (root / "helpers.py").chmod(0o755)
    elsewhere = tmp_path / "elsewhere" / "shop"  # the same project, at another path
    shutil.copytree(root, elsewhere)
    # Fresh caches and out dirs: pip runs again.
    second = build(root, tmp_path, "b")
    third = build(elsewhere, tmp_path, "c")
    assert third.zip_path.read_bytes() == first.zip_path.read_bytes()
    assert first.pip_runs == second.pip_runs == 1
    assert not first.dependencies_reused
    assert not second.dependencies_reused
    assert first.zip_path != second.zip_path
    assert first.zip_path.read_bytes() == second.zip_path.read_bytes()
    assert first.sha256 == second.sha256 == hashlib.sha256(
        first.zip_path.read_bytes()).hexdigest()
    assert first.size == first.zip_path.stat().st_size
    assert "tinypkg/__init__.py" in namelist(first.zip_path)


def test_every_entry_has_a_fixed_date_and_mode_and_the_code_part_is_sorted(
        tmp_path: pathlib.Path, wheelhouse: pathlib.Path) -> None:
    root = make_project(tmp_path / "shop", ROUTE_APP + "import zeta, alpha\n",
                        offline_requirements(wheelhouse, "tinypkg", "otherpkg"),
                        {"zeta.py": "", "alpha/__init__.py": "", "alpha/b.py": "",
                         "vendor/mid.py": ""})
    result = build(root, tmp_path, automatic_layer=False)
    with zipfile.ZipFile(result.zip_path) as archive:
        infos = archive.infolist()
    assert infos
    for info in infos:
        assert info.date_time == FIXED_DATE, info.filename
        assert info.external_attr >> 16 == 0o100644, (info.filename, oct(info.external_attr))
        assert info.compress_type == zipfile.ZIP_DEFLATED
    names = [info.filename for info in infos]
    assert len(names) == len(set(names))
    app_files = {"app.py", "zeta.py", "alpha/__init__.py", "alpha/b.py", "mid.py"}
    code = code_part(names, app_files)
    assert code == sorted(code)
    assert set(code) == set(runtime_files()) | app_files
    dependencies = names[:len(names) - len(code)]  # first, as built (sorted too)
    assert dependencies == sorted(dependencies)
    assert {"tinypkg/__init__.py", "tinypkg/data.txt", "otherpkg.py"} <= set(dependencies)
    assert not [name for name in names if name.startswith("bin/") or name.endswith(".pyc")]


def test_a_rebuild_with_nothing_changed_runs_no_pip(tmp_path: pathlib.Path,
                                                    wheelhouse: pathlib.Path) -> None:
    root = make_project(tmp_path / "shop", requirements=offline_requirements(
        wheelhouse, "tinypkg"))
    cache = tmp_path / "cache"
    first = build(root, tmp_path, "a", cache=cache)
    assert (first.dependencies_reused, first.pip_runs) == (False, 1)
    assert "built with 1 pip run(s) and cached" in describe(first)
    second = build(root, tmp_path, "b", cache=cache)
    assert (second.dependencies_reused, second.pip_runs) == (True, 0)
    assert "reused from the cache (no pip run)" in describe(second)
    assert second.zip_path.read_bytes() == first.zip_path.read_bytes()


def test_a_code_only_change_keeps_the_dependency_entries_byte_identical(
        tmp_path: pathlib.Path, wheelhouse: pathlib.Path) -> None:
    root = make_project(tmp_path / "shop", requirements=offline_requirements(
        wheelhouse, "tinypkg", "otherpkg"))
    cache = tmp_path / "cache"
    first = build(root, tmp_path, "a", cache=cache)
    (root / "app.py").write_text(ROUTE_APP + "# a change\n", encoding="utf-8")
    second = build(root, tmp_path, "b", cache=cache)
    assert (second.dependencies_reused, second.pip_runs) == (True, 0)
    assert second.sha256 != first.sha256
    before, after = raw_entries(first.zip_path), raw_entries(second.zip_path)
    dependencies = [name for name in before if name.startswith(("tinypkg", "otherpkg"))]
    assert len(dependencies) >= 4
    for name in dependencies:
        assert after[name] == before[name], name  # same offset, CRC, sizes and bytes
    assert after["app.py"][1] != before["app.py"][1]
    with zipfile.ZipFile(second.zip_path) as archive:
        assert archive.read("app.py").endswith(b"# a change\n")


def test_a_requirements_change_rebuilds_the_dependencies(tmp_path: pathlib.Path,
                                                         wheelhouse: pathlib.Path) -> None:
    root = make_project(tmp_path / "shop", requirements=offline_requirements(
        wheelhouse, "tinypkg"))
    cache = tmp_path / "cache"
    first = build(root, tmp_path, "a", cache=cache)
    assert "otherpkg.py" not in namelist(first.zip_path)
    (root / "requirements.txt").write_text(offline_requirements(
        wheelhouse, "tinypkg", "otherpkg"), encoding="utf-8")
    second = build(root, tmp_path, "b", cache=cache)
    assert (second.dependencies_reused, second.pip_runs) == (False, 1)
    assert {"otherpkg.py", "tinypkg/__init__.py"} <= set(namelist(second.zip_path))
    (root / "requirements.txt").unlink()
    third = build(root, tmp_path, "c", cache=cache)
    assert (third.dependencies_reused, third.pip_runs) == (False, 0)
    assert not [n for n in namelist(third.zip_path) if n.startswith(("tinypkg", "otherpkg"))]


@pytest.mark.parametrize("style", ["-r base.txt", "wheel path"])
def test_requirements_that_are_not_plain_names_are_installed(
        tmp_path: pathlib.Path, wheelhouse: pathlib.Path, style: str) -> None:
    if style == "wheel path":
        text = "%s\n" % (wheelhouse / "tinypkg-1.0-py3-none-any.whl").resolve()
    else:
        text = "-r base.txt\n"
    root = make_project(tmp_path / "shop", requirements=text,
                        files={"base.txt": offline_requirements(wheelhouse, "tinypkg")})
    result = build(root, tmp_path)
    assert "tinypkg/__init__.py" in namelist(result.zip_path)


# -- what pip installs -------------------------------------------------------------------------

BOTO_FAMILY = ("boto3", "botocore", "s3transfer")


def test_lambdas_own_boto3_family_is_dropped_unless_named(tmp_path: pathlib.Path,
                                                          wheelhouse: pathlib.Path) -> None:
    root = make_project(tmp_path / "shop", requirements=offline_requirements(
        wheelhouse, "needsboto"))
    names = namelist(build(root, tmp_path).zip_path)
    assert "needsboto/__init__.py" in names
    assert [n for n in names if n.startswith(BOTO_FAMILY)] == []


def test_a_boto3_named_in_requirements_is_packaged(tmp_path: pathlib.Path,
                                                   wheelhouse: pathlib.Path) -> None:
    root = make_project(tmp_path / "shop", requirements=offline_requirements(
        wheelhouse, "needsboto", "Boto3==1.0", "botocore"))
    names = set(namelist(build(root, tmp_path).zip_path))
    assert {"boto3/__init__.py", "boto3-1.0.dist-info/METADATA", "botocore/__init__.py",
            "botocore-1.0.dist-info/METADATA"} <= names
    # boto3 pins its botocore and s3transfer: once named, the family stays together.
    assert "s3transfer/__init__.py" in names


def test_a_boto3_named_in_requirements_keeps_its_own_dependencies(
        tmp_path: pathlib.Path, wheelhouse: pathlib.Path) -> None:
    root = make_project(tmp_path / "shop", requirements=offline_requirements(
        wheelhouse, "boto3"))
    names = set(namelist(build(root, tmp_path).zip_path))
    assert {"boto3/__init__.py", "botocore/__init__.py", "s3transfer/__init__.py"} <= names


@pytest.mark.parametrize("line", ["myframework", "myframework>=0.1", "MyFramework[dev]==0.1.0"])
def test_myframework_in_requirements_is_not_installed_by_pip(
        tmp_path: pathlib.Path, wheelhouse: pathlib.Path, line: str) -> None:
    # The wheelhouse has no myframework and pip runs with --no-index: pip would fail on it.
    root = make_project(tmp_path / "shop", requirements=offline_requirements(
        wheelhouse, "tinypkg", line))
    result = build(root, tmp_path)
    names = namelist(result.zip_path)
    assert "tinypkg/__init__.py" in names
    assert not [n for n in names if n.lower().startswith("myframework-")]
    assert {n for n in names if n.startswith("myframework/")} == set(runtime_files())


def test_only_myframework_in_requirements_runs_no_pip(tmp_path: pathlib.Path) -> None:
    root = make_project(tmp_path / "shop", requirements="# the framework\nmyframework\n")
    result = build(root, tmp_path)
    assert result.pip_runs == 0
    assert set(namelist(result.zip_path)) == set(runtime_files()) | {"app.py"}


def test_a_requirement_pip_cannot_install_is_an_error_naming_it(
        tmp_path: pathlib.Path, wheelhouse: pathlib.Path) -> None:
    root = make_project(tmp_path / "shop", requirements=offline_requirements(
        wheelhouse, "tinypkg>=5"))
    with pytest.raises(PackagingError) as caught:
        build(root, tmp_path)
    assert "tinypkg>=5" in str(caught.value)
    assert "vendor/" in str(caught.value)
    assert not (tmp_path / "out-a" / "deployment.zip").exists()


def test_a_pure_sdist_without_a_wheel_is_built_and_packaged(
        tmp_path: pathlib.Path, wheelhouse: pathlib.Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # The fallback's pip run does not see the requirements' options (see the xfail below):
    # the wheelhouse reaches it through pip's environment instead.
    monkeypatch.setenv("PIP_FIND_LINKS", str(wheelhouse))
    messages: list[str] = []
    root = make_project(tmp_path / "shop", ROUTE_APP + "import srconly\n",
                        offline_requirements(wheelhouse, "srconly"))
    result = build_package(root, tmp_path / "out", Target("python3.12", "arm64"),
                           cache_dir=tmp_path / "cache", log=messages.append)
    with zipfile.ZipFile(result.zip_path) as archive:
        assert archive.read("srconly.py") == b"BUILT_FROM_SOURCE = True\n"
        assert "srconly-1.0.dist-info/METADATA" in archive.namelist()
    assert result.pip_runs == 3  # install fails, wheel from source, install again
    assert any("building it from source" in message for message in messages)
    again = build_package(root, tmp_path / "out2", Target("python3.12", "arm64"),
                          cache_dir=tmp_path / "cache")
    assert (again.dependencies_reused, again.pip_runs) == (True, 0)


def test_an_sdist_that_builds_a_platform_wheel_is_an_error_naming_it(
        tmp_path: pathlib.Path, wheelhouse: pathlib.Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIP_FIND_LINKS", str(wheelhouse))
    root = make_project(tmp_path / "shop", requirements=offline_requirements(
        wheelhouse, "srcnative"))
    with pytest.raises(PackagingError) as caught:
        build(root, tmp_path, target=Target("python3.12", "arm64"))
    message = str(caught.value)
    assert message.startswith("srcnative cannot be had for python3.12 arm64")
    assert "platform-specific wheel (srcnative-1.0-cp311-cp311-linux_x86_64.whl)" in message
    assert "vendor/" in message
    assert not (tmp_path / "out-a" / "deployment.zip").exists()


def test_the_sdist_fallback_uses_the_requirements_index_options(
        tmp_path: pathlib.Path, wheelhouse: pathlib.Path) -> None:
    root = make_project(tmp_path / "shop", ROUTE_APP + "import srconly\n",
                        offline_requirements(wheelhouse, "srconly"))
    result = build(root, tmp_path, target=Target("python3.12", "arm64"))
    assert "srconly.py" in namelist(result.zip_path)


# -- layer, limits, report -------------------------------------------------------------------

def test_automatic_layer_puts_the_dependencies_in_a_layer_zip(
        tmp_path: pathlib.Path, wheelhouse: pathlib.Path) -> None:
    root = make_project(tmp_path / "shop", ROUTE_APP + "import tinypkg\n",
                        offline_requirements(wheelhouse, "tinypkg", "otherpkg"))
    result = build(root, tmp_path, automatic_layer=True)
    assert result.layer_path == tmp_path / "out-a" / "deployment-layer.zip"
    assert set(namelist(result.zip_path)) == set(runtime_files()) | {"app.py"}
    layer = namelist(result.layer_path)
    assert layer == sorted(layer)
    assert all(name.startswith("python/") for name in layer)
    assert {"python/tinypkg/__init__.py", "python/tinypkg/data.txt",
            "python/otherpkg.py"} <= set(layer)
    with zipfile.ZipFile(result.layer_path) as archive:
        for info in archive.infolist():
            assert info.date_time == FIXED_DATE
            assert info.external_attr >> 16 == 0o100644
    assert result.layer_sha256 == hashlib.sha256(result.layer_path.read_bytes()).hexdigest()
    text = describe(result)
    assert "deployment-layer.zip: dependencies as a Lambda layer" in text
    assert result.unzipped == sum(
        info.file_size for path in (result.zip_path, result.layer_path)
        for info in zipfile.ZipFile(path).infolist())
    # The same again: the layer is reproducible too.
    again = build(root, tmp_path, "b", automatic_layer=True)
    assert again.layer_path is not None
    assert again.layer_path.read_bytes() == result.layer_path.read_bytes()
    assert again.sha256 == result.sha256


def test_automatic_layer_reports_the_dependencies_by_name(tmp_path: pathlib.Path,
                                                          wheelhouse: pathlib.Path) -> None:
    root = make_project(tmp_path / "shop", requirements=offline_requirements(
        wheelhouse, "bigpkg"))
    result = build(root, tmp_path, automatic_layer=True)
    parts = dict(result.contributors)
    assert "python" not in parts
    assert result.contributors[0][0] == "bigpkg"


def test_the_report_lists_sizes_and_the_largest_parts(tmp_path: pathlib.Path,
                                                      wheelhouse: pathlib.Path) -> None:
    root = make_project(tmp_path / "shop", requirements=offline_requirements(
        wheelhouse, "bigpkg", "tinypkg"))
    result = build(root, tmp_path)
    with zipfile.ZipFile(result.zip_path) as archive:
        infos = archive.infolist()
    assert result.unzipped == sum(info.file_size for info in infos)
    parts = dict(result.contributors)
    assert sum(parts.values()) == result.unzipped
    assert [name for name, _ in result.contributors[:2]] == ["bigpkg", "myframework"]
    assert sorted(parts.values(), reverse=True) == [size for _, size in result.contributors]
    assert parts["bigpkg"] == sum(info.file_size for info in infos
                                  if info.filename.startswith("bigpkg"))  # with its dist-info
    assert not [name for name in parts if name.endswith(".dist-info")]
    assert {"tinypkg", "app.py"} <= set(parts)
    text = describe(result)
    lines = text.splitlines()
    assert lines[0].startswith("%s: " % result.zip_path)
    assert "MB zipped" in lines[0]
    assert "MB unzipped" in lines[0]
    assert result.sha256[:12] in lines[0]
    assert lines[1].startswith("largest parts (unzipped): bigpkg 0.4 MB, myframework ")
    assert lines[2] == "dependencies: built with 1 pip run(s) and cached"
    assert result.notes == []


def test_code_sha256_is_the_base64_of_the_sha256(tmp_path: pathlib.Path) -> None:
    result = build(make_project(tmp_path / "shop"), tmp_path)
    digest = hashlib.sha256(result.zip_path.read_bytes()).digest()
    assert result.code_sha256 == base64.b64encode(digest).decode("ascii")
    assert len(result.code_sha256) == 44


@pytest.mark.parametrize("layer", [False, True])
def test_over_the_unzipped_limit_is_an_error_naming_the_largest_parts(
        tmp_path: pathlib.Path, wheelhouse: pathlib.Path, layer: bool) -> None:
    root = make_project(tmp_path / "shop", requirements=offline_requirements(
        wheelhouse, "bigpkg"))
    with pytest.raises(PackagingError) as caught:
        build(root, tmp_path, unzipped_limit=100_000, automatic_layer=layer)
    message = str(caught.value)
    assert "over Lambda's 0.1 MB limit" in message
    assert "the largest parts: " in message
    assert "myframework 0." in message
    if not layer:
        assert "bigpkg 0.4 MB" in message
    assert not (tmp_path / "out-a" / "deployment.zip").exists()
    assert not (tmp_path / "out-a" / "deployment.zip.partial").exists()


def test_over_the_unzipped_limit_leaves_no_layer_zip_behind(tmp_path: pathlib.Path,
                                                            wheelhouse: pathlib.Path) -> None:
    root = make_project(tmp_path / "shop", requirements=offline_requirements(
        wheelhouse, "bigpkg"))
    with pytest.raises(PackagingError):
        build(root, tmp_path, unzipped_limit=100_000, automatic_layer=True)
    assert sorted(os.listdir(tmp_path / "out-a")) == []


def test_over_the_zip_limit_is_a_note_about_s3(tmp_path: pathlib.Path) -> None:
    root = make_project(tmp_path / "shop")
    result = build(root, tmp_path, zip_limit=1000)
    assert result.zip_path.is_file()
    assert len(result.notes) == 1
    assert "S3" in result.notes[0]
    assert "note: " + result.notes[0] in describe(result)
    assert build(root, tmp_path, "b").notes == []


def test_target_validation() -> None:
    assert (Target().runtime, Target().architecture) == ("python3.12", "x86_64")
    with pytest.raises(PackagingError, match=r"runtime 'python3\.9' is not supported"):
        Target("python3.9")
    with pytest.raises(PackagingError, match="architecture 'arm32' is not supported"):
        Target("python3.12", "arm32")
    with pytest.raises(PackagingError, match="'aarch64'"):
        Target("python3.12", "aarch64")  # Lambda's name is arm64


def platforms(options: list[str]) -> list[str]:
    return [options[i + 1] for i, option in enumerate(options) if option == "--platform"]


def test_pip_options_pick_wheels_for_the_target_only() -> None:
    arm = Target("python3.12", "arm64").pip_options()
    assert platforms(arm)
    assert all(platform.endswith("_aarch64") for platform in platforms(arm))
    assert {"manylinux_2_34_aarch64", "manylinux_2_17_aarch64",
            "manylinux2014_aarch64"} <= set(platforms(arm))
    assert "--only-binary=:all:" in arm
    assert arm[arm.index("--python-version") + 1] == "3.12"
    assert arm[arm.index("--implementation") + 1] == "cp"
    assert [arm[i + 1] for i, o in enumerate(arm) if o == "--abi"] == ["cp312", "abi3", "none"]

    old = Target("python3.10", "x86_64").pip_options()
    assert all(platform.endswith("_x86_64") for platform in platforms(old))
    assert "manylinux_2_26_x86_64" in platforms(old)
    assert not [p for p in platforms(old) if p.startswith(
        ("manylinux_2_27", "manylinux_2_28", "manylinux_2_34"))]
    assert {"manylinux2014_x86_64", "manylinux1_x86_64"} <= set(platforms(old))
    assert old[old.index("--python-version") + 1] == "3.10"
    assert "cp310" in old
    assert "manylinux_2_34_x86_64" in platforms(Target("python3.13").pip_options())


@pytest.mark.parametrize("where", ["tinypkg/__init__.py", "vendor/tinypkg/__init__.py"])
def test_a_project_file_clashing_with_a_dependency_file_is_an_error(
        tmp_path: pathlib.Path, wheelhouse: pathlib.Path, where: str) -> None:
    root = make_project(tmp_path / "shop", ROUTE_APP + "import tinypkg\n",
                        offline_requirements(wheelhouse, "tinypkg"), {where: "MINE = 1\n"})
    with pytest.raises(PackagingError) as caught:
        build(root, tmp_path)
    assert "tinypkg/__init__.py" in str(caught.value)
    assert "rename" in str(caught.value)
    assert not (tmp_path / "out-a" / "deployment.zip").exists()


def test_a_clash_leaves_nothing_behind(tmp_path: pathlib.Path,
                                       wheelhouse: pathlib.Path) -> None:
    root = make_project(tmp_path / "shop", ROUTE_APP + "import tinypkg\n",
                        offline_requirements(wheelhouse, "tinypkg"),
                        {"tinypkg/__init__.py": "MINE = 1\n"})
    with pytest.raises(PackagingError):
        build(root, tmp_path)
    assert os.listdir(tmp_path / "out-a") == []


# -- verify --------------------------------------------------------------------------------------

HANDLERS_APP = ROUTE_APP + """
import tinypkg
from myframework import Rate


@app.on_s3_event(bucket='uploads', prefix='in/', suffix='.csv')
def on_upload(event):
    return [record.key for record in event]


@app.on_sqs_message(queue='jobs')
def on_job(event):
    return tinypkg.VALUE


@app.schedule(Rate(5, unit=Rate.MINUTES))
def every_five(event):
    return 'tick'


@app.lambda_function(name='direct')
def direct(event, context):
    return {'value': tinypkg.VALUE}
"""


def verified(tmp_path: pathlib.Path, app: str, requirements: str | None = None,
             layer: bool = False) -> tuple[PackageResult, Target]:
    target = this_target()
    root = make_project(tmp_path / "shop", app, requirements)
    return build(root, tmp_path, target=target, automatic_layer=layer), target


def test_verify_a_good_package_runs_every_handler(tmp_path: pathlib.Path,
                                                  wheelhouse: pathlib.Path) -> None:
    result, target = verified(tmp_path, HANDLERS_APP, offline_requirements(
        wheelhouse, "tinypkg"))
    checked = verify_package(result.zip_path, target)
    assert checked.ok, checked.describe()
    assert checked.skipped is None
    assert checked.import_error is None
    assert sorted(checked.ran) == ["api_handler", "direct", "every_five", "on_job", "on_upload"]
    assert checked.ran[0] == "api_handler"
    assert checked.failures == []
    assert checked.warnings == []
    assert checked.describe().startswith("verify: ok: imported in a clean interpreter and ran ")


def test_verify_fails_when_a_module_the_app_imports_is_not_packaged(
        tmp_path: pathlib.Path) -> None:
    result, target = verified(tmp_path, ROUTE_APP + "import tinypkg\n")  # no requirements
    checked = verify_package(result.zip_path, target)
    assert not checked.ok
    assert checked.import_error is not None
    assert "ModuleNotFoundError: No module named 'tinypkg'" in checked.import_error
    assert checked.describe().startswith("verify: FAILED: app.py does not import")


def test_verify_fails_when_the_app_crashes_on_import(tmp_path: pathlib.Path) -> None:
    result, target = verified(tmp_path, ROUTE_APP + "raise RuntimeError('boom at import')\n")
    checked = verify_package(result.zip_path, target)
    assert not checked.ok
    assert checked.import_error is not None
    assert "RuntimeError: boom at import" in checked.import_error


def test_verify_notes_a_handler_that_raises_on_its_sample_event(
        tmp_path: pathlib.Path) -> None:
    result, target = verified(tmp_path, ROUTE_APP + (
        "\n@app.on_sns_message(topic='alerts')\ndef on_alert(event):\n"
        "    raise ValueError('needs the real topic')\n"))
    checked = verify_package(result.zip_path, target)
    assert checked.ok, checked.describe()
    assert checked.ran == ["api_handler", "on_alert"]
    assert checked.failures == []
    assert len(checked.warnings) == 1
    assert checked.warnings[0].startswith("on_alert raised on its sample event: ValueError")
    assert "needs the real topic" in checked.warnings[0]
    assert "  note: on_alert raised" in checked.describe()


def test_verify_fails_when_a_handler_imports_a_missing_module(tmp_path: pathlib.Path) -> None:
    result, target = verified(tmp_path, ROUTE_APP + (
        "\n@app.lambda_function(name='report')\ndef report(event, context):\n"
        "    import reportlab_not_packaged\n    return 1\n"))
    checked = verify_package(result.zip_path, target)
    assert not checked.ok
    assert checked.import_error is None
    assert len(checked.failures) == 1
    assert checked.failures[0].startswith("report: ModuleNotFoundError")
    assert "reportlab_not_packaged" in checked.failures[0]
    assert "  FAILED report: " in checked.describe()


def test_verify_is_skipped_for_another_architecture(tmp_path: pathlib.Path) -> None:
    target = other_architecture()
    result = build(make_project(tmp_path / "shop"), tmp_path, target=target)
    checked = verify_package(result.zip_path, target)
    assert checked.ok
    assert checked.skipped is not None
    assert "built for %s" % target.architecture in checked.skipped
    assert checked.ran == []
    assert checked.describe().startswith("verify: skipped: ")


def test_verify_cannot_see_the_developers_site_packages(tmp_path: pathlib.Path) -> None:
    import importlib.util
    assert importlib.util.find_spec("flask") is not None  # installed here, not packaged
    result, target = verified(tmp_path, ROUTE_APP + "import flask\n")
    checked = verify_package(result.zip_path, target)
    assert not checked.ok
    assert checked.import_error is not None
    assert "No module named 'flask'" in checked.import_error


def test_verify_accepts_an_app_using_the_boto3_lambda_provides(
        tmp_path: pathlib.Path, wheelhouse: pathlib.Path) -> None:
    result, target = verified(tmp_path, ROUTE_APP + "import boto3\nimport needsboto\n",
                              offline_requirements(wheelhouse, "needsboto"))
    names = namelist(result.zip_path)
    assert "needsboto/__init__.py" in names
    assert "boto3/__init__.py" not in names  # left out on purpose: Lambda has it
    checked = verify_package(result.zip_path, target)
    assert checked.ok, checked.describe()


def test_verify_loads_the_dependencies_from_the_layer(tmp_path: pathlib.Path,
                                                      wheelhouse: pathlib.Path) -> None:
    result, target = verified(tmp_path, HANDLERS_APP, offline_requirements(
        wheelhouse, "tinypkg"), layer=True)
    assert result.layer_path is not None
    with_layer = verify_package(result.zip_path, target, result.layer_path)
    assert with_layer.ok, with_layer.describe()
    without = verify_package(result.zip_path, target)
    assert not without.ok
    assert without.import_error is not None
    assert "No module named 'tinypkg'" in without.import_error


def test_verify_passes_the_environment_and_stage(tmp_path: pathlib.Path) -> None:
    result, target = verified(tmp_path, ROUTE_APP + (
        "import os\nif os.environ.get('TABLE') != 'pets-dev':\n"
        "    raise RuntimeError('TABLE is %r' % os.environ.get('TABLE'))\n"))
    assert verify_package(result.zip_path, target, environment={"TABLE": "pets-dev"}).ok
    failed = verify_package(result.zip_path, target)
    assert failed.import_error is not None
    assert "TABLE is None" in failed.import_error
