"""Keep secrets out of the log, crash reports and diagnostics.

A backstop, not the first line: code never logs a secret on purpose. But an exception
message can quote a URL with its password, a library can log a header, and a device
password read from the keyring can end up in a traceback. So every log record, crash
report and diagnostics file passes through `mask_text`, which removes known secret
shapes and every value the secret store has handed out in this process.
"""

from __future__ import annotations

import logging
import re
import threading

MASK = "***"
# Shorter values would mask ordinary words all over the log; a secret this short is
# no secret anyway.
MIN_REMEMBERED = 4

_PATTERNS = (
    # scheme://user:password@host
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s:/@]*:)[^\s@/]+@"), rf"\1{MASK}@"),
    # password=..., "token": "...", secret: ..., api_key=...
    (
        re.compile(
            r"(?i)\b((?:[a-z_]*_)?(?:password|passwd|pwd|secret|token|passphrase|api[_-]?key)"
            r"[\"']?\s*[:=]\s*[\"']?)([^\s\"',;&]+)"
        ),
        rf"\1{MASK}",
    ),
    # Authorization: Bearer ... / Basic ...
    (re.compile(r"(?i)\b(bearer|basic)\s+[a-z0-9._~+/=-]{8,}"), rf"\1 {MASK}"),
)

_remembered: set[str] = set()
_lock = threading.Lock()


def remember_secret(value: str | None) -> None:
    """Mask `value` wherever it shows up from now on (the secret store calls this)."""
    if value and len(value) >= MIN_REMEMBERED:
        with _lock:
            _remembered.add(value)


def mask_text(text: str) -> str:
    """`text` with known secret shapes and every remembered secret replaced by ***."""
    with _lock:
        values = sorted(_remembered, key=len, reverse=True)  # longest first: no partials
    for value in values:
        if value in text:
            text = text.replace(value, MASK)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class SecretMaskingFilter(logging.Filter):
    """A handler filter: the record's message and traceback, masked, before any output."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_text(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True
