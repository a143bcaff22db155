"""Parse one curated YAML file into plain values, fast, and refuse what a curated file may not contain.

The parser on the hot path is rapidyaml (C++): it builds the tree and writes it out as JSON,
which Python's C json module turns into values. It keeps no line numbers; instead every mapping
and list remembers *where* it is in the document (`Where`: the keys and indexes leading to it),
and `rucas.build.read.lines` turns a `Where` into a line only when an error is reported.

What a value means is fixed here, once (the "curated YAML" rules, documented in
dataset/curated/README.md):

- `null` and an empty value are null; `true` and `false` are booleans;
- a plain number written as JSON writes it (`12`, `-3`, `41.3`, `1e3`) is a number;
- everything else is text exactly as written, so YAML 1.1's traps cannot change a value:
  `075` stays the text "075" (not octal 61), `10:00` the text "10:00" (not 600), `yes` the
  text "yes" (not true), `2010-02-30` the text "2010-02-30" (then refused where a date is due).

Refused, each at its own line: a byte order mark, CR line endings, invalid UTF-8, invisible or
control characters (raw or escaped), anchors and aliases (`&name`, `*name`), explicit tags (`!!str`,
`!!binary`, `!!python/...`), directives (`%YAML`), a second document, a key written twice, nesting
deeper than `MAX_DEPTH`, and any YAML syntax error.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from rucas.build.read.errors import CurationError
from rucas.build.read.places import Where

MAX_DEPTH = 48
"""Deepest nesting of mappings and lists a curated file may use (the format needs six)."""

INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f]"
)
"""Characters never meant in curated text: controls other than tab and line feed (C0, DEL, C1),
invisible format characters (zero-width, bidi overrides and marks, soft hyphen, BOM, tags) and
the Unicode line and paragraph separators. tests/test_documents.py checks it against unicodedata."""


ASCII_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
"""The members of INVISIBLE that ASCII text can hold."""


class DocMap(dict):
    """A mapping of a curated document that knows where it is (`where`) and the keys written twice."""

    where: Where = Where()
    duplicates: tuple[str, ...] = ()

    @property
    def line(self) -> Where:
        """Where the mapping starts (a line is found for it when an error is reported)."""
        return self.where

    def line_of(self, key: str) -> Where:
        """Where `key` is written, or the mapping itself when the key is absent."""
        return Where((*self.where, key)) if key in self else self.where


class DocList(list):
    """A list of a curated document that knows where it is."""

    where: Where = Where()

    @property
    def line(self) -> Where:
        return self.where


def line_of_item(container: Any, index: int) -> Where:
    """Where item `index` of a DocList is."""
    return container.where / index if isinstance(container, DocList) else getattr(container, "where", Where())


def _pairs(pairs: list[tuple[str, Any]]) -> DocMap:
    mapping = DocMap(pairs)
    if len(mapping) != len(pairs):
        seen: set[str] = set()
        mapping.duplicates = tuple(key for key, _ in pairs if key in seen or seen.add(key))  # type: ignore[func-returns-value]
    return mapping


_JSON = json.JSONDecoder(object_pairs_hook=_pairs, strict=False)
"""Control characters inside strings are let through here, to be reported with their place by `_place`."""


def describe_character(character: str) -> str:
    """A character as a curator can recognise it: code point and Unicode name."""
    name = unicodedata.name(character, "a control character")
    return f"U+{ord(character):04X} ({name})"


def line_at(text: str, offset: int) -> int:
    """The 1-based line of a character offset, whichever line endings the text uses (LF, CRLF or CR alone)."""
    return text.count("\n", 0, offset) + text.count("\r", 0, offset) - text.count("\r\n", 0, offset) + 1


def decode_curated_bytes(data: bytes, shown: str, errors: list[CurationError], *, what: str = "file") -> str | None:
    """The UTF-8 text of a curated YAML file, or None after recording why it cannot be read."""
    if not data.strip():
        errors.append(CurationError(shown, 1, f"{what} is empty.", "write the entries, or delete the file."))
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        errors.append(CurationError(shown, 1, "file starts with a byte order mark (BOM).", "save it as UTF-8 without BOM."))
        return None
    if b"\r" in data:
        errors.append(CurationError(shown, line_at(data.decode("latin-1"), data.index(b"\r")),
                                    "file has Windows (CRLF) or CR line endings.", "save it with Unix (LF) line endings."))
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        errors.append(CurationError(shown, data[: exc.start].count(b"\n") + 1,
                                    f"is not valid UTF-8 (byte {data[exc.start]:#04x}).", "re-save the file as UTF-8."))
        return None


def _raw_invisible(text: str, shown: str, errors: list[CurationError]) -> None:
    """One error per line holding a raw invisible or control character."""
    lines: set[int] = set()
    if text.isascii() and ASCII_CONTROL.search(text) is None:
        return
    for match in INVISIBLE.finditer(text):
        line = line_at(text, match.start())
        if line not in lines:
            lines.add(line)
            errors.append(CurationError(shown, line, f"contains the invisible character {describe_character(match.group())}.",
                                        "delete it (retype the line if you cannot see it)."))
        if len(lines) >= 20:
            break


ESCAPE = re.compile(r"\\(?:([0abtevfrN_LP])|x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))")
"""A double-quoted YAML escape that writes one character (\\n and \\t, the ones curated text may use, excepted)."""
_NAMED_ESCAPES = {"0": "\x00", "a": "\x07", "b": "\x08", "t": "\t", "e": "\x1b", "v": "\x0b", "f": "\x0c",
                  "r": "\r", "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029"}
_KEY_OF_LINE = re.compile(r"^\s*(?:-\s+)?([A-Za-z_][\w.-]*)\s*:")


_DOUBLE_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_SCALAR_START = re.compile(r"(?:^|[:\-\[{,?])[ \t]*$")


def double_quoted_spans(text: str) -> list[tuple[int, int]]:
    """The spans of `text` that are double-quoted scalars: a `"` that begins a value (at a line's start, or after
    `:`, `-`, `[`, `{`, `,` or `?` and blanks) up to its closing quote. A `"` inside a plain or single-quoted
    scalar (`title: He said "no"`) or a comment begins none; only in these spans is a backslash an escape."""
    spans: list[tuple[int, int]] = []
    position = 0
    while (start := text.find('"', position)) != -1:
        line_start = text.rfind("\n", 0, start) + 1
        before = text[line_start:start]
        quoted = _DOUBLE_QUOTED.match(text, start) if _SCALAR_START.search(before) and "#" not in before \
            and before.count("'") % 2 == 0 else None
        if quoted is None:
            position = start + 1
            continue
        spans.append((start, quoted.end()))
        position = quoted.end()
    return spans


def _escapes(text: str, shown: str, errors: list[CurationError]) -> None:
    """Errors for escapes that write an invisible character or a lone surrogate (the fast parser passes them on).

    Only double-quoted scalars have escapes: `A: \\0` in a plain scalar is a backslash and a zero."""
    matches = [match for begin, end in double_quoted_spans(text) for match in ESCAPE.finditer(text, begin, end)]
    for match in matches:
        named, *codes = match.groups()
        number = int(next(code for code in codes if code), 16) if named is None else ord(_NAMED_ESCAPES[named])
        line = line_at(text, match.start())
        key = _KEY_OF_LINE.match(text.split("\n", line)[line - 1])
        what = key.group(1) if key else "a value"
        if 0xD800 <= number <= 0xDFFF or number > 0x10FFFF:
            errors.append(CurationError(shown, line, f"is not valid YAML: the escape {match.group()} in {what} names no "
                                        "character (a lone surrogate).", "write the character itself, or delete it."))
        elif INVISIBLE.match(chr(number)) or chr(number) == "\r":
            errors.append(CurationError(shown, line, f"{what} contains the invisible character "
                                        f"{describe_character(chr(number))} (written as {match.group()}).",
                                        "delete the escape."))


YAML_MARK = re.compile(r"[!&*](?<![^\s\[{,][!&*])")
"""A `!`, `&` or `*` that begins a line or follows whitespace, `[`, `{` or `,`: where a tag (!!str), an anchor
(&a) or an alias (*a) may begin. The pattern starts with the character itself, so the regex engine skips
straight to each one; the look-behind then asks what precedes it (nothing, at the start of the text)."""

DOCUMENT_MARKERS = ("%", "---", "...")
"""What begins a line holding a directive (%YAML) or a document marker (--- or ...)."""

_MARKERS_AFTER_NEWLINE = tuple(f"\n{marker}" for marker in DOCUMENT_MARKERS)


def holds_yaml_machinery(text: str) -> bool:
    """Whether `text` may hold a tag, an anchor, an alias, a directive or a document marker (a YAML_MARK, or a
    line beginning with one of DOCUMENT_MARKERS): only a file that does is read a second time, by PyYAML's event
    parser, to find them. Most files hold none of the characters at all, which `in` finds fastest."""
    if ("!" in text or "&" in text or "*" in text) and YAML_MARK.search(text):
        return True
    return text.startswith(DOCUMENT_MARKERS) or any(marker in text for marker in _MARKERS_AFTER_NEWLINE)


def _yaml_machinery(text: str, shown: str, errors: list[CurationError]) -> bool:
    """Record an error for every alias, anchor, explicit tag, directive and document after the first: each one
    would make a reader change, share or drop a value. True when there was one. Syntax errors are left to the parser."""
    import yaml

    before = len(errors)
    documents = 0
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    lines: set[int] = set()

    def refuse(event: yaml.Event, message: str, fix: str) -> None:
        if event.start_mark.line not in lines:  # one error a line, and no more than 20 a file
            lines.add(event.start_mark.line)
            errors.append(CurationError(shown, event.start_mark.line + 1, message, fix))

    ended = False
    try:
        for event in yaml.parse(text, Loader=loader):
            if len(lines) >= 20:
                break
            ended = ended or (isinstance(event, yaml.DocumentEndEvent) and event.explicit)
            if isinstance(event, yaml.AliasEvent):
                refuse(event, "uses an alias (*name); anchors and aliases are not allowed in curated files.",
                       "write the value out in full where it is needed.")
            elif isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    refuse(event, "holds a second YAML document (after a line '---'); a curated file is one document.",
                           "delete the '---' line and merge the entries into the first document, or move them to "
                           "their own file.")
                elif event.version or event.tags:
                    refuse(event, "starts with a %YAML or %TAG directive, which curated files do not use (they are "
                           "read by the rules of dataset/curated/README.md, not by a YAML version).",
                           "delete the directive line (and the '---' after it).")
            elif isinstance(event, yaml.NodeEvent):
                if event.anchor is not None:
                    refuse(event, f"defines the anchor &{event.anchor[:40]}; anchors and aliases are not allowed in "
                           "curated files.", f"delete &{event.anchor[:40]} (and write the value out wherever *"
                           f"{event.anchor[:40]} is used).")
                tag = getattr(event, "tag", None)
                if tag is not None:
                    shown_tag = tag.replace("tag:yaml.org,2002:", "!!")[:60]
                    refuse(event, f"uses the YAML tag {shown_tag}; a tag would change or drop the value, and curated "
                           "files take none.", f"delete {shown_tag} and write the value plainly (a number as digits, "
                           "text quoted where it could be read as something else, e.g. \"0234\").")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        if ended and mark is not None:  # text after a '...' line, which some readers take for a second document
            lines.add(mark.line)
            errors.append(CurationError(shown, mark.line + 1, "holds text after the end of the document (a line '...');"
                                        " a curated file is one document.", "delete the '...' line, or the text after it."))
    return len(errors) > before


def _syntax_error(text: str, shown: str, parser_message: str) -> CurationError:
    """The YAML syntax error, with the line and wording of PyYAML's reader (which keeps marks)."""
    import yaml

    from rucas.build.read.lines import compose

    try:
        compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return CurationError(shown, mark.line + 1 if mark else 1, f"is not valid YAML: {problem}.",
                             "fix the YAML syntax (indentation, colons, quotes) at this line.")
    except RecursionError:
        return CurationError(shown, 1, f"nesting depth is over {MAX_DEPTH} levels.",
                             "write entries as flat mappings and lists, as in dataset/curated/README.md.")
    found = re.search(r"line=(\d+)", parser_message)
    line = int(found.group(1)) if found else next(
        (number for number, text_line in enumerate(text.split("\n"), 1) if re.match(r"\s*(?:-\s+)*\?(?:\s|$)", text_line)), 1)
    return CurationError(shown, line,
                         "is YAML that the curated-file reader cannot read (e.g. a key starting with '-' or '?').",
                         "quote the key or value on this line, or write it as in dataset/curated/README.md.")


