"""What a queued edit must be before the team database takes it.

The replica is a plain SQLite file on a laptop: anyone who has it can write any row into
its outbox. So a push trusts nothing it reads there: the action must be one this program
queues, every field a field one may set, of its column's type, and valid by the same
rules the services apply online. What fails is a `Clash`: a conflict the user sees.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Integer, String, Uuid
from sqlalchemy.sql.schema import Column

from ..crud import credentials as credential_rows
from ..crud import devices as device_rows
from ..crud import outbox
from ..crud import tags as tag_rows
from ..db.base import UTCDateTime
from ..db.models import EditOperation, OutboxEdit
from ..errors import InputError, quote_value

# Every edit the outbox queues: its action -> (entity type, operation).
ACTIONS: dict[str, tuple[str, str]] = {
    "device.create": ("device", "create"),
    "device.update": ("device", "update"),
    "device.trash": ("device", "delete"),
    "device.delete": ("device", "delete"),
    "device.restore": ("device", "restore"),
    "tag.create": ("tag", "create"),
    "tag.update": ("tag", "update"),
    "tag.delete": ("tag", "delete"),
    "credential.create": ("credential", "create"),
    "credential.update": ("credential", "update"),
    "credential.delete": ("credential", "delete"),
    "setting.update": ("setting", "update"),
    "snapshot.upload": ("snapshot", "create"),
}
# The rules the services check a row's fields with, by entity.
CLEANERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "device": device_rows.clean_fields,
    "tag": tag_rows.clean_fields,
    "credential": credential_rows.clean_fields,
}
# What an offline edit may change, by entity (a create: any column the replica copies).
EDITABLE: dict[str, tuple[str, ...]] = {
    "device": device_rows.EDITABLE,
    "tag": tag_rows.EDITABLE,
    "credential": credential_rows.EDITABLE,
}


class Clash(Exception):
    """Raised inside an edit's replay: the edit becomes a conflict (`fields` as in
    `push.Conflict`)."""

    def __init__(self, reason: str, fields: dict[str, dict[str, Any]] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.fields = fields or {}


def check_kind(edit: OutboxEdit) -> None:
    """Refuse an outbox row this program never queues."""
    if ACTIONS.get(edit.action) != (edit.entity_type, edit.operation):
        raise Clash(
            f"not an edit NetRaven Desktop queues: {quote_value(edit.action)} "
            f"({quote_value(edit.operation)} of a {quote_value(edit.entity_type)})"
        )
    for name, fields in (("before", edit.before), ("after", edit.after)):
        if fields is not None and not isinstance(fields, dict):
            raise Clash(f"not an edit NetRaven Desktop queues: its {name!r} holds no fields")
    if edit.entity_type != "setting":
        try:
            uuid.UUID(edit.entity_id)
        except ValueError:
            raise Clash(
                f"not an edit NetRaven Desktop queues: {edit.entity_type} id "
                f"{quote_value(edit.entity_id)} is no id"
            ) from None


def valid_fields(edit: OutboxEdit, fields: dict[str, Any]) -> dict[str, Any]:
    """`fields` checked and normalised by the services' rules, or a Clash naming every
    field refused (not just the first), so one fix settles the edit."""
    clean = CLEANERS[edit.entity_type]
    model = outbox.SYNCED[edit.entity_type]
    known = (
        _creatable(model) if edit.operation == EditOperation.CREATE else EDITABLE[edit.entity_type]
    )
    refused: dict[str, InputError] = {}
    for name, value in fields.items():
        try:
            if name not in known:
                raise InputError(name, value, f"is not a {edit.entity_type} field one may set")
            if name == "tags":
                _check_names(value)
            else:
                _check_type(model.__table__.c[name], value)
            clean({name: value})
        except InputError as exc:
            refused[name] = exc
    if refused:
        reason = "; ".join(str(exc) for exc in refused.values())
        raise Clash(f"the team database refused it: {reason}", refused_fields(edit, refused))
    return clean(fields)


def refused_fields(edit: OutboxEdit, errors: dict[str, InputError]) -> dict[str, dict[str, Any]]:
    """What a conflict shows of refused fields, by the edit's own field names (what
    `sync --resolve --set` takes): the value before, the edit's; no theirs."""
    before = edit.before or {}
    return {
        name: {"base": before.get(name), "mine": exc.value, "theirs": None}
        for name, exc in errors.items()
    }


def _creatable(model: type[Any]) -> set[str]:
    """The fields a queued create carries (crud.outbox takes the whole row)."""
    names = set(model.__table__.c.keys()) - set(outbox.NOT_COPIED)
    return names | ({"tags"} & set(model.__mapper__.relationships.keys()))


def _check_names(value: Any) -> None:
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise InputError("tags", value, "must be a list of tag names")


def _check_type(column: Column[Any], value: Any) -> None:
    """The JSON value fits the column (the rules check meaning, not type, for some)."""
    if value is None:
        return  # a required column refuses it in the database, as a conflict too
    kind = column.type
    if isinstance(kind, Boolean):
        fits = isinstance(value, bool)
    elif isinstance(kind, Integer):
        fits = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(kind, Uuid):
        fits = isinstance(value, str) and _parses(uuid.UUID, value)
    elif isinstance(kind, UTCDateTime):
        fits = isinstance(value, str) and _parses(_aware_time, value)
    elif isinstance(kind, String):  # Text and the choice columns too
        fits = isinstance(value, str) and (kind.length is None or len(value) <= kind.length)
    else:
        fits = True
    if not fits:
        raise InputError(column.name, value, f"is not a valid {column.name} value")


def _aware_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("no time zone")
    return moment


def _parses(parse: Callable[[str], Any], text: str) -> bool:
    try:
        parse(text)
    except ValueError:
        return False
    return True
