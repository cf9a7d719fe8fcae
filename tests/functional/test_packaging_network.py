"""Packaging with real pip against PyPI (``-m network``; skip with ``-m 'not network'``).

One dependency cache for the whole module, so requests and pydantic are
downloaded and installed once per target; everything else reuses it.
"""
from __future__ import annotations

import pathlib
import struct
import time
import zipfile

import pytest

from myframework.deploy.errors import PackagingError
from myframework.deploy.packaging import PackageResult, Target, build_package

pytestmark = pytest.mark.network

APP = ("from myframework import App\n\nimport pydantic\nimport requests\n\n"
       "app = App('net')\n\n\n@app.route('/')\ndef index():\n    return {'ok': True}\n")
E_MACHINE = {"x86_64": 0x3E, "arm64": 0xB7}
ELF_MACHINE_NAME = {"x86_64": "x86_64", "arm64": "aarch64"}


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    return tmp_path_factory.mktemp("network-cache")


def project(root: pathlib.Path, app: str, requirements: str) -> pathlib.Path:
    root.mkdir(parents=True)
    (root / "app.py").write_text(app, encoding="utf-8")
    (root / "requirements.txt").write_text(requirements, encoding="utf-8")
    return root


def e_machine(data: bytes) -> int:
    assert data[:4] == b"\x7fELF"
    assert data[5] == 1  # little-endian
    machine: int = struct.unpack_from("<H", data, 18)[0]
    return machine


@pytest.mark.parametrize("architecture", ["x86_64", "arm64"])
def test_requests_and_pydantic_for_python312(tmp_path: pathlib.Path, cache: pathlib.Path,
                                              architecture: str) -> None:
    root = project(tmp_path / "net", APP, "requests\npydantic>=2\n")
    target = Target("python3.12", architecture)
    first = build_package(root, tmp_path / "out1", target, cache_dir=cache)
    assert (first.dependencies_reused, first.pip_runs) == (False, 1)
    with zipfile.ZipFile(first.zip_path) as archive:
        names = archive.namelist()
        cores = [n for n in names if n.startswith("pydantic_core/") and n.endswith(".so")]
        assert cores == ["pydantic_core/_pydantic_core.cpython-312-%s-linux-gnu.so"
                         % ELF_MACHINE_NAME[architecture]]
        assert e_machine(archive.read(cores[0])) == E_MACHINE[architecture]
        for name in names:  # no extension module for another Python or machine
            if name.endswith(".so"):
                assert "cpython-312-%s" % ELF_MACHINE_NAME[architecture] in name or (
                    ".abi3." in name), name
                assert e_machine(archive.read(name)) == E_MACHINE[architecture], name
    assert {"requests/__init__.py", "pydantic/__init__.py", "urllib3/__init__.py"} <= set(names)
    assert not [n for n in names if n.startswith(("boto3", "botocore", "bin/"))]
    parts = dict(first.contributors)
    assert first.contributors[0][0] == "pydantic_core"
    assert {"requests", "pydantic", "myframework"} <= set(parts)

    started = time.perf_counter()
    second = build_package(root, tmp_path / "out2", target, cache_dir=cache)
    elapsed = time.perf_counter() - started
    assert (second.dependencies_reused, second.pip_runs) == (True, 0)
    assert elapsed < 1.0, elapsed
    assert second.zip_path.read_bytes() == first.zip_path.read_bytes()


def test_a_pure_sdist_only_requirement_is_built_from_source(tmp_path: pathlib.Path,
                                                            cache: pathlib.Path) -> None:
    # docopt 0.6.2 has no wheel on PyPI, only an sdist of one pure module.
    messages: list[str] = []
    root = project(tmp_path / "cli", "from myframework import App\nimport docopt\n"
                   "app = App('cli')\n", "docopt==0.6.2\n")
    result: PackageResult = build_package(root, tmp_path / "out", Target("python3.12", "arm64"),
                                          cache_dir=cache, log=messages.append)
    with zipfile.ZipFile(result.zip_path) as archive:
        assert "def docopt(" in archive.read("docopt.py").decode("utf-8")
        assert "docopt-0.6.2.dist-info/METADATA" in archive.namelist()
    assert any("No wheel of docopt==0.6.2 for python3.12 arm64; building it from source"
               in message for message in messages), messages
    assert result.pip_runs == 3


def test_a_requirement_that_does_not_exist_is_an_error_naming_it(tmp_path: pathlib.Path,
                                                                 cache: pathlib.Path) -> None:
    name = "myframework-test-no-such-distribution-7f3a"
    root = project(tmp_path / "bad", "from myframework import App\napp = App('bad')\n",
                   "requests\n%s\n" % name)
    with pytest.raises(PackagingError) as caught:
        build_package(root, tmp_path / "out", Target("python3.12"), cache_dir=cache)
    message = str(caught.value)
    assert message.startswith("%s cannot be had for python3.12 x86_64" % name)
    assert "No matching distribution found for %s" % name in message
    assert "vendor/" in message
    assert "requirements.txt" in message
    assert not (tmp_path / "out" / "deployment.zip").exists()
