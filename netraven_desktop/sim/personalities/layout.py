"""Building a platform's output from text templates and drawn values: `Layout` and `builder`."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from .device import EXTRAS, DeviceImage, Line, Seed

# Every platform's output is the same shape of work (a fixed head, generated blocks up to a
# size, a tail), so each is described as text templates plus a function drawing the random
# values; `builder` does the rest. A `{field}` is filled from the values; a line that is only a
# field whose value is not a string stands for that value (a `Volatile`, `EXTRAS`, a list).

_FIELD = re.compile(r"\{(\w+)\}")
Values = dict[str, object]


def _text(template: str, values: Mapping[str, object]) -> list[Line]:
    """The template's lines with the values filled in (see above)."""
    lines: list[Line] = []
    for line in template.splitlines():
        whole = _FIELD.fullmatch(line)
        value = values[whole[1]] if whole else None
        if whole and not isinstance(value, str | int):
            lines.extend(value if isinstance(value, list) else [value])  # type: ignore[list-item]
        else:
            lines.append(_FIELD.sub(lambda f: str(values[f[1]]), line))
    return lines


class _Out:
    """Accumulates lines and their printed size; `fill` adds generated blocks up to a size."""

    def __init__(self) -> None:
        self.lines: list[Line] = []
        self.size = 0

    def add(self, *lines: Line) -> None:
        for line in lines:
            self.lines.append(line)
            self.size += len(line) + 2 if isinstance(line, str) else 48

    def fill(self, target: int, blocks: Iterator[list[Line]]) -> None:
        for block in blocks:
            if self.size >= target:
                break
            self.add(*block)


def _size(lines: list[Line]) -> int:
    return sum(len(x) + 2 if isinstance(x, str) else 48 for x in lines)


def _count(start: int = 1) -> Iterator[int]:
    i = start
    while True:
        yield i
        i += 1


_FACTS = ("model", "serial", "os_version")


@dataclass(frozen=True)
class Layout:
    """What a platform's image looks like, as data (templates and the names of values)."""

    command: str  # the backup command whose output is generated to the requested size
    head: str
    block: str  # one generated block; fields: i and those `block_values` draws
    block_values: Callable[[random.Random, int], Values]
    tail: str  # after the blocks, not counted against the size
    footer: str  # the end, which the size leaves room for
    other: Mapping[str, str]  # version command and other show commands
    secrets: tuple[str, ...] = ()  # value names, in the order they are reported
    facts: Mapping[str, str] = field(default_factory=lambda: {k: k for k in _FACTS})  # -> value
    first: int = 1  # the first block's i
    reserve: int = 0  # further room left under the size
    more: Mapping[str, str] = field(default_factory=dict)  # other backup commands (fixed)


def builder(layout: Layout, draw: Callable[[Seed], Values]) -> Callable[[Seed], DeviceImage]:
    """The builder for one platform: draws the values (the only use of the seed's random source
    besides the blocks, in a fixed order, so images are deterministic) and fills the layout."""

    def build(seed: Seed) -> DeviceImage:
        rng = seed.rng
        values: Values = {"name": seed.name, "user": seed.username, "EXTRAS": EXTRAS}
        values |= draw(seed)
        footer = _text(layout.footer, values)
        out = _Out()
        out.add(*_text(layout.head, values))
        drawn: list[str] = []  # the blocks' own secrets (a block's `secrets` value)

        def block(i: int) -> list[Line]:
            block_values = layout.block_values(rng, i)
            drawn.extend(block_values.pop("secrets", ()))  # type: ignore[arg-type]
            return _text(layout.block, {"i": i, **block_values})

        blocks = (block(i) for i in _count(layout.first))
        out.fill(max(0, seed.config_kb * 1024 - _size(footer) - layout.reserve), blocks)
        out.add(*_text(layout.tail, values), *footer)
        outputs = {layout.command: out.lines} | {
            cmd: _text(t, values) for cmd, t in layout.more.items()
        }
        printed = "\n".join(x for x in out.lines if isinstance(x, str))
        in_blocks = [s for s in drawn if s in printed]  # the last block drawn is not always
        return DeviceImage(
            outputs,
            {cmd: _text(t, values) for cmd, t in layout.other.items()},
            [str(values[k]) for k in layout.secrets] + in_blocks,
            {fact: str(values[k]) for fact, k in layout.facts.items()},
        )

    return build
