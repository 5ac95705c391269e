"""Shared pytest fixtures for the Python tests (run by ctest with /usr/bin/python3).

ctest sets XSECTOR_BIN (the built `xsector` binary) and XSECTOR_SOURCE_DIR (the source
tree). Run by hand, set them yourself; tests that need one skip with a clear reason when
it is unset.
"""
import os
from pathlib import Path

import pytest


def _path_from_env(name: str, what: str) -> Path:
    value = os.environ.get(name)
    if not value:
        pytest.skip(f"{name} is not set: point it at {what} (ctest sets it)")
    path = Path(value)
    if not path.exists():
        pytest.fail(f"{name}={value} does not exist")
    return path


@pytest.fixture(scope="session")
def xsector_bin() -> Path:
    """The `xsector` binary under test."""
    return _path_from_env("XSECTOR_BIN", "the built xsector binary")


@pytest.fixture(scope="session")
def source_dir() -> Path:
    """The root of the xsector source tree."""
    return _path_from_env("XSECTOR_SOURCE_DIR", "the xsector source tree")
