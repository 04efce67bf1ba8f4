"""Platform profile files: every mistake named by file, key and problem; `extends`,
overrides of built-in profiles, and `platform show`'s output loading back to the same."""

from __future__ import annotations

from pathlib import Path

import pytest

from netraven_desktop.core.drivers.filters import clean_config
from netraven_desktop.core.drivers.profile_files import (
    BUILTIN_DIR,
    ProfileError,
    check_file,
    load_dir,
    to_toml,
)
from netraven_desktop.core.drivers.profiles import rejected
from netraven_desktop.core.errors import InputError
from netraven_desktop.core.importers.common import platform_from
from netraven_desktop.core.platforms import (
    PLATFORMS,
    builtin_profiles,
    one_registry,
    registry,
    validate_platform,
)

GOOD = """\
name = "Lab switch"
vendor = "Lab"
prompt = '^[\\w.-]+[>#]\\s*$'
commands = ["show running-config"]
volatile = ['^! Time: .*$']

[facts]
serial = '^Serial: (\\S+)'

[[secrets]]
triggers = ["lab-key"]
pattern = '\\blab-key ${value}'
"""


def _top(text: str, line: str) -> str:
    """`text` with a top-level `line` (before its first table)."""
    return text.replace("\n[", f"\n{line}\n[", 1)


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_is_a_profile_the_filters_use(tmp_path: Path):
    profile = check_file(_write(tmp_path, "lab_sw.toml", GOOD), builtin_profiles(), PLATFORMS)
    assert (profile.key, profile.name, profile.vendor, profile.origin) == (
        "lab_sw",
        "Lab switch",
        "Lab",
        "user",
    )
    text = "! Time: 10:00\nlab-key S3cr3t-value\nhostname lab\n"
    assert clean_config(text, profile) == "lab-key <removed>\nhostname lab\n"


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        ("name = 'x'\nvendor = 'y'\ncommands = ['show']\n", "prompt", "missing"),
        (GOOD.replace("prompt = ", "promt = "), "promt", "unknown key"),
        (GOOD.replace("'^[\\w.-]+[>#]\\s*$'", "'^(oops'"), "prompt", "not a valid regular"),
        (GOOD.replace('["show running-config"]', "[]"), "commands", "at least one command"),
        (GOOD.replace('["show running-config"]', '"show run"'), "commands", "list of non-empty"),
        (GOOD.replace("'^! Time: .*$'", "'ok', '[x'"), "volatile[1]", "not a valid regular"),
        (GOOD.replace("serial = '^Serial: (\\S+)'", "serial = 'Serial'"), "facts.serial", "one"),
        (GOOD.replace("serial =", "colour ="), "facts.colour", "unknown fact"),
        (GOOD.replace("${value}", "(\\S+) ${valeu}"), "secrets[0].pattern", "unknown"),
        (GOOD.replace("${value}", "\\S+"), "secrets[0].pattern", "needs a (group)"),
        (GOOD.replace('["lab-key"]', "[]"), "secrets[0].triggers", "non-empty"),
        ("name = 'x'\nvendor = \n", "file", "not valid TOML"),
        ("extends = 'cisco_iso'\nname = 'x'\n", "extends", "no platform by that name"),
        (_top(GOOD, "shell_user_prompt = '^User:'"), "shell_password_prompt", "set both"),
        (_top(GOOD, "shell_password_prompt = '^Pass('"), "shell_password_prompt", "not a valid"),
        (_top(GOOD, "more_answer = ''"), "more_answer", "must not be empty"),
        (_top(GOOD, "more_answer = 13"), "more_answer", "must be a string"),
        (_top(GOOD, "facts_commands = 'show inventory'"), "facts_commands", "list of non-empty"),
    ],
)
def test_a_bad_file_is_named_with_its_key_and_problem(tmp_path: Path, text, key, problem):
    path = _write(tmp_path, "lab_sw.toml", text)
    with pytest.raises(ProfileError) as err:
        check_file(path, builtin_profiles(), PLATFORMS)
    message = str(err.value)
    assert message.startswith(f"{path}: {key}: "), message
    assert problem in message
    assert "\n" not in message
    assert err.value.exit_code == 2


def test_a_file_name_must_be_a_platform_key(tmp_path: Path):
    with pytest.raises(ProfileError, match="file name: must be a platform key"):
        check_file(_write(tmp_path, "Lab Switch.toml", GOOD), builtin_profiles(), PLATFORMS)


def test_extends_replaces_only_the_keys_the_file_sets(tmp_path: Path):
    path = _write(tmp_path, "lab_ios.toml", "extends = 'cisco_ios'\nname = 'Lab IOS'\n")
    lab = check_file(path, builtin_profiles(), PLATFORMS)
    ios = PLATFORMS["cisco_ios"]
    assert (lab.name, lab.vendor) == ("Lab IOS", "Cisco")
    assert lab.fields() == ios.fields() | {"name": "Lab IOS"}


