"""Volatile-line filters, secret masking and fact parsing, per platform profile."""

from __future__ import annotations

import pytest

from netraven_desktop.core.drivers.filters import clean_config, parse_facts, strip_terminal_noise
from netraven_desktop.core.drivers.profiles import MASK
from netraven_desktop.core.platforms import PLATFORMS, profile_for

IOS = """Building configuration...

Current configuration : 1234 bytes
!
! Last configuration change at 10:31:02 UTC Fri Nov 27 2026 by admin
! NVRAM config last updated at 10:31:05 UTC Fri Nov 27 2026 by admin
!
hostname core-sw1
enable secret 9 $9$abcDEFghi$xyz
username admin privilege 15 secret 5 $1$salt$hash
snmp-server community Publ1c RO
ntp clock-period 17208556
line vty 0 4
 password 7 0822455D0A16
interface Loopback0
 description uplink with password in the description stays
"""


def test_cisco_ios_drops_volatile_lines_and_masks_secrets():
    cleaned = clean_config(IOS, profile_for("cisco_ios"))
    assert "Last configuration change" not in cleaned
    assert "NVRAM config last updated" not in cleaned
    assert "ntp clock-period" not in cleaned
    assert "Current configuration" not in cleaned
    for secret in ("$9$abcDEFghi$xyz", "$1$salt$hash", "Publ1c", "0822455D0A16"):
        assert secret not in cleaned
    assert f"enable secret 9 {MASK}" in cleaned
    assert f"username admin privilege 15 secret 5 {MASK}" in cleaned
    assert f"snmp-server community {MASK}" in cleaned
    assert f" password 7 {MASK}" in cleaned
    assert "description uplink with password in the description stays" in cleaned
    assert cleaned.startswith("!\nhostname core-sw1") or cleaned.startswith("!")
    assert cleaned.endswith("stays\n")


def test_masking_can_be_turned_off():
    assert "Publ1c" in clean_config(IOS, profile_for("cisco_ios"), mask_secrets=False)


def test_volatile_churn_yields_identical_text():
    later = IOS.replace("10:31:02", "11:45:59").replace("17208556", "17208999")
    assert clean_config(later, profile_for("cisco_ios")) == clean_config(
        IOS, profile_for("cisco_ios")
    )


@pytest.mark.parametrize(
    ("platform", "line", "secret"),
    [
        ("juniper_junos", 'encrypted-password "$6$abc$def"; ## SECRET-DATA', "$6$abc$def"),
        ("paloalto_panos", "<phash>$1$xyz$abc</phash>", "$1$xyz$abc"),
        ("mikrotik_routeros", "add name=u1 password=T0psecret group=full", "T0psecret"),
        ("fortinet", "    set password ENC SH2abcdef==", "SH2abcdef=="),
        ("huawei_vrp", " local-user admin password irreversible-cipher $1a$xyz$", "$1a$xyz$"),
        ("arista_eos", "username admin privilege 15 role network-admin secret sha512 $6$x", "$6$x"),
        (
            "cisco_asa",
            "tunnel-group 1.2.3.4 ipsec-attributes\n ikev1 pre-shared-key Sh4red",
            "Sh4red",
        ),
        ("cisco_nxos", "username admin password 5 $5$KEY  role network-admin", "$5$KEY"),
    ],
)
def test_secret_patterns_per_platform(platform, line, secret):
    cleaned = clean_config(line, profile_for(platform))
    assert secret not in cleaned
    assert MASK in cleaned


def test_masking_keeps_closing_delimiters():
    cleaned = clean_config('secret "$9$abc";', profile_for("juniper_junos"))
    assert cleaned == f'secret "{MASK}";\n'


def test_every_platform_has_a_profile_with_commands():
    for profile in PLATFORMS.values():
        assert profile.commands, profile.key
        assert profile.compiled("volatile") is not None


def test_facts_from_show_version():
    version = (
        "Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), "
        "Version 15.2(4)E10, RELEASE SOFTWARE (fc2)\n"
        "cisco WS-C2960X-48FPD-L (APM86XXX) processor (revision B0) with 524288K bytes\n"
        "Processor board ID FOC1234X0AB\n"
    )
    assert parse_facts(version, profile_for("cisco_ios")) == {
        "vendor": "Cisco",
        "model": "WS-C2960X-48FPD-L",
        "serial": "FOC1234X0AB",
        "os_version": "15.2(4)E10",
    }


def test_terminal_noise_is_removed():
    erase = "\x08" * 8 + " " * 8 + "\x08" * 8  # how a device wipes its --More-- prompt
    raw = f"line1\r\n{erase} line2\r\n\x1b[K"
    assert strip_terminal_noise(raw) == "line1\n line2\n"


def test_cursor_left_pager_erase_and_window_titles_are_removed():
    # Huawei wipes "---- More ----" with cursor-left, blanks, cursor-left; bash sets the
    # xterm title in its prompt. Neither may leave blanks or title text in the output.
    huawei = "  ---- More ----\x1b[42D" + " " * 42 + "\x1b[42Dinterface 10GE1/0/1\r\n"
    assert strip_terminal_noise(huawei) == "  ---- More ----interface 10GE1/0/1\n"
    bash = "\x1b[?2004h\x1b]0;backup@web-01: ~\x07\x1b[01;32mbackup@web-01\x1b[00m:~$ "
    assert strip_terminal_noise(bash) == "backup@web-01:~$ "


def test_log_messages_and_virtual_chassis_roles_are_never_configuration():
    ios = "hostname r1\n*Dec  5 06:00:00.512: %SYS-5-CONFIG_I: Configured from console\n!\n"
    assert clean_config(ios, profile_for("cisco_ios")) == "hostname r1\n!\n"
    junos = "system {\n    host-name ex1;\n}\n\n{master:0}\n"
    assert clean_config(junos, profile_for("juniper_junos")) == "system {\n    host-name ex1;\n}\n"
