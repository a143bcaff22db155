"""Turn one YAML mapping into one table row, checking every value against the schema's ColumnSpec.

The allowed keys, types, enums, patterns and bounds all come from rucas.schema; this module
holds no list of columns. Curators write some columns as small groups (`date:`, `location:`),
which `GROUPS` spells out.
"""

from __future__ import annotations

import datetime
import functools
import math
import re
import reprlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from rucas.build.read.errors import CurationError
from rucas.build.read.documents import DocMap, Where
from rucas.schema import TableSpec, table_spec
from rucas.schema.countries import is_country_code
from rucas.schema.derive import ColumnSpec
from rucas.schema.languages import is_language_code
from rucas.schema.forms import CODE_PATTERN, DATE_RANGE, ROW_HISTORY_COLUMNS

GROUPS: dict[str, dict[str, str]] = {
    "date": {key: f"date_{key}" for key in ("earliest", "latest", "precision", "basis", "note")},
    "location": {"name": "location_name", "country_iso3": "location_country_iso3", "latitude": "latitude",
                 "longitude": "longitude", "precision": "location_precision", "note": "location_note"},
}
"""Mappings that curators write as one key, e.g. `date: {earliest: ..}` for the date_* columns."""


@dataclass
class RowOrigin:
    """Where a row was written: its file, the place (or line) of its mapping, and the keys that hold each column."""

    path: str
    line: int | Where
    column_keys: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """For each column written in the mapping, the key (or group and key) it was written under."""

    def line_of(self, column: str) -> int | Where:
        """Where `column` was written, or the row's own place when it was not."""
        keys = self.column_keys.get(column)
        if keys is None or isinstance(self.line, int):
            return self.line
        return self.line.joined(keys)


_SHORT = reprlib.Repr()
_SHORT.maxstring, _SHORT.maxother, _SHORT.maxlevel = 60, 60, 3
_SHORT.repr_DocList, _SHORT.repr_DocMap = _SHORT.repr_list, _SHORT.repr_dict  # type: ignore[attr-defined]

YAML11_WORDS = frozenset({"~", "Null", "NULL", "True", "TRUE", "False", "FALSE", "yes", "Yes", "YES", "no", "No", "NO",
                          "on", "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N"})
"""Plain words that YAML 1.1 readers take for null or booleans: as a whole text value they are refused,
so the file means the same to every reader."""

NUMBER_LIKE = re.compile(r"[-+]?[0-9][0-9_:.,]*([eE][-+]?[0-9]+)?")
"""Text that looks like a number but is not one in curated YAML (075, 10:00, 1_000, 1,000, +5)."""

INT64 = (-(2**63), 2**63 - 1)
"""The range of an integer column in every output (BIGINT)."""

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
"""The one way to write a date (Python also reads week dates such as 2010-W23-6 and basic ones such as 20100612)."""

LOOK_ALIKES = dict(zip("АВЕЅІЈКМНОРСТХУаеіјорсхуѕԁԛԝһӏΑΒΕΖΗΙΚΜΝΟΡΤΥΧονℓ",
                       "ABESIJKMHOPCTXYaeijopcxysdqwhlABEZHIKMNOPTYXovl"))
"""Letters of other scripts that look like Latin ones, with the Latin letter each is taken for."""

def latin_look_alike(value: str) -> str:
    """`value` with each look-alike letter of another script replaced by the Latin letter it is taken for."""
    return value.translate(_TO_LATIN).strip()


_TO_LATIN = str.maketrans(LOOK_ALIKES)

URL_FORBIDDEN = re.compile(r"[\s\"'<>`\\{}|^]")
"""Characters a web address never holds as written (spaces and quotes must be percent-encoded)."""


def _describe(value: Any) -> str:
    """A value as an error message shows it: its repr, cut short, and its YAML type."""
    return f"{_SHORT.repr(value)} ({type(value).__name__})"


