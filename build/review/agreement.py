"""Compare two codings of the same articles field by field: Krippendorff's alpha and every disagreement, by stable key.

For each article coded by both roles, the units are matched (rucas.build.review.matching) and compared:

* unitising: which sentences of the body each coder coded at all (any statement or event evidence overlapping
  the sentence), nominal alpha over the sentences (field `sentences`); and each kind of unit found by one
  coder only (fields `statements`, `events`, `conditions`, `claims`: counted and listed, no alpha of their own);
* coding: every field of every matched unit (`events.event_type`, `statements.about`, ...), nominal or, for the
  date bounds, interval in days. A missing value is a value (`null`) for nominal fields; an open date bound is
  not placed on the interval scale, so an open bound against a known one is listed as a disagreement and the
  difference shows in the field `*.date_precision`.

Each disagreement has a key that depends only on the article, the field and the ids of the units, never on
the order of rows: `<source_id>/<field>/<first unit id>~<second unit id>`, with `-` for the side without the
unit (a claim's id is `<statement_id>+<event_id>`). Alpha is given per article and field, and per field over
every compared article together.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rucas.build.review.alpha import Level, krippendorff_alpha
from rucas.build.review.codings import CodedArticle, Coding, coded_source_ids, read_coding
from rucas.build.review.matching import UNIT_KINDS, Pair, match_units
from rucas.build.read.errors import CurationError

NULL = "null"
"""How a missing value is written in disagreements and compared in nominal fields."""

SENTENCES = "sentences"
"""The unitising field: whether each sentence of the body was coded at all."""


@dataclass(frozen=True)
class Disagreement:
    """Two codings differ on one field of one unit (or one coder has a unit the other lacks)."""

    source_id: str
    field: str
    first_unit: str | None
    second_unit: str | None
    first_value: str | None
    second_value: str | None

    @property
    def unit(self) -> str:
        """The unit as `<first id>~<second id>`, '-' for a side without it."""
        return f"{self.first_unit or '-'}~{self.second_unit or '-'}"

    @property
    def key(self) -> str:
        """The stable key: `<source_id>/<field>/<first id>~<second id>`."""
        return f"{self.source_id}/{self.field}/{self.unit}"


@dataclass
class FieldAgreement:
    """Agreement on one field over some units: alpha, how many units, and the disagreements."""

    field: str
    level: Level
    data: list[tuple[Any, Any]]
    """The reliability data: each unit's value from the first and the second coding (None: not pairable)."""
    disagreements: list[Disagreement] = field(default_factory=list)
    disagreement_count: int | None = None
    """Units on which the codings differ, where they are not listed one by one (sentences)."""
    alpha_defined: bool = True
    """False for a kind of unit: its units are counted and listed, their reliability is that of sentences."""

    @property
    def alpha(self) -> float | None:
        """Krippendorff's alpha of the data; None when undefined."""
        return krippendorff_alpha(self.data, self.level) if self.alpha_defined else None

    @property
    def units(self) -> int:
        """Units pairable in both codings (for a kind of unit: units found by either coder)."""
        if not self.alpha_defined:
            return len(self.data)
        return sum(1 for a, b in self.data if a is not None and b is not None)

    @property
    def disagreeing(self) -> int:
        """How many units the codings differ on."""
        return len(self.disagreements) if self.disagreement_count is None else self.disagreement_count


@dataclass
class ArticleAgreement:
    """Agreement of two codings of one article, field by field."""

    source_id: str
    fields: list[FieldAgreement]

    @property
    def disagreements(self) -> list[Disagreement]:
        """Every listed disagreement, by key."""
        return sorted((d for f in self.fields for d in f.disagreements), key=lambda d: d.key)


@dataclass
class Agreement:
    """Agreement of two roles' codings: per article, per field over all compared articles, and what was not compared."""

    first: str
    second: str
    articles: dict[str, ArticleAgreement] = field(default_factory=dict)
    errors: list[CurationError] = field(default_factory=list)
    only_first: list[str] = field(default_factory=list)
    only_second: list[str] = field(default_factory=list)

    @property
    def corpus(self) -> list[FieldAgreement]:
        """Each field over every compared article: their units pooled."""
        pooled: dict[str, FieldAgreement] = {}
        for article in self.articles.values():
            for result in article.fields:
                total = pooled.setdefault(result.field, FieldAgreement(result.field, result.level, [],
                                                                       disagreement_count=0,
                                                                       alpha_defined=result.alpha_defined))
                total.data += result.data
                total.disagreement_count = (total.disagreement_count or 0) + result.disagreeing
        return list(pooled.values())

    def disagreements(self) -> list[Disagreement]:
        """Every listed disagreement of every article, by key."""
        return [d for source_id in sorted(self.articles) for d in self.articles[source_id].disagreements]


# --- what is compared ----------------------------------------------------------------------------------------

Value = Callable[[dict[str, Any], dict[str, list[dict[str, Any]]]], Any]
"""Reads a field of a unit (its row, and the article's rows by table for its actors)."""


def _column(name: str) -> Value:
    return lambda row, tables: row.get(name)


def _actors(table: str, key: str, column: str, wanted: str) -> Value:
    def read(row: dict[str, Any], tables: dict[str, list[dict[str, Any]]]) -> tuple[str, ...]:
        return tuple(sorted({r["actor_id"] for r in tables.get(table, []) if r[key] == row[key] and r[column] == wanted}))
    return read


_DATES = (("date_earliest", "interval", _column("date_earliest")), ("date_latest", "interval", _column("date_latest")),
          ("date_precision", "nominal", _column("date_precision")))

