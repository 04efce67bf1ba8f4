"""`platform` commands: the platforms this installation knows, one profile, checking a file.

They read profile files only, never the database, so they work before any setup.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..core.drivers.profile_files import check_file, to_toml
from ..core.platforms import builtin_profiles, profile_for, registry, user_platforms_dir
from .output import print_json, print_table


def add_parsers(commands: Any) -> argparse._SubParsersAction:
    """Add `platform ...` to the root parser's sub-commands; returns the group (for more)."""
    platform = commands.add_parser(
        "platform",
        help=f"device platforms: built-in ones and your profile files in {user_platforms_dir()}",
    ).add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = platform.add_parser(
        "list", help="every platform with its vendor and where its profile comes from"
    )
    listing.add_argument("--json", action="store_true")
    show = platform.add_parser(
        "show", help="one platform's profile as the engine uses it (a valid profile file)"
    )
    show.add_argument("name", metavar="NAME")
    platform.add_parser(
        "check", help="validate a profile file; exit 2 with the problem if it has one"
    ).add_argument("file", metavar="FILE", type=Path)
    return platform


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


# Actions that need no database (run before one is opened).
ACTIONS = {"list": platform_list, "show": platform_show, "check": platform_check}
