"""Fixtures for driving the real `netraven-desktop` process."""

from __future__ import annotations

import os

import pytest

from tests.clitools import Cli


@pytest.fixture
def env(tmp_path):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NETRAVEN_")}
    return clean | {"NETRAVEN_HOME": str(tmp_path / "home")}


@pytest.fixture
def cli(db, env):
    """The CLI on an empty database of each backend."""
    return Cli(db.url.sync_url.set(drivername=db.url.backend).render_as_string(False), env)