def coerce_value(column: ColumnSpec, value: Any) -> tuple[Any, str | None, str | None]:
    """Check one curated value against its column. Returns (value, problem, fix); problem is None when fine."""
    if value is None:
        if column.nullable:
            return None, None, None
        return None, f"{column.name} is required.", f"give {column.name}: {column.description}"
    kind = column.kind
    if kind in ("text", "enum"):
        if isinstance(value, dict | list):
            return None, f"{column.name} must be text, got {_describe(value)}.", f"write {column.name}: followed by one text."
        if not isinstance(value, str):
            return None, f"{column.name} must be text, got {_describe(value)}.", f'quote it: {column.name}: "{_SHORT.repr(value)}"'
        if value == "" or value != value.strip():
            return None, f"{column.name} is empty or has leading/trailing spaces.", "trim it, or write null if unknown."
        if value in YAML11_WORDS:
            return None, f"{column.name} is the bare word {value!r}, which YAML 1.1 readers take for null or a boolean.", \
                f"write null if it is unknown; if the text is meant, reword it (e.g. {value!r} in a sentence)."
        if column.max_length is not None and len(value) > column.max_length:
            return None, f"{column.name} {_SHORT.repr(value)} is {len(value):,} characters long; a {column.form} " \
                f"column holds at most " \
                f"{column.max_length:,}.", _too_long_fix(column)
        if column.form in ("id", "code") and not value.isascii():
            return None, *_foreign_letter(column, value)
        if kind == "enum" and value not in column.enum_values:
            return None, f"{column.name} {_SHORT.repr(value)} is not one of {', '.join(column.enum_values)}.", \
                f"use one of: {', '.join(column.enum_values)}."
        if column.pattern and not re.fullmatch(column.pattern, value):
            return None, f"{column.name} {_SHORT.repr(value)} does not have the required form {column.pattern}.", \
                _pattern_fix(column)
        if column.vocabulary == "iso3166-1-alpha3" and not is_country_code(value):
            return None, f"{column.name} {value!r} is not an ISO 3166-1 alpha-3 country code.", \
                "use the country's code from https://www.iso.org/obp/ui/#search (e.g. RUS, UZB, KGZ), or null."
        if column.vocabulary == "iso639-1" and not is_language_code(value):
            return None, f"{column.name} {value!r} is not an ISO 639-1 language code.", \
                "use the two-letter code of the language (en, ru, ky, uz, kk, tg), as listed in ISO 639-1."
        if column.form == "url" and (problem := _url_problem(value)):
            return None, f"{column.name} {problem} (got {_SHORT.repr(value)}).", \
                "give the full address as the browser shows it (http:// or https://, spaces as %20), or null."
        return value, None, None
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            return None, f"{column.name} must be a whole number, got {_describe(value)}.", _number_fix(value)
        if not INT64[0] <= value <= INT64[1]:
            return None, f"{column.name} {value} is too large to store.", "check the figure."
    elif kind == "double":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None, f"{column.name} must be a number, got {_describe(value)}.", _number_fix(value)
        value = float(value) if isinstance(value, float) or abs(value) < 2**1000 else math.inf
        if not math.isfinite(value):
            return None, f"{column.name} must be a finite number, got {value}.", "write a decimal number, or null."
    elif kind == "date":
        if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date | str):
            return None, f"{column.name} must be a date, got {_describe(value)}.", "write it as YYYY-MM-DD."
        if isinstance(value, str):
            if not ISO_DATE.fullmatch(value):
                return None, f"{column.name} {_SHORT.repr(value)} is not a valid date (dates are written YYYY-MM-DD).", \
                    "write the day as YYYY-MM-DD, e.g. 2010-06-12 (not a week date or digits run together)."
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                return None, f"{column.name} {value!r} is not a valid date.", "write it as YYYY-MM-DD."
        if not DATE_RANGE[0] <= value <= DATE_RANGE[1]:
            return None, f"{column.name} {value} is outside {DATE_RANGE[0]} .. {DATE_RANGE[1]}, the days a date may " \
                "hold.", "correct the year; an open end (still running, not known) is null, never a far-off day " \
                "such as 9999-12-31."
    elif kind == "boolean" and not isinstance(value, bool):
        return None, f"{column.name} must be true or false, got {_describe(value)}.", "write true or false."
    if column.minimum is not None and value < column.minimum:
        return None, f"{column.name} {value} is below {column.minimum:g}.", "check the figure."
    if column.maximum is not None and value > column.maximum:
        return None, f"{column.name} {value} is above {column.maximum:g}.", "check the figure."
    return value, None, None


