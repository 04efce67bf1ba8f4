"""The SSH device simulator, driven by a plain asyncssh client (not the project's engine)."""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import asyncssh
import pytest
import pytest_asyncio

from netraven_desktop.sim import FAULTS, SimDevice, Simulator
from netraven_desktop.sim.cli import serve
from netraven_desktop.sim.personalities import PERSONALITIES as PLATFORMS  # simulated

if TYPE_CHECKING:
    from netraven_desktop.core.drivers.profiles import PlatformProfile

T = 5.0  # upper bound for any single wait

# What the devices print, written down here independently of both the simulator and the engine.
PROMPTS = {  # unprivileged, privileged
    "cisco_ios": ("{n}>", "{n}#"),
    "juniper_junos": ("admin@{n}> ", None),
    "fortinet": ("{n} # ", None),
    "mikrotik_routeros": ("[admin@{n}] > ", None),
    "linux": ("admin@{n}:~$ ", None),
}
PAGING_OFF = {  # command, and the prompt after it ("" = the usual one)
    "cisco_ios": [("terminal length 0", ""), ("terminal width 511", "")],
    "juniper_junos": [("set cli screen-length 0", ""), ("set cli screen-width 0", "")],
    "fortinet": [
        ("config system console", "{n} (console) # "),
        ("set output standard", "{n} (console) # "),
        ("end", ""),
    ],
    "mikrotik_routeros": [],
    "linux": [("export PAGER=cat TERM=dumb", "")],
}
BACKUP = {
    "cisco_ios": ["show running-config"],
    "juniper_junos": ["show configuration"],
    "fortinet": ["show"],
    "mikrotik_routeros": ["/export terse"],
    "linux": ["cat /etc/hostname", "cat /etc/hosts", "ip -o addr show", "ip route show"],
}
VOLATILE = {  # line prefixes that may differ between two reads
    "cisco_ios": (
        "Current configuration :",
        "! Last configuration change at ",
        "! NVRAM config last updated at ",
        "ntp clock-period ",
    ),
    "juniper_junos": ("## Last commit: ",),
    "fortinet": ("#conf_file_ver=",),
    "mikrotik_routeros": ("# 20",),
    "linux": (),
}
REPRESENTATIVE = list(PROMPTS)


def name(platform: str) -> str:
    return f"sim-{platform}"


class Shell:
    """A PTY shell on one device: send lines, read up to a pattern."""

    def __init__(self, conn: asyncssh.SSHClientConnection, proc: asyncssh.SSHClientProcess) -> None:
        self.conn, self.proc, self.buf = conn, proc, ""

    async def expect(self, pattern: str, within: float = T) -> str:
        """Everything up to and including the first match of `pattern`; the rest stays buffered."""
        rx = re.compile(pattern)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while not (m := rx.search(self.buf)):
            data = await asyncio.wait_for(self.proc.stdout.read(65536), deadline - loop.time())
            if not data:
                raise EOFError(f"channel closed; got {self.buf[-200:]!r}")
            self.buf += data
        out, self.buf = self.buf[: m.end()], self.buf[m.end() :]
        return out

    def send(self, text: str) -> None:
        self.proc.stdin.write(text)

    async def cmd(self, line: str, prompt: str, within: float = T) -> str:
        """Run one command; return its output (without the echo and the prompt)."""
        self.send(line + "\n")
        out = await self.expect(re.escape(prompt) + r"\Z", within)
        echo = line + "\r\n"
        assert out.startswith(echo), out[:100]
        return out[len(echo) : -len(prompt)]


@contextlib.asynccontextmanager
async def shell(sim: Simulator, device: str, **kwargs: object) -> AsyncIterator[Shell]:
    d = sim.device(device)
    options: dict[str, object] = {"username": d.username, "password": d.password} | kwargs
    async with asyncssh.connect(
        "127.0.0.1", d.port, known_hosts=None, connect_timeout=T, **options
    ) as conn:
        proc = await conn.create_process(term_type="vt100", term_size=(200, 24))
        try:
            yield Shell(conn, proc)
        finally:
            proc.close()


async def login(sim: Simulator, device: str, platform: str, sh: Shell) -> str:
    prompt = PROMPTS[platform][0].format(n=device)
    await sh.expect(re.escape(prompt) + r"\Z")
    return prompt


