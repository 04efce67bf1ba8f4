"""Turn raw command output into the configuration we store: no volatile lines, secrets masked."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from .profiles import MASK, PlatformProfile
from .secret_rules import ANY_PLATFORM

# "Cursor left, blanks, cursor left" (Huawei), "backspace, blanks, backspace" and "return,
# blanks, return" runs that erase a --More-- prompt; escape sequences; window titles (an
# xterm prompt's OSC); bells.
_ANSI = re.compile(
    r"\x1b\[\d*D *\x1b\[\d*D|\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b\][^\x07\x1b\n]*"
    r"(?:\x07|\x1b\\)?|\x08+ *\x08*|\r[ \t]+\r(?!\n)|\x07"
)


def strip_terminal_noise(text: str) -> str:
    """Line endings to \\n, escape sequences and backspaces gone."""
    text = text.replace("\r\n", "\n")
    if "\x1b" in text or "\x08" in text or "\x07" in text or "\r" in text:
        text = _ANSI.sub("", text).replace("\r", "")
    return text


@dataclass(frozen=True)
class Cleaned:
    """A cleaned configuration and what masking took out of it.

    `masked` maps a line number of `text` (0-based) to the secret values masked on that
    line, in order; a PEM private key's body is one value on its `<removed>` line. The
    values never leave the process: callers turn them into keyed fingerprints or drop
    them.
    """

    text: str
    masked: dict[int, tuple[str, ...]] = field(default_factory=dict)


_Rule = tuple[tuple[str, ...], re.Pattern[str]]
# Raise when `clean` gives another result for the same text and rules (a fixed masking
# bug): a backup then cleans every configuration again instead of trusting its raw hash.
CLEANING_VERSION = 1


@dataclass(frozen=True)
class _Masker:
    volatile: re.Pattern[str] | None
    # The fewest words whose occurrences cover every rule's triggers (a word found inside
    # another is enough for both), each with the rules it may call for: lines without
    # one are never looked at again, and a line meets only its words' rules.
    scan: dict[str, tuple[_Rule, ...]]
    rules: bytes  # see `cleaning_rules`


@cache
def _masker(profile: PlatformProfile) -> _Masker:
    # Whole volatile lines, with the line break before them, in one pass over the text.
    # Each pattern is anchored at a line start, so the combined one starts with a plain
    # "\n": the regex engine then jumps from newline to newline instead of trying every
    # pattern at every character (5x faster on a 50 KB configuration).
    unanchored = [p for p in profile.volatile if not p.startswith("^")]
    if unanchored:
        raise ValueError(f"{profile.key}: a volatile pattern must start with ^: {unanchored[0]}")
    volatile = (
        re.compile("\n(?:" + "|".join(f"(?:{p[1:]})" for p in profile.volatile) + ")", re.M)
        if profile.volatile
        else None
    )
    rules = [(r.triggers, re.compile(r.pattern)) for r in (*profile.secrets, *ANY_PLATFORM)]
    words = {word for triggers, _ in rules for word in triggers}
    scan = sorted(w for w in words if not any(o != w and o in w for o in words))
    return _Masker(
        volatile,
        {w: tuple(r for r in rules if any(w in trigger for trigger in r[0])) for w in scan},
        repr((CLEANING_VERSION, MASK, profile.volatile, profile.secrets, ANY_PLATFORM)).encode(),
    )


def clean_config(text: str, profile: PlatformProfile, *, mask_secrets: bool = True) -> str:
    """Drop volatile lines, mask secrets, trim trailing blanks; end with one newline."""
    return clean(text, profile, mask_secrets=mask_secrets).text


def clean(text: str, profile: PlatformProfile, *, mask_secrets: bool = True) -> Cleaned:
    """`clean_config`, also returning the masked values by line.

    Volatile lines go in one regex pass; masking is a few literal scans for trigger
    words, then only the lines that have one meet the rules that name it, so the cost
    stays linear in the text and most lines cost nothing.
    """
    return clean_prepared(prepare(text, profile), profile, mask_secrets=mask_secrets)


def prepare(text: str, profile: PlatformProfile) -> str:
    """The first, cheap half of `clean`: terminal noise, trailing blanks and volatile
    lines gone, secrets still in. With the profile's `cleaning_rules` and the mask flag
    it decides the cleaned result, so a backup can tell an unchanged configuration by
    (a keyed hash of) this text without masking it."""
    masker = _masker(profile)
    cleaned = "\n".join(line.rstrip() for line in strip_terminal_noise(text).split("\n"))
    if masker.volatile is not None:
        cleaned = masker.volatile.sub("", "\n" + cleaned)
    return cleaned.strip("\n")


def clean_prepared(prepared: str, profile: PlatformProfile, *, mask_secrets: bool) -> Cleaned:
    """The second half of `clean`: mask `prepare`'s text and end it with one newline."""
    if not prepared:
        return Cleaned("")
    if not mask_secrets:
        return Cleaned(prepared + "\n")
    cleaned, masked = _mask_pem(prepared)
    cleaned, by_line = _mask_lines(cleaned, _masker(profile))
    for number, values in by_line.items():
        masked[number] = masked.get(number, ()) + values
    return Cleaned(cleaned + "\n", masked)


