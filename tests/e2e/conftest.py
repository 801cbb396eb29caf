"""Pytest fixtures for the Nearcast end-to-end suite (helpers live in e2e_helpers.py)."""

import pytest

import zonedata
from e2e_helpers import start_server

# --------------------------------------------------------------------------
# fixtures
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The standard test server (zonedata.STANDARD), one per test module."""
    s = start_server(tmp_path_factory.mktemp("nearcast"), zonedata.standard_files())
    yield s
    s.stop_checked()


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    s = start_server(tmp_path_factory.mktemp("demo"), demo=True)
    yield s
    s.stop()


@pytest.fixture
def server_factory(tmp_path):
    started = []
    counter = [0]

    def factory(files=None, **kw):
        counter[0] += 1
        d = tmp_path / f"srv{counter[0]}"
        s = start_server(d, files, **kw)
        started.append(s)
        return s

    yield factory
    for s in started:
        s.stop()
