"""`platform` commands: the platforms this installation knows, one profile, checking a file.

They read profile files only, never the database, so they work before any setup.
"""

from __future__ import annotations

import argparse
import sys

from ..core.drivers.profile_files import check_file, to_toml
from ..core.platforms import builtin_profiles, profile_for, registry
from .output import print_json, print_table


def platform_list(args: argparse.Namespace) -> int:
    current = registry()
    builtin = builtin_profiles()
    rows = [
        {
            "platform": key,
            "name": profile.name,
            "vendor": profile.vendor,
            "source": "built-in"
            if profile.origin == "built-in"
            else f"user file {profile.source}" + (" (replaces built-in)" if key in builtin else ""),
        }
        for key, profile in sorted(current.profiles.items())
    ]
    if args.json:
        print_json(rows)
    else:
        print_table(["PLATFORM", "NAME", "VENDOR", "SOURCE"], [list(r.values()) for r in rows])
    for problem in current.problems:
        print(f"netraven-desktop: left out: {problem}", file=sys.stderr)
    return 1 if current.problems else 0


def platform_show(args: argparse.Namespace) -> int:
    profile = profile_for(args.name.strip().lower())
    print(f"# {profile.key}: {profile.origin}, {profile.source}")
    print(to_toml(profile), end="")
    return 0


def platform_check(args: argparse.Namespace) -> int:
    profile = check_file(args.file, builtin_profiles(), registry().profiles)
    replaces = " (replaces the built-in one)" if profile.key in builtin_profiles() else ""
    print(
        f"{args.file}: ok: platform {profile.key}{replaces}, {profile.name} ({profile.vendor}), "
        f"{len(profile.commands)} backup command(s), {len(profile.secrets)} secret rule(s)"
    )
    return 0


# Each takes only the arguments: a platform command needs no database.
COMMANDS = {
    ("platform", "list"): platform_list,
    ("platform", "show"): platform_show,
    ("platform", "check"): platform_check,
}
