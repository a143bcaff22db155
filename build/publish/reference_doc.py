"""The generated blocks of RUCAS's documentation (REFERENCE.md, dataset/curated/README.md), rendered from the one
definition of each thing they describe, and rewritten in place by `rucas docs`.

A block sits between `<!-- generated:NAME:start -->` and `<!-- generated:NAME:end -->`; everything outside the
markers is prose written by hand and left alone. Each block comes from one definition:

- inputs: the curated files, keys and tables (rucas.build.read.layout);
- tables: the SQLModel classes (rucas.schema: description, columns, types, keys, references);
- views and canned: the headers of queries/views and queries/canned, with sample rows from a build;
- codes: reference/codebook.yaml of the curated folder and the vocabularies of rucas.schema.codes;
- validation: the broken-input cases of tests/broken/cases.yaml (id, what, the message expected);
- counts: the rows of a build (`rucas stats --markdown`);
- commands: the `rucas` command's argparse parser.

Nothing here stamps a time or a build's version: the same definitions and data give the same bytes.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from rucas.build.publish.inspection import view_columns
from rucas.build.publish.metadata import view_column_descriptions
from rucas.build.read.documents import parse_curated_yaml
from rucas.build.read.layout import CURATED_CODEBOOKS, curated_inputs
from rucas.build.stats import markdown_counts, per_source_counts
from rucas.build.write.manifest import read_manifest
from rucas.queries import SqlFile, canned_queries, view_files
from rucas.schema import TableSpec, table_specs
from rucas.schema.codes import CODE_VOCABULARIES
from rucas.schema.derive import ColumnSpec, codebook_rows

REPO = Path(__file__).resolve().parents[2]
"""The checkout's root (the documents and tests/broken/cases.yaml live in a checkout, not in the wheel)."""

DOCUMENTS = ("REFERENCE.md", "dataset/curated/README.md")
"""The files holding generated blocks, relative to the checkout's root."""

SAMPLE_ROWS = 5
"""Rows of each view shown in the reference: the first ones in the view's declared order."""

MAX_CELL = 80
"""Characters of a value shown in a sample; longer texts are cut with an ellipsis."""

BLOCK = re.compile(r"(?P<start><!-- generated:(?P<name>[a-z_-]+):start -->\n)(?P<body>.*?)"
                   r"(?P<end><!-- generated:(?P=name):end -->)", re.S)


@dataclass(frozen=True)
class DocInputs:
    """What the blocks are rendered from besides the code: a build, the curated folder and the broken-input cases."""

    output_dir: Path
    curated_dir: Path
    cases: Path = REPO / "tests" / "broken" / "cases.yaml"
    cli: argparse.ArgumentParser | None = None
    """The `rucas` command's parser (rucas.build.cli passes its own), for the commands block."""


def _cell(value: object, cut: bool = False) -> str:
    """One value as a Markdown table cell: empty for null, on one line, pipes escaped; a sample's value (`cut`)
    shortened to MAX_CELL characters."""
    if value is None:
        return ""
    text = " ".join(str(value).split())
    if cut and len(text) > MAX_CELL:
        text = text[: MAX_CELL - 1].rstrip() + "…"
    return text.replace("|", "\\|")


def _table(header: list[str], rows: list[list[object]], cut: bool = False) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(_cell(value, cut) for value in row) + " |" for row in rows]
    return "\n".join(lines)


def _prose(text: str) -> str:
    """A description as one paragraph (docstrings are wrapped)."""
    return " ".join(text.split())


def inputs_block(_: DocInputs | None = None) -> str:
    """The curated input format: file, key, table and the schema class that defines the table."""
    models = {spec.name: spec.model.__name__ for spec in table_specs()}
    rows = [[f"`{item.file}`", f"`{item.key}`" if not item.key.startswith("(") else item.key,
             f"`{item.table}`", f"`{models[item.table]}`", item.note] for item in curated_inputs()]
    return _table(["curated file", "YAML key", "table", "schema class", "note"], rows)


_VOCABULARY_OF = {vocabulary: name for name, vocabulary in CODE_VOCABULARIES.items()}


def _column_type(column: ColumnSpec, spec: TableSpec) -> str:
    kind = column.kind
    if kind == "enum":
        enum = spec.model.model_fields[column.name].annotation
        names = [name for vocabulary, name in _VOCABULARY_OF.items() if vocabulary in getattr(enum, "__args__", (enum,))]
        kind = f"code ({names[0]})" if names else "code"
    return kind if not column.nullable else f"{kind}, or empty"


