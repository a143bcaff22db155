"""Find the line of a place in a curated YAML file, for error messages only.

The fast reader (`rucas.build.read.documents`) keeps no line numbers. When an error is
reported, the file is read once more with PyYAML's composer, which marks every node with its
line, and each `Where` is followed through that node tree to its line. This costs a few
milliseconds per file with errors and nothing for a valid corpus.
"""

from __future__ import annotations

from typing import Any

import yaml

from rucas.build.read.places import Where

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def compose(text: str) -> Any:
    """PyYAML's node tree of `text` (no values constructed). Raises yaml.YAMLError on bad syntax."""
    return yaml.compose(text, Loader=_Loader)


def _line(node: Any, where: Where) -> int:
    line = node.start_mark.line + 1
    for step in where.path:
        if isinstance(node, yaml.MappingNode):
            matches = [(key, value) for key, value in node.value if isinstance(key, yaml.ScalarNode) and key.value == step]
            if not matches:
                return line
            key, node = matches[-1]  # a key written twice: the repeat is the one to point at
            line = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
            node = node.value[step]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def lines_of(text: str, places: list[Where]) -> list[int]:
    """The 1-based line of each place in the YAML `text` (1 when the text cannot be composed)."""
    try:
        root = compose(text)
    except yaml.YAMLError as exc:  # text the fast reader took but PyYAML refuses (e.g. an empty key): its line
        mark = getattr(exc, "problem_mark", None)
        return [mark.line + 1 if mark else 1] * len(places)
    except RecursionError:
        return [1] * len(places)
    if root is None:
        return [1] * len(places)
    return [_line(root, where) for where in places]
