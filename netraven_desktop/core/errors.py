"""The errors the services raise, each carrying the CLI exit code it maps to.

Front ends show `str(error)` as-is: it is one line, names the field and the bad value,
and never contains a secret.
"""

from __future__ import annotations

import os
import reprlib
from typing import Any

QUOTE_MAX = 80  # characters of a bad value an error message shows


class _ShortRepr(reprlib.Repr):
    """reprlib's bounded repr, also for subclasses of the built-in collections (a YAML
    loader's mapping type), which reprlib would otherwise hand to the unbounded `repr`."""

    def __init__(self) -> None:
        super().__init__()  # keyword limits only from Python 3.12
        self.maxlevel = 2
        self.maxlist = self.maxtuple = self.maxdict = self.maxset = self.maxfrozenset = 4
        self.maxother = QUOTE_MAX

    def repr1(self, x: Any, level: int) -> str:
        for base in (dict, list, tuple, set, frozenset):
            if isinstance(x, base) and type(x) is not base:
                shown: str = getattr(self, f"repr_{base.__name__}")(x, level)
                return shown
        return super().repr1(x, level)


_SHORT_REPR = _ShortRepr()


def quote_value(value: Any) -> str:
    """`value` as an error message shows it: its repr, at most ~80 characters, then `…`.

    Bounded work whatever the value (a 10 MB string, a list nested a million times by
    YAML aliases): only the start of a string is looked at, collections only a few levels.
    A path (`os.PathLike`) shows its end instead: that is where the file's name is.
    """
    if isinstance(value, os.PathLike):  # a path by its end, where the file's name is
        path = os.fspath(value)
        return repr(path) if len(path) <= QUOTE_MAX else repr("…" + path[-QUOTE_MAX:])
    if isinstance(value, str):
        shown = repr(value[:QUOTE_MAX])
        return shown + "…" if len(value) > QUOTE_MAX else shown
    shown = _SHORT_REPR.repr(value)
    return shown[:QUOTE_MAX] + "…" if len(shown) > QUOTE_MAX else shown


class NetRavenError(Exception):
    """Base of every error a user may see; `exit_code` follows the CLI contract."""

    exit_code = 3


class InputError(NetRavenError):
    """Bad input: a field holds a value the operation cannot accept. Nothing was written."""

    exit_code = 2

    def __init__(self, field: str, value: Any, problem: str) -> None:
        self.field = field
        self.value = value
        self.problem = problem
        super().__init__(f"{field}: {problem} (got {quote_value(value)})")


class NotFoundError(InputError):
    """The named row does not exist."""

    def __init__(self, entity: str, key: Any, field: str = "name") -> None:
        self.entity = entity
        what = "by that name" if field in ("name", entity) else f"with this {field}"
        super().__init__(field, key, f"no {entity} {what}")


class DuplicateError(InputError):
    """A unique field already holds this value (names compare case-insensitively)."""

    def __init__(self, entity: str, field: str, value: Any) -> None:
        self.entity = entity
        super().__init__(field, value, f"a {entity} with this {field} already exists")


class ConflictError(NetRavenError):
    """Optimistic locking: the row changed since the caller read it. Nothing was written."""

    exit_code = 1

    def __init__(self, entity: str, key: Any, expected: int | None, actual: int | None) -> None:
        self.entity = entity
        self.key = key
        self.expected = expected
        self.actual = actual
        now = f"now at version {actual}" if actual is not None else "changed or removed"
        super().__init__(
            f"conflict: {entity} {quote_value(key)} was changed by someone else "
            f"(you edited version {expected}, it is {now}); reload and try again"
        )


class SlotTakenError(NetRavenError):
    """A scheduled job's slot was run already by another collector or app (a laptop's
    cron, a window, a collector): the schedule runs once, whoever gets there first."""

    exit_code = 0


class EnvironmentProblem(NetRavenError):
    """The environment is wrong (database unreachable, schema too new); not the input."""

    exit_code = 3


class DatabaseUnavailableError(EnvironmentProblem):
    """The database cannot be opened or reached."""


class SchemaTooNewError(EnvironmentProblem):
    """The database was migrated by a newer NetRaven Desktop than this one."""


class SchemaNotReadyError(EnvironmentProblem):
    """The database has no schema, or an older one, and may not be migrated implicitly."""


class PermissionDeniedError(NetRavenError):
    """The acting user's role does not allow the operation. Nothing was written."""

    exit_code = 5


class AuthenticationError(NetRavenError):
    """Login refused: wrong name or password, disabled or locked account."""

    exit_code = 5
