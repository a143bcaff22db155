"""Validate the curated corpus and normalise it into rows of the published tables.

`validate_article` checks one article and its annotation in isolation (so results can be
cached by content hash and computed in parallel); `validate_corpus` adds the reference files
and the checks that span files: unique keys, foreign keys, codebook values, memberships.
Every problem becomes a CurationError naming file:line and the fix; nothing is raised
until all have been collected.
"""

from __future__ import annotations

import calendar
import datetime
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import yaml

from rucas.build.curate.suggestions import refuse_unreviewed_suggestions
from rucas.build.read.corpus import Corpus, CuratedFile, unexpected_reference_files
from rucas.build.validate.errors import CurationError, ValidationFailed
from rucas.build.validate.evidence import EvidenceNotFound, find_evidence_span
from rucas.build.validate.rows import RowOrigin, read_row
from rucas.build.read.yaml_lines import AliasRefused, BadScalar, DuplicateKey, LineDict, LineList, line_of_item, load_yaml
from rucas.schema import table_spec, table_specs
from rucas.schema.codes import DatePrecision, EventActorRole, StatementActorRelation
from rucas.schema.derive import codebook_rows

CURATED_CODEBOOKS = {"event_types": "event_type", "event_modes": "event_mode", "event_contexts": "event_context",
                     "cameo_codes": "cameo_code", "condition_types": "condition_type"}
"""Sections of reference/codebook.yaml and the column whose values each one lists."""


@dataclass
class Rows:
    """Rows of the published tables with the file and line each came from."""

    tables: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    origins: dict[str, list[RowOrigin]] = field(default_factory=lambda: defaultdict(list))

    def add(self, table: str, row: dict[str, Any], origin: RowOrigin) -> None:
        self.tables[table].append(row)
        self.origins[table].append(origin)

    def extend(self, other: Rows) -> None:
        for table, rows in other.tables.items():
            self.tables[table].extend(rows)
            self.origins[table].extend(other.origins[table])


@dataclass
class ArticleResult:
    """What validating one article produced: its rows and its errors."""

    rows: Rows
    errors: list[CurationError]


def parse_curated_yaml(file: CuratedFile, errors: list[CurationError]) -> Any:
    """Decode and parse one curated YAML file; on any problem record an error and return None."""
    data = file.data
    if not data.strip():
        errors.append(CurationError(file.shown, 1, "file is empty.", "write the entries, or delete the file."))
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        errors.append(CurationError(file.shown, 1, "file starts with a byte order mark (BOM).",
                                    "save it as UTF-8 without BOM."))
        return None
    if b"\r" in data:
        line = data[: data.index(b"\r")].count(b"\n") + 1
        errors.append(CurationError(file.shown, line, "file has Windows (CRLF) or CR line endings.",
                                    "save it with Unix (LF) line endings."))
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        errors.append(CurationError(file.shown, line, f"is not valid UTF-8 (byte {data[exc.start]:#04x}).",
                                    "re-save the file as UTF-8."))
        return None
    try:
        document = load_yaml(text)
        if document is None:
            errors.append(CurationError(file.shown, 1, "file has no entries, only comments, blank lines or null.",
                                        "write the entries, or delete the file."))
        return document
    except DuplicateKey as exc:
        errors.append(CurationError(file.shown, exc.line, f"key {exc.key!r} appears twice in one mapping "
                                    f"(first at line {exc.first_line}).", "keep one of them."))
    except AliasRefused as exc:
        errors.append(CurationError(file.shown, exc.line, "uses an alias (*name); anchors and aliases are not "
                                    "allowed in curated files.", "write the value out in full where it is needed."))
    except BadScalar as exc:
        errors.append(CurationError(file.shown, exc.line, f"{exc.text} is not a real date ({exc.reason}).",
                                    "write a date that exists as YYYY-MM-DD, or quote the value if it is not a date."))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        errors.append(CurationError(file.shown, line, f"is not valid YAML: {problem}.",
                                    "fix the YAML syntax (indentation, colons, quotes) at this line."))
    except (ValueError, TypeError, OverflowError) as exc:
        errors.append(CurationError(file.shown, 1, f"has a value YAML cannot read: {exc}.",
                                    "quote the value, or write a valid YYYY-MM-DD date."))
    except RecursionError:
        errors.append(CurationError(file.shown, 1, "is nested too deeply to read.",
                                    "write entries as flat mappings and lists, as in dataset/curated/README.md."))
    return None


