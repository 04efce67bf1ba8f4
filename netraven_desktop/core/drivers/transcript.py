"""Session transcripts: what one SSH session sent and received, as a file to read and replay.

`backup run --record DIR` writes one per device; `sim --replay` serves it back as an SSH
device; `platform test` backs it up with a profile. The format (docs/platforms.md) is JSON
lines, one object per line, so a network engineer can read and edit it in a text editor:

    {"netraven_transcript": 1, "device": "r1", "platform": "cisco_ios", "username": "admin"}
    {"at": 0.031, "recv": "\\r\\n"}
    {"recv": "r1>"}
    {"at": 0.402, "send": "enable\\n"}
    {"at": 0.409, "recv": "Password: "}
    {"at": 0.410, "send_secret": "enable"}
    {"at": 3.210, "end": "ok"}

`at` (seconds since the session opened) starts a new chunk, one read from the channel;
a `recv` without it continues the chunk, one output line per object. The credential's
values are never written: the enable secret typed in the session is `send_secret`, and
any credential value seen anywhere else, echoed or not, becomes `<removed>`, as do the
configuration's secrets, by the same rules as stored configurations.
"""

from __future__ import annotations

import json
import re
import time
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from ..errors import InputError
from ..private_files import ensure_private_dir, write_private_file
from .filters import mask_line, strip_terminal_noise
from .profiles import MASK, PlatformProfile

FORMAT_VERSION = 1
SUFFIX = ".transcript.jsonl"
_LINES = re.compile(r"[^\n]*\n|[^\n]+")  # lines split at \n only, \r kept
_PEM_BEGIN = re.compile(r"-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----")


@dataclass(frozen=True)
class Chunk:
    """Text the device sent in one read (`at`: seconds into the session)."""

    at: float
    text: str


@dataclass(frozen=True)
class Sent:
    """What the client typed; `secret` names a credential value typed (never its value)."""

    at: float
    text: str = ""
    secret: str | None = None


Event = Chunk | Sent


@dataclass
class Transcript:
    device: str
    platform: str
    username: str = ""
    events: list[Event] = field(default_factory=list)
    end: str = ""


class Recorder:
    """Collects one session's traffic; `finish` masks it and writes the file."""

    def __init__(
        self,
        path: Path,
        *,
        device: str,
        profile: PlatformProfile,
        username: str,
        secrets: tuple[str | None, ...],
    ) -> None:
        self.path = path
        self.transcript = Transcript(device, profile.key, username)
        self._profile = profile
        # Longest first: a value that contains another is masked whole.
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)
        self._zero = time.monotonic()

    def start(self) -> None:
        self._zero = time.monotonic()
        self.transcript.events.clear()

    def _now(self) -> float:
        return round(time.monotonic() - self._zero, 3)

    def received(self, text: str) -> None:
        self.transcript.events.append(Chunk(self._now(), text))

    def sent(self, text: str, secret: str | None = None) -> None:
        self.transcript.events.append(
            Sent(self._now(), secret=secret) if secret else Sent(self._now(), text)
        )

    def finish(self, error: str | None = None) -> None:
        """Mask what was collected and write the transcript (also after a failure), 0600:
        a masked configuration is still one."""
        self.transcript.end = "ok" if error is None else self._hide(error)
        masked = mask_transcript(self.transcript, self._profile, self._secrets)
        ensure_private_dir(self.path.parent)
        write_private_file(self.path, dumps(masked).encode())

    def _hide(self, text: str) -> str:
        for value in self._secrets:
            text = text.replace(value, MASK)
        return text


def mask_transcript(
    transcript: Transcript, profile: PlatformProfile, secrets: list[str]
) -> Transcript:
    """The transcript with credential values and configuration secrets masked.

    Output is masked line by line (a line split over several reads is masked whole and
    kept in the first of them); each line of a PEM private key's body becomes `<removed>`
    (so a replayed backup stores the key as the original did: one `<removed>` line).
    """
    masker = _LineMasker(profile, secrets)
    events: list[Event] = []
    pending: list[Chunk] = []
    for event in transcript.events:
        if isinstance(event, Chunk):
            pending.append(event)
            continue
        events += masker.chunks(pending)
        pending = []
        text = "" if event.secret else masker.credentials(event.text)
        events.append(Sent(event.at, text, event.secret))
    events += masker.chunks(pending)
    return replace(transcript, events=events)


