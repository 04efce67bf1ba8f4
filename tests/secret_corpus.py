"""The secret-masking corpus (tests/data/secret_corpus): cases per platform, read once."""

from __future__ import annotations

import contextlib
import sqlite3
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from netraven_desktop.core.db import Database
from netraven_desktop.core.drivers.profiles import MASK

FOLDER = Path(__file__).parent / "data" / "secret_corpus"
CORPUS = {path.stem: path for path in FOLDER.glob("*.toml")}


@dataclass(frozen=True)
class Case:
    platform: str
    line: str
    secrets: tuple[str, ...]
    want: str

    def __str__(self) -> str:
        return f"{self.platform}: {self.line.splitlines()[-1].strip()[:50]}"


@dataclass(frozen=True)
class Corpus:
    cases: tuple[Case, ...]
    keep: tuple[str, ...]

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(secret for case in self.cases for secret in case.secrets)


@cache
def load(platform: str) -> Corpus:
    data = tomllib.loads(CORPUS[platform].read_text(encoding="utf-8"))
    cases = []
    for raw in data.get("mask", []):
        secrets = tuple(raw["secrets"])
        want = raw.get("want")
        if want is None:  # the line with each secret, in order, replaced by MASK
            want, rest = "", raw["line"]
            for secret in secrets:
                before, found, rest = rest.partition(secret)
                assert found, f"{platform}: {secret!r} not in {raw['line']!r}"
                want += before + MASK
            want += rest
        cases.append(Case(platform, raw["line"], secrets, want))
    return Corpus(tuple(cases), tuple(data.get("keep", [])))


async def sqlite_bytes(db: Database) -> bytes:
    """Every byte of a SQLite database on disk, its write-ahead log checkpointed first
    (whatever the log still holds is read too)."""
    await db.aclose()
    path = Path(db.url.sync_url.database or "")
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return b"".join(
        p.read_bytes() for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()
    )