def _decode_article(file: CuratedFile, errors: list[CurationError]) -> str | None:
    if not file.data.strip():
        errors.append(CurationError(file.shown, 1, "article file is empty.", "save the article text here."))
        return None
    try:
        text = file.data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = file.data[: exc.start].count(b"\n") + 1
        errors.append(CurationError(file.shown, line, f"article is not valid UTF-8 (byte {file.data[exc.start]:#04x}).",
                                    "save the article as received, in UTF-8 (convert it from its original encoding)."))
        return None
    if "\x00" in text:
        errors.append(CurationError(file.shown, text[: text.index("\x00")].count("\n") + 1,
                                    "article contains a NUL character.", "save the article as plain text."))
        return None
    return text


def check_date_interval(row: dict[str, Any], origin: RowOrigin, errors: list[CurationError]) -> None:
    """Check that date_earliest/latest agree with date_precision and that inferred dates say why."""
    earliest, latest = row.get("date_earliest"), row.get("date_latest")
    precision, basis, note = row.get("date_precision"), row.get("date_basis"), row.get("date_note")
    line = origin.line_of("date_precision")
    if earliest and latest and earliest > latest:
        errors.append(CurationError(origin.path, origin.line_of("date_earliest"),
                                    f"date earliest {earliest} is after latest {latest}.", "swap or correct them."))
        return
    if precision == DatePrecision.range and (earliest, latest) != (None, None):
        pass  # a range may leave one end open (a term still running), the note says why
    elif precision != DatePrecision.unknown and (earliest is None or latest is None):
        errors.append(CurationError(origin.path, line, f"date precision {precision} needs both earliest and latest.",
                                    "give both bounds, use precision: range with one open end, or precision: "
                                    "unknown with a note."))
        return
    if precision == DatePrecision.day and earliest != latest:
        errors.append(CurationError(origin.path, line, "date precision day needs earliest = latest.",
                                    "use precision: range for an interval."))
    elif precision == DatePrecision.month and (
        earliest.day != 1 or (latest.year, latest.month) != (earliest.year, earliest.month)
        or latest.day != calendar.monthrange(latest.year, latest.month)[1]
    ):
        errors.append(CurationError(origin.path, line, "date precision month needs the first and last day of one month.",
                                    f"write earliest: {earliest:%Y-%m}-01 and the month's last day, or use range."))
    elif precision == DatePrecision.year and (earliest.year != latest.year or (earliest.month, earliest.day) != (1, 1)
                                              or (latest.month, latest.day) != (12, 31)):
        errors.append(CurationError(origin.path, line, "date precision year needs 1 January to 31 December of one year.",
                                    "write the whole year, or use range."))
    if (basis == "inferred" or precision in (DatePrecision.range, DatePrecision.unknown)) and not note:
        errors.append(CurationError(origin.path, line, f"a {basis} date of precision {precision} needs a note.",
                                    "add note: saying what the date rests on."))


def _span(text: str, body: tuple[int, int] | None, mapping: LineDict, path: str, errors: list[CurationError],
          key: str = "evidence") -> tuple[int, int] | None:
    """Find mapping[key] in the text, inside the body; record an error otherwise."""
    words = mapping.get(key)
    line = mapping.line_of(key)
    if not isinstance(words, str):
        errors.append(CurationError(path, line, f"{key} is required and must be the article's exact words.",
                                    f"add {key}: \"...\" copied from the article."))
        return None
    occurrence = mapping.get("occurrence")
    if occurrence is not None and (isinstance(occurrence, bool) or not isinstance(occurrence, int)):
        errors.append(CurationError(path, mapping.line_of("occurrence"), "occurrence must be a whole number.",
                                    "write occurrence: 2 for the second occurrence."))
        return None
    try:
        span = find_evidence_span(text, words, occurrence)
    except EvidenceNotFound as exc:
        errors.append(CurationError(path, line, str(exc), exc.fix))
        return None
    if body and not (body[0] <= span.start and span.end <= body[1]):
        errors.append(CurationError(path, line, f"{key} lies outside the article body "
                                    f"(offsets {span.start}-{span.end}, body {body[0]}-{body[1]}).",
                                    "code only from the article body; menus, pitches and ads are not evidence."))
        return None
    return span.start, span.end


