"""Record, replay, test: session transcripts over real SSH on loopback.

The fixtures under tests/data/transcripts are sessions of each platform written after
vendor documentation and public captures (banners with # and >, prompts with spaces and
parentheses, ANSI escapes, pagers, refused set-up commands, a log message mid-output);
each is served by the replay server and backed up as a device would be.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import re
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from netraven_desktop.core.drivers.errors import BackupError
from netraven_desktop.core.drivers.filters import clean, parse_facts
from netraven_desktop.core.drivers.ssh import Login, Target, capture
from netraven_desktop.core.drivers.transcript import Chunk, Recorder, load
from netraven_desktop.core.platforms import PLATFORMS as PROFILES
from netraven_desktop.sim.replay import ReplayDevice, Replayer
from tests.clitools import add_lab_inventory, one_line_error
from tests.sim import SIM_ENABLE, SIM_PASSWORD

FIXTURES = Path(__file__).parents[1] / "data" / "transcripts"
TRANSCRIPTS = sorted(FIXTURES.glob("*.transcript.jsonl"))


def test_every_platform_has_a_fixture():
    assert {path.name.split(".")[0] for path in TRANSCRIPTS} == set(PROFILES)


async def _back_up(transcript, profile, login=None, replayer=None):
    device = ReplayDevice(transcript.device, transcript)
    async with replayer or Replayer() as server:
        await server.start([device])
        target = Target("127.0.0.1", device.port, profile, connect_timeout=30)
        return await asyncio.wait_for(
            capture(target, login or Login("netops", "any", enable_secret="any")), 120
        )


@pytest.mark.asyncio
@pytest.mark.parametrize("path", TRANSCRIPTS, ids=lambda p: p.name.split(".")[0])
async def test_each_fixture_backs_up_through_the_replay_server(path):
    transcript = load(path)
    profile = PROFILES[transcript.platform]
    seen = await _back_up(transcript, profile)
    stored = clean(seen.config, profile).text
    assert stored == (FIXTURES / f"{transcript.platform}.expected.cfg").read_text()
    # Every secret the fixture's device printed (they are all named Fx...) is masked.
    printed = "".join(e.text for e in transcript.events if hasattr(e, "text"))
    secrets = set(re.findall(r"Fx[\w$./=+-]+", printed))
    assert secrets
    assert not [s for s in secrets if s in stored]
    assert "<removed>" in stored


@pytest.mark.asyncio
async def test_a_refused_paging_command_is_a_warning_and_the_pager_is_answered():
    seen = await _back_up(load(FIXTURES / "huawei_vrp.transcript.jsonl"), PROFILES["huawei_vrp"])
    assert seen.warnings == [
        "set-up command 'screen-length 0 temporary': ^ Error: Unrecognized command found "
        "at '^' position."
    ]


@pytest.mark.asyncio
async def test_a_command_the_recording_lacks_is_answered_as_unknown():
    profile = dataclasses.replace(PROFILES["cisco_xe"], paging_off=("terminal no-such-thing",))
    seen = await _back_up(load(FIXTURES / "cisco_xe.transcript.jsonl"), profile)
    assert seen.warnings == [
        "set-up command 'terminal no-such-thing': % Unknown command (not in this transcript)"
    ]
    assert "hostname c9300-acc-3" in seen.config


@pytest.mark.asyncio
async def test_replay_checks_the_password_and_enable_secret_when_given():
    transcript = load(FIXTURES / "cisco_ios.transcript.jsonl")
    profile = PROFILES["cisco_ios"]
    with pytest.raises(BackupError) as refused:
        await _back_up(transcript, profile, replayer=Replayer(password="right"))
    assert refused.value.error_class == "auth_failed"
    with pytest.raises(BackupError) as wrong_enable:
        await _back_up(transcript, profile, replayer=Replayer(enable_secret="right"))
    assert wrong_enable.value.error_class == "enable_failed"
    seen = await _back_up(
        transcript,
        profile,
        Login("netops", "right", enable_secret="right"),
        Replayer(password="right", enable_secret="right"),
    )
    assert "hostname br1-rtr01" in seen.config


@pytest.mark.asyncio
async def test_a_shell_login_is_answered_and_its_password_checked_as_the_password():
    """AireOS asks `User:` and `Password:` inside the shell: the replay checks that secret
    against the login password, not the enable secret (AireOS has no enable)."""
    transcript = load(FIXTURES / "cisco_wlc.transcript.jsonl")
    seen = await _back_up(
        transcript,
        PROFILES["cisco_wlc"],
        Login("netops", "right", enable_secret="not-asked"),
        Replayer(password="right", enable_secret="other"),
    )
    assert "sysname WLC Campus-1" in seen.config
    # The version from `show sysinfo`, model and serial from `show inventory`.
    assert parse_facts(seen.version, PROFILES["cisco_wlc"]) == {
        "vendor": "Cisco",
        "model": "AIR-CT5520-K9",
        "serial": "FCH2148V0XY",
        "os_version": "8.10.185.0",
    }
    assert seen.warnings == [
        "set-up command 'config paging disable': Incorrect usage. Use the '?' or <TAB> key "
        "to list commands."
    ]


@pytest.mark.asyncio
async def test_a_shell_login_asked_again_after_the_password_is_auth_failed():
    """A controller that refuses the password asks for the user name again: that is a
    refused login at once, not a wait for a prompt that never comes."""
    transcript = load(FIXTURES / "cisco_wlc.transcript.jsonl")
    secret = next(i for i, e in enumerate(transcript.events) if getattr(e, "secret", None))
    refused = dataclasses.replace(
        transcript, events=[*transcript.events[: secret + 1], Chunk(1.0, "\r\nUser: ")]
    )
    with pytest.raises(BackupError) as failed:
        await _back_up(refused, PROFILES["cisco_wlc"])
    assert failed.value.error_class == "auth_failed"  # not a timeout waiting for a prompt
    assert "'netops'" in str(failed.value)


@pytest.mark.asyncio
async def test_the_shell_login_password_is_never_recorded(tmp_path):
    """`--record` on a platform that logs in inside the shell: the password typed there is
    `send_secret: password`, never its value, and the transcript replays as it was."""
    profile = PROFILES["cisco_wlc"]
    recorder = Recorder(
        tmp_path / "wlc.transcript.jsonl",
        device="wlc",
        profile=profile,
        username="netops",
        secrets=("Shell-Pw-789", None, None),
    )
    device = ReplayDevice("wlc", load(FIXTURES / "cisco_wlc.transcript.jsonl"))
    async with Replayer() as server:
        await server.start([device])
        first = await capture(
            Target("127.0.0.1", device.port, profile, connect_timeout=30),
            Login("netops", "Shell-Pw-789"),
            recorder,
        )
    written = recorder.path.read_text()
    assert "Shell-Pw-789" not in written
    assert '"send_secret": "password"' in written
    assert '"send": "netops\\n"' in written  # the username is kept
    again = await _back_up(load(recorder.path), profile, Login("netops", "Shell-Pw-789"))
    assert clean(again.config, profile).text == clean(first.config, profile).text


@pytest.mark.asyncio
async def test_a_failed_session_is_recorded_with_its_error(tmp_path):
    transcript = load(FIXTURES / "cisco_ios.transcript.jsonl")
    profile = PROFILES["cisco_ios"]
    recorder = Recorder(
        tmp_path / "r.transcript.jsonl",
        device="r",
        profile=profile,
        username="netops",
        secrets=("Wrong-Pw-123", "Wrong-En-456"),
    )
    device = ReplayDevice("r", transcript)
    async with Replayer(enable_secret="right") as server:
        await server.start([device])
        with pytest.raises(BackupError):
            await capture(
                Target("127.0.0.1", device.port, profile, connect_timeout=30),
                Login("netops", "Wrong-Pw-123", enable_secret="Wrong-En-456"),
                recorder,
            )
    written = recorder.path.read_text()
    assert "Wrong-Pw-123" not in written
    assert "Wrong-En-456" not in written
    recorded = load(recorder.path)
    assert recorded.end.startswith("the enable secret was refused")
    assert recorded.events  # the banner, the prompt and the refused enable are all there


@contextlib.contextmanager
def _replaying(cli, *paths: Path) -> Iterator[dict[str, tuple[str, int]]]:
    """`netraven-desktop sim --replay PATHS` until the block ends: name -> (platform, port)."""
    proc = subprocess.Popen(
        [*cli.argv(db=False), "sim", "--replay", *map(str, paths)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli.env,
    )
    devices: dict[str, tuple[str, int]] = {}
    ready = threading.Event()

    def read() -> None:
        for line in proc.stdout:
            if line.strip() == "ready":
                ready.set()
                return
            name, platform, address = line.split()
            devices[name] = (platform, int(address.rsplit(":", 1)[1]))

    threading.Thread(target=read, daemon=True).start()
    assert ready.wait(60), proc.stderr.read() if proc.poll() is not None else "no ready"
    try:
        yield devices
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stderr.close()


def test_record_replay_and_platform_test_round_trip(cli, sim_devices, secret_store, tmp_path):
    add_lab_inventory(cli, sim_devices)
    record = tmp_path / "transcripts"
    first = cli("backup", "run", "--all", "--record", str(record))
    assert first.returncode == 0, first.stderr
    files = sorted(record.glob("*.transcript.jsonl"))
    assert [f.name for f in files] == sorted(f"{n}.transcript.jsonl" for n, _, _ in sim_devices)
    for path in files:
        text = path.read_text()
        assert SIM_PASSWORD not in text
        assert SIM_ENABLE not in text
        assert '"username": "admin"' in text.splitlines()[0]

    with _replaying(cli, *files) as replayed:
        assert set(replayed) == {name for name, _, _ in sim_devices}
        for name, (platform, port) in replayed.items():
            cli.ok("device", "add", f"replay-{name}", "--host", "127.0.0.1",
                   "--port", str(port), "--platform", platform)  # fmt: skip
        again = cli("backup", "run", *(f"replay-{name}" for name in replayed))
        assert again.returncode == 0, again.stderr
    for name, platform, _ in sim_devices:
        original = cli.ok("backup", "show", name)
        assert "<removed>" in original
        assert cli.ok("backup", "show", f"replay-{name}") == original

        tested = cli("platform", "test", platform, str(record / f"{name}.transcript.jsonl"))
        assert tested.returncode == 0, tested.stderr
        head, stored = tested.stdout.split("--- stored configuration ---\n")
        assert head.startswith(f"ok: {name} backed up as {platform}: ")
        assert stored == original


def test_a_controller_that_logs_in_inside_the_shell_backs_up_like_any_device(
    cli, secret_store, tmp_path
):
    """AireOS through the whole engine: the credential's password, read from the keyring,
    answers the controller's own `Password:`; the configuration is stored masked, the facts
    come from two commands, and the recorded transcript holds no password."""
    password = "Wlc-Shell-Pw-4711"
    cli.ok(
        "credential", "add", "wlc", "--username", "netops", "--password-stdin",
        stdin=f"{password}\n",
    )  # fmt: skip
    record = tmp_path / "transcripts"
    with _replaying(cli, FIXTURES / "cisco_wlc.transcript.jsonl") as replayed:
        [(platform, port)] = replayed.values()
        cli.ok("device", "add", "wlc1", "--host", "127.0.0.1", "--port", str(port),
               "--platform", platform)  # fmt: skip
        ran = cli("backup", "run", "wlc1", "--json", "--record", str(record))
    assert ran.returncode == 0, ran.stderr
    assert cli.ok("backup", "show", "wlc1") == (FIXTURES / "cisco_wlc.expected.cfg").read_text()
    device = cli.json("device", "show", "wlc1")
    assert (device["vendor"], device["model"], device["serial"], device["os_version"]) == (
        "Cisco",
        "AIR-CT5520-K9",
        "FCH2148V0XY",
        "8.10.185.0",
    )
    written = (record / "wlc1.transcript.jsonl").read_text()
    assert '"send_secret": "password"' in written
    for text in (written, ran.stdout, ran.stderr):
        assert password not in text


def test_platform_test_fails_with_one_line(cli, tmp_path):
    ios = FIXTURES / "cisco_ios.transcript.jsonl"
    wrong = cli("platform", "test", "juniper_junos", str(ios), "--timeout", "1", db=False)
    assert wrong.returncode == 1
    one_line_error(wrong, "platform test: prompt_not_recognised", "br1-rtr01>")
    unknown = cli("platform", "test", "cisco_iox", str(ios), db=False)
    assert unknown.returncode == 2
    one_line_error(unknown, "PROFILE", "cisco_iox")
    bad = tmp_path / "bad.transcript.jsonl"
    bad.write_text('{"netraven_transcript": 1, "device": "r1", "platform": "cisco_ios"}\nnope\n')
    broken = cli("platform", "test", "cisco_ios", str(bad), db=False)
    assert broken.returncode == 2
    one_line_error(broken, "bad.transcript.jsonl:2", "not JSON")


def test_record_refuses_a_file_for_a_folder(cli, tmp_path):
    taken = tmp_path / "file"
    taken.write_text("")
    result = cli("backup", "run", "--all", "--record", str(taken))
    assert result.returncode == 2
    one_line_error(result, "--record", "must be a folder")
