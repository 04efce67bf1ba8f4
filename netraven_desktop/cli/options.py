"""Options several commands share, so they read and behave the same everywhere."""

from __future__ import annotations

import argparse


def add_enable_options(parser: argparse.ArgumentParser, disabled: str) -> None:
    """`--enable` / `--disable` (exclusive) into `enabled`: True, False or None (unchanged).
    `disabled` says what a disabled row still does."""
    enabled = parser.add_mutually_exclusive_group()
    enabled.add_argument("--enable", action="store_const", const=True, dest="enabled")
    enabled.add_argument(
        "--disable", action="store_const", const=False, dest="enabled", help=disabled
    )
