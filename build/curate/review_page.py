"""Render one article as a curator's review page: its text with every coded span marked and the span's rows beside it.

The page is one self-contained HTML file (inline style, no script, nothing fetched). Each line
of the article body sits in the left column; the statements, events and conditions whose
evidence begins on that line are shown beside it in the right column, with their ids, types,
speaker, actors and dates. Text outside the body (menus, pitches) is folded away above and
below. Every piece of text from the article or the annotation is HTML-escaped.
"""

from __future__ import annotations

import datetime
import itertools
import re
from collections import defaultdict
from dataclasses import dataclass, field
from html import escape as _html_escape
from typing import Any


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


_SPECIAL = re.compile(r"[&<>\"']")


def escape(text: str) -> str:
    """Text made safe for HTML content and quoted attributes (html.escape, skipped when nothing needs it)."""
    return _html_escape(text) if _SPECIAL.search(text) else text


KIND_PREFIX = {"statement": "S", "event": "E", "condition": "C"}

STYLE = """
:root { --st: #fde68a; --ev: #2563eb; --co: #fdba74; --ink: #1f2937; --muted: #6b7280; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.55 Georgia, 'DejaVu Serif', serif; color: var(--ink); background: #f8fafc; }
header { padding: 18px 28px 12px; background: #fff; border-bottom: 1px solid #e5e7eb; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 2px 0; font: 14px/1.4 system-ui, 'DejaVu Sans', sans-serif; color: var(--muted); }
.legend span { margin-right: 14px; }
main { padding: 8px 28px 40px; }
.row { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); gap: 24px; padding: 6px 0; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; }
.row > .text { position: sticky; top: 8px; align-self: start; }
.rows { font: 13px/1.45 system-ui, 'DejaVu Sans', sans-serif; }
.outside { color: var(--muted); font-size: 13px; }
details { margin: 8px 0; font: 13px/1.4 system-ui, 'DejaVu Sans', sans-serif; color: var(--muted); }
details .text { font-family: Georgia, 'DejaVu Serif', serif; }
.st { background: var(--st); }
.co { background: var(--co); }
.ev { box-shadow: inset 0 -3px 0 var(--ev); }
.tag { display: inline-block; font: bold 11px/1 system-ui, 'DejaVu Sans', sans-serif; padding: 2px 4px; margin: 0 2px;
       border-radius: 3px; text-decoration: none; vertical-align: 2px; color: #111; }
.tag.statement { background: #f59e0b; } .tag.event { background: var(--ev); color: #fff; }
.tag.condition { background: #ea580c; color: #fff; } .tag.body { background: #374151; color: #fff; }
.card { background: #fff; border: 1px solid #e5e7eb; border-left: 5px solid #9ca3af; border-radius: 4px;
        padding: 6px 10px; margin: 0 0 8px; }
.card.statement { border-left-color: #f59e0b; } .card.event { border-left-color: var(--ev); }
.card.condition { border-left-color: #ea580c; } .card.body { border-left-color: #374151; }
.card:target { outline: 3px solid #111; }
.card h3 { margin: 0 0 4px; font-size: 13px; font-weight: 600; overflow-wrap: anywhere; }
.card dl { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 1px 10px; margin: 0; }
.card dt { color: var(--muted); } .card dd { margin: 0; overflow-wrap: anywhere; }
code { font: 12px/1.3 'DejaVu Sans Mono', monospace; }
"""
_COMPACT_STYLE = " ".join(STYLE.split())


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


def _actor(review: ReviewInput, actor_id: str | None) -> str:
    if actor_id is None:
        return "—"
    name = review.actor_names.get(actor_id)
    return f"{escape(name)} <code>{escape(actor_id)}</code>" if name else f"<code>{escape(actor_id)}</code>"


def _field_list(pairs: list[tuple[str, str | None]]) -> str:
    """A definition list of the pairs that have a value; names are plain words of this module, values already HTML."""
    items = "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in pairs if value)
    return f"<dl>{items}</dl>"


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return escape(value.isoformat() if isinstance(value, datetime.date) else str(value))


