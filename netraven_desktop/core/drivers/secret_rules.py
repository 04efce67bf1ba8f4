"""Where each platform keeps secrets in its configuration: the masking rules, as data.

A rule names the literal words a line must contain to be worth a regex at all (most
lines contain none, so they cost one cheap scan), and a pattern whose capturing groups
are the secret values. Only the values are masked: the rest of the line stays, so
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


def rule(pattern: str, *triggers: str) -> SecretRule:
    return SecretRule(triggers, pattern)


# A value: quoted (the quotes stay) or one word.
V = r'(?:"([^"\n]*)"|([^\s"]\S*))'
# A Junos value: quoted, or a word that stops before the statement's ";".
JV = r'(?:"([^"\n]*)"|([^\s";{]+))'
# How vendors tag a stored secret's encoding before the value.
T = r"(?: (?:\d{1,2}|sha512|encrypted|clear|ciphertext|plaintext))?"
_IPV4 = r"\d+\.\d+\.\d+\.\d+\b"
# Lines that talk about secrets without holding one (a `no` statement holds none).
_PROSE = r"(?!\s*(?:description|remark|alias|banner|no)\b)"

# Every platform: passwords inside URLs (scheme://user:PASSWORD@host; RFC 3986 userinfo
# has no "/"). PEM private-key blocks span lines and are masked by the filter itself.
ANY_PLATFORM = (rule(r"""[A-Za-z][\w+.-]*://[^/\s:@"']*:([^/\s@"']+)@""", "://"),)

# TACACS+ / RADIUS server keys, in the statement style several vendors share.
AAA_SERVER_KEY = rule(
    rf"\b(?:tacacs|radius)-server (?:host \S+ (?:\S+ )*?)?key{T} {V}",
    "tacacs-server ",
    "radius-server ",
)

# The Cisco-style CLIs (IOS, IOS-XE with the C9800 wireless controller's statements,
# NX-OS, IOS XR, ASA, Arista EOS) share one rule set: their secret statements overlap,
# and a rule whose words a configuration never uses costs it nothing.
CISCO_IOS = (
    # password/secret anywhere in a statement: username, enable, line, BGP neighbor,
    # ppp chap, dot1x, ip ftp, isis, l2tp, digest secret ... (not `password encryption aes`)
    rule(
        rf"^{_PROSE}(?:.*? )?(?:password|secret){T} (?!(?:level|encryption)\b){V}",
        "password",
        "secret",
    ),
    rule(rf"\benable (?:secret|password) level \d+{T} {V}", "enable secret", "enable password"),
    rule(rf"\bmgmtuser username \S+ password \d {V} secret \d {V}", "mgmtuser"),
    rule(rf"^\s*snmp-server community {V}", "snmp-server community"),
    # SNMPv1/v2c trap hosts carry the community; v3 hosts carry a user name (kept).
    rule(
        rf"^\s*snmp-server host \S+(?: vrf \S+)?(?: informs| traps)?(?: version (?:1|2c))?"
        rf" (?!version\b|{_IPV4}){V}",
        "snmp-server host",
    ),
    # ASA: snmp-server host IFNAME ADDRESS community COMMUNITY ...
    rule(rf"\bsnmp-server host \S+ \S+ (?:\S+ )*?community{T} {V}", "snmp-server host"),
    rule(
        rf"^\s*snmp-server user .*? auth (?:md5|sha\S*){T} {V}"
        rf"(?: priv(?: 3des| des| aes(?: \d+)?| aes-128)?{T} {V})?",
        "snmp-server user",
    ),
    AAA_SERVER_KEY,
    # `key` under radius/tacacs server, aaa-server host (ASA), failover; not a key chain's
    # `key 1` (an id: digits alone) or `key chain NAME`.
    rule(
        rf"^\s*(?:failover )?key(?: [0-7] {V}| (?!(?:chain|config-key)\b|\d+$){V})",
        "key",
    ),
    rule(rf"\bkey config-key password-encrypt {V}", "config-key"),
    rule(rf"\bserver-key{T} {V}", "server-key"),
    rule(rf"\bserver-private \S+ (?:\S+ )*?key{T} {V}", "server-private"),
    rule(rf"\bkey-string(?: password)?{T} {V}", "key-string"),
    rule(rf"\b(?:standby|vrrp)(?: \d+)? authentication (?:text )?(?!md5\b){V}", "standby", "vrrp"),
    rule(rf"\bntp authentication-key \d+ \S+{T} {V}", "ntp authentication-key"),
    rule(rf"(?<!ntp )\bauthentication-key{T} {V}", "authentication-key"),
    rule(rf"\bmessage-digest-key \d+ md5{T} {V}", "message-digest-key"),
    rule(rf"\b(?:domain|area|hello|lsp)-password(?: hmac-md5| text)?{T} {V}", "-password"),
    rule(rf"\bisakmp key{T} {V}", "isakmp key"),
    rule(rf"\bpre-shared-key(?: local| remote)?{T} {V}", "pre-shared-key"),
    rule(rf"\b(?:set-key|wpa-psk) (?:ascii|hex){T} {V}", "set-key", "wpa-psk"),
    rule(rf"\bldap-login-password {V}", "ldap-login-password"),
    rule(rf"^\s*passwd {V}", "passwd"),
    rule(rf"\bcable shared-secret{T} {V}", "shared-secret"),
)

