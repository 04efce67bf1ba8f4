"""Fixtures for driving the real `netraven-desktop` process."""

from __future__ import annotations

import pytest

from tests.clitools import Cli


@pytest.fixture
def cli(db, env):
    """The CLI on an empty database of each backend."""
    return Cli(db.url.plain(hide_password=False), env)
