"""Check one curated file's values and turn them into rows of the published tables.

`validate_article` checks one article and its annotation in isolation, without the reference
files, so that its result depends only on its two files (cached by content hash, computed in
parallel); `validate_reference` checks the reference files and what they say of each other.
The checks that span files (keys, references, codes) are in `rucas.build.validate.across`.
Every problem becomes a CurationError naming file, place and fix; nothing is raised here.
"""

from __future__ import annotations

import calendar
import datetime
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from rucas.build.validate.suggestions import refuse_unreviewed_suggestions
from rucas.build.read.corpus import Corpus, CuratedFile, unexpected_reference_files
from rucas.build.read.layout import ANNOTATION_TABLES, CURATED_CODEBOOKS, NESTED_TABLES, REFERENCE_FILES, REFERENCE_NESTED
from rucas.build.read.errors import CurationError
from rucas.build.validate import provenance
from rucas.build.validate.evidence import EvidenceNotFound, find_evidence_span
from rucas.build.validate.rows import RowOrigin, Rows, coerce_value, latin_look_alike, read_row
from rucas.build.read.documents import DocList, DocMap, Where, line_at, line_of_item, parse_curated_yaml
from rucas.schema import table_spec
from rucas.schema.codes import DatePrecision, EventActorRole, StatementActorRelation
from rucas.schema.derive import codebook_rows



@dataclass
class ArticleResult:
    """What validating one article produced: its rows and its errors."""

    rows: Rows
    errors: list[CurationError]