async def prepare(sh: Shell, platform: str, device: str) -> str:
    """Log in, paging off, enable where needed; return the prompt to expect."""
    prompt = PROMPTS[platform][0].format(n=device)
    await sh.expect(re.escape(prompt) + r"\Z")
    for line, after in PAGING_OFF[platform]:
        await sh.cmd(line, after.format(n=device) or prompt)
    if PROMPTS[platform][1]:
        sh.send("enable\n")
        await sh.expect(r"Password: \Z")
        prompt = PROMPTS[platform][1].format(n=device)
        sh.send("enable\n")  # the device's enable secret
        await sh.expect(re.escape(prompt) + r"\Z")
    return prompt


async def backup(sh: Shell, platform: str, prompt: str) -> str:
    return "".join([await sh.cmd(c, prompt) for c in BACKUP[platform]])


@pytest_asyncio.fixture
async def sim() -> AsyncIterator[Simulator]:
    simulator = Simulator(more_every=10, slow_delay=0.02)
    await simulator.start([SimDevice(name(p), p, config_kb=4) for p in PLATFORMS])
    try:
        yield simulator
    finally:
        await simulator.stop()


# --------------------------------------------------------------------------- sessions


@pytest.mark.asyncio
@pytest.mark.parametrize("platform", REPRESENTATIVE)
async def test_login_shows_the_platform_prompt(sim: Simulator, platform: str) -> None:
    async with shell(sim, name(platform)) as sh:
        await login(sim, name(platform), platform, sh)
        assert sh.conn.get_extra_info("server_version").startswith("SSH-2.0-")


@pytest.mark.asyncio
async def test_paging_on_pauses_at_more_and_space_continues(sim: Simulator) -> None:
    n = name("cisco_ios")
    async with shell(sim, n) as sh:
        await login(sim, n, "cisco_ios", sh)
        sh.send("enable\n")
        await sh.expect(r"Password: \Z")
        sh.send("enable\n")
        await sh.expect(re.escape(f"{n}#") + r"\Z")
        sh.send("show running-config\n")
        first = await sh.expect(r" --More-- ")
        assert first.count("\r\n") == 1 + 10  # the echo, then one page
        sh.send(" ")
        second = await sh.expect(r" --More-- ")
        assert second.startswith("\b" * 10)  # the more prompt is wiped, like IOS does
        assert second.count("\r\n") == 10
        sh.send("q")  # abandon the rest: straight back to the prompt
        rest = await sh.expect(re.escape(f"{n}#") + r"\Z")
        assert "end\r\n" not in rest
        # Enter gives one more line
        sh.send("show running-config\n")
        await sh.expect(r" --More-- ")
        sh.send("\r")
        one = await sh.expect(r" --More-- ")
        assert one.count("\r\n") == 1
        sh.send("q")
        await sh.expect(re.escape(f"{n}#") + r"\Z")


@pytest.mark.asyncio
async def test_junos_pager_shows_percentage(sim: Simulator) -> None:
    n = name("juniper_junos")
    async with shell(sim, n) as sh:
        prompt = await login(sim, n, "juniper_junos", sh)
        sh.send("show configuration\n")
        await sh.expect(r"---\(more \d+%\)---")
        sh.send("q")
        await sh.expect(re.escape(prompt) + r"\Z")


@pytest.mark.asyncio
@pytest.mark.parametrize("platform", REPRESENTATIVE)
async def test_paging_off_gives_whole_config(sim: Simulator, platform: str) -> None:
    n = name(platform)
    async with shell(sim, n) as sh:
        prompt = await prepare(sh, platform, n)
        text = await backup(sh, platform, prompt)
    assert "More" not in text
    assert "more" not in text
    assert text.replace("\r\n", "\n").count("\n") > 50
    assert "\n" not in text.replace("\r\n", "")  # CRLF line endings throughout


@pytest.mark.asyncio
async def test_fortinet_paging_is_off_only_after_end(sim: Simulator) -> None:
    n = name("fortinet")
    async with shell(sim, n) as sh:
        prompt = await login(sim, n, "fortinet", sh)
        await sh.cmd("config system console", f"{n} (console) # ")
        await sh.cmd("set output standard", f"{n} (console) # ")
        await sh.cmd("end", prompt)
        assert "--More--" not in await sh.cmd("show", prompt)