class _LineMasker:
    def __init__(self, profile: PlatformProfile, secrets: list[str]) -> None:
        self.profile = profile
        self.secrets = secrets
        self.in_key = False  # inside a PEM private key's body

    def credentials(self, text: str) -> str:
        for value in self.secrets:
            text = text.replace(value, MASK)
        return text

    def chunks(self, chunks: list[Chunk]) -> list[Chunk]:
        """Mask whole lines across the chunks' boundaries; keep the boundaries elsewhere."""
        starts: dict[int, float] = {}  # offset in the joined text -> when that read came
        offset = 0
        for chunk in chunks:
            starts.setdefault(offset, chunk.at)
            offset += len(chunk.text)
        text = "".join(chunk.text for chunk in chunks)
        bounds = sorted(starts)
        out: list[Chunk] = []
        offset = 0
        for line in _LINES.findall(text):
            masked = self.line(line)
            end = offset + len(line)
            if masked != line:  # one piece, in the read that brought its start
                _append(out, starts.get(offset), masked)
            else:
                cuts = bounds[bisect_right(bounds, offset) : bisect_left(bounds, end)]
                for a, b in zip([offset, *cuts], [*cuts, end], strict=True):
                    _append(out, starts.get(a), text[a:b])
            offset = end
        return out

    def line(self, raw: str) -> str:
        """One received line (with its line ending) as the transcript keeps it."""
        body = raw.rstrip("\r\n")
        ending = raw[len(body) :]
        plain = strip_terminal_noise(body).rstrip()
        if self.in_key:
            if "-----END" in plain:
                self.in_key = False
                return raw
            return MASK + ending
        if _PEM_BEGIN.search(plain) and "-----END" not in plain:
            self.in_key = True
            return raw
        hidden = self.credentials(body)
        if hidden != body:
            plain = strip_terminal_noise(hidden).rstrip()
        masked = mask_line(plain, self.profile)
        if masked != plain:
            return masked + ending
        return hidden + ending


def _append(out: list[Chunk], at: float | None, text: str) -> None:
    """Start a new chunk at `at`, or continue the last one."""
    if not text:
        return
    if at is None and out:
        out[-1] = Chunk(out[-1].at, out[-1].text + text)
    else:
        out.append(Chunk(at or 0.0, text))


def dumps(transcript: Transcript) -> str:
    """The file's text: a header, then one object per event and per output line."""
    header = {
        "netraven_transcript": FORMAT_VERSION,
        "device": transcript.device,
        "platform": transcript.platform,
        "username": transcript.username,
        "recorded_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    lines = [header]
    for event in transcript.events:
        if isinstance(event, Chunk):
            for i, piece in enumerate(_LINES.findall(event.text)):
                lines.append({"at": event.at, "recv": piece} if i == 0 else {"recv": piece})
        elif event.secret:
            lines.append({"at": event.at, "send_secret": event.secret})
        else:
            lines.append({"at": event.at, "send": event.text})
    if transcript.end:
        lines.append({"end": transcript.end})
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)


def load(path: Path) -> Transcript:
    """Read a transcript; a bad file is an InputError naming the file, line and problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError("transcript", path, f"cannot read: {exc}") from None
    return loads(text, str(path))


def loads(text: str, name: str = "transcript") -> Transcript:
    rows = text.split("\n")  # not splitlines(): a JSON string may hold U+2028
    if not rows[0].strip():
        raise InputError(name, "", "empty file, expected a transcript header")
    header = _row(name, 1, rows[0])
    if header.get("netraven_transcript") != FORMAT_VERSION:
        raise InputError(f"{name}:1", rows[0], f'needs "netraven_transcript": {FORMAT_VERSION}')
    for key in ("device", "platform"):
        if not isinstance(header.get(key), str) or not header[key]:
            raise InputError(f"{name}:1: {key}", header.get(key), "must be a non-empty string")
    transcript = Transcript(header["device"], header["platform"], str(header.get("username", "")))
    events = transcript.events
    for number, row in enumerate(rows[1:], start=2):
        if not row.strip():
            continue
        obj = _row(name, number, row)
        where = f"{name}:{number}"
        at = obj.get("at")
        if at is not None and not (isinstance(at, int | float) and at >= 0):
            raise InputError(f"{where}: at", at, "must be seconds, a number from 0")
        if "recv" in obj:
            piece = _string(where, obj, "recv")
            if at is None and events and isinstance(events[-1], Chunk):
                events[-1] = Chunk(events[-1].at, events[-1].text + piece)
            else:
                events.append(Chunk(float(at or 0), piece))
        elif "send" in obj:
            events.append(Sent(float(at or 0), _string(where, obj, "send")))
        elif "send_secret" in obj:
            events.append(Sent(float(at or 0), secret=_string(where, obj, "send_secret")))
        elif "end" in obj:
            transcript.end = _string(where, obj, "end")
        else:
            raise InputError(where, row, 'needs one of "recv", "send", "send_secret", "end"')
    return transcript


def _row(name: str, number: int, row: str) -> dict[str, object]:
    try:
        obj = json.loads(row)
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}:{number}", row, f"not JSON: {exc.msg}") from None
    if not isinstance(obj, dict):
        raise InputError(f"{name}:{number}", row, "must be a JSON object")
    return obj


def _string(where: str, obj: dict[str, object], key: str) -> str:
    value = obj[key]
    if not isinstance(value, str):
        raise InputError(f"{where}: {key}", value, "must be a string")
    return value