def _unreadable_number(text: str, shown: str, json_text: str, exc: json.JSONDecodeError) -> CurationError:
    """A plain scalar such as `+1`, `-01` or `007.5` that is neither a plain number nor plain text."""
    token = re.match(r"[^,\s\]}]*", json_text[exc.pos:]).group()  # type: ignore[union-attr]
    line = 1
    for number, source_line in enumerate(text.split("\n"), 1):
        if re.search(rf"(?<![\w.+-]){re.escape(token)}(?![\w.])", source_line):
            line = number
            break
    return CurationError(shown, line, f"the value {token[:40]} is neither a plain number nor text.",
                         "write a number as digits without a sign or leading zeros (7.5, -1), or quote it as text.")


def _check_text(text: str, where: Where, what: str, shown: str, errors: list[CurationError]) -> None:
    if found := INVISIBLE.search(text):
        errors.append(CurationError(shown, where, f"{what} contains the invisible character "
                                    f"{describe_character(found.group())}.",
                                    "remove it (an escape such as \\0, \\e or \\u200b in a double-quoted string "
                                    "writes one)."))


def _place(value: Any, where: Where, check_text: bool, shown: str, errors: list[CurationError]) -> Any:
    """Turn lists into DocLists and tell every mapping and list where it is; report keys written twice and
    escaped invisible characters. Returns the value to keep."""
    if len(where) > MAX_DEPTH:
        raise RecursionError
    if isinstance(value, dict):
        value.where = where
        for key in value.duplicates:
            errors.append(CurationError(shown, where / key, f"key {key[:60]!r} appears twice in one mapping.",
                                        "keep one of them."))
        if "" in value:
            errors.append(CurationError(shown, where / "", "has an empty key (nothing before the colon).",
                                        "write the key's name before the colon, or delete the line."))
        for key, item in value.items():
            if check_text:
                _check_text(key, where / key, "key", shown, errors)
            if isinstance(item, dict | list):
                value[key] = _place(item, where / key, check_text, shown, errors)
            elif check_text and isinstance(item, str):
                _check_text(item, where / key, key[:60], shown, errors)
        return value
    if isinstance(value, list):
        placed = DocList(value)
        placed.where = where
        for index, item in enumerate(placed):
            if isinstance(item, dict | list):
                placed[index] = _place(item, where / index, check_text, shown, errors)
            elif check_text and isinstance(item, str):
                _check_text(item, where / index, "list item", shown, errors)
        return placed
    return value


