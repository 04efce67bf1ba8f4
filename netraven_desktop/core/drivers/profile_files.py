"""Platform profiles as TOML files: the built-in ones in the package, a user's in their
config folder, each validated on load so a mistake is named by file, key and problem.

One file is one platform, keyed by the file's name (`platforms/cisco_ios.toml` is
`cisco_ios`). `extends = "cisco_ios"` starts from another profile and replaces only
the keys the file sets; a user file that extends its own name starts from the built-in
profile of that name. docs/platforms.md describes every key for network engineers.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import InputError
from .profiles import PlatformProfile
from .secret_rules import MACROS, SecretRule

BUILTIN_DIR = Path(__file__).parent / "platforms"
KEY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
FACTS = ("model", "serial", "os_version")
MAX_FILE_BYTES = 1 << 20

# What a file may set, by the type each key holds.
_SHELL_LOGIN = ("shell_user_prompt", "shell_password_prompt")  # both set, or neither ("")
_STRINGS: tuple[str, ...] = ("name", "vendor", "prompt", "more", "more_answer")
_STRINGS += ("enable_password_prompt", "enabled_prompt", *_SHELL_LOGIN)
_OPTIONAL_STRINGS = ("enable_command", "version_command")  # "" says: the platform has none
_LISTS = ("paging_off", "commands", "volatile", "errors", "facts_commands")
_REGEX_KEYS: tuple[str, ...] = ("prompt", "more", "enable_password_prompt", "enabled_prompt")
_REGEX_KEYS += ("volatile", "errors", *_SHELL_LOGIN)
# `add_volatile` / `add_secrets` append to what the file sets or `extends` gives.
_ADDED = ("add_volatile", "add_secrets")
KEYS = ("extends", *_STRINGS, *_OPTIONAL_STRINGS, *_LISTS, "facts", "secrets", *_ADDED)
_REQUIRED = ("name", "vendor", "prompt", "commands")
_MACRO = re.compile(r"\$\{(\w+)\}")


class ProfileError(InputError):
    """A profile file that cannot be used: names the file, the key and the problem."""

    def __init__(self, path: Path, key: str, value: Any, problem: str) -> None:
        self.path = path
        self.key = key
        super().__init__(f"{path}: {key}", value, problem)


def read_file(path: Path, *, patterns: bool = True) -> dict[str, Any]:
    """The file's table, checked key by key (before any `extends` is resolved).

    `patterns=False` skips compiling the regular expressions (most of the cost): for the
    built-in files, whose patterns the test suite compiles and exercises."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ProfileError(path, "file", path.stat().st_size, "larger than 1 MiB")
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(path, "file", path.name, f"not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(path, "file", path.name, f"cannot be read: {exc}") from None
    if not KEY.match(path.stem):
        raise ProfileError(
            path, "file name", path.stem, "must be a platform key: a-z, 0-9 and _ (cisco_ios)"
        )
    for key, value in data.items():
        _check(path, key, value, patterns)
    return data


def _check(path: Path, key: str, value: Any, patterns: bool) -> None:
    def fail(problem: str, shown: Any = value, where: str = key) -> None:
        raise ProfileError(path, where, shown, problem)

    if key not in KEYS:
        fail(f"unknown key; known: {', '.join(KEYS)}")
    if key in (*_STRINGS, *_OPTIONAL_STRINGS, "extends") and not isinstance(value, str):
        fail("must be a string")
    if key in ("name", "vendor", "prompt", "extends") and not value.strip():
        fail("must not be empty")
    if key == "more_answer" and not value:
        fail('must not be empty (" " for a space, "\\n" for Enter)')
    if key in (*_LISTS, "add_volatile"):
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            fail("must be a list of non-empty strings")
        if key == "commands" and not value:
            fail("must name at least one command")
    if patterns and key in (*_REGEX_KEYS, "add_volatile"):
        for i, pattern in enumerate(value if isinstance(value, list) else [value]):
            where = f"{key}[{i}]" if isinstance(value, list) else key
            _regex(path, where, pattern)
    if key == "facts":
        if not isinstance(value, dict):
            fail("must be a table of model, serial, os_version = pattern")
        for name, pattern in value.items():
            if name not in FACTS:
                fail(f"unknown fact; known: {', '.join(FACTS)}", name, f"facts.{name}")
            if not isinstance(pattern, str):
                fail("must be a string", pattern, f"facts.{name}")
            if patterns and _regex(path, f"facts.{name}", pattern).groups != 1:
                fail("must have exactly one (group): the value", pattern, f"facts.{name}")
    if key in ("secrets", "add_secrets"):
        if not isinstance(value, list):
            fail("must be a list of [[secrets]] tables")
        for i, item in enumerate(value):
            _check_secret(path, f"{key}[{i}]", item, patterns)


def _check_secret(path: Path, where: str, item: Any, patterns: bool) -> None:
    if not isinstance(item, dict) or set(item) != {"pattern", "triggers"}:
        raise ProfileError(path, where, item, "must set exactly pattern and triggers")
    triggers = item["triggers"]
    if not isinstance(triggers, list) or not triggers:
        raise ProfileError(path, f"{where}.triggers", triggers, "must be a non-empty list")
    if not all(isinstance(t, str) and t for t in triggers):
        raise ProfileError(path, f"{where}.triggers", triggers, "must be non-empty strings")
    if not isinstance(item["pattern"], str):
        raise ProfileError(path, f"{where}.pattern", item["pattern"], "must be a string")
    pattern = expand(item["pattern"], path, where)
    if patterns and _regex(path, f"{where}.pattern", pattern).groups < 1:
        raise ProfileError(
            path, f"{where}.pattern", item["pattern"], "needs a (group) around the secret value"
        )


def expand(pattern: str, path: Path, where: str) -> str:
    """`${value}` and the other named pieces of secret patterns (MACROS) spelled out."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in MACROS:
            raise ProfileError(
                path, f"{where}.pattern", match.group(0), f"unknown; known: {', '.join(MACROS)}"
            )
        return MACROS[name]

    return _MACRO.sub(one, pattern)


def _regex(path: Path, where: str, pattern: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.MULTILINE)
    except re.error as exc:
        raise ProfileError(path, where, pattern, f"not a valid regular expression: {exc}") from None


def build(
    key: str, path: Path, origin: str, data: Mapping[str, Any], base: PlatformProfile | None
) -> PlatformProfile:
    """A profile from a checked file table over its `extends` base (if any)."""
    fields: dict[str, Any] = dict(base.fields()) if base else {}
    for name, value in data.items():
        if name in ("extends", "secrets", "add_secrets", "add_volatile"):
            continue
        if name in _OPTIONAL_STRINGS:
            fields[name] = value or None
        elif name in _LISTS:
            fields[name] = tuple(value)
        elif name == "facts":
            fields[name] = dict(value)
        else:
            fields[name] = value
    for name in ("secrets", "add_secrets"):
        rules = tuple(
            SecretRule(tuple(s["triggers"]), expand(s["pattern"], path, f"{name}[{i}]"))
            for i, s in enumerate(data.get(name, ()))
        )
        if name == "secrets" and name in data:
            fields["secrets"] = rules
        elif rules:
            fields["secrets"] = (*fields.get("secrets", ()), *rules)
    if "add_volatile" in data:
        fields["volatile"] = (*fields.get("volatile", ()), *data["add_volatile"])
    for name in _REQUIRED:
        if not fields.get(name):
            raise ProfileError(path, name, None, "missing (set it, or extends = a platform)")
    if bool(fields.get("shell_user_prompt")) != bool(fields.get("shell_password_prompt")):
        one = next(name for name in _SHELL_LOGIN if not fields.get(name))
        raise ProfileError(path, one, "", "set both shell login prompts, or neither")
    return PlatformProfile(key=key, source=path, origin=origin, **fields)


def load_dir(
    folder: Path, origin: str, bases: Mapping[str, PlatformProfile], *, patterns: bool = True
) -> tuple[dict[str, PlatformProfile], list[ProfileError]]:
    """Every `*.toml` in `folder` as profiles, and the files that could not be loaded
    (`patterns`: see `read_file`).

    `extends` names another file of the folder or one of `bases`; a file extending its
    own key starts from `bases`' profile of that key (a user's variant of a built-in).
    """
    tables: dict[str, tuple[Path, dict[str, Any]]] = {}
    problems: list[ProfileError] = []
    for path in sorted(folder.glob("*.toml")) if folder.is_dir() else ():
        try:
            tables[path.stem] = (path, read_file(path, patterns=patterns))
        except ProfileError as exc:
            problems.append(exc)
    loaded: dict[str, PlatformProfile] = {}

    def resolve(key: str, chain: tuple[str, ...]) -> PlatformProfile:
        if key in loaded:
            return loaded[key]
        path, data = tables[key]
        parent = data.get("extends")
        base = None
        if parent is not None:
            if parent in chain:
                raise ProfileError(path, "extends", parent, "extends itself through a cycle")
            if parent in tables and parent != key:
                base = resolve(parent, (*chain, key))
            elif parent in bases:
                base = bases[parent]
            else:
                raise ProfileError(path, "extends", parent, "no platform by that name")
        loaded[key] = build(key, path, origin, data, base)
        return loaded[key]

    for key in tables:
        try:
            resolve(key, ())
        except ProfileError as exc:
            problems.append(exc)
    return loaded, problems


def check_file(
    path: Path, builtin: Mapping[str, PlatformProfile], known: Mapping[str, PlatformProfile]
) -> PlatformProfile:
    """The profile one file makes, or its first problem. `extends` names one of `known`,
    or `builtin`'s profile when the file extends its own key (as in `load_dir`)."""
    data = read_file(path)
    parent = data.get("extends")
    base = None
    if parent is not None:
        base = known.get(parent) if parent != path.stem else builtin.get(parent)
        if base is None:
            raise ProfileError(path, "extends", parent, "no platform by that name")
    return build(path.stem, path, "user", data, base)


