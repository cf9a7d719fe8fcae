"""Fixtures of the functional tests: one moto_server per session, reset for every test using it."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from .moto_helpers import MotoServer


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    """A moto_server on 127.0.0.1 for the whole session (its log in a pytest temp dir)."""
    pytest.importorskip("moto.server", reason="moto_server is not installed: pip install "
                        "'moto[server]' (it is in the dev extra)")
    server = MotoServer(workdir=tmp_path_factory.mktemp("moto_server"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def aws(moto_server: MotoServer) -> MotoServer:
    """The session's moto_server, emptied: every test starts with nothing deployed
    (started again first if a test killed it)."""
    if not moto_server.running:
        moto_server.start()
    moto_server.reset()
    return moto_server
