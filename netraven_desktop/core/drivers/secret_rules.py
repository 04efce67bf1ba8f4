"""How secrets are found in configurations: the rule type, the named pieces of patterns
profile files use (`${value}` ...), and the rules every platform shares.

Each platform's own rules are data, in its profile file (`platforms/*.toml`). A rule
names the literal words a line must contain to be worth a regex at all (most lines
contain none, so they cost one cheap scan), and a pattern whose capturing groups are
the secret values. Only the values are masked: the rest of the line stays, so
`snmp-server host 10.1.2.3 version 2c <removed>` still says where traps go.

The classes come from vendor documentation and from the public rule sets of Oxidized
(`cmd :secret` in its models) and netconan (RANCID's regexes); tests/data/secret_corpus
holds a configuration line for each, per platform.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SecretRule:
    """Lines containing any of `triggers` are searched with `pattern` (every match on the
    line); each capturing group that took part in a match is a secret value."""

    triggers: tuple[str, ...]
    pattern: str


# A value: quoted (the quotes stay) or one word.
V = r'(?:"([^"\n]*)"|([^\s"]\S*))'
# A Junos value: quoted, or a word that stops before the statement's ";".
JV = r'(?:"([^"\n]*)"|([^\s";{]+))'
# A value in double or single quotes (VyOS, EdgeOS set commands), or one word.
QV = r"""(?:"([^"\n]*)"|'([^'\n]*)'|([^\s"']\S*))"""
# How vendors tag a stored secret's encoding before the value.
T = r"(?: (?:\d{1,2}|sha512|encrypted|clear|ciphertext|plaintext))?"
_IPV4 = r"\d+\.\d+\.\d+\.\d+\b"
# Lines that talk about secrets without holding one (a `no` statement holds none).
_PROSE = r"(?!\s*(?:description|remark|alias|banner|no)\b)"

# Every platform: passwords inside URLs (scheme://user:PASSWORD@host; RFC 3986 userinfo
# has no "/"). PEM private-key blocks span lines and are masked by the filter itself.
ANY_PLATFORM = (SecretRule(("://",), r"""[A-Za-z][\w+.-]*://[^/\s:@"']*:([^/\s@"']+)@"""),)

# What `${name}` stands for in a profile file's secret pattern.
MACROS = {
    "value": V,
    "any_quoted_value": QV,
    "junos_value": JV,
    "encoding": T,
    "ipv4": _IPV4,
    "not_prose": _PROSE,
}
