"""A git repository of configuration history, written with dulwich.

A desktop program cannot count on a `git` binary on Windows or macOS, so commits are
built object by object. Nothing is half-written: objects are stored first and the
branch moves only in `publish`, so an interrupted export leaves the repository at its
last published commit (unreferenced objects are harmless; `git gc` drops them).

The repository carries its own export state in `.netraven-export` (JSON) at its root,
which is how a later export knows what it already holds, even with the user's own
commits on top.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from dulwich import porcelain
from dulwich.errors import NotGitRepository
from dulwich.object_store import commit_tree_changes, tree_lookup_path
from dulwich.objects import Blob, Commit, Tree
from dulwich.repo import Repo

from .errors import EnvironmentProblem, InputError
from .private_files import ensure_private_dir, tighten_private_file

STATE_FILE = ".netraven-export"
STATE_FORMAT = 1
FILE_MODE = 0o100644
DIR_FIELD = "DIR"


class HistoryRepository:
    """An export repository being appended to: commit, then publish, then check out."""

    def __init__(self, repo: Repo, head: bytes | None, state: dict[str, Any] | None) -> None:
        self._repo = repo
        self._published = self._head = head
        self._start = head
        if head is None:
            empty = Tree()
            repo.object_store.add_object(empty)
            self._tree = empty.id
        else:
            self._tree = repo[head].tree
        self.state = state  # None: a new repository, nothing exported yet
        self._written: set[str] = set()  # paths committed with content, for check_out

    @classmethod
    def open(cls, directory: Path) -> HistoryRepository:
        """A new repository in a new or empty folder, or a previous export to append to."""
        where = str(directory)
        if directory.exists() and not directory.is_dir():
            raise InputError(DIR_FIELD, directory, "is a file, not a folder")
        if not directory.exists() or not any(directory.iterdir()):
            ensure_private_dir(directory)
            return cls(Repo.init(where, default_branch=b"main"), None, None)
        try:
            repo = Repo(where)
        except NotGitRepository:
            raise InputError(
                DIR_FIELD,
                directory,
                "is a folder with files but no git repository; "
                "choose a new or empty folder, or a previous export",
            ) from None
        if repo.bare:
            raise InputError(DIR_FIELD, directory, "is a bare git repository; use a working copy")
        try:
            head = repo.refs[b"HEAD"]
        except KeyError:  # `git init` and no commit yet
            return cls(repo, None, None)
        try:
            return cls(repo, head, _read_state(repo, head, directory))
        except InputError:
            repo.close()
            raise

    def read(self, path: str) -> bytes | None:
        """The committed content at `path` in the newest commit, None if there is none."""
        return _file(self._repo, self._tree, path)

    def commit(
        self,
        files: Mapping[str, bytes | None],
        *,
        author: str,
        when: datetime,
        message: str,
    ) -> None:
        """Commit `files` (content, or None to remove) on top of the newest commit."""
        store = self._repo.object_store
        changes: list[tuple[bytes, int | None, bytes | None]] = []
        for path, data in files.items():
            if data is None:
                changes.append((path.encode(), None, None))
                continue
            blob = Blob.from_string(data)
            store.add_object(blob)
            changes.append((path.encode(), FILE_MODE, blob.id))
            self._written.add(path)
        self._tree = commit_tree_changes(store, self._tree, changes)
        commit = Commit()
        commit.tree = self._tree
        commit.parents = [self._head] if self._head else []
        commit.author = identity(author)
        commit.committer = identity(author)
        commit.author_time = commit.commit_time = int(when.timestamp())
        commit.author_timezone = commit.commit_timezone = 0  # capture times are UTC
        commit.encoding = b"UTF-8"
        commit.message = message.encode("utf-8")
        store.add_object(commit)
        self._head = commit.id

    def publish(self) -> None:
        """Move the branch to the newest commit, unless someone else moved it meanwhile."""
        if self._head == self._published:
            return
        if not self._repo.refs.set_if_equals(b"HEAD", self._published, self._head):
            raise EnvironmentProblem(
                f"{DIR_FIELD}: the repository's branch moved during the export; run it again"
            )
        self._published = self._head

    def check_out(self) -> None:
        """Bring the working files up to the published commit (moves and all).

        dulwich gives checked-out files the tree's mode (0644); ours are made 0600 again.
        """
        if self._published is not None and self._published != self._start:
            porcelain.reset(self._repo, "hard", self._published)
            root = Path(self._repo.path)
            for path in self._written:
                tighten_private_file(root / path)

    @property
    def head(self) -> str | None:
        return self._published.decode() if self._published else None

    def close(self) -> None:
        self._repo.close()


def identity(name: str) -> bytes:
    """`name <local@netraven.invalid>`: a stable, never-deliverable address per actor."""
    clean = "".join(c for c in name if c not in "<>\n\r").strip() or "netraven"
    local = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "-" for c in clean)
    return f"{clean} <{local.lower()}@netraven.invalid>".encode()


def state_bytes(state: Mapping[str, Any]) -> bytes:
    """The state file's content: stable JSON, so unchanged state gives an unchanged blob."""
    return (json.dumps(state, indent=1, sort_keys=True) + "\n").encode()


def _file(repo: Repo, tree: bytes, path: str) -> bytes | None:
    try:
        _, sha = tree_lookup_path(repo.object_store.__getitem__, tree, path.encode())
    except KeyError:
        return None
    return repo.object_store[sha].data


def _read_state(repo: Repo, head: bytes, where: Path) -> dict[str, Any]:
    data = _file(repo, repo[head].tree, STATE_FILE)
    if data is None:
        raise InputError(
            DIR_FIELD,
            where,
            f"is a git repository without {STATE_FILE}, not a NetRaven export; "
            "choose a new or empty folder",
        )
    try:
        state = json.loads(data)
    except ValueError:
        state = None
    if not isinstance(state, dict) or state.get("format") != STATE_FORMAT:
        raise InputError(DIR_FIELD, where, f"{STATE_FILE} is not an export state I can read")
    return state
