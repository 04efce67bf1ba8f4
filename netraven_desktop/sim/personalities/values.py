"""Random material for generated configurations (secrets shaped like each platform's,
serials, addresses, descriptions) and the clock formats the platforms print.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable
from datetime import datetime

from .device import Volatile

B64 = string.ascii_letters + string.digits + "./"
UP = string.ascii_uppercase
HEXU = "0123456789ABCDEF"


def pick(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def type9(rng: random.Random) -> str:
    return f"$9${pick(rng, B64, 14)}${pick(rng, B64, 43)}"


def type7(rng: random.Random) -> str:
    return f"{rng.randrange(0, 16):02d}{pick(rng, HEXU, 18)}"


def sha512(rng: random.Random) -> str:
    return f"$6${pick(rng, B64, 16)}${pick(rng, B64, 86)}"


def junos9(rng: random.Random) -> str:
    return "$9$" + pick(rng, string.ascii_letters + string.digits + ".-/", rng.randrange(24, 40))


def community(rng: random.Random, what: str = "ro") -> str:
    return f"nms-{what}-{pick(rng, string.ascii_lowercase + string.digits, 10)}"


def plain(rng: random.Random, n: int = 16) -> str:
    return pick(rng, string.ascii_letters + string.digits, n)


def cisco_serial(rng: random.Random, prefix: str = "FOC") -> str:
    digits, letter, digit = rng.randrange(1000, 9999), rng.choice(UP), rng.randrange(10)
    return f"{prefix}{digits}{letter}{digit}{pick(rng, UP, 2)}"


def ip(rng: random.Random, first: int = 10) -> str:
    return f"{first}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


_DESCRIPTIONS = (
    "uplink to core",
    "access port",
    "printer",
    "AP",
    "server rack",
    "camera",
    "voice",
    "desk",
    "lab",
    "trunk to distribution",
    "IDF link",
    "spare",
)


def desc(rng: random.Random, i: int) -> str:
    return f"{rng.choice(_DESCRIPTIONS)} {i}"


# Time formats, as the platforms print them.
def cisco_time(t: datetime) -> str:  # 10:31:02 UTC Fri Nov 27 2026
    return f"{t:%H:%M:%S} UTC {t:%a %b} {t.day} {t.year}"


def unix_time(t: datetime) -> str:  # Fri Nov 27 10:31:02 2026
    return f"{t:%a %b} {t.day:2d} {t:%H:%M:%S %Y}"


def iso_time(t: datetime) -> str:  # 2026-11-27 10:31:02
    return f"{t:%Y-%m-%d %H:%M:%S}"


def at(before: str, clock: Callable[[datetime], str], after: str = "") -> Volatile:
    """A timestamp line: the text around the device clock at the read."""
    return Volatile(lambda m: f"{before}{clock(m.t)}{after}")