@pytest.mark.asyncio
async def test_enable_with_right_and_wrong_secret(sim: Simulator) -> None:
    n = name("cisco_ios")
    async with shell(sim, n) as sh:
        await login(sim, n, "cisco_ios", sh)
        await sh.cmd("terminal length 0", f"{n}>")
        denied = await sh.cmd("show running-config", f"{n}>")
        assert "% Invalid input detected at '^' marker." in denied
        assert denied.splitlines()[0].index("^") == len(f"{n}>show ")
        sh.send("enable\n")
        await sh.expect(r"Password: \Z")
        sh.send("wrong\n")
        out = await sh.expect(re.escape(f"{n}>") + r"\Z")
        assert "% Access denied" in out
        assert "wrong" not in out  # no echo of the secret
        sh.send("enable\n")
        await sh.expect(r"Password: \Z")
        sh.send("enable\n")
        await sh.expect(re.escape(f"{n}#") + r"\Z")
        assert "hostname " + n in await sh.cmd("show running-config", f"{n}#")


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("platform", "error"),
    [
        ("cisco_ios", "% Invalid input detected at '^' marker."),
        ("juniper_junos", "unknown command."),
        ("fortinet", "Unknown action 0"),
        ("mikrotik_routeros", "bad command name frobnicate"),
        ("linux", "-bash: frobnicate: command not found"),
    ],
)
async def test_unknown_command_prints_the_platform_error(
    sim: Simulator, platform: str, error: str
) -> None:
    n = name(platform)
    async with shell(sim, n) as sh:
        prompt = await login(sim, n, platform, sh)
        assert error in await sh.cmd("frobnicate now", prompt)


@pytest.mark.asyncio
@pytest.mark.parametrize("platform", REPRESENTATIVE)
async def test_backup_has_secrets_and_only_volatile_lines_change(
    sim: Simulator, platform: str
) -> None:
    n = name(platform)
    async with shell(sim, n) as sh:
        prompt = await prepare(sh, platform, n)
        first = (await backup(sh, platform, prompt)).split("\r\n")
        second = (await backup(sh, platform, prompt)).split("\r\n")
    assert len(first) == len(second)
    changed = [(a, b) for a, b in zip(first, second, strict=True) if a != b]
    for a, b in changed:
        assert a.startswith(VOLATILE[platform]), (a, b)
    if VOLATILE[platform]:
        assert changed, "a volatile line must change on every read"
    text = "\n".join(first)
    secrets = sim.secrets(n)
    assert bool(secrets) == (platform != "linux")
    for secret in secrets:
        assert secret in text
    # config_text is what the device prints (LF line endings), volatile lines aside
    sim_lines = sim.config_text(n).splitlines()
    assert len(sim_lines) == len(first) - 1  # the split leaves one empty tail
    for a, b in zip(first, sim_lines, strict=False):
        assert a == b or a.startswith(VOLATILE[platform])


@pytest.mark.asyncio
@pytest.mark.parametrize("platform", REPRESENTATIVE)
async def test_change_config_shows_up_in_the_next_read(sim: Simulator, platform: str) -> None:
    n = name(platform)
    async with shell(sim, n) as sh:
        prompt = await prepare(sh, platform, n)
        before = await backup(sh, platform, prompt)
        sim.change_config(n, "snmp-server location Lab 42")
        after = await backup(sh, platform, prompt)
    assert "snmp-server location Lab 42" not in before
    assert "snmp-server location Lab 42\r\n" in after
    assert "snmp-server location Lab 42" in sim.config_text(n)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("platform", "command", "patterns"),
    [
        ("cisco_ios", "show version", {
            "os_version": r"^Cisco IOS Software, .*, Version ([^,]+), ",
            "serial": r"^Processor board ID (\S+)",
            "model": r"^cisco (\S+) \(.*\) processor",
        }),
        ("juniper_junos", "show version", {
            "model": r"^Model: (\S+)", "os_version": r"^Junos: (\S+)",
        }),
        ("juniper_junos", "show chassis hardware", {"serial": r"^Chassis\s+(\S+)"}),
        ("fortinet", "get system status", {
            "model": r"^Version: (\S+) ",
            "os_version": r"^Version: \S+ (v[\d.]+),",
            "serial": r"^Serial-Number: (\S+)",
        }),
        ("mikrotik_routeros", "/system resource print", {
            "model": r"^\s+board-name: (\S+)", "os_version": r"^\s+version: (\S+)",
        }),
        ("mikrotik_routeros", "/system routerboard print", {"serial": r"^\s+serial-number: (\S+)"}),
        ("linux", "uname -sr", {"os_version": r"^Linux (\S+)"}),
    ],
)  # fmt: skip
async def test_version_output_has_model_serial_and_version(
    sim: Simulator, platform: str, command: str, patterns: dict[str, str]
) -> None:
    n = name(platform)
    async with shell(sim, n) as sh:
        prompt = await prepare(sh, platform, n)
        out = (await sh.cmd(command, prompt)).replace("\r\n", "\n")
    facts = sim.facts(n)
    for key, pattern in patterns.items():
        m = re.search(pattern, out, re.MULTILINE)
        assert m, (key, out)
        assert m.group(1) == facts[key]


