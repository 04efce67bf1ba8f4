"""Field validators: what users type into `--host`, `--port`, names and platforms."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from netraven_desktop.core.errors import InputError
from netraven_desktop.core.platforms import PLATFORMS, validate_platform
from netraven_desktop.core.validation import validate_host, validate_name, validate_port


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("10.0.0.1", "10.0.0.1"),
        (" 192.168.1.254 ", "192.168.1.254"),
        ("2001:DB8::1", "2001:db8::1"),
        ("[fe80::1]", "fe80::1"),
        ("Core-SW1.Example.NET", "core-sw1.example.net"),
        ("edge1.example.net.", "edge1.example.net"),
        ("sw_legacy-01", "sw_legacy-01"),
        ("localhost", "localhost"),
    ],
)
def test_valid_hosts_are_normalised(raw, expected):
    assert validate_host(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        "10.0.0.256",
        "1.2.3",
        "bad host",
        "-lead.example.net",
        "a..b",
        "x" * 64 + ".net",
        "host/24",
        "2001:db8::g",
    ],
)
def test_invalid_hosts_name_the_field_and_value(raw):
    with pytest.raises(InputError) as err:
        validate_host(raw)
    assert err.value.field == "host"
    assert str(err.value).startswith("host: ")
    assert repr(raw) in str(err.value)


@given(st.ip_addresses())
def test_every_ip_literal_is_accepted(address):
    assert ipaddress.ip_address(validate_host(str(address))) == address


@given(st.text(max_size=300))
def test_any_text_is_accepted_or_rejected_cleanly(text):
    try:
        validate_host(text)
        field = "host"
    except InputError as exc:
        field = exc.field
    assert field == "host"


@pytest.mark.parametrize(("raw", "expected"), [(22, 22), ("830", 830), ("65535", 65535)])
def test_ports(raw, expected):
    assert validate_port(raw) == expected


@pytest.mark.parametrize("raw", [0, 65536, "-1", "ssh", "22.5", None, True])
def test_bad_ports(raw):
    with pytest.raises(InputError, match="port: must be a whole number from 1 to 65535"):
        validate_port(raw)


@pytest.mark.parametrize("raw", ["", "  ", "a\x00b", "tab\there", "x" * 129])
def test_bad_names(raw):
    with pytest.raises(InputError) as err:
        validate_name(raw)
    assert err.value.field == "name"


def test_names_are_trimmed():
    assert validate_name("  core-sw1 ") == "core-sw1"


def test_platforms_cover_the_netmiko_keys_we_promise():
    promised = {
        "cisco_ios",
        "cisco_xe",
        "cisco_nxos",
        "cisco_xr",
        "cisco_asa",
        "arista_eos",
        "juniper_junos",
        "fortinet",
        "paloalto_panos",
        "mikrotik_routeros",
        "hp_procurve",
        "aruba_os",
        "huawei_vrp",
        "linux",
    }
    assert promised <= set(PLATFORMS)


def test_platform_is_case_insensitive_and_typos_get_suggestions():
    assert validate_platform(" Cisco_IOS ") == "cisco_ios"
    with pytest.raises(InputError, match="did you mean cisco_ios") as err:
        validate_platform("cisco_iso")
    assert err.value.field == "platform"
    with pytest.raises(InputError, match="`netraven-desktop platform list` shows the known ones"):
        validate_platform("zzzzzz")
