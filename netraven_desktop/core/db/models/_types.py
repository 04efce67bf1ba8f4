"""Small column helpers for the model modules."""

from __future__ import annotations

from sqlalchemy import Enum, String


def choice(name: str, values: tuple[str, ...]) -> Enum:
    """A string column limited to `values` by a named CHECK constraint (portable, no DB enum)."""
    return Enum(
        *values,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(v) for v in values),
        validate_strings=True,
    )


NAME = String(128)