@pytest.mark.asyncio
async def test_exec_request_runs_one_command(sim: Simulator) -> None:
    d = sim.device(name("cisco_ios"))
    async with asyncssh.connect(
        "127.0.0.1", d.port, username="admin", password="admin", known_hosts=None
    ) as conn:
        result = await asyncio.wait_for(conn.run("show version"), T)
        assert result.exit_status == 0
        assert f"Processor board ID {sim.facts(d.name)['serial']}" in str(result.stdout)
        result = await asyncio.wait_for(conn.run("show nonsense"), T)
        assert result.exit_status == 1


# --------------------------------------------------------------------------- auth and host keys


@pytest.mark.asyncio
async def test_key_auth_with_an_authorized_key(sim: Simulator) -> None:
    good = asyncssh.generate_private_key("ssh-ed25519")
    other = asyncssh.generate_private_key("ssh-ed25519")
    n = name("linux")
    sim.device(n).authorized_keys.append(good.export_public_key().decode())
    async with shell(sim, n, password=None, client_keys=[good]) as sh:
        await login(sim, n, "linux", sh)
    with pytest.raises(asyncssh.PermissionDenied):
        async with shell(sim, n, password=None, client_keys=[other]):
            pass
    with pytest.raises(asyncssh.PermissionDenied):
        async with shell(sim, n, password="not-the-password"):
            pass


@pytest.mark.asyncio
async def test_host_key_is_kept_until_rotated(sim: Simulator) -> None:
    n = name("cisco_ios")
    d = sim.device(n)

    async def presented() -> str:
        async with asyncssh.connect(
            "127.0.0.1", d.port, username="admin", password="admin", known_hosts=None
        ) as conn:
            key = conn.get_server_host_key()
            assert key is not None
            return key.get_fingerprint()

    first = await presented()
    assert first == sim.host_key_fingerprint(n)
    assert first.startswith("SHA256:")
    assert await presented() == first
    sim.rotate_host_key(n)
    second = await presented()
    assert second != first
    assert second == sim.host_key_fingerprint(n)
    sim.set_fault(n, "host_key_changed")
    assert await presented() not in (first, second)
    # each device has its own key
    assert sim.host_key_fingerprint(name("linux")) != sim.host_key_fingerprint(n)


@pytest.mark.asyncio
async def test_known_hosts_rejects_a_changed_key(sim: Simulator) -> None:
    n = name("juniper_junos")
    d = sim.device(n)
    known = asyncssh.import_known_hosts(f"[127.0.0.1]:{d.port} {sim.host_public_key(n)}\n")
    options = {"username": "admin", "password": "admin", "known_hosts": known}
    async with asyncssh.connect("127.0.0.1", d.port, **options):
        pass
    sim.set_fault(n, "host_key_changed")
    with pytest.raises(asyncssh.HostKeyNotVerifiable):
        async with asyncssh.connect("127.0.0.1", d.port, **options):
            pass


@pytest.mark.asyncio
async def test_key_seed_gives_stable_host_keys() -> None:
    fingerprints = []
    for _ in range(2):
        async with Simulator(key_seed="demo") as s:
            await s.start([SimDevice("a", "linux")])
            fingerprints.append(s.host_key_fingerprint("a"))
    assert fingerprints[0] == fingerprints[1]