def _decode_article(file: CuratedFile, errors: list[CurationError]) -> str | None:
    if not file.data.strip():
        errors.append(CurationError(file.shown, 1, "article file is empty.", "save the article text here."))
        return None
    try:
        text = file.data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = line_at(file.data[: exc.start].decode("latin-1"), exc.start)
        errors.append(CurationError(file.shown, line, f"article is not valid UTF-8 (byte {file.data[exc.start]:#04x}).",
                                    "save the article as received, in UTF-8 (convert it from its original encoding)."))
        return None
    if "\x00" in text:
        errors.append(CurationError(file.shown, line_at(text, text.index("\x00")),
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


def _span(text: str, body: tuple[int, int] | None, mapping: DocMap, path: str, errors: list[CurationError],
          key: str = "evidence") -> tuple[int, int] | None:
    """Find mapping[key] in the text, inside the body; record an error otherwise."""
    words = mapping.get(key)
    line = mapping.line_of(key)
    what = key if key == "evidence" else f"body.{key}"
    if not isinstance(words, str):
        errors.append(CurationError(path, line, f"{what} is required and must be the article's exact words.",
                                    f"add {key}: \"...\" copied from the article."))
        return None
    occurrence = mapping.get("occurrence") if key == "evidence" else None
    if occurrence is not None and (isinstance(occurrence, bool) or not isinstance(occurrence, int)):
        errors.append(CurationError(path, mapping.line_of("occurrence"), "occurrence must be a whole number.",
                                    "write occurrence: 2 for the second occurrence."))
        return None
    try:
        span = find_evidence_span(text, words, occurrence, what)
    except EvidenceNotFound as exc:
        errors.append(CurationError(path, line, str(exc), exc.fix))
        return None
    if body and not (body[0] <= span.start and span.end <= body[1]):
        errors.append(CurationError(path, line, f"{key} lies outside the article body "
                                    f"(offsets {span.start}-{span.end}, body {body[0]}-{body[1]}).",
                                    "code only from the article body; menus, pitches and ads are not evidence."))
        return None
    return span.start, span.end


def _items(document: DocMap, key: str, path: str, errors: list[CurationError]) -> list[tuple[Any, int]]:
    value = document.get(key)
    if value is None:
        return []
    if not isinstance(value, DocList):
        errors.append(CurationError(path, document.line_of(key), f"{key} must be a list (entries starting with '- ').",
                                    f"write {key}: followed by '- ' entries, or remove it."))
        return []
    return [(item, line_of_item(value, i)) for i, item in enumerate(value)]


def _actor_list(value: Any, path: str, line: Where, what: str, table: str, errors: list[CurationError]) -> list[str | None]:
    """The actor ids of a list such as `about:` or `initiator:`, each meeting the rules of `table`'s actor_id column
    (None in place of one that does not, after recording why)."""
    if value is None:
        return []
    if not isinstance(value, list | str):
        errors.append(CurationError(path, line, f"{what} must be a list of actor ids.", f"write {what}: [actor-id, ...]."))
        return []
    column = table_spec(table).column("actor_id")
    ids: list[str | None] = []
    for index, item in enumerate([value] if isinstance(value, str) else value):
        actor_id, problem, fix = coerce_value(column, item)
        if problem:
            errors.append(CurationError(path, _item_place(value, line, index), f"{what}: {problem}", fix or ""))
        ids.append(actor_id)
    return ids


ANNOTATION_KEYS = tuple(ANNOTATION_TABLES)


EVENT_ACTOR_ROLES = frozenset(EventActorRole.values())
"""The keys of an event's `actors:` mapping."""
FUTURE_MODALITIES = frozenset({"planned", "conditional"})
"""Modalities of events that an article can date after its own publication."""


def _item_place(value: Any, place: Where, index: int) -> Where:
    """Where item `index` of a list value is (the key itself when one id was written without a list)."""
    return line_of_item(value, index) if isinstance(value, DocList) else place


def _check_not_after_publication(row: dict[str, Any], origin: RowOrigin, published: datetime.date | None, what: str,
                                 errors: list[CurationError]) -> None:
    """An article cannot report what happened after it was published (only what is planned or conditional then)."""
    if row.get("modality") in FUTURE_MODALITIES:
        return
    if published is not None and row["date_earliest"] is not None and row["date_earliest"] > published:
        errors.append(CurationError(origin.path, origin.line_of("date_earliest"),
                                    f"{what} date {row['date_earliest']} is after the article was published "
                                    f"(by {published}).",
                                    "correct the date (or the article's); an event the article announces for later has "
                                    "modality planned or conditional."))


NESTED_KEYS = {table: frozenset(nested) | {"occurrence"} for table, nested in NESTED_TABLES.items()}
"""Keys of a statement or event entry that are not columns of its table (lists of actors, conditions)."""


@dataclass(frozen=True)
class _Article:
    """What the entries of one annotation are checked against: its file, id, text, body and publication date."""

    path: str
    source_id: str
    text: str
    body: tuple[int, int] | None
    published: datetime.date | None


def _dated_evidence_row(table: str, mapping: Any, line: Where, article: _Article, rows: Rows,
                        errors: list[CurationError]) -> tuple[dict[str, Any] | None, RowOrigin]:
    """A statement or event: its values, its evidence found in the body, its date checked; None after errors."""
    span = _span(article.text, article.body, mapping, article.path, errors) if isinstance(mapping, DocMap) else None
    provided = {"source_id": article.source_id, "evidence_start": span[0] if span else 0,
                "evidence_end": span[1] if span else 0}
    row, origin = read_row(table_spec(table), mapping, article.path, line, errors, provided=provided,
                           extra_keys=NESTED_KEYS[table])
    if not (row and span):
        rows.remember_failed(table, mapping)
        return None, origin
    check_date_interval(row, origin, errors)
    _check_not_after_publication(row, origin, article.published, table[:-1], errors)
    return row, origin


def validate_article(source_id: str, article: CuratedFile, annotation: CuratedFile) -> ArticleResult:
    """Validate one article and its annotation, producing its rows of every table it feeds."""
    errors: list[CurationError] = []
    rows = Rows()
    path = annotation.shown
    text = _decode_article(article, errors)
    document = parse_curated_yaml(annotation.data, annotation.shown, errors)
    document = refuse_unreviewed_suggestions(document, path, errors)  # `rucas new`'s markers
    if text is None or document is None:
        return ArticleResult(rows, errors)
    if not isinstance(document, DocMap):
        errors.append(CurationError(path, 1, "an annotation must be a mapping with source:, statements:, events:, "
                                    "claims:.", "see dataset/curated/README.md for the format."))
        return ArticleResult(rows, errors)
    for key in document:
        if key not in ANNOTATION_KEYS:
            errors.append(CurationError(path, document.line_of(key), f"unknown top-level key {key!r}.",
                                        f"an annotation has only {', '.join(ANNOTATION_KEYS)}."))
    source = document.get("source")
    if not isinstance(source, DocMap):
        errors.append(CurationError(path, document.line_of("source"), "the source: block is missing or not a mapping.",
                                    "add source: with title, publisher, language, date, rights and body."))
        return ArticleResult(rows, errors)

    body = None
    body_spec = source.get("body")
    if not isinstance(body_spec, DocMap) or not {"starts_with", "ends_with"} <= body_spec.keys():
        errors.append(CurationError(path, source.line_of("body"), "source.body must give starts_with and ends_with.",
                                    "write body: {starts_with: \"first words of the article\", ends_with: \"last words\"}."))
    else:
        for key in body_spec.keys() - {"starts_with", "ends_with"}:
            errors.append(CurationError(path, body_spec.line_of(key), f"unknown key body.{key[:60]}.",
                                        "body takes only starts_with and ends_with."))
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
    published = row["date_latest"] if row else None
    if not row:
        rows.failed_keys["sources"].add(source_id)  # its statements and events name it: no follow-on error for each
    if row:
        check_date_interval(row, origin, errors)
        rows.add("sources", row, origin)

    entries = _Article(path, source_id, text, body, published)
    for mapping, line in _items(document, "statements", path, errors):
        row, origin = _dated_evidence_row("statements", mapping, line, entries, rows, errors)
        if row:
            rows.add("statements", row, origin)
            for key, relation in (("about", StatementActorRelation.about), ("addressees", StatementActorRelation.addressee)):
                for index, actor_id in enumerate(_actor_list(mapping.get(key), path, mapping.line_of(key), key,
                                                             "statement_actors", errors)):
                    if actor_id is None:
                        continue
                    rows.add("statement_actors", {"statement_id": row["statement_id"], "actor_id": actor_id,
                                                  "relation": relation.value},
                             RowOrigin(path, _item_place(mapping.get(key), mapping.line_of(key), index), {}))

    for mapping, line in _items(document, "events", path, errors):
        row, origin = _dated_evidence_row("events", mapping, line, entries, rows, errors)
        if not row:
            continue
        if (row["latitude"] is None) != (row["longitude"] is None):
            errors.append(CurationError(path, origin.line_of("latitude"), "give both latitude and longitude, or neither.",
                                        "complete the coordinates or remove them."))
        if row["latitude"] is not None and row["location_precision"] is None:
            errors.append(CurationError(path, origin.line_of("latitude"), "coordinates need location.precision.",
                                        "add precision: place, settlement, region, border_area or country."))
        rows.add("events", row, origin)
        actors = mapping.get("actors")
        if actors is not None and not isinstance(actors, DocMap):
            errors.append(CurationError(path, mapping.line_of("actors"), "actors must map roles to actor lists.",
                                        "write actors: {initiator: [..], target: [..], participant: [..]}."))
            actors = None
        roles_of: dict[str, set[str]] = defaultdict(set)
        for role, actor_ids in (actors or {}).items():
            if role not in EVENT_ACTOR_ROLES:
                errors.append(CurationError(path, actors.line_of(role), f"unknown event actor role {role!r}.",
                                            f"use {', '.join(EventActorRole.values())}."))
                continue
            for index, actor_id in enumerate(_actor_list(actor_ids, path, actors.line_of(role), role, "event_actors",
                                                         errors)):
                if actor_id is None:
                    continue
                roles_of[actor_id].add(role)
                rows.add("event_actors", {"event_id": row["event_id"], "actor_id": actor_id, "role": role},
                         RowOrigin(path, _item_place(actor_ids, actors.line_of(role), index), {}))
        for actor_id, roles in roles_of.items():
            if {"initiator", "target"} <= roles:
                errors.append(CurationError(path, actors.line_of("target"), f"{actor_id[:60]} is both initiator and "
                                            f"target of event {row['event_id']}: an event acts on someone else.",
                                            "name the actor the initiator acts on as target (a body or person of the "
                                            "same state is its own actor), or drop the target."))
        for condition, condition_line in _items(mapping, "conditions", path, errors):
            cspan = _span(text, body, condition, path, errors) if isinstance(condition, DocMap) else None
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
    errors += provenance.review_provenance(rows)
    errors += provenance.notes_citing_unshipped_files(rows)
    return ArticleResult(rows, errors)


def validate_reference(corpus: Corpus) -> ArticleResult:
    """Validate the reference files (actors, roles, alliances, memberships, codebook) into rows.

    A file in reference/ that is none of these is an error too: its entries would be lost."""
    errors: list[CurationError] = unexpected_reference_files(corpus.root)
    rows = Rows()
    documents: dict[str, Any] = {}
    for name, file in corpus.reference.items():
        documents[name] = parse_curated_yaml(file.data, file.shown, errors)
    table_of = {name: table for name, table in REFERENCE_FILES.items() if name != "codebook"}
    for name, table in table_of.items():
        document = documents.get(name)
        if document is None:
            if name in corpus.reference:
                rows.unreadable[table] = next((e for e in errors if e.path == corpus.reference[name].shown),
                                              CurationError(corpus.reference[name].shown, 1, "could not be read."))
            continue
        file = corpus.reference[name]
        if not isinstance(document, DocList):
            errors.append(CurationError(file.shown, 1, f"{name}.yaml must be a list of entries.",
                                        "start each entry with '- '."))
            continue
        for index, mapping in enumerate(document):
            line = line_of_item(document, index)
            extra = frozenset(REFERENCE_NESTED.get(name, ()))
            row, origin = read_row(table_spec(table), mapping, file.shown, line, errors, extra_keys=extra)
            if not row:
                rows.remember_failed(table, mapping)
                continue
            if "date_precision" in row:
                check_date_interval(row, origin, errors)
            rows.add(table, row, origin)
            if name == "actors":
                _add_aliases(row["actor_id"], mapping, file.shown, rows, errors)
    codebook = documents.get("codebook")
    if codebook is None and "codebook" in corpus.reference:
        rows.unreadable["codebook"] = next((e for e in errors if e.path == corpus.reference["codebook"].shown),
                                           CurationError(corpus.reference["codebook"].shown, 1, "could not be read."))
    if codebook is not None:
        file = corpus.reference["codebook"]
        if not isinstance(codebook, DocMap):
            errors.append(CurationError(file.shown, 1, "codebook.yaml must map section names to code lists.",
                                        f"use sections {', '.join(CURATED_CODEBOOKS)}."))
        else:
            for section, entries in codebook.items():
                if section not in CURATED_CODEBOOKS:
                    errors.append(CurationError(file.shown, codebook.line_of(section), f"unknown codebook section {section!r}.",
                                                f"use {', '.join(CURATED_CODEBOOKS)}."))
                    continue
                if not isinstance(entries, DocList):
                    errors.append(CurationError(file.shown, codebook.line_of(section), f"{section} must be a list.",
                                                "write '- {code: .., label: .., definition: ..}' entries."))
                    continue
                for index, mapping in enumerate(entries):
                    row, origin = read_row(table_spec("codebook"), mapping, file.shown, line_of_item(entries, index),
                                           errors, provided={"codebook": CURATED_CODEBOOKS[section]})
                    if row:
                        rows.add("codebook", row, origin)
                    elif isinstance(mapping, dict) and isinstance(mapping.get("code"), str):  # the code it meant
                        rows.failed_keys[f"codebook:{CURATED_CODEBOOKS[section]}"].add(latin_look_alike(mapping["code"]))
    for row in codebook_rows():
        rows.add("codebook", row, RowOrigin("rucas/schema/codes.py", 1, {}))
    check_reference_consistency(rows, errors)
    errors += provenance.notes_citing_unshipped_files(rows)
    return ArticleResult(rows, errors)




def _add_aliases(actor_id: str, mapping: DocMap, path: str, rows: Rows, errors: list[CurationError]) -> None:
    """An actor's `aliases:` as rows of actor_aliases, each alias meeting the rules of its column."""
    aliases = mapping.get("aliases") or []
    if not isinstance(aliases, list):
        errors.append(CurationError(path, mapping.line_of("aliases"), "aliases must be a list of names.",
                                    "write aliases: [Name, Other spelling]."))
        return
    column = table_spec("actor_aliases").column("alias")
    for index, alias in enumerate(aliases):
        place = _item_place(aliases, mapping.line_of("aliases"), index)
        value, problem, fix = coerce_value(column, alias)
        if problem:
            errors.append(CurationError(path, place, f"alias of {actor_id}: {problem}", fix or ""))
        else:
            rows.add("actor_aliases", {"actor_id": actor_id, "alias": value}, RowOrigin(path, place, {}))


MEMBER_TYPES = frozenset({"state", "igo"})
"""Actor types that can be members of an alliance (persons, bodies and units count through their state)."""
ACTING_ORGANISATION_TYPES = frozenset({"igo"})
"""Actor types that can act for an alliance (its secretariat or organisation)."""


def _check_roles(rows: Rows, actor_types: dict[str, str], errors: list[CurationError]) -> None:
    """Roles are held by persons, in organisations that are not persons, not before the organisation was founded
    (where the reference knows it: an alliance's acting organisation)."""
    founded = {row["actor_id"]: (row["founded"], row["alliance_id"]) for row in rows.tables.get("alliances", [])
               if row["actor_id"] and row["founded"]}
    for row, origin in zip(rows.tables.get("actor_roles", []), rows.origins.get("actor_roles", [])):
        start = founded.get(row["organization_id"])
        if start and row["date_earliest"] and row["date_earliest"] < start[0]:
            errors.append(CurationError(origin.path, origin.line_of("date_earliest"),
                                        f"role {row['role_id']} starts {row['date_earliest']}, before "
                                        f"{row['organization_id']} was founded ({start[0]}, alliances.yaml "
                                        f"{start[1]}).", "correct the role's earliest date, or the alliance's founded "
                                        "date."))
        if row["person_id"] in actor_types and actor_types[row["person_id"]] != "person":
            errors.append(CurationError(origin.path, origin.line_of("person_id"),
                                        f"role {row['role_id']}: {row['person_id']} is a {actor_types[row['person_id']]}, "
                                        "not a person.", "roles are held by persons: check person_id."))
        if actor_types.get(row["organization_id"]) == "person":
            errors.append(CurationError(origin.path, origin.line_of("organization_id"),
                                        f"role {row['role_id']}: organization {row['organization_id']} is a person.",
                                        "organization_id names the state or body the office belongs to."))


def _check_alliances(rows: Rows, actor_types: dict[str, str], errors: list[CurationError]) -> None:
    for row, origin in zip(rows.tables.get("alliances", []), rows.origins.get("alliances", [])):
        kind = actor_types.get(row["actor_id"])
        if kind is not None and kind not in ACTING_ORGANISATION_TYPES:
            errors.append(CurationError(origin.path, origin.line_of("actor_id"),
                                        f"alliance {row['alliance_id']}: its acting organisation {row['actor_id']} is a "
                                        f"{kind}.", f"actor_id names the alliance's own body (actor_type "
                                        f"{', '.join(sorted(ACTING_ORGANISATION_TYPES))}), or null."))


def _check_states(rows: Rows, errors: list[CurationError]) -> None:
    """Each country code belongs to one state actor at most."""
    first: dict[str, tuple[str, RowOrigin]] = {}
    for row, origin in zip(rows.tables.get("actors", []), rows.origins.get("actors", [])):
        if row["actor_type"] != "state" or row["country_iso3"] is None:
            continue
        if row["country_iso3"] in first:
            other, other_origin = first[row["country_iso3"]]
            errors.append(CurationError(origin.path, origin.line_of("country_iso3"),
                                        f"state {row['actor_id']} has country_iso3 {row['country_iso3']}, like state "
                                        f"{other}.", "one state per country code: correct the code, or merge the two "
                                        "actors (the other spelling becomes an alias)."))
        else:
            first[row["country_iso3"]] = (row["actor_id"], origin)


def _check_codebook(rows: Rows, errors: list[CurationError]) -> None:
    """No two codes of one codebook that differ only by letter case."""
    import unicodedata

    seen: dict[tuple[str, str], str] = {}
    for row, origin in zip(rows.tables.get("codebook", []), rows.origins.get("codebook", [])):
        folded = (row["codebook"], unicodedata.normalize("NFKC", row["code"]).casefold())
        if folded in seen and seen[folded] != row["code"]:
            errors.append(CurationError(origin.path, origin.line_of("code"),
                                        f"code {row['code']!r} of {row['codebook']} differs from {seen[folded]!r} only by "
                                        "letter case.", "use one spelling: keep the existing code and delete this one."))
        seen.setdefault(folded, row["code"])


def _check_memberships(rows: Rows, actor_types: dict[str, str], errors: list[CurationError]) -> None:
    """Memberships: by states or organisations, after the alliance was founded, intervals well-formed, not overlapping,
    and an article's attestation agreeing with the reference rows it overlaps."""
    founded = {row["alliance_id"]: row["founded"] for row in rows.tables.get("alliances", [])}
    reference: dict[tuple[str, str], list[tuple[datetime.date, datetime.date, str, RowOrigin]]] = defaultdict(list)
    attested = []
    for row, origin in zip(rows.tables.get("alliance_members", []), rows.origins.get("alliance_members", [])):
        joined, left = row["joined_date"], row["left_date"]
        kind = actor_types.get(row["actor_id"])
        if kind is not None and kind not in MEMBER_TYPES:
            errors.append(CurationError(origin.path, origin.line_of("actor_id"),
                                        f"{row['actor_id']} is a {kind}: only states and organisations are members of "
                                        f"{row['alliance_id']}.", "name the member state (a person, body or unit counts "
                                        "through the state of its country)."))
        if left is not None and left <= joined:
            errors.append(CurationError(origin.path, origin.line_of("left_date"),
                                        f"membership of {row['actor_id']} in {row['alliance_id']} ends ({left}) "
                                        f"on or before it starts ({joined}).", "correct joined_date or left_date."))
            continue
        start = founded.get(row["alliance_id"])
        if start is not None and joined < start and row["basis"] == "reference":
            errors.append(CurationError(origin.path, origin.line_of("joined_date"),
                                        f"membership of {row['actor_id']} starts {joined}, before {row['alliance_id']} "
                                        f"was founded ({start}).", "correct joined_date, or the alliance's founded date."))
        entry = (joined, left or datetime.date.max, row["status"], origin)
        if row["basis"] == "reference":
            reference[(row["alliance_id"], row["actor_id"])].append(entry)
        else:
            attested.append(((row["alliance_id"], row["actor_id"]), entry))
    for (alliance_id, actor_id), spans in reference.items():
        spans.sort(key=lambda s: s[0])
        for (_, end_a, _, origin_a), (start_b, _, _, origin_b) in zip(spans, spans[1:]):
            if start_b < end_a:
                errors.append(CurationError(origin_b.path, origin_b.line,
                                            f"membership intervals of {actor_id} in {alliance_id} overlap "
                                            f"(this one starts {start_b}; an earlier one runs to "
                                            f"{'now' if end_a == datetime.date.max else end_a}).",
                                            "end the earlier interval (left_date) on the day the next one starts."))
    for pair, (start, end, status, origin) in attested:
        for ref_start, ref_end, ref_status, _ in reference.get(pair, []):
            if start < ref_end and ref_start < end and status != ref_status:
                errors.append(CurationError(origin.path, origin.line_of("status"),
                                            f"the article attests {pair[1]} as {status} of {pair[0]} from {start}, but the "
                                            f"reference rows say {ref_status} from {ref_start} to "
                                            f"{'now' if ref_end == datetime.date.max else ref_end}.",
                                            "correct the attested row, or the reference row if the article shows it wrong "
                                            "(and cite the source in its note)."))
                break


def _check_country_codes(rows: Rows, errors: list[CurationError]) -> None:
    """Every country code an actor has is in the crosswalk (country_codes.yaml), which gives its COW and GW codes."""
    if not rows.tables.get("country_codes") and not rows.failed_keys.get("country_codes"):
        return  # no crosswalk read (missing, unreadable or empty): its own error says why
    listed = {row["country_iso3"] for row in rows.tables["country_codes"]} | rows.failed_keys.get("country_codes", set())
    reported: set[str] = set()
    for row, origin in zip(rows.tables.get("actors", []), rows.origins.get("actors", [])):
        code = row["country_iso3"]
        if code is not None and code not in listed and code not in reported:
            reported.add(code)
            errors.append(CurationError(origin.path, origin.line_of("country_iso3"),
                                        f"{row['actor_id']} has country_iso3 {code}, which country_codes.yaml does not "
                                        "list.", f"add {code} to reference/country_codes.yaml with its COW and GW codes "
                                        "from the lists its note cites (null with a note where unverified)."))


def check_reference_consistency(rows: Rows, errors: list[CurationError]) -> None:
    """What the reference files say of each other: roles, alliances, states' codes, codebook spellings, memberships."""
    actor_types = {row["actor_id"]: row["actor_type"] for row in rows.tables.get("actors", [])}
    _check_roles(rows, actor_types, errors)
    _check_alliances(rows, actor_types, errors)
    _check_states(rows, errors)
    _check_country_codes(rows, errors)
    _check_codebook(rows, errors)
    _check_memberships(rows, actor_types, errors)