def _items(document: LineDict, key: str, path: str, errors: list[CurationError]) -> list[tuple[Any, int]]:
    value = document.get(key)
    if value is None:
        return []
    if not isinstance(value, LineList):
        errors.append(CurationError(path, document.line_of(key), f"{key} must be a list (entries starting with '- ').",
                                    f"write {key}: followed by '- ' entries, or remove it."))
        return []
    return [(item, line_of_item(value, i)) for i, item in enumerate(value)]


def _actor_list(value: Any, path: str, line: int, what: str, errors: list[CurationError]) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors.append(CurationError(path, line, f"{what} must be a list of actor ids.", f"write {what}: [actor-id, ...]."))
        return []
    return list(value)


ANNOTATION_KEYS = ("source", "statements", "events", "claims")


def validate_article(source_id: str, article: CuratedFile, annotation: CuratedFile) -> ArticleResult:
    """Validate one article and its annotation, producing its rows of every table it feeds."""
    errors: list[CurationError] = []
    rows = Rows()
    path = annotation.shown
    text = _decode_article(article, errors)
    document = parse_curated_yaml(annotation, errors)
    document = refuse_unreviewed_suggestions(document, path, errors)  # curators' markers (rucas.build.curate)
    if text is None or document is None:
        return ArticleResult(rows, errors)
    if not isinstance(document, LineDict):
        errors.append(CurationError(path, 1, "an annotation must be a mapping with source:, statements:, events:, "
                                    "claims:.", "see dataset/curated/README.md for the format."))
        return ArticleResult(rows, errors)
    for key in document:
        if key not in ANNOTATION_KEYS:
            errors.append(CurationError(path, document.line_of(key), f"unknown top-level key {key!r}.",
                                        f"an annotation has only {', '.join(ANNOTATION_KEYS)}."))
    source = document.get("source")
    if not isinstance(source, LineDict):
        errors.append(CurationError(path, document.line_of("source"), "the source: block is missing or not a mapping.",
                                    "add source: with title, publisher, language, date, rights and body."))
        return ArticleResult(rows, errors)

    body = None
    body_spec = source.get("body")
    if not isinstance(body_spec, LineDict) or not {"starts_with", "ends_with"} <= body_spec.keys():
        errors.append(CurationError(path, source.line_of("body"), "source.body must give starts_with and ends_with.",
                                    "write body: {starts_with: \"first words of the article\", ends_with: \"last words\"}."))
    else:
        start = _span(text, None, body_spec, path, errors, "starts_with")
        end = _span(text, None, body_spec, path, errors, "ends_with")
        if start and end:
            if end[1] <= start[0]:
                errors.append(CurationError(path, body_spec.line, "body ends_with comes before starts_with.",
                                            "check that the two quotes are the first and last words of the body."))
            else:
                body = (start[0], end[1])
    provided = {"source_id": source_id, "text": text, "text_sha256": hashlib.sha256(article.data).hexdigest(),
                "body_start": body[0] if body else 0, "body_end": body[1] if body else 0}
    row, origin = read_row(table_spec("sources"), source, path, source.line, errors, provided=provided,
                           extra_keys=frozenset({"body"}))
    if row:
        if row["url"] and not row["url"].startswith(("https://", "http://")):
            errors.append(CurationError(path, origin.line_of("url"), "url must start with https:// or http://.",
                                        "give the full address, or null when unknown."))
        check_date_interval(row, origin, errors)
        rows.add("sources", row, origin)

    for mapping, line in _items(document, "statements", path, errors):
        span = _span(text, body, mapping, path, errors) if isinstance(mapping, LineDict) else None
        provided = {"source_id": source_id, "evidence_start": span[0] if span else 0,
                    "evidence_end": span[1] if span else 0}
        row, origin = read_row(table_spec("statements"), mapping, path, line, errors, provided=provided,
                               extra_keys=frozenset({"about", "addressees", "occurrence"}))
        if row and span:
            check_date_interval(row, origin, errors)
            rows.add("statements", row, origin)
            for key, relation in (("about", StatementActorRelation.about), ("addressees", StatementActorRelation.addressee)):
                for actor_id in _actor_list(mapping.get(key), path, mapping.line_of(key), key, errors):
                    rows.add("statement_actors", {"statement_id": row["statement_id"], "actor_id": actor_id,
                                                  "relation": relation.value},
                             RowOrigin(path, mapping.line_of(key), {}))

    for mapping, line in _items(document, "events", path, errors):
        span = _span(text, body, mapping, path, errors) if isinstance(mapping, LineDict) else None
        provided = {"source_id": source_id, "evidence_start": span[0] if span else 0,
                    "evidence_end": span[1] if span else 0}
        row, origin = read_row(table_spec("events"), mapping, path, line, errors, provided=provided,
                               extra_keys=frozenset({"actors", "conditions", "occurrence"}))
        if not (row and span):
            continue
        check_date_interval(row, origin, errors)
        if (row["latitude"] is None) != (row["longitude"] is None):
            errors.append(CurationError(path, origin.line_of("latitude"), "give both latitude and longitude, or neither.",
                                        "complete the coordinates or remove them."))
        if row["latitude"] is not None and row["location_precision"] is None:
            errors.append(CurationError(path, origin.line_of("latitude"), "coordinates need location.precision.",
                                        "add precision: place, settlement, region, border_area or country."))
        rows.add("events", row, origin)
        actors = mapping.get("actors")
        if actors is not None and not isinstance(actors, LineDict):
            errors.append(CurationError(path, mapping.line_of("actors"), "actors must map roles to actor lists.",
                                        "write actors: {initiator: [..], target: [..], participant: [..]}."))
            actors = None
        for role, actor_ids in (actors or {}).items():
            if role not in EventActorRole.values():
                errors.append(CurationError(path, actors.line_of(role), f"unknown event actor role {role!r}.",
                                            f"use {', '.join(EventActorRole.values())}."))
                continue
            for actor_id in _actor_list(actor_ids, path, actors.line_of(role), role, errors):
                rows.add("event_actors", {"event_id": row["event_id"], "actor_id": actor_id, "role": role},
                         RowOrigin(path, actors.line_of(role), {}))
        for condition, condition_line in _items(mapping, "conditions", path, errors):
            cspan = _span(text, body, condition, path, errors) if isinstance(condition, LineDict) else None
            provided = {"event_id": row["event_id"], "evidence_start": cspan[0] if cspan else 0,
                        "evidence_end": cspan[1] if cspan else 0}
            crow, corigin = read_row(table_spec("event_conditions"), condition, path, condition_line, errors,
                                     provided=provided, extra_keys=frozenset({"occurrence"}))
            if crow and cspan:
                rows.add("event_conditions", crow, corigin)

    for mapping, line in _items(document, "claims", path, errors):
        row, origin = read_row(table_spec("claims"), mapping, path, line, errors)
        if row:
            rows.add("claims", row, origin)
    return ArticleResult(rows, errors)