def cleaning_rules(profile: PlatformProfile) -> bytes:
    """What, besides the text and the mask flag, decides `clean`'s result for `profile`:
    its volatile and secret patterns, the rules of every platform, the mask, and this
    module's version of the algorithm."""
    return _masker(profile).rules


def mask_line(line: str, profile: PlatformProfile) -> str:
    """One cleaned line with its secret values masked as `clean` masks them (a session
    transcript masks output line by line, as it arrives)."""
    return _mask_lines(line, _masker(profile))[0]


# A private key's body, up to the matching END marker (or, cut short, the end of the text).
_PEM = re.compile(
    r"-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----(.*?)(?=-----END \1PRIVATE KEY-----|\Z)", re.DOTALL
)


def _mask_pem(text: str) -> tuple[str, dict[int, tuple[str, ...]]]:
    """Mask the body of every PEM private key; a multi-line body becomes one MASK line."""
    if "PRIVATE KEY-----" not in text:
        return text, {}
    pieces: list[str] = []
    masked: dict[int, tuple[str, ...]] = {}
    last = 0
    for match in _PEM.finditer(text):
        body = match.group(2)
        if not body.strip():
            continue
        pieces.append(text[last : match.start(2)])
        line = sum(piece.count("\n") for piece in pieces)
        if "\n" in body.strip("\n"):
            pieces.append(f"\n{MASK}\n")
            line += 1
        else:
            pieces.append(MASK)
        masked[line] = (body.strip(),)
        last = match.end(2)
    pieces.append(text[last:])
    return "".join(pieces), masked


def _mask_lines(text: str, masker: _Masker) -> tuple[str, dict[int, tuple[str, ...]]]:
    """`text` with the secrets of its lines masked, and the masked values by line number.

    Only the lines holding a scan word are cut out of the text and searched, with the
    rules their words call for; line numbers are counted between those lines only.
    """
    candidates: dict[int, set[_Rule]] = {}  # line start -> rules to try
    for word, rules in masker.scan.items():  # str.find runs at memory speed
        found = text.find(word)
        while found != -1:
            start = text.rfind("\n", 0, found) + 1
            candidates.setdefault(start, set()).update(rules)
            end = text.find("\n", found)
            found = text.find(word, end) if end != -1 else -1
    pieces: list[str] = []
    masked: dict[int, tuple[str, ...]] = {}
    number = done = 0
    for start in sorted(candidates):
        end = text.find("\n", start)
        end = len(text) if end == -1 else end
        line = text[start:end]
        spans = [
            match.span(group)
            for triggers, pattern in candidates[start]
            if any(trigger in line for trigger in triggers)
            for match in pattern.finditer(line)
            for group in range(1, pattern.groups + 1)
            if match.end(group) > match.start(group)  # took part, and holds something
        ]
        if spans:
            number += text.count("\n", done, start)
            line, masked[number] = _replace(line, spans)
            pieces += [text[done:start], line]
            done = end
    pieces.append(text[done:])
    return "".join(pieces), masked


def _replace(line: str, spans: list[tuple[int, int]]) -> tuple[str, tuple[str, ...]]:
    """`line` with each (merged) span replaced by MASK, and the values replaced."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    pieces, values, last = [], [], 0
    for start, end in merged:
        pieces += [line[last:start], MASK]
        values.append(line[start:end])
        last = end
    pieces.append(line[last:])
    return "".join(pieces), tuple(values)


def parse_facts(text: str, profile: PlatformProfile) -> dict[str, str]:
    """Vendor, model, serial and OS version where the platform's version output gives them."""
    facts = {"vendor": profile.vendor} if profile.vendor else {}
    plain = strip_terminal_noise(text)
    for name, pattern in profile.facts.items():
        match = re.search(pattern, plain, re.MULTILINE)
        if match:
            facts[name] = match.group(1).strip()[:128]
    return facts