def tables_block(_: DocInputs | None = None) -> str:
    """Every published table: its description, key and columns (type, description, key, reference)."""
    parts = []
    for spec in table_specs():
        rows = []
        for column in spec.columns:
            key = "key" if column.primary_key else ""
            refers = f"{column.references[0]}.{column.references[1]}" if column.references else ""
            rows.append([f"`{column.name}`", _column_type(column, spec), column.description, key, refers])
        parts.append(f"### {spec.name}\n\n{_prose(spec.description)} Key: {', '.join(spec.primary_key)}. "
                     f"Defined by `{spec.model.__name__}` in `schema/tables.py`.\n\n"
                     + _table(["column", "type", "description", "key", "references"], rows))
    return "\n\n".join(parts)


def _sample(con: duckdb.DuckDBPyConnection, view: SqlFile, columns: list[str]) -> tuple[list[list[object]], int]:
    """The first SAMPLE_ROWS rows of a view's compact columns in its declared order, and its count of rows."""
    order = f" ORDER BY {view.order}" if view.order else ""
    listed = ", ".join(f'"{name}"' for name in columns)
    rows = con.execute(f'SELECT {listed} FROM "{view.name}"{order} LIMIT {SAMPLE_ROWS}').fetchall()
    (count,) = con.execute(f'SELECT count(*) FROM "{view.name}"').fetchone()
    return [list(row) for row in rows], count


def views_block(inputs: DocInputs) -> str:
    """Every prepared view: its question, description, key, order, columns, and its first rows in a build."""
    specs = table_specs()
    columns_of = view_columns(inputs.output_dir / "rucas.db")
    con = duckdb.connect(str(inputs.output_dir / "rucas.duckdb"), read_only=True)
    parts = []
    try:
        for view in view_files():
            columns = columns_of[view.name]
            described = view_column_descriptions(view, columns, specs)
            head = [f"### {view.name}", ""]
            if view.question:
                head += [f"*{view.question[1]}*", ""]
            head += [view.description, "", f"Key: {', '.join(view.key) or '(none stated)'}. "
                     f"Order: {view.order or '(the file’s ORDER BY)'}. File: `queries/views/{view.name}.sql`.", ""]
            head.append(_table(["column", "description"], [[f"`{c}`", described.get(c, "")] for c in columns]))
            compact = list(view.columns) or columns[:6]
            rows, count = _sample(con, view, compact)
            head += ["", f"The first {len(rows)} of {count:,} rows of the curated corpus, compact columns:", "",
                     _table(compact, rows, cut=True)]
            parts.append("\n".join(head))
    finally:
        con.close()
    return "\n\n".join(parts)


def canned_block(_: DocInputs | None = None) -> str:
    """Every canned query: its parameters and what it answers (from its file's header)."""
    rows = [[f"`{query.name}`", ", ".join(f"`{p}`" for p in query.parameters), query.description]
            for query in canned_queries()]
    return _table(["query", "parameters", "answers"], rows)


def codes_block(inputs: DocInputs) -> str:
    """Every code list: the curated sections of reference/codebook.yaml, then the closed vocabularies of
    rucas.schema.codes, each code with its label and definition (as the codebook table publishes them)."""
    path = inputs.curated_dir / "reference" / "codebook.yaml"
    errors: list = []
    document = parse_curated_yaml(path.read_bytes(), str(path), errors) or {}
    if errors:
        raise ValueError(f"{path} cannot be read: {errors[0]}")
    parts = []
    for section, codebook in CURATED_CODEBOOKS.items():
        rows = [[f"`{entry['code']}`", entry["label"], entry["definition"]] for entry in document.get(section) or []]
        parts.append(f"### {codebook}\n\nFrom `reference/codebook.yaml`, section `{section}`.\n\n"
                     + _table(["code", "label", "definition"], rows))
    enum_rows = codebook_rows()
    for codebook, vocabulary in CODE_VOCABULARIES.items():
        rows = [[f"`{row['code']}`", row["label"], row["definition"]] for row in enum_rows if row["codebook"] == codebook]
        parts.append(f"### {codebook}\n\nFrom `{vocabulary.__name__}` in `schema/codes.py`. "
                     f"{_prose(vocabulary.__doc__ or '')}\n\n" + _table(["code", "label", "definition"], rows))
    return "\n\n".join(parts)


CASE_SECTION = re.compile(r"^# -+ (?P<title>.+?) -*$")