def validate_reference(corpus: Corpus) -> ArticleResult:
    """Validate the reference files (actors, roles, alliances, memberships, codebook) into rows.

    A file in reference/ that is none of these is an error too: its entries would be lost."""
    errors: list[CurationError] = unexpected_reference_files(corpus.root)
    rows = Rows()
    documents: dict[str, Any] = {}
    for name, file in corpus.reference.items():
        documents[name] = parse_curated_yaml(file, errors)
    table_of = {"actors": "actors", "roles": "actor_roles", "alliances": "alliances", "memberships": "alliance_members"}
    for name, table in table_of.items():
        document = documents.get(name)
        if document is None:
            continue
        file = corpus.reference[name]
        if not isinstance(document, LineList):
            errors.append(CurationError(file.shown, 1, f"{name}.yaml must be a list of entries.",
                                        "start each entry with '- '."))
            continue
        for index, mapping in enumerate(document):
            line = line_of_item(document, index)
            extra = frozenset({"aliases"}) if name == "actors" else frozenset()
            row, origin = read_row(table_spec(table), mapping, file.shown, line, errors, extra_keys=extra)
            if not row:
                continue
            if "date_precision" in row:
                check_date_interval(row, origin, errors)
            rows.add(table, row, origin)
            if name == "actors":
                aliases = mapping.get("aliases") or []
                if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
                    errors.append(CurationError(file.shown, mapping.line_of("aliases"), "aliases must be a list of names.",
                                                "write aliases: [Name, Other spelling]."))
                    continue
                for alias in aliases:
                    rows.add("actor_aliases", {"actor_id": row["actor_id"], "alias": alias},
                             RowOrigin(file.shown, mapping.line_of("aliases"), {}))
    codebook = documents.get("codebook")
    if codebook is not None:
        file = corpus.reference["codebook"]
        if not isinstance(codebook, LineDict):
            errors.append(CurationError(file.shown, 1, "codebook.yaml must map section names to code lists.",
                                        f"use sections {', '.join(CURATED_CODEBOOKS)}."))
        else:
            for section, entries in codebook.items():
                if section not in CURATED_CODEBOOKS:
                    errors.append(CurationError(file.shown, codebook.line_of(section), f"unknown codebook section {section!r}.",
                                                f"use {', '.join(CURATED_CODEBOOKS)}."))
                    continue
                if not isinstance(entries, LineList):
                    errors.append(CurationError(file.shown, codebook.line_of(section), f"{section} must be a list.",
                                                "write '- {code: .., label: .., definition: ..}' entries."))
                    continue
                for index, mapping in enumerate(entries):
                    row, origin = read_row(table_spec("codebook"), mapping, file.shown, line_of_item(entries, index),
                                           errors, provided={"codebook": CURATED_CODEBOOKS[section]})
                    if row:
                        rows.add("codebook", row, origin)
    for row in codebook_rows():
        rows.add("codebook", row, RowOrigin("rucas/schema/codes.py", 1, {}))
    return ArticleResult(rows, errors)