FIELDS: dict[str, tuple[tuple[str, Level, Value], ...]] = {
    "events": (("event_type", "nominal", _column("event_type")), ("event_mode", "nominal", _column("event_mode")),
               ("event_context", "nominal", _column("event_context")), ("cameo_code", "nominal", _column("cameo_code")),
               ("modality", "nominal", _column("modality")),
               ("initiators", "nominal", _actors("event_actors", "event_id", "role", "initiator")),
               ("targets", "nominal", _actors("event_actors", "event_id", "role", "target")),
               *_DATES,
               ("location_name", "nominal", _column("location_name")),
               ("location_country_iso3", "nominal", _column("location_country_iso3"))),
    "statements": (("speaker_id", "nominal", _column("speaker_id")), ("speaker_title", "nominal", _column("speaker_title")),
                   ("quote_kind", "nominal", _column("quote_kind")),
                   ("reported_via_id", "nominal", _column("reported_via_id")),
                   ("about", "nominal", _actors("statement_actors", "statement_id", "relation", "about")),
                   *_DATES),
    "conditions": (("condition_type", "nominal", _column("condition_type")),),
    "claims": (("relation", "nominal", _column("relation")),),
}
"""The fields compared on matched units of each kind: name, level, and how to read the value."""


def field_names() -> list[str]:
    """Every field agreement is reported for, in report order."""
    return [SENTENCES] + [name for kind in UNIT_KINDS for name in
                          [kind] + [f"{kind}.{column}" for column, _, _ in FIELDS[kind]]]


def as_text(value: Any) -> str | None:
    """A value as disagreements and adjudication logs write it: sets as `a, b`, dates ISO, missing as None."""
    if value is None:
        return None
    if isinstance(value, tuple):
        return ", ".join(value) if value else None
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _compared(value: Any, level: Level) -> Any:
    """A value as alpha compares it: nominal as text (missing as `null`), interval dates as day numbers."""
    if level == "interval":
        return value.toordinal() if value is not None else None
    text = as_text(value)
    return NULL if text is None else text


SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+[\"'”’»)]*)?")
"""A sentence: text up to a full stop, question or exclamation mark (and closing quotes), or a line's end."""


def sentence_spans(text: str, body: tuple[int, int]) -> list[tuple[int, int]]:
    """The spans of the sentences of the body (whitespace-only pieces left out)."""
    spans = []
    for match in SENTENCE.finditer(text, body[0], body[1]):
        piece = match.group()
        if piece.strip():
            start = match.start() + len(piece) - len(piece.lstrip())
            spans.append((start, match.end() - (len(piece) - len(piece.rstrip()))))
    return spans


def _coded(spans: list[tuple[int, int]], tables: dict[str, list[dict[str, Any]]]) -> list[int]:
    evidence = [(r["evidence_start"], r["evidence_end"]) for t in ("statements", "events") for r in tables.get(t, [])]
    return [int(any(s < end and start < e for s, e in evidence)) for start, end in spans]


def _unitising(source_id: str, kind: str, pairs: list[Pair]) -> FieldAgreement:
    result = FieldAgreement(kind, "nominal", [(int(p.first is not None), int(p.second is not None)) for p in pairs],
                            alpha_defined=False)
    result.disagreements = [Disagreement(source_id, kind, p.first_id, p.second_id,
                                         p.first_id, p.second_id) for p in pairs if p.first is None or p.second is None]
    return result


def _field(source_id: str, kind: str, column: str, level: Level, read: Value, pairs: list[Pair],
           first: dict[str, list[dict[str, Any]]], second: dict[str, list[dict[str, Any]]]) -> FieldAgreement:
    name = f"{kind}.{column}"
    result = FieldAgreement(name, level, [])
    for pair in pairs:
        if pair.first is None or pair.second is None:
            continue
        a, b = read(pair.first, first), read(pair.second, second)
        result.data.append((_compared(a, level), _compared(b, level)))
        if as_text(a) != as_text(b):
            result.disagreements.append(Disagreement(source_id, name, pair.first_id, pair.second_id, as_text(a),
                                                     as_text(b)))
    return result


def compare_articles(first: CodedArticle, second: CodedArticle) -> ArticleAgreement:
    """Two codings of one article compared: sentences coded, units found, and every field of matched units."""
    source_id = first.source_id
    spans = sentence_spans(first.text, first.body)
    sentences = FieldAgreement(SENTENCES, "nominal", list(zip(_coded(spans, first.tables), _coded(spans, second.tables))))
    sentences.disagreement_count = sum(1 for a, b in sentences.data if a != b)
    results = [sentences]
    matched = match_units(first.tables, second.tables)
    for kind in UNIT_KINDS:
        results.append(_unitising(source_id, kind, matched[kind]))
        for column, level, read in FIELDS[kind]:
            results.append(_field(source_id, kind, column, level, read, matched[kind], first.tables, second.tables))
    return ArticleAgreement(source_id, results)


def compare_codings(curated: Path, first: str, second: str, source_ids: list[str] | None = None) -> Agreement:
    """Validate the codings of roles `first` and `second` and compare every article both coded (or `source_ids`).

    Invalid codings are reported in `Agreement.errors` (file:line and fix) and nothing is compared."""
    agreement = Agreement(first, second)
    if source_ids is None:
        first_ids, second_ids = coded_source_ids(curated, first), coded_source_ids(curated, second)
        agreement.only_first = sorted(set(first_ids) - set(second_ids))
        agreement.only_second = sorted(set(second_ids) - set(first_ids))
        source_ids = sorted(set(first_ids) & set(second_ids))
    codings: list[Coding] = [read_coding(curated, role, source_ids) for role in (first, second)]
    agreement.errors = [error for coding in codings for error in coding.errors]
    if agreement.errors:
        return agreement
    for source_id in source_ids:
        agreement.articles[source_id] = compare_articles(codings[0].articles[source_id], codings[1].articles[source_id])
    return agreement