def _cards(review: ReviewInput, spans: list[CodedSpan]) -> dict[str, str]:
    """The HTML card of every coded span, by row id."""
    label = {(span.kind, span.row_id): span.label for span in spans}

    def link(kind: str, row_id: str) -> str:
        return (f'<a class="tag {kind}" href="#{kind}-{escape(row_id)}">{escape(label.get((kind, row_id), "?"))}</a>'
                f"<code>{escape(row_id)}</code>")

    about: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in review.tables.get("statement_actors", []):
        about[(row["statement_id"], row["relation"])].append(row["actor_id"])
    event_actors: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in review.tables.get("event_actors", []):
        event_actors[(row["event_id"], row["role"])].append(row["actor_id"])
    claims_of_statement: dict[str, list[dict[str, Any]]] = defaultdict(list)
    claims_of_event: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in review.tables.get("claims", []):
        claims_of_statement[row["statement_id"]].append(row)
        claims_of_event[row["event_id"]].append(row)
    conditions: dict[str, list[str]] = defaultdict(list)
    for row in review.tables.get("event_conditions", []):
        conditions[row["event_id"]].append(row["condition_id"])

    shown: dict[str | None, str] = {}

    def actor(actor_id: str | None) -> str:
        if actor_id not in shown:
            shown[actor_id] = _actor(review, actor_id)
        return shown[actor_id]

    def actors(ids: list[str]) -> str | None:
        return ", ".join(actor(actor_id) for actor_id in ids) or None

    cards: dict[str, str] = {}
    for row in review.tables.get("statements", []):
        sid = row["statement_id"]
        fields = [("speaker", actor(row["speaker_id"])), ("as written", _text(row.get("speaker_title"))),
                  ("kind", _text(row["quote_kind"])), ("via", actor(row["reported_via_id"])
                                                        if row.get("reported_via_id") else None),
                  ("said", escape(_date(row))), ("date note", _text(row.get("date_note"))),
                  ("about", actors(about[(sid, "about")])), ("addressed to", actors(about[(sid, "addressee")])),
                  ("claims", "<br>".join(f"{escape(c['relation'])} {link('event', c['event_id'])}"
                                         for c in claims_of_statement[sid]) or None),
                  ("note", _text(row.get("note"))),
                  ("offsets", escape(f"{row['evidence_start']}–{row['evidence_end']}"))]
        cards[f"statement-{sid}"] = _card("statement", label[("statement", sid)], sid, fields)
    for row in review.tables.get("events", []):
        eid = row["event_id"]
        kind = " / ".join(escape(str(row[c])) for c in ("event_type", "event_mode", "event_context") if row.get(c))
        place = ", ".join(escape(str(row[c])) for c in ("location_name", "location_country_iso3") if row.get(c))
        casualties = ", ".join(f"{row[c]} {c}" for c in ("fatalities", "injured", "displaced") if row.get(c) is not None)
        fields = [("summary", _text(row["summary"])), ("type", kind),
                  ("CAMEO", _text(row.get("cameo_code"))), ("modality", _text(row["modality"])),
                  ("when", escape(_date(row))), ("date note", _text(row.get("date_note"))),
                  ("initiator", actors(event_actors[(eid, "initiator")])),
                  ("target", actors(event_actors[(eid, "target")])),
                  ("participant", actors(event_actors[(eid, "participant")])),
                  ("where", place or None), ("casualties", escape(casualties) or None),
                  ("conditions", "<br>".join(link("condition", cid) for cid in conditions[eid]) or None),
                  ("claimed by", "<br>".join(f"{link('statement', c['statement_id'])} {escape(c['relation'])}"
                                             for c in claims_of_event[eid]) or None),
                  ("note", _text(row.get("note"))),
                  ("offsets", escape(f"{row['evidence_start']}–{row['evidence_end']}"))]
        cards[f"event-{eid}"] = _card("event", label[("event", eid)], eid, fields)
    for row in review.tables.get("event_conditions", []):
        cid = row["condition_id"]
        fields = [("type", _text(row["condition_type"])), ("of event", link("event", row["event_id"])),
                  ("note", _text(row.get("note"))), ("offsets", escape(f"{row['evidence_start']}–{row['evidence_end']}"))]
        cards[f"condition-{cid}"] = _card("condition", label[("condition", cid)], cid, fields)
    return cards


