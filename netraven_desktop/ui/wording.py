"""Small helpers for the words the window shows."""


def plural(count: int, noun: str) -> str:
    """`1 device`, `2 devices`, `1,234 devices`."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"
