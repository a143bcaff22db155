"""Match the units of two codings of one article: statements, events and conditions by evidence-span overlap,
claims through their matched statement and event.

Two units match when their evidence spans overlap; each unit matches at most one, the pairs overlapping most
(by the share of their joint span they have in common) first, so a quotation that one coder began a few words
earlier or ended a few words later still matches. A unit left without a partner was found by one coder
only: a unitising disagreement.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

UNIT_KINDS = ("statements", "events", "conditions", "claims")
"""The kinds of unit matched, in the order they are reported."""

ID_COLUMN = {"statements": "statement_id", "events": "event_id", "conditions": "condition_id"}
"""The column holding the id of each kind of unit found by its evidence."""


@dataclass(frozen=True)
class Pair:
    """A unit of the first coding and its partner in the second; either is None for a unit one coder missed."""

    first: dict[str, Any] | None
    second: dict[str, Any] | None
    first_id: str | None
    second_id: str | None


def claim_id(claim: dict[str, Any]) -> str:
    """A claim's id in disagreement keys: its statement and event, joined by '+'."""
    return f"{claim['statement_id']}+{claim['event_id']}"


def overlap_share(a: tuple[int, int], b: tuple[int, int]) -> float:
    """The length two half-open spans share over the length of their joint extent (0 when disjoint)."""
    shared = min(a[1], b[1]) - max(a[0], b[0])
    if shared <= 0:
        return 0.0
    return shared / (max(a[1], b[1]) - min(a[0], b[0]))


def _span(row: dict[str, Any]) -> tuple[int, int]:
    return row["evidence_start"], row["evidence_end"]


def match_by_span(first: list[dict[str, Any]], second: list[dict[str, Any]], id_column: str) -> list[Pair]:
    """Pair the rows of two codings whose evidence overlaps, most-overlapping first; the rest stand alone.

    The result is ordered by position in the text (then id), whatever order the rows came in."""
    candidates = sorted(((-overlap_share(_span(a), _span(b)), _span(a), _span(b), a[id_column], b[id_column], i, j)
                         for i, a in enumerate(first) for j, b in enumerate(second)
                         if overlap_share(_span(a), _span(b)) > 0))
    used_first: set[int] = set()
    used_second: set[int] = set()
    pairs = []
    for *_, i, j in candidates:
        if i in used_first or j in used_second:
            continue
        used_first.add(i)
        used_second.add(j)
        pairs.append(Pair(first[i], second[j], first[i][id_column], second[j][id_column]))
    pairs += [Pair(row, None, row[id_column], None) for i, row in enumerate(first) if i not in used_first]
    pairs += [Pair(None, row, None, row[id_column]) for j, row in enumerate(second) if j not in used_second]
    return sorted(pairs, key=_position)


def _position(pair: Pair) -> tuple[int, int, str, str]:
    row = pair.first if pair.first is not None else pair.second
    return (row["evidence_start"], row["evidence_end"], pair.first_id or "", pair.second_id or "")


def match_claims(first: list[dict[str, Any]], second: list[dict[str, Any]], statements: Iterable[Pair],
                 events: Iterable[Pair]) -> list[Pair]:
    """Pair claims whose statements are matched and whose events are matched; the rest stand alone."""
    statement_of = {p.first_id: p.second_id for p in statements if p.first_id and p.second_id}
    event_of = {p.first_id: p.second_id for p in events if p.first_id and p.second_id}
    by_ids = {(c["statement_id"], c["event_id"]): c for c in second}
    pairs, used = [], set()
    for claim in first:
        partner_ids = (statement_of.get(claim["statement_id"]), event_of.get(claim["event_id"]))
        partner = by_ids.get(partner_ids) if None not in partner_ids else None
        if partner is not None and partner_ids not in used:
            used.add(partner_ids)
            pairs.append(Pair(claim, partner, claim_id(claim), claim_id(partner)))
        else:
            pairs.append(Pair(claim, None, claim_id(claim), None))
    pairs += [Pair(None, c, None, claim_id(c)) for ids, c in by_ids.items() if ids not in used]
    return sorted(pairs, key=lambda p: (p.first_id or "", p.second_id or ""))


def match_units(first: dict[str, list[dict[str, Any]]], second: dict[str, list[dict[str, Any]]]) -> dict[str, list[Pair]]:
    """Every kind of unit of two codings of one article (their rows by table) matched: kind -> pairs."""
    statements = match_by_span(first.get("statements", []), second.get("statements", []), "statement_id")
    events = match_by_span(first.get("events", []), second.get("events", []), "event_id")
    conditions = match_by_span(first.get("event_conditions", []), second.get("event_conditions", []), "condition_id")
    claims = match_claims(first.get("claims", []), second.get("claims", []), statements, events)
    return {"statements": statements, "events": events, "conditions": conditions, "claims": claims}