def _check_keys(rows: Rows, errors: list[CurationError]) -> None:
    """Primary keys unique and foreign keys resolving, for every table, from the schema."""
    keys: dict[str, set[Any]] = {}
    for spec in table_specs():
        seen: dict[tuple[Any, ...], RowOrigin] = {}
        for row, origin in zip(rows.tables.get(spec.name, []), rows.origins.get(spec.name, [])):
            key = tuple(row[c] for c in spec.primary_key)
            if key in seen:
                first = seen[key]
                errors.append(CurationError(origin.path, origin.line_of(spec.primary_key[0]),
                                            f"duplicate {spec.name} key {', '.join(map(str, key))} "
                                            f"(first defined at {first.path}:{first.line}).",
                                            "give each entry its own id, or remove the repeat."))
            else:
                seen[key] = origin
        if len(spec.primary_key) == 1:
            keys[spec.name] = {k[0] for k in seen}
    for spec in table_specs():
        for column in spec.columns:
            if not column.references:
                continue
            target_table, _ = column.references
            known = keys.get(target_table, set())
            for row, origin in zip(rows.tables.get(spec.name, []), rows.origins.get(spec.name, [])):
                value = row[column.name]
                if value is not None and value not in known:
                    errors.append(CurationError(origin.path, origin.line_of(column.name),
                                                f"{column.name} {value!r} is not a known {target_table} id.",
                                                _unknown_reference_fix(target_table, value)))


def _unknown_reference_fix(table: str, value: Any) -> str:
    where = {"actors": "reference/actors.yaml", "sources": "an article and its annotation",
             "statements": "the statements: of an annotation", "events": "the events: of an annotation",
             "alliances": "reference/alliances.yaml"}.get(table, table)
    return f"correct the spelling of {value!r}, or add it to {where}."


def _check_codes(rows: Rows, errors: list[CurationError]) -> None:
    codes: dict[str, set[str]] = defaultdict(set)
    for row in rows.tables.get("codebook", []):
        codes[row["codebook"]].add(row["code"])
    for spec in table_specs():
        for column in spec.columns:
            if column.name not in CURATED_CODEBOOKS.values():
                continue
            for row, origin in zip(rows.tables.get(spec.name, []), rows.origins.get(spec.name, [])):
                value = row[column.name]
                if value is not None and value not in codes[column.name]:
                    section = next(s for s, c in CURATED_CODEBOOKS.items() if c == column.name)
                    errors.append(CurationError(origin.path, origin.line_of(column.name),
                                                f"{column.name} {value!r} is not in the codebook.",
                                                f"use a code from codebook.yaml {section}, or add it there with a "
                                                "label and definition."))


