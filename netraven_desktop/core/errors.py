"""The errors the services raise, each carrying the CLI exit code it maps to.

Front ends show `str(error)` as-is: it is one line, names the field and the bad value,
and never contains a secret.
"""

from __future__ import annotations

from typing import Any


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
        super().__init__(f"{field}: {problem} (got {value!r})")


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
            f"conflict: {entity} {key!r} was changed by someone else "
            f"(you edited version {expected}, it is {now}); reload and try again"
        )


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
