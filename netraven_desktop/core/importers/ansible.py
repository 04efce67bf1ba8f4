"""An Ansible YAML inventory: groups, nested `children`, group and host `vars`.

Every group a host belongs to (directly or through `children`, except `all` and
`ungrouped`) becomes a tag. Variables are inherited down the groups, host variables win:
`ansible_host` (default: the inventory name, as Ansible does), `ansible_port` and
`ansible_network_os` (`cisco.ios.ios`, `ios`, `junipernetworks.junos.junos`, ...).
Connection secrets (`ansible_password`, ...) are ignored: they belong in the keyring.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from .common import ImportRow, ParsedFile, RowProblem, platform_from
from .yaml_loader import AliasLimitError, InventoryLoader, Mapping

IMPLICIT_GROUPS = {"all", "ungrouped"}


@dataclass
class _Host:
    line: int
    group_vars: dict[str, Any] = field(default_factory=dict)
    own_vars: dict[str, Any] = field(default_factory=dict)
    groups: list[str] = field(default_factory=list)


def parse(text: str) -> ParsedFile:
    parsed = ParsedFile()
    try:
        inventory = yaml.load(text, Loader=InventoryLoader)  # a SafeLoader subclass: safe
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "line 1"
        if isinstance(exc, AliasLimitError):
            parsed.problems.append(RowProblem(where, "yaml", exc.alias, exc.problem or ""))
        else:
            problem = getattr(exc, "problem", "")
            parsed.problems.append(RowProblem(where, "yaml", problem, "is not valid YAML"))
        return parsed
    if not isinstance(inventory, Mapping):
        parsed.problems.append(
            RowProblem("line 1", "inventory", inventory, "must be a mapping of groups")
        )
        return parsed
    hosts: dict[str, _Host] = {}
    for group, body in inventory.items():
        _walk(str(group), body, inventory.lines[group], {}, hosts, parsed.problems)
    for name, host in hosts.items():
        parsed.rows.append(ImportRow(f"line {host.line}", _values(name, host), {"host": name}))
    return parsed


def _walk(
    group: str,
    body: Any,
    line: int,
    inherited: dict[str, Any],
    hosts: dict[str, _Host],
    problems: list[RowProblem],
) -> None:
    """Collect the hosts of `group` and its children, with variables and groups."""
    if body is None:
        return
    if not isinstance(body, Mapping):
        problems.append(RowProblem(f"line {line}", group, body, "a group must be a mapping"))
        return
    variables = inherited | (body.get("vars") or {})
    tag = [] if group in IMPLICIT_GROUPS else [group]
    for name, host_vars in (body.get("hosts") or {}).items():
        host = hosts.setdefault(str(name), _Host(body["hosts"].lines[name]))
        if host_vars is not None and not isinstance(host_vars, dict):
            problems.append(
                RowProblem(
                    f"line {host.line}", str(name), host_vars, "host variables must be a mapping"
                )
            )
            continue
        host.group_vars |= variables
        host.own_vars |= host_vars or {}
        host.groups += [g for g in tag if g not in host.groups]
    for child, child_body in (body.get("children") or {}).items():
        _walk(str(child), child_body, body["children"].lines[child], variables, hosts, problems)
        if tag:
            for host in hosts.values():
                if str(child) in host.groups and group not in host.groups:
                    host.groups.append(group)


def _values(name: str, host: _Host) -> dict[str, Any]:
    variables = host.group_vars | host.own_vars
    values: dict[str, Any] = {"name": name}
    if variables.get("ansible_host"):
        values["host"] = str(variables["ansible_host"])
    if variables.get("ansible_port") is not None:
        values["port"] = variables["ansible_port"]
    if variables.get("ansible_network_os"):
        values["platform"] = platform_from(str(variables["ansible_network_os"]))
    if host.groups:
        values["tags"] = host.groups
    return values
