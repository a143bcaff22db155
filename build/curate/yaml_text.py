"""Write values as YAML scalars that read back exactly as written (for annotations people then edit)."""

from __future__ import annotations

import datetime
import json
import re
from typing import Any

_PLAIN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
"""Ids written without quotes: starting with a letter, so that YAML never reads them as a number or date."""
_UNSAFE = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\u2028\u2029\x85\ufeff]")
"""Characters a YAML reader refuses or takes for line breaks inside a quoted string: written as escapes."""

_PLAIN_WORDS = {"null", "true", "false", "yes", "no", "on", "off", "y", "n", "~"}


def scalar(value: Any) -> str:
    """One value as a YAML scalar: null, true/false, a number, a date, a plain id, else a double-quoted string."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    if _PLAIN.match(text) and text not in _PLAIN_WORDS:
        return text
    quoted = json.dumps(text, ensure_ascii=False)
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}" if ord(m.group()) <= 0xFFFF
                       else f"\\U{ord(m.group()):08x}", quoted)


def flow(mapping: dict[str, Any]) -> str:
    """A small mapping on one line: {key: value, ...}."""
    return "{" + ", ".join(f"{key}: {scalar(value)}" for key, value in mapping.items()) + "}"


def flow_list(values: list[Any]) -> str:
    """A short list on one line: [a, b]."""
    return "[" + ", ".join(scalar(value) for value in values) + "]"
