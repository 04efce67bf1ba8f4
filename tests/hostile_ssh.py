"""Hostile SSH servers for the suite: what a backup meets on a bad day, written by us.

Each server is asyncssh on 127.0.0.1 at an ephemeral port, run by an async context
manager that stops it; every flood has a cap, so even a client that never stops
reading sees an end. The shell answers the way Cisco IOS sessions do in public
captures and Cisco's command references: the echoed command, a rejected word marked by
a caret line and `% Invalid input detected at '^' marker.`, then the `hostname#` prompt.
The lines are our own.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import asyncssh

HOSTNAME = "edge-sw1"
PROMPT = f"{HOSTNAME}#"
USERNAME = "netops"
FLOOD_CAP = 16 * 2**20  # characters a flood sends at most, whoever reads it

CONFIG = f"""Building configuration...

Current configuration : 1184 bytes
!
version 15.2
service timestamps log datetime msec localtime
no service pad
!
hostname {HOSTNAME}
!
enable secret 9 $9$hQ4dV1aZk3Rt2e$Z7cYp0wX1sGm8nB3vT6qL9rK2jH5fD4aS1uE0iO7yW
!
vlan 120
 name users-3rd-floor
!
interface GigabitEthernet1/0/1
 description uplink to core-sw2 Gi1/0/24
 switchport mode trunk
 switchport trunk allowed vlan 120,130
!
interface Vlan120
 ip address 10.41.120.2 255.255.255.0
!
ip route 0.0.0.0 0.0.0.0 10.41.120.1
!
line vty 0 4
 transport input ssh
!
end
"""

VERSION = f"""Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), Version 15.2(7)E4, RELEASE SOFTWARE (fc2)
ROM: Bootstrap program is C2960X boot loader
{HOSTNAME} uptime is 41 weeks, 2 days, 7 hours, 12 minutes
cisco WS-C2960X-24PS-L (APM86XXX) processor (revision B0) with 524288K bytes of memory.
Processor board ID FOC2011X0QZ
Configuration register is 0xF
"""  # noqa: E501


@dataclass
class Behaviour:
    """What the server does after the handshake."""

    password: str = "right-password"  # the one password it accepts
    client_key: asyncssh.SSHKey | None = None  # set: also accept this client key
    no_auth: bool = False  # let anyone in without any credential (`none` authentication)
    silent: bool = False  # accept the login, then never send a byte
    reject_width: bool = False  # answer `terminal width N` as an old IOS does
    flood: bool = False  # answer `show running-config` with endless output, no prompt
    flood_newlines: bool = True  # flood in 80-character lines, or one endless line


@dataclass
class HostileServer:
    port: int
    host_key: asyncssh.SSHKey
    offered: list[str] = field(default_factory=list)  # every password offered, in order
    flood_sent: int = 0  # characters of flood written before it ended
    connections: int = 0  # SSH connections accepted
    # Called as a "connection" comes in, as each "password" or "public key" arrives and as
    # the "shell" opens: a test looks at the database at that moment.
    on_event: Callable[[str], None] = lambda what: None

    @property
    def fingerprint(self) -> str:
        return self.host_key.get_fingerprint("sha256")


def _rejection(command: str) -> str:
    """`% Invalid input` with the caret under the word the device did not take."""
    column = len(PROMPT) + command.rfind(" ") + 1
    return f"{' ' * column}^\n% Invalid input detected at '^' marker.\n\n"


@contextlib.asynccontextmanager
async def serve(
    behaviour: Behaviour | None = None,
    *,
    host_key: asyncssh.SSHKey | None = None,
    host_key_algs: tuple[str, ...] = (),
    **algorithms: Any,
) -> AsyncIterator[HostileServer]:
    """Run a hostile server meanwhile; `algorithms` are asyncssh server options such
    as `kex_algs=["diffie-hellman-group14-sha1"]` (the only ones it will then speak),
    `host_key_algs` the only signature algorithms it offers for its host key."""
    how = behaviour or Behaviour()
    key = host_key or asyncssh.generate_private_key("ssh-ed25519")
    state = HostileServer(port=0, host_key=key)
    (pair,) = asyncssh.load_keypairs([key])
    if host_key_algs:
        pair.host_key_algorithms = [name.encode() for name in host_key_algs]

    class Server(asyncssh.SSHServer):
        def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
            state.connections += 1
            state.on_event("connection")

        def begin_auth(self, username: str) -> bool:
            return not how.no_auth

        def password_auth_supported(self) -> bool:
            return True

        def validate_password(self, username: str, password: str) -> bool:
            state.on_event("password")
            state.offered.append(password)
            return username == USERNAME and password == how.password

        def public_key_auth_supported(self) -> bool:
            return how.client_key is not None

        def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
            state.on_event("public key")
            assert how.client_key is not None
            return username == USERNAME and key.public_data == how.client_key.public_data

    async def shell(process: asyncssh.SSHServerProcess[str]) -> None:
        state.on_event("shell")
        try:
            if how.silent:
                await process.stdin.read()  # until the client gives up
                return
            process.stdout.write(f"\n{PROMPT}")
            while line := await process.stdin.readline():
                command = line.strip()
                if command == "exit":
                    break
                if command.startswith("terminal width") and how.reject_width:
                    process.stdout.write(_rejection(command))
                elif command == "show running-config" and how.flood:
                    await _flood(process, state, how.flood_newlines)
                    return
                elif command == "show running-config":
                    process.stdout.write(CONFIG)
                elif command == "show version":
                    process.stdout.write(VERSION)
                process.stdout.write(PROMPT)
        except (asyncssh.Error, OSError):
            pass  # the client went away: what a client may do
        finally:
            process.exit(0)

    acceptor = await asyncssh.create_server(
        Server,
        "127.0.0.1",
        0,
        server_host_keys=[pair],
        process_factory=shell,
        **algorithms,
    )
    state.port = acceptor.sockets[0].getsockname()[1]
    try:
        yield state
    finally:
        acceptor.close()
        await acceptor.wait_closed()


async def _flood(
    process: asyncssh.SSHServerProcess[str], state: HostileServer, newlines: bool
) -> None:
    """Write until the client closes the channel, or FLOOD_CAP is reached."""
    block = ("show me more " * 6 + "\n" if newlines else "0123456789" * 8) * 128
    while state.flood_sent < FLOOD_CAP and not process.channel.is_closing():
        process.stdout.write(block)
        state.flood_sent += len(block)
        await process.stdout.drain()


@contextlib.asynccontextmanager
async def silent_port() -> AsyncIterator[int]:
    """A TCP port that accepts connections and never says a word (no SSH banner)."""
    idle: set[asyncio.StreamWriter] = set()

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        idle.add(writer)
        await reader.read()  # until the client hangs up
        writer.close()

    listener = await asyncio.start_server(hold, "127.0.0.1", 0)
    try:
        yield listener.sockets[0].getsockname()[1]
    finally:
        for writer in idle:
            writer.close()
        listener.close()
        await listener.wait_closed()