def _card(kind: str, label: str, row_id: str, fields: list[tuple[str, str | None]]) -> str:
    return (f'<div class="card {kind}" id="{kind}-{escape(row_id)}"><h3><span class="tag {kind}">{escape(label)}</span> '
            f"{escape(kind)} <code>{escape(row_id)}</code></h3>{_field_list(fields)}</div>")


def _marked_line(text: str, start: int, end: int, spans: list[CodedSpan]) -> str:
    """One line of the text with each coded span's stretch wrapped in classes and its label at its start."""
    spans = [span for span in spans if span.start < end and span.end > start]
    cuts = {start, end}
    for span in spans:
        cuts |= {offset for offset in (span.start, span.end) if start < offset < end}
    ordered = sorted(cuts)
    starting: dict[int, list[CodedSpan]] = defaultdict(list)
    for span in spans:
        if start <= span.start < end:
            starting[span.start].append(span)
    pieces = []
    for left, right in itertools.pairwise(ordered):
        for span in starting.get(left, []):
            pieces.append(f'<a class="tag {span.kind}" href="#{span.kind}-{escape(span.row_id)}" '
                          f'title="{escape(span.row_id)}">{escape(span.label)}</a>')
        covering = [span for span in spans if span.start <= left and right <= span.end]
        words = escape(text[left:right])
        if covering:
            classes = " ".join(sorted({span.kind[:2] for span in covering}))
            labels = ", ".join(span.label for span in covering)
            pieces.append(f'<span class="{classes}" title="{escape(labels)}">{words}</span>')
        else:
            pieces.append(words)
    return "".join(pieces)


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


def _outside(text: str, start: int, end: int, where: str) -> str:
    lines = _lines(text, start, end)
    if not lines:
        return ""
    shown = "\n".join(escape(text[a:b]) for a, b in lines)
    return (f"<details><summary>{where} the body: {len(lines)} line(s) outside it (menus, pitches, footers)"
            f"</summary><div class=\"text outside\">{shown}</div></details>")


def render_review_page(review: ReviewInput, title: str | None = None, subtitle: str | None = None) -> str:
    """The review page of one article as a complete HTML document."""
    text = review.text
    body_start, body_end = review.body if review.body else (0, len(text))
    spans = _coded_spans(review)
    cards = _cards(review, spans)
    counts = {kind: sum(span.kind == kind for span in spans) for kind in KIND_PREFIX}
    rows_html = [_outside(text, 0, body_start, "Before")]
    body_lines = _lines(text, body_start, body_end)
    for index, (start, end) in enumerate(body_lines):
        beside = []
        if index == 0 and review.body:
            beside.append(_card("body", "B", "body start", [("offset", str(body_start))]))
        following = body_lines[index + 1][0] if index + 1 < len(body_lines) else len(text) + 1
        beside += [cards[f"{span.kind}-{span.row_id}"] for span in spans
                   if start <= span.start < following or (index == 0 and span.start < start)]
        if index == len(body_lines) - 1 and review.body:
            beside.append(_card("body", "B", "body end", [("offset", str(body_end))]))
        rows_html.append(f'<div class="row"><div class="text">{_marked_line(text, start, end, spans)}</div>'
                         f'<div class="rows">{"".join(beside)}</div></div>')
    rows_html.append(_outside(text, body_end, len(text), "After"))
    heading = escape(title or review.source_id)
    legend = ('<p class="legend"><span class="st">statement</span><span class="ev">event</span>'
              '<span class="co">condition</span> Labels link to the rows; hover a marked stretch to see its labels.</p>')
    summary = (f"{counts['statement']} statement(s), {counts['event']} event(s), {counts['condition']} condition(s); "
               f"body {body_start}–{body_end} of {len(text)} characters" if review.body else
               f"{counts['statement']} statement(s), {counts['event']} event(s), {counts['condition']} condition(s); "
               "no body span (the whole text is shown)")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>Review: {escape(review.source_id)}</title><style>{_COMPACT_STYLE}</style></head><body>"
            f"<header><h1>{heading}</h1><p><code>{escape(review.source_id)}</code>"
            f"{' · ' + escape(subtitle) if subtitle else ''}</p><p>{escape(summary)}</p>{legend}</header>"
            f"<main>{''.join(rows_html)}</main></body></html>\n")
