"""Render one article as a curator's review page: its text with every coded span marked and the span's rows beside it.

The page is one self-contained HTML file (inline style, no script, nothing fetched). Each line
of the article body sits in the left column; the statements, events and conditions whose
evidence begins on that line are shown beside it in the right column, with their ids, types,
speaker, actors and dates. Text outside the body (menus, pitches) is folded away above and
below. This module computes what the page shows; review_page.html (with its style sheet review_page.css)
holds the markup and is rendered with Jinja, autoescape on, so every piece of text from the article or
the annotation is HTML-escaped.

One function makes a page, article_review_page, from one article's rows: its sources row, its rows of
the tables in ARTICLE_TABLES and the names of the actors they name. The site feeds it the rows it reads
from the served database (queries/pages/review_*.sql); `rucas check --html` feeds it the rows validation
made. Rows may come in any order and dates as date objects or ISO text: the page is the same.

This module imports nothing from RUCAS: the site loads a copy of it (copy_renderer) without RUCAS installed.
"""

from __future__ import annotations

import datetime
import itertools
import shutil
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template
from markupsafe import Markup


@dataclass
class ReviewInput:
    """Everything one review page shows: the article, its body, its rows by table and the actors' names."""

    source_id: str
    text: str
    body: tuple[int, int] | None
    tables: dict[str, list[dict[str, Any]]]
    actor_names: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CodedSpan:
    """A marked stretch of the text: its kind (statement, event, condition), short label, row id and offsets."""

    kind: str
    label: str
    row_id: str
    start: int
    end: int


KIND_PREFIX = {"statement": "S", "event": "E", "condition": "C"}

TEMPLATES_DIR = Path(__file__).resolve().parent
"""The folder of this module, its template (review_page.html) and its style sheet (review_page.css)."""

RENDERER_FILES = ("render.py", "review_page.html", "review_page.css")
"""What renders a review page: this module and the files it reads."""

ARTICLE_TABLES = ("statements", "statement_actors", "claims", "events", "event_actors", "event_conditions")
"""The tables whose rows of one article the page shows (besides its sources row)."""