def validation_block(inputs: DocInputs) -> str:
    """The broken-input cases, under the section comments of cases.yaml: id, what is wrong, the message expected."""
    import yaml

    text = inputs.cases.read_text(encoding="utf-8")
    cases = {case["id"]: case for case in yaml.safe_load(text)}
    sections: list[tuple[str, list[str]]] = [("", [])]
    for line in text.splitlines():
        if match := CASE_SECTION.match(line):
            sections.append((match.group("title"), []))
        elif match := re.match(r"^- id: (\S+)", line):
            sections[-1][1].append(match.group(1))
    parts = [f"{len(cases)} cases, each one mistake in a copy of `tests/fixtures/minimal`; "
             "`tests/test_broken_inputs.py` checks that the build refuses it with this message, at the file and line "
             "the case gives, and leaves the outputs unchanged."]
    for title, ids in sections:
        if not ids:
            continue
        rows = [[f"`{i}`", cases[i].get("what", ""), cases[i]["expect"].get("message", "")] for i in ids]
        parts.append((f"### {title[0].upper()}{title[1:]}\n\n" if title else "")
                     + _table(["case", "what is wrong", "the message says"], rows))
    return "\n\n".join(parts)


def counts_block(inputs: DocInputs) -> str:
    """Rows per table, then rows coded from each article (what `rucas stats --markdown` prints)."""
    manifest = read_manifest(inputs.output_dir / "manifest.json")
    return markdown_counts(manifest["row_counts"], per_source_counts(inputs.output_dir))


def _html_text(text: str) -> str:
    """Help text as Markdown prose: `<output>` is a placeholder, not an HTML tag."""
    return text.replace("<", "&lt;").replace(">", "&gt;")


def commands_block(inputs: DocInputs) -> str:
    """Every `rucas` command with what it does and each of its arguments and options (from the CLI's parser)."""
    if inputs.cli is None:
        raise ValueError("the commands block needs the rucas parser (DocInputs.cli)")
    (subparsers,) = [a for a in inputs.cli._actions if isinstance(a, argparse._SubParsersAction)]
    helps = {choice.dest: choice.help for choice in subparsers._choices_actions}
    parts = []
    for command, parser in subparsers.choices.items():
        rows = []
        for action in parser._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            name = ", ".join(f"`{o}`" for o in action.option_strings) or f"`{action.dest.upper()}`"
            if action.choices:
                name += " " + "/".join(str(c) for c in action.choices)
            rows.append([name, _html_text(action.help or "")])
        summary = helps.get(command) or ""
        text = f"### `rucas {command}`\n\n{_html_text(summary[:1].upper() + summary[1:])}."
        if parser.description:
            text += f" {_html_text(parser.description)}"
        parts.append(text + "\n\n" + _table(["argument or option", "what it does"], rows))
    return "\n\n".join(parts)


RENDERERS: dict[str, Callable[[DocInputs], str]] = {
    "inputs": inputs_block, "tables": tables_block, "views": views_block, "canned": canned_block,
    "codes": codes_block, "validation": validation_block, "counts": counts_block, "commands": commands_block,
}
"""Every generated block by name, and the function that renders it."""


def render_blocks(inputs: DocInputs, names: set[str] | None = None) -> dict[str, str]:
    """The text of each generated block (of `names`, or all)."""
    return {name: render(inputs) for name, render in RENDERERS.items() if names is None or name in names}


def rewrite(text: str, blocks: dict[str, str], where: str = "") -> tuple[str, list[str]]:
    """`text` with every generated block replaced by its rendering, and the names of the blocks that changed."""
    changed: list[str] = []

    def replace(match: re.Match[str]) -> str:
        name = match.group("name")
        if name not in blocks:
            raise ValueError(f"{where}: unknown generated block {name!r}; known: {', '.join(RENDERERS)}")
        body = blocks[name].rstrip("\n") + "\n"
        if match.group("body") != body:
            changed.append(name)
        return match.group("start") + body + match.group("end")

    return BLOCK.sub(replace, text), changed


def update_documents(inputs: DocInputs, check: bool = False, root: Path = REPO) -> list[str]:
    """Rewrite the generated blocks of every document under `root` (only report them with `check`).

    Returns the stale blocks as `file: block`, those that were (or, with `check`, would be) rewritten."""
    texts = {name: (root / name).read_text(encoding="utf-8") for name in DOCUMENTS}
    wanted = {match.group("name") for text in texts.values() for match in BLOCK.finditer(text)}
    blocks = render_blocks(inputs, wanted & set(RENDERERS))
    stale: list[str] = []
    for name, text in texts.items():
        new, changed = rewrite(text, blocks, name)
        stale += [f"{name}: {block}" for block in changed]
        if changed and not check:
            (root / name).write_text(new, encoding="utf-8")
    return stale