def check_roles_and_memberships(rows: Rows, errors: list[CurationError]) -> None:
    """Roles held by persons within organisations; membership intervals well-formed, attested, not overlapping."""
    actor_types = {row["actor_id"]: row["actor_type"] for row in rows.tables.get("actors", [])}
    for row, origin in zip(rows.tables.get("actor_roles", []), rows.origins.get("actor_roles", [])):
        if row["person_id"] in actor_types and actor_types[row["person_id"]] != "person":
            errors.append(CurationError(origin.path, origin.line_of("person_id"),
                                        f"role {row['role_id']}: {row['person_id']} is a {actor_types[row['person_id']]}, "
                                        "not a person.", "roles are held by persons: check person_id."))
        if actor_types.get(row["organization_id"]) == "person":
            errors.append(CurationError(origin.path, origin.line_of("organization_id"),
                                        f"role {row['role_id']}: organization {row['organization_id']} is a person.",
                                        "organization_id names the state or body the office belongs to."))
    source_ids = {row["source_id"] for row in rows.tables.get("sources", [])}
    intervals: dict[tuple[str, str], list[tuple[datetime.date, datetime.date, RowOrigin]]] = defaultdict(list)
    for row, origin in zip(rows.tables.get("alliance_members", []), rows.origins.get("alliance_members", [])):
        joined, left = row["joined_date"], row["left_date"]
        if left is not None and left <= joined:
            errors.append(CurationError(origin.path, origin.line_of("left_date"),
                                        f"membership of {row['actor_id']} in {row['alliance_id']} ends ({left}) "
                                        f"on or before it starts ({joined}).", "correct joined_date or left_date."))
            continue
        if row["basis"] != "reference" and row["basis"] not in source_ids:
            errors.append(CurationError(origin.path, origin.line_of("basis"),
                                        f"basis {row['basis']!r} is neither 'reference' nor a source_id.",
                                        "write reference (and cite it in note), or the id of the attesting article."))
        if row["basis"] == "reference":
            intervals[(row["alliance_id"], row["actor_id"])].append((joined, left or datetime.date.max, origin))
    for (alliance_id, actor_id), spans in intervals.items():
        spans.sort(key=lambda s: s[0])
        for (_, end_a, origin_a), (start_b, _, origin_b) in zip(spans, spans[1:]):
            if start_b < end_a:
                errors.append(CurationError(origin_b.path, origin_b.line,
                                            f"membership intervals of {actor_id} in {alliance_id} overlap "
                                            f"(this one starts {start_b}, the one at line {origin_a.line} runs to "
                                            f"{'now' if end_a == datetime.date.max else end_a}).",
                                            "end the earlier interval (left_date) on the day the next one starts."))


def check_corpus_rows(rows: Rows) -> list[CurationError]:
    """The checks that span files: keys, references, codebook values, roles and membership intervals."""
    errors: list[CurationError] = []
    _check_keys(rows, errors)
    _check_codes(rows, errors)
    check_roles_and_memberships(rows, errors)
    return errors


def validate_corpus(corpus: Corpus, article_results: dict[str, ArticleResult] | None = None) -> Rows:
    """Validate everything; return the rows of every table or raise ValidationFailed with all errors.

    `article_results` may hold already-computed results per source_id (from the cache); the
    others are computed here.
    """
    errors = list(corpus.errors)
    rows = Rows()
    reference = validate_reference(corpus)
    errors += reference.errors
    rows.extend(reference.rows)
    results = article_results or {}
    for source_id in sorted(corpus.articles.keys() & corpus.annotations.keys()):
        result = results.get(source_id) or validate_article(
            source_id, corpus.articles[source_id], corpus.annotations[source_id])
        errors += result.errors
        rows.extend(result.rows)
    errors += check_corpus_rows(rows)
    if errors:
        raise ValidationFailed(errors)
    return rows