def to_toml(profile: PlatformProfile) -> str:
    """The profile as a file that loads back to it: every key, `extends` resolved and the
    `${...}` pieces spelled out (what the engine uses, and a start for a user's file)."""
    lines = [f"name = {_quote(profile.name)}", f"vendor = {_quote(profile.vendor)}"]
    keys = ("prompt", "more", "more_answer", *_SHELL_LOGIN, "enable_command")
    for key in (*keys, "enable_password_prompt", "enabled_prompt"):
        lines.append(f"{key} = {_quote(getattr(profile, key) or '')}")
    lines.append(f"version_command = {_quote(profile.version_command or '')}")
    for key in _LISTS:
        items = "".join(f"\n  {_quote(item)}," for item in getattr(profile, key))
        lines.append(f"{key} = [{items}\n]" if items else f"{key} = []")
    lines += ["", "[facts]", *(f"{k} = {_quote(v)}" for k, v in profile.facts.items())]
    for secret in profile.secrets:
        triggers = ", ".join(_quote(t) for t in secret.triggers)
        lines += ["", "[[secrets]]", f"triggers = [{triggers}]"]
        lines.append(f"pattern = {_quote(secret.pattern)}")
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    """A TOML string: literal ('...', no escapes: regexes read as written) when it can be."""
    if "'" not in text and "\n" not in text:
        return f"'{text}'"
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'
