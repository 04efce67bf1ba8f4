"""A YAML loader for inventories we did not write: safe, bounded, with key line numbers.

yaml's SafeLoader builds no Python objects, but it still follows aliases: a few hundred
bytes of nested `*alias` references (the "billion laughs" file) stand for a billion
values, and anything that walks them (a merge key, an error message) takes minutes and
gigabytes. This loader counts the nodes aliases stand for while composing and refuses
the document past `MAX_ALIAS_NODES`, before any value is built. Inventories that reuse a
block of variables with `<<: *defaults` stay far below the limit.
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_ALIAS_NODES = 100_000  # nodes that aliases may add to a document, all aliases together


class AliasLimitError(yaml.MarkedYAMLError):
    """The document's aliases expand too far, or refer to the collection they are in."""

    def __init__(self, event: yaml.AliasEvent, problem: str) -> None:
        super().__init__(problem=problem, problem_mark=event.start_mark)
        self.alias = f"*{event.anchor}"


class Mapping(dict[Any, Any]):
    """A YAML mapping that remembers the line of each key, for error messages."""

    lines: dict[Any, int]


class InventoryLoader(yaml.SafeLoader):
    """yaml's safe loader, plus a bound on alias expansion and `Mapping`s with lines."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._sizes: dict[int, int] = {}  # id(node) -> nodes it stands for, fully expanded
        self._aliased = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        is_alias = self.check_event(yaml.AliasEvent)
        event = self.peek_event()
        node = super().compose_node(parent, index)
        if not is_alias:
            self._sizes[id(node)] = 1 + sum(self._sizes[id(child)] for child in _children(node))
            return node
        size = self._sizes.get(id(node))
        if size is None:  # the anchor's collection is still being composed
            raise AliasLimitError(event, "an alias may not refer to a collection it is in")
        self._aliased += size
        if self._aliased > MAX_ALIAS_NODES:
            raise AliasLimitError(
                event, f"aliases may stand for at most {MAX_ALIAS_NODES:,} values in all; refused"
            )
        return node


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return node.value
    return []


def _construct_mapping(loader: InventoryLoader, node: yaml.MappingNode) -> Mapping:
    mapping = Mapping(loader.construct_mapping(node, deep=True))
    mapping.lines = {
        loader.construct_object(key, deep=True): key.start_mark.line + 1 for key, _ in node.value
    }
    return mapping


InventoryLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