CISCO_NXOS = CISCO_IOS
CISCO_XR = CISCO_IOS
CISCO_ASA = CISCO_IOS
ARISTA_EOS = CISCO_IOS

JUNIPER_JUNOS = (
    # Junos marks the lines it considers secret; the value is the last one before the mark.
    rule(rf"\s{JV};?\s*## SECRET-DATA", "## SECRET-DATA"),
    # $9$ is Junos's reversible encoding: a secret in any statement.
    rule(r'"(\$9\$[^"\n]*)"|(\$9\$[^\s";]+)', "$9$"),
    rule(
        r"\b(?:encrypted-password|authentication-key|hello-authentication-key|simple-password"
        rf"|secret|(?:pre-shared-)?key (?:ascii-text|hexadecimal)|md5 \d+ key) {JV}",
        "password",
        "key",
        "secret",
    ),
    # SNMP communities (policy-options `community NAME members ...` are route tags).
    rule(rf"^\s*(?:set snmp )?community (?!\S+\s+members\b){JV}", "community"),
)

FORTINET = (
    rule(r"\bset \S+ ENC (\S+)", " ENC "),
    # Plain values: set password|passwd|psksecret|secret|key|pwd|passphrase, with any
    # prefix (auth-pwd, secondary-secret, ldap-password, scep-password, api-key, ...).
    rule(
        r"^\s*set (?:[\w-]*-)?(?:password|passwd|psksecret|secret|key|pwd|passphrase)"
        rf" (?!ENC\b){V}",
        "pass",
        "secret",
        "key ",
        "pwd",
    ),
)

_PANOS_WORDS = ("phash", "password", "secret", "pwd", "key", "community")
PALOALTO_PANOS = (
    rule(
        r"<(?:phash|password|key|secret|pre-shared-key|auth-password|priv-password|authpwd"
        r"|privpwd|bind-password|shared-secret|private-key|community)>([^<\n]*)</",
        *_PANOS_WORDS,
    ),
    # The same configuration printed as `set`-style curly text.
    rule(
        r"^\s*(?:phash|password|secret|authpwd|privpwd|bind-password|shared-secret"
        rf"|private-key|community|key) {JV};",
        *_PANOS_WORDS,
    ),
)

MIKROTIK_ROUTEROS = (
    rule(
        r"\b(?:password|secret|authentication-key|auth-key|wpa2?-pre-shared-key|pre-shared-key"
        r'|passphrase|private-key|authentication-password|encryption-password)=(?:"([^"\n]*)"'
        r"|(\S+))",
        "password=",
        "secret=",
        "key=",
        "passphrase=",
    ),
    # An SNMPv1/v2c community's name is its password (a v3 one's is a user name: kept).
    rule(
        r"^/snmp community (?:add|set)\b(?!.*authentication-password)[^\n]*?\bname="
        r'(?:"([^"\n]*)"|(\S+))',
        "/snmp community",
    ),
)

HP_PROCURVE = (
    rule(
        rf'^\s*password (?:manager|operator)(?: user-name (?:"[^"\n]*"|\S+))?'
        rf" (?:sha1|plaintext) {V}",
        "password",
    ),
    rule(rf"^\s*snmp-server community {V}", "snmp-server community"),
    rule(rf"^\s*snmp-server host \S+ (?:community )?{V}", "snmp-server host"),
    AAA_SERVER_KEY,
    rule(rf"\bsnmpv3 user \S+ auth (?:md5|sha) {V}(?: priv(?: des| aes)? {V})?", "snmpv3 user"),
)

ARUBA_OS = (
    rule(rf"^\s*mgmt-user \S+ \S+(?: \d)? {V}", "mgmt-user"),
    rule(rf"\b(?:ipsec|wpa-passphrase|wpa-hexkey){T} {V}", "ipsec", "wpa-"),
    rule(rf"^\s*key{T} {V}", "key"),
    rule(rf"\b(?:password|secret){T} (?!(?:level|encryption)\b){V}", "password", "secret"),
    rule(rf"^\s*snmp-server community {V}", "snmp-server community"),
    AAA_SERVER_KEY,
)

HUAWEI_VRP = (
    rule(r"\b(?:cipher|irreversible-cipher|simple) (\S+)", "cipher", "simple"),
    # VRP's own reversible encodings, wherever they appear.
    rule(r"(%\^%#\S*?%\^%#|%\$%\$\S*?%\$%\$|%@%@\S*?%@%@)", "%^%#", "%$%$", "%@%@"),
    rule(r"^\s*snmp-agent community (?:read|write) (?!cipher\b)(\S+)", "snmp-agent community"),
    rule(r"\bpin verify(?: auto)? (\S+)", "pin verify"),
)

LINUX: tuple[SecretRule, ...] = ()