@contextlib.contextmanager
def _stderr_silenced() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null for the duration (the C++ parser writes there directly)."""
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


_REWRITTEN_SCALAR = re.compile(r'"(?:-?\.inf|\.nan)"')
"""What rapidyaml's JSON writes for a plain `inf`, `-inf`, `nan` (or `.Inf`, `.NaN`...): not the text as written."""


def _as_written(document: Any, text: str) -> Any:
    """`document` with every string that rapidyaml rewrote (`inf` -> ".inf") put back as written in `text`.

    The curated rules read anything that is not a JSON number, boolean or null as text exactly as written, so
    `inf` is the text "inf". PyYAML's event parser gives the scalars in document order, the order in which the
    decoded document is walked here (a mapping's key, then its value); only the rewritten strings are replaced."""
    import yaml

    written = iter([event.value for event in yaml.parse(text) if isinstance(event, yaml.ScalarEvent)])
    rewritten = {".inf", "-.inf", ".nan"}

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            pairs = []
            for key, item in value.items():
                pairs.append((walk(key), walk(item)))
            return type(value)(pairs)
        if isinstance(value, list):
            return type(value)(walk(item) for item in value)
        source = next(written)
        return source if isinstance(value, str) and value in rewritten else value

    return walk(document)


def parse_curated_text(text: str, shown: str, errors: list[CurationError]) -> Any:
    """Parse decoded curated YAML into DocMap/DocList/str/int/float/bool/None; None after recording errors."""
    import ryml

    before = len(errors)
    _raw_invisible(text, shown, errors)
    if holds_yaml_machinery(text) and _yaml_machinery(text, shown, errors):
        return None
    if "\\" in text:
        _escapes(text, shown, errors)
    if len(errors) > before:
        return None
    data = text.encode("utf-8")
    try:
        with _stderr_silenced():  # rapidyaml prints its own report of a parse error before raising it
            tree = ryml.parse_in_arena(data)
            json_text = ryml.emit_json_malloc(tree, 0) if tree.size() > 1 or tree.has_val(0) else "null"
    except ryml.ExceptionVisit:
        errors.append(CurationError(shown, 1, f"nesting depth is over {MAX_DEPTH} levels.",
                                    "write entries as flat mappings and lists, as in dataset/curated/README.md."))
        return None
    except (ryml.ExceptionParse, ryml.ExceptionBasic, RuntimeError, UnicodeError) as exc:
        errors.append(_syntax_error(text, shown, str(exc)))
        return None
    try:
        document = _JSON.decode(json_text)
    except UnicodeError as exc:
        errors.append(_syntax_error(text, shown, str(exc)))
        return None
    except json.JSONDecodeError as exc:
        errors.append(_unreadable_number(text, shown, json_text, exc))
        return None
    except RecursionError:
        errors.append(CurationError(shown, 1, f"nesting depth is over {MAX_DEPTH} levels.",
                                    "write entries as flat mappings and lists, as in dataset/curated/README.md."))
        return None
    if document is None:
        errors.append(CurationError(shown, 1, "file has no entries, only comments, blank lines or null.",
                                    "write the entries, or delete the file."))
        return None
    if isinstance(document, dict | list) and _REWRITTEN_SCALAR.search(json_text):
        document = _as_written(document, text)
    if isinstance(document, dict | list):
        try:
            document = _place(document, Where(), "\\" in text, shown, errors)
        except RecursionError:
            errors.append(CurationError(shown, 1, f"nesting depth is over {MAX_DEPTH} levels.",
                                        "write entries as flat mappings and lists, as in dataset/curated/README.md."))
            return None
    return None if len(errors) > before else document


def parse_curated_yaml(data: bytes, shown: str, errors: list[CurationError]) -> Any:
    """Decode and parse one curated YAML file; on any problem record errors (every one found) and return None."""
    text = decode_curated_bytes(data, shown, errors)
    return None if text is None else parse_curated_text(text, shown, errors)