# --------------------------------------------------------------------------- faults


@pytest.mark.asyncio
async def test_fault_wrong_password(sim: Simulator) -> None:
    n = name("cisco_ios")
    sim.set_fault(n, "wrong_password")
    with pytest.raises(asyncssh.PermissionDenied):
        async with shell(sim, n):
            pass
    sim.set_fault(n, None)
    async with shell(sim, n) as sh:
        await login(sim, n, "cisco_ios", sh)


@pytest.mark.asyncio
async def test_fault_slow(sim: Simulator) -> None:
    n = name("juniper_junos")
    async with shell(sim, n) as sh:
        prompt = await prepare(sh, "juniper_junos", n)
        start = time.monotonic()
        await backup(sh, "juniper_junos", prompt)
        fast = time.monotonic() - start
        sim.set_fault(n, "slow")
        start = time.monotonic()
        text = await backup(sh, "juniper_junos", prompt)
        slow = time.monotonic() - start
    chunks = len(text) // 1024
    assert slow >= chunks * 0.02 * 0.8
    assert slow > fast


@pytest.mark.asyncio
async def test_fault_hang(sim: Simulator) -> None:
    n = name("fortinet")
    sim.set_fault(n, "hang")
    async with shell(sim, n) as sh:
        prompt = await prepare(sh, "fortinet", n)
        sh.send("show\n")
        with pytest.raises(TimeoutError):
            await sh.expect(re.escape(prompt) + r"\Z", within=0.5)
        assert "#config-version=" in sh.buf  # it started, then stopped halfway
        full = len(sim.config_text(n))
        assert 0.3 * full < len(sh.buf) < 0.7 * full
        with pytest.raises(TimeoutError):  # the session stays open, silent
            await asyncio.wait_for(sh.proc.stdout.read(1), 0.3)


@pytest.mark.asyncio
async def test_fault_disconnect(sim: Simulator) -> None:
    n = name("mikrotik_routeros")
    sim.set_fault(n, "disconnect")
    async with shell(sim, n) as sh:
        prompt = await prepare(sh, "mikrotik_routeros", n)
        sh.send("/export terse\n")
        with pytest.raises((EOFError, asyncssh.ConnectionLost, asyncssh.DisconnectError)):
            await sh.expect(re.escape(prompt) + r"\Z")
        assert "/interface bridge add" in sh.buf
        assert "/system identity set" not in sh.buf  # the tail never came


@pytest.mark.asyncio
async def test_fault_no_prompt(sim: Simulator) -> None:
    n = name("cisco_ios")
    sim.set_fault(n, "no_prompt")
    async with shell(sim, n) as sh:
        await sh.expect(r"login: \Z")
        sh.send("\n")
        with pytest.raises(TimeoutError):
            await sh.expect(r"[>#]\s*\Z", within=0.3)


def test_faults_are_the_documented_set() -> None:
    assert FAULTS == ("wrong_password", "slow", "hang", "disconnect", "host_key_changed",
                      "no_prompt")  # fmt: skip


@pytest.mark.asyncio
async def test_unknown_fault_and_platform_are_refused() -> None:
    s = Simulator()
    with pytest.raises(ValueError, match="unknown faults"):
        await s.start([SimDevice("a", "linux", faults={"melt"})])
    with pytest.raises(KeyError):
        await s.start([SimDevice("a", "cisco_ios9")])
    await s.stop()


# --------------------------------------------------------------------------- the whole fleet


@pytest.mark.asyncio
async def test_every_platform_logs_in_and_backs_up(sim: Simulator) -> None:
    """No per-platform knowledge here beyond the secrets the simulator reports."""

    async def one(platform: str) -> None:
        d = sim.device(name(platform))
        async with asyncssh.connect(
            "127.0.0.1", d.port, username="admin", password="admin", known_hosts=None
        ) as conn:
            text = sim.config_text(d.name)
            for secret in sim.secrets(d.name):
                assert secret in text
            assert len(text) > 3 * 1024
            ok = await asyncio.wait_for(conn.run("show nothing-at-all"), T)
            assert ok.exit_status == 1

    await asyncio.gather(*(one(p) for p in PLATFORMS))