def test_a_folder_loads_what_it_can_and_names_what_it_cannot(tmp_path: Path):
    _write(tmp_path, "good_one.toml", GOOD)
    _write(tmp_path, "child.toml", "extends = 'good_one'\nname = 'Child'\n")
    _write(tmp_path, "broken.toml", GOOD.replace("commands", "comands"))
    _write(tmp_path, "loop_a.toml", "extends = 'loop_b'\nname = 'a'\n")
    _write(tmp_path, "loop_b.toml", "extends = 'loop_a'\nname = 'b'\n")
    loaded, problems = load_dir(tmp_path, "user", builtin_profiles())
    assert sorted(loaded) == ["child", "good_one"]
    assert loaded["child"].prompt == loaded["good_one"].prompt
    assert sorted((p.path.name, p.key) for p in problems) == [
        ("broken.toml", "comands"),
        ("loop_a.toml", "extends"),
        ("loop_b.toml", "extends"),
    ]


def test_a_user_file_overrides_a_built_in_one_and_may_extend_it(tmp_path, monkeypatch):
    monkeypatch.setenv("NETRAVEN_HOME", str(tmp_path))
    _write(
        tmp_path / "platforms",
        "cisco_ios.toml",
        "extends = 'cisco_ios'\nvendor = 'Cisco (lab firmware)'\nvolatile = ['^hostname .*$']\n",
    )
    current = registry()
    ios = current.profiles["cisco_ios"]
    assert (ios.origin, ios.vendor, ios.volatile) == (
        "user",
        "Cisco (lab firmware)",
        ("^hostname .*$",),
    )
    assert ios.secrets == PLATFORMS["cisco_ios"].secrets  # the rest is the built-in's
    assert current.profiles["cisco_xe"] is PLATFORMS["cisco_xe"]  # built on the built-in
    assert not current.problems
    assert clean_config("hostname r1\nend\n", ios) == "end\n"


def test_the_user_folder_is_read_again_when_a_file_arrives(tmp_path, monkeypatch):
    monkeypatch.setenv("NETRAVEN_HOME", str(tmp_path))
    (tmp_path / "platforms").mkdir()
    assert "lab_sw" not in registry().profiles
    _write(tmp_path / "platforms", "lab_sw.toml", GOOD)
    assert registry().profiles["lab_sw"].name == "Lab switch"


def test_a_bulk_operation_checks_every_row_against_one_reading(tmp_path, monkeypatch):
    """An import or a run's plan holds the registry it started with: a file arriving
    half-way changes no row's verdict, and is seen once the operation ends."""
    monkeypatch.setenv("NETRAVEN_HOME", str(tmp_path))
    (tmp_path / "platforms").mkdir()
    with one_registry():
        _write(tmp_path / "platforms", "lab_sw.toml", GOOD)
        with pytest.raises(InputError, match="unknown platform"):
            validate_platform("lab_sw")
    assert validate_platform("lab_sw") == "lab_sw"


@pytest.mark.parametrize("key", sorted(PLATFORMS))
def test_platform_show_output_loads_back_to_the_same_profile(tmp_path: Path, key: str):
    path = _write(tmp_path, f"{key}.toml", to_toml(PLATFORMS[key]))
    again = check_file(path, builtin_profiles(), PLATFORMS)
    assert again.fields() == PLATFORMS[key].fields()


@pytest.mark.parametrize(
    ("theirs", "ours"),
    [
        ("comware", "hp_comware"),  # Oxidized models
        ("timos", "nokia_sros"),
        ("edgeos", "ubiquiti_edgerouter"),
        ("aireos", "cisco_wlc"),
        ("vyos.vyos.vyos", "vyos"),  # Ansible network_os
        ("community.network.aireos", "cisco_wlc"),
        ("dellemc.os10.os10", "dell_os10"),
        ("arubanetworks.aoscx.aoscx", "aruba_aoscx"),
        ("HPE-Comware", "hp_comware"),  # NetBox platform slugs and names
    ],
)
def test_other_tools_names_for_new_platforms_are_ours(theirs: str, ours: str):
    assert platform_from(theirs) == ours
    assert ours in PLATFORMS


def test_add_keys_append_to_what_extends_gives(tmp_path: Path):
    text = (
        "extends = 'cisco_ios'\nname = 'Lab'\nadd_volatile = ['^! Uptime: .*$']\n"
        "errors = ['% ?Bad command']\n"
        "[[add_secrets]]\ntriggers = ['api-token']\npattern = '\\bapi-token ${value}'\n"
    )
    lab = check_file(_write(tmp_path, "lab.toml", text), builtin_profiles(), PLATFORMS)
    ios = PLATFORMS["cisco_ios"]
    assert lab.volatile == (*ios.volatile, "^! Uptime: .*$")
    assert lab.secrets[: len(ios.secrets)] == ios.secrets
    config = "! Uptime: 3 days\napi-token t0ken-Value\nsnmp-server community Pub1ic RO\n"
    assert clean_config(config, lab) == "api-token <removed>\nsnmp-server community <removed> RO\n"
    assert rejected("% Bad command\n", lab)
    assert not rejected("% Bad command\n", ios)


@pytest.mark.parametrize("key", sorted(PLATFORMS))
def test_every_built_in_file_passes_the_full_check(key: str):
    # The program skips compiling the built-in files' patterns at start; this is where
    # a broken built-in pattern is caught.
    checked = check_file(BUILTIN_DIR / f"{key}.toml", builtin_profiles(), PLATFORMS)
    assert checked.fields() == PLATFORMS[key].fields()
