"""Typed, validated global settings with defaults. Unset keys read as their default."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from ..crud import settings as rows
from ..errors import InputError
from ..validation import validate_bool
from . import audit
from .access import authorize
from .dual import dual


@dataclass(frozen=True, slots=True)
class SettingSpec:
    key: str
    type: type
    default: Any
    description: str
    low: int | None = None
    high: int | None = None

    def parse(self, raw: Any) -> Any:
        """Turn CLI text or a JSON value into this setting's type, or raise InputError."""
        if self.type is bool:
            return validate_bool(raw, self.key)
        if isinstance(raw, bool):
            raise InputError(self.key, raw, self._range_text())
        try:
            value = int(str(raw).strip())
        except ValueError:
            raise InputError(self.key, raw, self._range_text()) from None
        if (self.low is not None and value < self.low) or (
            self.high is not None and value > self.high
        ):
            raise InputError(self.key, raw, self._range_text())
        return value

    def _range_text(self) -> str:
        return f"must be a whole number from {self.low} to {self.high}"


SPECS: dict[str, SettingSpec] = {
    s.key: s
    for s in (
        SettingSpec("backup.concurrency", int, 50, "devices backed up at once", 1, 1000),
        SettingSpec("backup.connect_timeout", int, 15, "seconds to wait for SSH login", 1, 600),
        SettingSpec(
            "backup.device_timeout", int, 300, "hard limit in seconds for one device", 10, 7200
        ),
        SettingSpec("backup.retries", int, 1, "extra attempts after a failure", 0, 10),
        SettingSpec("backup.max_output_mb", int, 64, "output one device may send, in MB", 1, 4096),
        SettingSpec("backup.mask_secrets", bool, True, "mask secrets in new devices' configs"),
        SettingSpec(
            "retention.keep_last", int, 0, "snapshots kept per device (0 = all)", 0, 1_000_000
        ),
        SettingSpec("retention.keep_days", int, 0, "days of history kept (0 = forever)", 0, 36500),
        SettingSpec("auth.lockout_attempts", int, 5, "failed logins before a lockout", 1, 100),
        SettingSpec("auth.lockout_minutes", int, 15, "minutes a locked account waits", 1, 10080),
    )
}


@dataclass(frozen=True, slots=True)
class SettingValue:
    key: str
    value: Any
    default: Any
    description: str

    @property
    def is_default(self) -> bool:
        return self.value == self.default

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "value": self.value,
            "default": self.default,
            "is_default": self.is_default,
            "description": self.description,
        }


def spec_for(key: str) -> SettingSpec:
    try:
        return SPECS[key]
    except KeyError:
        raise InputError("key", key, f"unknown setting; known: {', '.join(SPECS)}") from None


def _stored(session: Session, spec: SettingSpec) -> Any:
    """The stored value, or the default when unset or no longer valid for the spec."""
    row = rows.find_setting(session, spec.key)
    if row is None:
        return spec.default
    try:
        return spec.parse(row.value)
    except InputError:
        return spec.default


@dual
def get_setting(session: Session, key: str) -> Any:
    return _stored(session, spec_for(key))


@dual
def list_settings(session: Session) -> list[SettingValue]:
    authorize(session, "read")
    return [
        SettingValue(s.key, _stored(session, s), s.default, s.description) for s in SPECS.values()
    ]


@dual
def set_setting(session: Session, key: str, raw: Any) -> Any:
    """Validate and store; setting a key back to its default removes the stored row."""
    authorize(session, "admin")
    spec = spec_for(key)
    value = spec.parse(raw)
    before = _stored(session, spec)
    if value != before:
        audit.record(
            session,
            "setting.update",
            "setting",
            key,
            before={"value": before},
            after={"value": value},
        )
    store_value(session, key, value)
    return value


def store_value(session: Session, key: str, value: Any) -> None:
    """Store an already validated value; the default is stored as no row at all."""
    if value == spec_for(key).default:
        if rows.find_setting(session, key) is not None:
            rows.delete_setting(session, key)
    else:
        rows.put_setting(session, key, value)
