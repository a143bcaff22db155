"""Load YAML with the line number of every mapping and key, so errors can name file:line."""

from __future__ import annotations

from typing import Any

import yaml

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LineDict(dict):
    """A YAML mapping that remembers the line it starts on and the line of each key (1-based)."""

    line: int = 1
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        """The line of `key` in the file, or the mapping's own line when the key is absent."""
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A YAML sequence that remembers its line and the line of each item (1-based)."""

    line: int = 1
    item_lines: list[int]


class DuplicateKey(yaml.YAMLError):
    """A mapping repeats a key (YAML would silently keep the last one)."""

    def __init__(self, key: str, line: int, first_line: int):
        self.key, self.line, self.first_line = key, line, first_line
        super().__init__(f"key {key!r} appears twice (lines {first_line} and {line})")


class AliasRefused(yaml.YAMLError):
    """The document uses an alias (*name): curated files spell every value out (no anchor bombs)."""

    def __init__(self, line: int):
        self.line = line
        super().__init__(f"alias at line {line}")


class BadScalar(yaml.YAMLError):
    """A plain scalar that YAML reads as a date but that is no real date, e.g. 2010-02-30."""

    def __init__(self, text: str, line: int, reason: str):
        self.text, self.line, self.reason = text, line, reason
        super().__init__(f"{text!r} at line {line}: {reason}")


class _LineLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineDict:
        mapping = LineDict()
        mapping.line = node.start_mark.line + 1
        mapping.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                key = str(key)
            line = key_node.start_mark.line + 1
            if key in mapping.key_lines:
                raise DuplicateKey(key, line, mapping.key_lines[key])
            mapping.key_lines[key] = line
            mapping[key] = self.construct_object(value_node, deep=True)
        return mapping

    def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> LineList:
        sequence = LineList(self.construct_object(child, deep=True) for child in node.value)
        sequence.line = node.start_mark.line + 1
        sequence.item_lines = [child.start_mark.line + 1 for child in node.value]
        return sequence


    def construct_checked_timestamp(self, node: yaml.ScalarNode) -> object:
        try:
            return self.construct_yaml_timestamp(node)
        except (ValueError, OverflowError) as exc:
            raise BadScalar(str(node.value), node.start_mark.line + 1, str(exc)) from None


_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _LineLoader.construct_checked_timestamp)
_LineLoader.add_constructor("tag:yaml.org,2002:map", _LineLoader.construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _LineLoader.construct_sequence)


def load_yaml(text: str) -> Any:
    """Parse YAML text into LineDict/LineList/scalars. Raises yaml.YAMLError with a mark on bad input.

    Aliases are refused (AliasRefused): a few lines of anchors and aliases can stand for
    billions of values, and curated files have no need for them.
    """
    if "&" in text and "*" in text:
        for event in yaml.parse(text, Loader=_BaseLoader):
            if isinstance(event, yaml.AliasEvent):
                raise AliasRefused(event.start_mark.line + 1)
    return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass


def line_of_item(container: Any, index: int) -> int:
    """The line of item `index` of a LineList (1 when unknown)."""
    lines = getattr(container, "item_lines", None)
    return lines[index] if lines and index < len(lines) else getattr(container, "line", 1)