def copy_renderer(folder: Path) -> None:
    """Copy RENDERER_FILES into `folder` (made if missing): a renderer that runs without RUCAS installed."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in RENDERER_FILES:
        shutil.copyfile(TEMPLATES_DIR / name, folder / name)


@cache
def _template() -> Template:
    """review_page.html, every value it prints escaped (autoescape, as the site's templates)."""
    environment = Environment(loader=FileSystemLoader(TEMPLATES_DIR), autoescape=True, keep_trailing_newline=True,
                              undefined=StrictUndefined)
    return environment.get_template("review_page.html")


def _quotes_as_html_escape_writes_them(page: str) -> str:
    """The page with escaped quotes written &quot; and &#x27; (html.escape's entities, which review pages have
    always had) instead of Jinja's &#34; and &#39;. Nothing else in a page reads so: every & of a value is
    escaped to &amp;, and neither the template nor the style sheet holds either entity."""
    return page.replace("&#34;", "&quot;").replace("&#39;", "&#x27;")


@cache
def _style() -> Markup:
    """The page's style sheet, its white space collapsed, as trusted markup (a file of this package)."""
    return Markup(" ".join((TEMPLATES_DIR / "review_page.css").read_text(encoding="utf-8").split()))


@dataclass(frozen=True)
class Words:
    """Text of the article or the annotation, shown as it is."""

    text: str
    kind: ClassVar[str] = "words"


@dataclass(frozen=True)
class RowId:
    """An id (of an actor or a row), in code type."""

    row_id: str
    kind: ClassVar[str] = "id"


@dataclass(frozen=True)
class RowLink:
    """A link to the card of a row `of` a kind (statement, event, condition): its label, then its id."""

    of: str
    label: str
    row_id: str
    kind: ClassVar[str] = "link"


@dataclass(frozen=True)
class LineBreak:
    """A line break between the entries of a card's field."""

    kind: ClassVar[str] = "break"


Piece = Words | RowId | RowLink | LineBreak


@dataclass(frozen=True)
class Card:
    """The card beside the text of a row (or of the body's start or end): its fields that have a value."""

    kind: str
    label: str
    row_id: str
    fields: list[tuple[str, list[Piece]]]


@dataclass(frozen=True)
class SpanStart:
    """Where a coded span begins in a line: its label, linking to its card."""

    of: str
    label: str
    row_id: str
    kind: ClassVar[str] = "start"


@dataclass(frozen=True)
class Marked:
    """Words inside coded spans: a class for each kind covering them, their labels as the title."""

    classes: str
    labels: str
    text: str
    kind: ClassVar[str] = "marked"


@dataclass(frozen=True)
class Row:
    """One line of the body and the cards of the spans that begin on it."""

    pieces: list[SpanStart | Marked | Words]
    cards: list[Card]


@dataclass(frozen=True)
class Fold:
    """The lines before or after the body, folded away."""

    where: str
    lines: int
    text: str


def _coded_spans(review: ReviewInput) -> list[CodedSpan]:
    spans: list[CodedSpan] = []
    for kind, table, key in (("statement", "statements", "statement_id"), ("event", "events", "event_id"),
                             ("condition", "event_conditions", "condition_id")):
        rows = sorted(review.tables.get(table, []), key=lambda row: (row["evidence_start"], row[key]))
        spans += [CodedSpan(kind, f"{KIND_PREFIX[kind]}{number}", row[key], row["evidence_start"], row["evidence_end"])
                  for number, row in enumerate(rows, start=1)]
    return spans


def _date(row: dict[str, Any]) -> str:
    earliest, latest = row.get("date_earliest"), row.get("date_latest")
    if earliest is None and latest is None:
        shown = "unknown"
    elif earliest == latest:
        shown = str(earliest)
    else:
        shown = f"{earliest or '…'} – {latest or '…'}"
    return f"{shown} ({row.get('date_precision')}, {row.get('date_basis')})"


def _actor(review: ReviewInput, actor_id: str | None) -> list[Piece]:
    if actor_id is None:
        return [Words("—")]
    name = review.actor_names.get(actor_id)
    return [Words(f"{name} "), RowId(actor_id)] if name else [RowId(actor_id)]


def _text(value: Any) -> list[Piece]:
    if value is None or value == "":
        return []
    return [Words(value.isoformat() if isinstance(value, datetime.date) else str(value))]


def _words(text: str) -> list[Piece]:
    return [Words(text)] if text else []


def _lines_of(entries: list[list[Piece]]) -> list[Piece]:
    """Entries of a field, one a line."""
    pieces: list[Piece] = []
    for number, entry in enumerate(entries):
        pieces += ([LineBreak()] if number else []) + entry
    return pieces


def _by_key(review: ReviewInput, table: str, *key: str) -> list[dict[str, Any]]:
    """The rows of `table` in the order of their primary key `key` (the tables' own order), however they came."""
    return sorted(review.tables.get(table, []), key=lambda row: tuple(row[column] for column in key))


def _cards(review: ReviewInput, spans: list[CodedSpan]) -> dict[str, Card]:
    """The card of every coded span, by row id."""
    label = {(span.kind, span.row_id): span.label for span in spans}

    def link(kind: str, row_id: str) -> RowLink:
        return RowLink(kind, label.get((kind, row_id), "?"), row_id)

    about: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in _by_key(review, "statement_actors", "statement_id", "actor_id", "relation"):
        about[(row["statement_id"], row["relation"])].append(row["actor_id"])
    event_actors: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in _by_key(review, "event_actors", "event_id", "actor_id", "role"):
        event_actors[(row["event_id"], row["role"])].append(row["actor_id"])
    claims_of_statement: dict[str, list[dict[str, Any]]] = defaultdict(list)
    claims_of_event: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in _by_key(review, "claims", "statement_id", "event_id"):
        claims_of_statement[row["statement_id"]].append(row)
        claims_of_event[row["event_id"]].append(row)
    conditions: dict[str, list[str]] = defaultdict(list)
    for row in _by_key(review, "event_conditions", "condition_id"):
        conditions[row["event_id"]].append(row["condition_id"])

    shown: dict[str | None, list[Piece]] = {}

    def actor(actor_id: str | None) -> list[Piece]:
        if actor_id not in shown:
            shown[actor_id] = _actor(review, actor_id)
        return shown[actor_id]

    def actors(ids: list[str]) -> list[Piece]:
        pieces: list[Piece] = []
        for number, actor_id in enumerate(ids):
            pieces += ([Words(", ")] if number else []) + actor(actor_id)
        return pieces

    cards: dict[str, Card] = {}
    for row in review.tables.get("statements", []):
        sid = row["statement_id"]
        fields = [("speaker", actor(row["speaker_id"])), ("as written", _text(row.get("speaker_title"))),
                  ("kind", _text(row["quote_kind"])), ("via", actor(row["reported_via_id"])
                                                        if row.get("reported_via_id") else []),
                  ("said", _words(_date(row))), ("date note", _text(row.get("date_note"))),
                  ("about", actors(about[(sid, "about")])), ("addressed to", actors(about[(sid, "addressee")])),
                  ("claims", _lines_of([[Words(f"{c['relation']} "), link("event", c["event_id"])]
                                        for c in claims_of_statement[sid]])),
                  ("note", _text(row.get("note"))),
                  ("offsets", _words(f"{row['evidence_start']}–{row['evidence_end']}"))]
        cards[f"statement-{sid}"] = _card("statement", label[("statement", sid)], sid, fields)
    for row in review.tables.get("events", []):
        eid = row["event_id"]
        kind = " / ".join(str(row[c]) for c in ("event_type", "event_mode", "event_context") if row.get(c))
        place = ", ".join(str(row[c]) for c in ("location_name", "location_country_iso3") if row.get(c))
        casualties = ", ".join(f"{row[c]} {c}" for c in ("fatalities", "injured", "displaced") if row.get(c) is not None)
        fields = [("summary", _text(row["summary"])), ("type", _words(kind)),
                  ("CAMEO", _text(row.get("cameo_code"))), ("modality", _text(row["modality"])),
                  ("when", _words(_date(row))), ("date note", _text(row.get("date_note"))),
                  ("initiator", actors(event_actors[(eid, "initiator")])),
                  ("target", actors(event_actors[(eid, "target")])),
                  ("participant", actors(event_actors[(eid, "participant")])),
                  ("where", _words(place)), ("casualties", _words(casualties)),
                  ("conditions", _lines_of([[link("condition", cid)] for cid in conditions[eid]])),
                  ("claimed by", _lines_of([[link("statement", c["statement_id"]), Words(f" {c['relation']}")]
                                            for c in claims_of_event[eid]])),
                  ("note", _text(row.get("note"))),
                  ("offsets", _words(f"{row['evidence_start']}–{row['evidence_end']}"))]
        cards[f"event-{eid}"] = _card("event", label[("event", eid)], eid, fields)
    for row in review.tables.get("event_conditions", []):
        cid = row["condition_id"]
        fields = [("type", _text(row["condition_type"])), ("of event", [link("event", row["event_id"])]),
                  ("note", _text(row.get("note"))),
                  ("offsets", _words(f"{row['evidence_start']}–{row['evidence_end']}"))]
        cards[f"condition-{cid}"] = _card("condition", label[("condition", cid)], cid, fields)
    return cards


def _card(kind: str, label: str, row_id: str, fields: list[tuple[str, list[Piece]]]) -> Card:
    """A card of the fields that have a value."""
    return Card(kind, label, row_id, [(name, pieces) for name, pieces in fields if pieces])


def _marked_line(text: str, start: int, end: int, spans: list[CodedSpan]) -> list[SpanStart | Marked | Words]:
    """One line of the text: each coded span's label at its start, each stretch with the spans covering it."""
    spans = [span for span in spans if span.start < end and span.end > start]
    cuts = {start, end}
    for span in spans:
        cuts |= {offset for offset in (span.start, span.end) if start < offset < end}
    ordered = sorted(cuts)
    starting: dict[int, list[CodedSpan]] = defaultdict(list)
    for span in spans:
        if start <= span.start < end:
            starting[span.start].append(span)
    pieces: list[SpanStart | Marked | Words] = []
    for left, right in itertools.pairwise(ordered):
        for span in starting.get(left, []):
            pieces.append(SpanStart(span.kind, span.label, span.row_id))
        covering = [span for span in spans if span.start <= left and right <= span.end]
        words = text[left:right]
        if covering:
            classes = " ".join(sorted({span.kind[:2] for span in covering}))
            labels = ", ".join(span.label for span in covering)
            pieces.append(Marked(classes, labels, words))
        else:
            pieces.append(Words(words))
    return pieces


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The non-empty lines between start and end as (start, end) offsets."""
    lines, position = [], start
    while position < end:
        stop = text.find("\n", position, end)
        stop = end if stop == -1 else stop
        if text[position:stop].strip():
            lines.append((position, stop))
        position = stop + 1
    return lines


def _outside(text: str, start: int, end: int, where: str) -> Fold | None:
    lines = _lines(text, start, end)
    if not lines:
        return None
    return Fold(where, len(lines), "\n".join(text[a:b] for a, b in lines))


def source_subtitle(source: dict[str, Any]) -> str:
    """Publisher and publication date of a sources row, as the page's second line."""
    earliest, latest = source.get("date_earliest"), source.get("date_latest")
    date = "date unknown" if earliest is None and latest is None else (
        str(earliest) if earliest == latest else f"{earliest or '…'} – {latest or '…'}")
    return f"{source['publisher']} · {date} ({source['date_precision']})"


def article_review_page(source: dict[str, Any], rows: dict[str, list[dict[str, Any]]], actor_names: dict[str, str],
                        notice: str | None = None) -> str:
    """The review page of one article: the one way a page is made, by the site and by `rucas check --html`.

    `source` is its sources row (source_id and text; with title, publisher, date_earliest, date_latest,
    date_precision, body_start and body_end when the source block is valid: `rucas check` of an article
    with errors may have only the first two), `rows` its rows of ARTICLE_TABLES (in any order), and
    `actor_names` the names of (at least) the actors those rows name; `notice` is a line under the heading."""
    body = (source["body_start"], source["body_end"]) if source.get("body_end") else None
    subtitle = source_subtitle(source) if source.get("publisher") else None
    review = ReviewInput(source["source_id"], source["text"], body, {name: rows.get(name, []) for name in ARTICLE_TABLES},
                         actor_names)
    return render_review_page(review, source.get("title"), subtitle, notice)


def render_review_page(review: ReviewInput, title: str | None = None, subtitle: str | None = None,
                       notice: str | None = None) -> str:
    """The review page of a ReviewInput as a complete HTML document (review_page.html); article_review_page
    makes one from an article's rows."""
    text = review.text
    body_start, body_end = review.body if review.body else (0, len(text))
    spans = _coded_spans(review)
    cards = _cards(review, spans)
    counts = {kind: sum(span.kind == kind for span in spans) for kind in KIND_PREFIX}
    rows = []
    body_lines = _lines(text, body_start, body_end)
    for index, (start, end) in enumerate(body_lines):
        beside = []
        if index == 0 and review.body:
            beside.append(_card("body", "B", "body start", [("offset", [Words(str(body_start))])]))
        following = body_lines[index + 1][0] if index + 1 < len(body_lines) else len(text) + 1
        beside += [cards[f"{span.kind}-{span.row_id}"] for span in spans
                   if start <= span.start < following or (index == 0 and span.start < start)]
        if index == len(body_lines) - 1 and review.body:
            beside.append(_card("body", "B", "body end", [("offset", [Words(str(body_end))])]))
        rows.append(Row(_marked_line(text, start, end, spans), beside))
    summary = (f"{counts['statement']} statement(s), {counts['event']} event(s), {counts['condition']} condition(s); "
               f"body {body_start}–{body_end} of {len(text)} characters" if review.body else
               f"{counts['statement']} statement(s), {counts['event']} event(s), {counts['condition']} condition(s); "
               "no body span (the whole text is shown)")
    page = _template().render(source_id=review.source_id, heading=title or review.source_id, subtitle=subtitle,
                              notice=notice, summary=summary, style=_style(), rows=rows,
                              before=_outside(text, 0, body_start, "Before"),
                              after=_outside(text, body_end, len(text), "After"))
    return _quotes_as_html_escape_writes_them(page)
