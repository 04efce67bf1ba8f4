"""Field validators shared by services and front ends; each raises `InputError`."""

from __future__ import annotations

import ipaddress
import re

from .errors import InputError

NAME_MAX = 128
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# RFC 1123 labels; underscores are tolerated because real inventories contain them.
_LABEL = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$")


def validate_name(value: str, field: str = "name", max_len: int = NAME_MAX) -> str:
    """A display name: trimmed, non-empty, bounded, printable."""
    name = value.strip() if isinstance(value, str) else value
    if not isinstance(name, str) or not name:
        raise InputError(field, value, "must not be empty")
    if len(name) > max_len:
        raise InputError(field, value, f"must be at most {max_len} characters")
    if _CONTROL.search(name):
        raise InputError(field, value, "must not contain control characters")
    return name


def validate_host(value: str, field: str = "host") -> str:
    """An IPv4/IPv6 literal (brackets allowed) or a DNS name; returns it normalised."""
    host = value.strip() if isinstance(value, str) else ""
    if not host:
        raise InputError(field, value, "must be an IP address or a DNS name")
    literal = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        return str(ipaddress.ip_address(literal))
    except ValueError:
        pass
    name = host[:-1] if host.endswith(".") else host
    labels = name.split(".")
    if (
        len(name) > 253
        or not all(_LABEL.match(label) for label in labels)
        # An all-numeric last label means a mistyped IP address, not a host name.
        or labels[-1].isdigit()
    ):
        raise InputError(field, value, "is neither a valid IP address nor a valid DNS name")
    return name.lower()


def validate_port(value: int | str, field: str = "port") -> int:
    """A TCP port, 1-65535."""
    return validate_int_range(value, field, 1, 65535)


def validate_int_range(value: int | str, field: str, low: int, high: int) -> int:
    """A whole number within [low, high]."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InputError(field, value, f"must be a whole number from {low} to {high}") from None
    if isinstance(value, bool) or not low <= number <= high:
        raise InputError(field, value, f"must be a whole number from {low} to {high}")
    return number


def optional_text(value: str | None, field: str, max_len: int = 1000) -> str | None:
    """Free text: trimmed, empty becomes None, bounded."""
    if value is None:
        return None
    text = value.strip()
    if len(text) > max_len:
        raise InputError(field, value, f"must be at most {max_len} characters")
    return text or None


_COLLECTOR_LABEL = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")


def validate_label(value: str | None, field: str = "collector_label") -> str | None:
    """A collector placement label ("site-a"): lower case letters, digits, '.', '_', '-'
    (up to 64); empty means none."""
    if value is None or not value.strip():
        return None
    label = value.strip().lower()
    if not _COLLECTOR_LABEL.fullmatch(label):
        raise InputError(field, value, "use up to 64 letters, digits, '.', '_' or '-'")
    return label


_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}


def validate_bool(value: bool | str, field: str) -> bool:
    """A yes/no value as people write it in files and on command lines (true/yes/on/1)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text not in _TRUE | _FALSE:
        raise InputError(field, value, "must be true or false (yes/no, on/off, 1/0)")
    return text in _TRUE