@pytest.mark.asyncio
async def test_base_port_gives_consecutive_ports() -> None:
    for _ in range(5):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base > 65000:
            continue
        s = Simulator()
        try:
            await s.start([SimDevice("a", "linux"), SimDevice("b", "cisco_ios")], base_port=base)
        except OSError:
            continue
        try:
            assert [s.device("a").port, s.device("b").port] == [base, base + 1]
        finally:
            await s.stop()
        return
    pytest.skip("no two free consecutive ports found")


@pytest.mark.asyncio
async def test_serve_prints_devices_then_ready(capsys: pytest.CaptureFixture[str]) -> None:
    task = asyncio.create_task(serve(3, 0, ["cisco_ios", "linux"], 2, "pw", "en", "127.0.0.1"))
    try:
        out = ""
        for _ in range(100):
            out += capsys.readouterr().out
            if "ready\n" in out:
                break
            await asyncio.sleep(0.05)
        lines = out.splitlines()
        assert lines[-1] == "ready"
        assert [line.split()[:2] for line in lines[:-1]] == [
            ["sim-cisco_ios-1", "cisco_ios"],
            ["sim-linux-2", "linux"],
            ["sim-cisco_ios-3", "cisco_ios"],
        ]
        port = int(lines[1].split()[2].rsplit(":", 1)[1])
        async with asyncssh.connect(
            "127.0.0.1", port, username="admin", password="pw", known_hosts=None
        ) as conn:
            result = await asyncio.wait_for(conn.run("uname -sr"), T)
            assert str(result.stdout).startswith("Linux ")
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


# --------------------------------------------------------------------------- engine profiles
# The simulator is written independently of drivers/profiles.py; these tests check that the
# profiles cope with what the "devices" print. An xfail here is a profile gap, not a sim bug.

PROFILE_SECRET_GAPS: dict[str, str] = {}  # platform -> a known masking gap (none now)
FACTS_NOT_IN_VERSION_OUTPUT = {("juniper_junos", "serial")}  # in 'show chassis hardware'


def _profile(platform: str) -> PlatformProfile:
    from netraven_desktop.core.platforms import profile_for

    return profile_for(platform)


def _clean(text: str, platform: str, *, mask_secrets: bool) -> str:
    from netraven_desktop.core.drivers.filters import clean_config

    return clean_config(text, _profile(platform), mask_secrets=mask_secrets)


@pytest.mark.asyncio
@pytest.mark.parametrize("platform", PLATFORMS)
async def test_profile_volatile_filters_hide_every_read_to_read_change(
    sim: Simulator, platform: str
) -> None:
    n = name(platform)
    first, second = sim.config_text(n), sim.config_text(n)
    assert first != second or platform in ("paloalto_panos", "linux", "hp_procurve", "aruba_os")
    assert _clean(first, platform, mask_secrets=False) == _clean(
        second, platform, mask_secrets=False
    )


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "platform",
    [
        pytest.param(p, marks=pytest.mark.xfail(reason=PROFILE_SECRET_GAPS[p], strict=True))
        if p in PROFILE_SECRET_GAPS
        else p
        for p in PLATFORMS
    ],
)
async def test_profile_secret_filters_mask_every_secret(sim: Simulator, platform: str) -> None:
    n = name(platform)
    masked = _clean(sim.config_text(n), platform, mask_secrets=True)
    leaked = [s for s in sim.secrets(n) if s in masked]
    assert not leaked


@pytest.mark.asyncio
@pytest.mark.parametrize("platform", PLATFORMS)
async def test_profile_fact_patterns_find_the_facts(sim: Simulator, platform: str) -> None:
    profile = _profile(platform)
    d = sim.device(name(platform))
    async with asyncssh.connect(
        "127.0.0.1", d.port, username="admin", password="admin", known_hosts=None
    ) as conn:
        result = await asyncio.wait_for(conn.run(profile.version_command), T)
    from netraven_desktop.core.drivers.filters import parse_facts

    found = parse_facts(str(result.stdout), profile)
    facts = sim.facts(d.name)
    for key in profile.facts:
        if (platform, key) not in FACTS_NOT_IN_VERSION_OUTPUT:
            assert found.get(key) == facts[key], key
