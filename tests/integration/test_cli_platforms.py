"""`platform list|show|check` and user profile files, as a network engineer uses them:
real processes, a real config folder, the simulator over loopback, the real keyring."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.clitools import Cli, add_lab_inventory, one_line_error
from tests.sim import running_sim


@pytest.fixture
def platforms_dir(env) -> Path:
    folder = Path(env["NETRAVEN_HOME"]) / "platforms"
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def no_db_cli(env) -> Cli:
    """The CLI with no database at all: `platform` commands must not need one."""
    return Cli(None, env)


def test_platform_list_shows_built_in_and_user_platforms(no_db_cli, platforms_dir):
    (platforms_dir / "lab_sw.toml").write_text("extends = 'cisco_ios'\nname = 'Lab switch'\n")
    (platforms_dir / "cisco_nxos.toml").write_text("extends = 'cisco_nxos'\nvendor = 'Cisco lab'\n")
    rows = {row["platform"]: row for row in no_db_cli.json("platform", "list")}
    assert rows["cisco_ios"] == {
        "platform": "cisco_ios",
        "name": "Cisco IOS",
        "vendor": "Cisco",
        "source": "built-in",
    }
    assert rows["lab_sw"]["source"] == f"user file {platforms_dir / 'lab_sw.toml'}"
    assert rows["cisco_nxos"]["vendor"] == "Cisco lab"
    assert rows["cisco_nxos"]["source"].endswith("cisco_nxos.toml (replaces built-in)")
    assert not Path(no_db_cli.env["NETRAVEN_HOME"], "netraven.db").exists()


def test_a_broken_user_file_is_left_out_and_named(no_db_cli, platforms_dir):
    bad = platforms_dir / "lab_sw.toml"
    bad.write_text("extends = 'cisco_ios'\nname = 'Lab'\nenabled_prompt = '#('\n")
    result = no_db_cli("platform", "list")
    assert result.returncode == 1
    assert "lab_sw" not in result.stdout
    one_line_error(result, f"left out: {bad}: enabled_prompt: not a valid regular expression")


def test_platform_check_good_and_bad_files(no_db_cli, tmp_path):
    good = tmp_path / "lab_sw.toml"
    good.write_text("extends = 'cisco_ios'\nname = 'Lab switch'\n")
    ok = no_db_cli("platform", "check", str(good))
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith(f"{good}: ok: platform lab_sw, Lab switch (Cisco)")
    bad = tmp_path / "lab_fw.toml"
    bad.write_text("name = 'Lab firewall'\nvendor = 'Lab'\nprompt = '> $'\ncommands = 'show'\n")
    result = no_db_cli("platform", "check", str(bad))
    assert result.returncode == 2
    one_line_error(result, f"{bad}: commands: must be a list of non-empty strings")
    missing = no_db_cli("platform", "check", str(tmp_path / "nothing.toml"))
    assert missing.returncode == 2
    one_line_error(missing, "nothing.toml: file: cannot be read")


def test_platform_show_prints_a_file_that_checks(no_db_cli, tmp_path):
    shown = no_db_cli.ok("platform", "show", "Cisco_XE")
    assert shown.startswith("# cisco_xe: built-in, ")
    assert "name = 'Cisco IOS XE'" in shown
    assert "commands = [\n  'show running-config',\n]" in shown
    copy = tmp_path / "my_xe.toml"
    copy.write_text(shown)
    assert no_db_cli("platform", "check", str(copy)).returncode == 0
    unknown = no_db_cli("platform", "show", "cisco_iso")
    assert unknown.returncode == 2
    one_line_error(unknown, "platform: unknown platform; did you mean cisco_ios")


def test_a_user_platform_is_added_and_backed_up_like_a_built_in_one(
    cli, env, platforms_dir, secret_store
):
    # What the guide says: start from `platform show`, rename, change what differs. This
    # lab firmware's profile drops its hostname line and reports its own vendor.
    shown = cli.ok("platform", "show", "cisco_ios").split("\n", 1)[1]
    shown = shown.replace("name = 'Cisco IOS'", "name = 'Lab IOS'")
    shown = shown.replace("vendor = 'Cisco'", "vendor = 'Lab Networks'")
    shown = shown.replace("volatile = [\n", "volatile = [\n  '^hostname .*$',\n")
    (platforms_dir / "lab_ios.toml").write_text(shown)
    with running_sim(env, count=1, platforms=("cisco_ios",)) as devices:
        [(name, _, port)] = devices
        add_lab_inventory(cli, [(name, "lab_ios", port)])
        try:
            run = cli("backup", "run", "--all")
            assert run.returncode == 0, run.stderr
        finally:
            cli("credential", "remove", "lab")
    device = cli.json("device", "show", name)
    assert (device["platform"], device["vendor"]) == ("lab_ios", "Lab Networks")
    config = cli.ok("backup", "show", name)
    assert "interface " in config
    assert "\nhostname " not in config
    assert "<removed>" in config  # the copied secret rules masked what they know


def test_a_user_platform_is_accepted_by_device_import_and_edit(cli, tmp_path, platforms_dir):
    (platforms_dir / "lab_sw.toml").write_text("extends = 'cisco_ios'\nname = 'Lab switch'\n")
    inventory = tmp_path / "devices.csv"
    inventory.write_text("name,host,platform\nsw1,10.0.0.1,lab_sw\nsw2,10.0.0.2,cisco_ios\n")
    cli.ok("device", "import", str(inventory))
    cli.ok("device", "edit", "sw2", "--platform", "lab_sw")
    assert {d["platform"] for d in cli.json("device", "list")} == {"lab_sw"}
    (platforms_dir / "lab_sw.toml").unlink()
    result = cli("device", "add", "sw3", "--host", "10.0.0.3", "--platform", "lab_sw")
    assert result.returncode == 2
    one_line_error(result, "platform: unknown platform", "(got 'lab_sw')")
    # Devices of a platform whose file went away fail alone, saying why; nothing is sent.
    run = cli("backup", "run", "--all", "--json")
    assert run.returncode == 1, run.stderr
    finished = [e for e in map(json.loads, run.stdout.splitlines()) if "error_class" in e]
    assert sorted((e["device"], e["error_class"]) for e in finished) == [
        ("sw1", "no_profile"),
        ("sw2", "no_profile"),
    ]
    assert all("unknown platform" in e["message"] for e in finished)


def test_the_simulator_says_which_platforms_it_plays(no_db_cli):
    result = no_db_cli("sim", "--platform", "vyos", "--devices", "1")
    assert result.returncode == 2
    one_line_error(result, "--platform: the simulator does not play it; it plays cisco_ios")