def _too_long_fix(column: ColumnSpec) -> str:
    if column.form == "id":
        return "shorten the id: a few words, lower case, joined by hyphens."
    if column.form == "text":
        return "shorten it: quote only the words needed, and put long reasoning in a public document the note cites."
    return f"check the value: a {column.form} is much shorter."


def _foreign_letter(column: ColumnSpec, value: str) -> tuple[str, str]:
    """The problem and fix for an id or code holding a character outside ASCII, named (and its look-alike)."""
    from rucas.build.read.documents import describe_character

    character = next(c for c in value if not c.isascii())
    named = describe_character(character)
    shown = _SHORT.repr(value)
    if character in LOOK_ALIKES:
        latin = LOOK_ALIKES[character]
        return (f"{column.name} {shown} contains {named}, which looks like the Latin letter {latin} but is not "
                f"(a code or id written so would match nothing).",
                f"retype it with the Latin letter {latin}: ids and codes are ASCII letters, digits and hyphens.")
    return (f"{column.name} {shown} contains {named}; ids and codes are ASCII only.",
            "write it with ASCII letters and digits (e.g. e for é), joined by hyphens.")


def _url_problem(value: str) -> str | None:
    """What keeps `value` from being a web address, or None."""
    from urllib.parse import urlsplit

    if found := URL_FORBIDDEN.search(value):
        return f"contains {'a space' if found.group().isspace() else repr(found.group())}, which a URL never holds"
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        return "is not a well-formed URL"
    if parts.scheme not in ("http", "https"):
        return "must start with https:// or http://"
    if not host or "." not in host:
        return "has no host name (such as eurasianet.org)"
    return None


def _number_fix(value: Any) -> str:
    """How to write the number the curator meant (a leading zero, a colon or a separator is never read as one)."""
    if isinstance(value, str) and NUMBER_LIKE.fullmatch(value):
        digits = value.lstrip("+").replace("_", "").replace(",", "")
        if re.fullmatch(r"-?[0-9]+", digits):
            return f"write {int(digits)} (digits only: without a sign, leading zeros, separators or quotes)."
        return f"write the figure as plain digits, e.g. 7 or 7.5 (not {value!r})."
    return "write digits only, without quotes or thousands separators."


def _pattern_fix(column: ColumnSpec) -> str:
    if column.pattern == CODE_PATTERN:
        return "a code is ASCII letters and digits joined by single hyphens or underscores (REJECT, 0234, coder-a)."
    if "Q[1-9]" in (column.pattern or ""):
        return "a Wikidata id is Q followed by digits (e.g. Q159); write null if not verified."
    if "[A-Z]{3}" in (column.pattern or ""):
        return "use the ISO 3166-1 alpha-3 code in capitals, e.g. RUS, UZB, KGZ."
    if "a-z0-9" in (column.pattern or ""):
        return "ids are lower-case letters, digits and single hyphens, e.g. russia-foreign-ministry."
    return f"match the pattern {column.pattern}."


def _writable(spec: TableSpec, provided: frozenset[str], extra_keys: frozenset[str]) -> tuple[frozenset[str], tuple[str, ...]]:
    """The columns a curator may write in an entry of `spec`, and the keys to list when one is unknown."""
    return _writable_columns(spec.name, provided, extra_keys)


@functools.cache
def _writable_columns(table: str, provided: frozenset[str], extra_keys: frozenset[str]) -> tuple[frozenset[str], tuple[str, ...]]:
    from rucas.schema import table_spec

    # the row history is filled by `rucas release`, never written by a curator
    writable = frozenset(table_spec(table).column_names) - provided - frozenset(ROW_HISTORY_COLUMNS)
    grouped = {column for group in GROUPS.values() for column in group.values()}
    allowed = sorted((writable - grouped) | {g for g in GROUPS if set(GROUPS[g].values()) & writable} | extra_keys)
    return writable, tuple(allowed)


def read_row(
    spec: TableSpec,
    mapping: Any,
    path: str,
    line: int | Where,
    errors: list[CurationError],
    *,
    provided: dict[str, Any] | None = None,
    extra_keys: frozenset[str] = frozenset(),
) -> tuple[dict[str, Any] | None, RowOrigin]:
    """Read `mapping` as a row of `spec`.

    `provided` holds the columns the build derives (offsets, parent ids); `extra_keys` are keys
    the caller handles itself (e.g. `aliases`). Every other key must be a column or a group.
    Returns (row or None when it had errors, its origin).
    """
    provided = provided or {}
    writable, allowed_keys = _writable(spec, frozenset(provided), extra_keys)
    if not isinstance(mapping, DocMap):
        errors.append(CurationError(path, line, f"a {spec.name} entry must be a mapping of key: value, "
                                    f"got {_describe(mapping)}.", "write one `key: value` per line."))
        return None, RowOrigin(path, line)
    origin = RowOrigin(path, mapping.line)
    raw: dict[str, Any] = {}
    for key, value in mapping.items():
        if key in extra_keys:
            continue
        if key in GROUPS and key not in writable:
            if value is None:
                continue
            if not isinstance(value, DocMap):
                errors.append(CurationError(path, mapping.line_of(key), f"{key} must be a mapping, got {_describe(value)}.",
                                            f"write {key}: {{{', '.join(GROUPS[key])}}}."))
                continue
            for sub_key, sub_value in value.items():
                column = GROUPS[key].get(sub_key)
                if column is None or column not in writable:
                    errors.append(CurationError(path, value.line_of(sub_key), f"unknown key {key}.{sub_key}.",
                                                f"{key} takes {', '.join(GROUPS[key])}."))
                    continue
                raw[column] = sub_value
                origin.column_keys[column] = (key, sub_key)
            continue
        if key not in writable:
            errors.append(CurationError(path, mapping.line_of(key), f"unknown key {str(key)[:60]!r} in a {spec.name} entry.",
                                        f"allowed keys are: {', '.join(allowed_keys)}."))
            continue
        raw[key] = value
        origin.column_keys[key] = (key,)
    row: dict[str, Any] = {}
    ok = True
    for column in spec.columns:
        if column.name in provided:
            row[column.name] = provided[column.name]
            continue
        value, problem, fix = coerce_value(column, raw.get(column.name))
        if problem:
            errors.append(CurationError(path, origin.line_of(column.name), problem, fix or ""))
            ok = False
        row[column.name] = value
    return (row if ok else None), origin


@dataclass
class Rows:
    """Rows of the published tables with the file and line each came from."""

    tables: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    origins: dict[str, list[RowOrigin]] = field(default_factory=lambda: defaultdict(list))
    failed_keys: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    """Ids of entries that had errors of their own: references to them are not reported again."""
    unreadable: dict[str, CurationError] = field(default_factory=dict)
    """Tables whose reference file could not be read at all, with the error that says why."""

    def add(self, table: str, row: dict[str, Any], origin: RowOrigin) -> None:
        self.tables[table].append(row)
        self.origins[table].append(origin)

    def extend(self, other: Rows) -> None:
        for table, rows in other.tables.items():
            self.tables[table].extend(rows)
            self.origins[table].extend(other.origins[table])
        for table, keys in other.failed_keys.items():
            self.failed_keys[table] |= keys
        self.unreadable.update(other.unreadable)

    def remember_failed(self, table: str, mapping: Any) -> None:
        """Note the id of an entry of `table` that had errors, so references to it are not errors again."""
        key = table_spec(table).primary_key
        if len(key) == 1 and isinstance(mapping, dict) and isinstance(mapping.get(key[0]), str):
            self.failed_keys[table] |= {mapping[key[0]], latin_look_alike(mapping[key[0]])}  # and the id it meant
