"""Agreement between two codings as text (a table of alpha per field, then the disagreements) and as JSON."""

from __future__ import annotations

import json

from rucas.build.review.agreement import Agreement, FieldAgreement


def _alpha(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _table(results: list[FieldAgreement]) -> list[str]:
    width = max((len(r.field) for r in results), default=5)
    lines = [f"  {'field':<{width}}  {'level':<8}  {'alpha':>6}  {'units':>5}  {'differ':>6}"]
    lines += [f"  {r.field:<{width}}  {r.level:<8}  {_alpha(r.alpha):>6}  {r.units:>5}  {r.disagreeing:>6}"
              for r in results]
    return lines


def agreement_text(agreement: Agreement) -> str:
    """The report `rucas agreement` prints: corpus table, one table per article, then every disagreement."""
    lines = [f"Agreement of {agreement.first} (first) and {agreement.second} (second): "
             f"{len(agreement.articles)} article(s) coded by both."]
    for role, ids in ((agreement.first, agreement.only_first), (agreement.second, agreement.only_second)):
        if ids:
            lines.append(f"Coded by {role} only (not compared): {', '.join(ids)}")
    lines += ["", "All compared articles (alpha: Krippendorff's; '-' where undefined; units of a kind such as "
              "'events' are counted, their reliability is that of 'sentences'):"]
    lines += _table(agreement.corpus)
    for source_id, article in sorted(agreement.articles.items()):
        lines += ["", f"{source_id}:"] + _table(article.fields)
    disagreements = agreement.disagreements()
    lines += ["", f"Disagreements ({len(disagreements)}; key: first value | second value):"]
    lines += [f"  {d.key}: {d.first_value if d.first_value is not None else 'null'} | "
              f"{d.second_value if d.second_value is not None else 'null'}" for d in disagreements]
    return "\n".join(lines) + "\n"


def _field(result: FieldAgreement) -> dict[str, object]:
    return {"field": result.field, "level": result.level, "alpha": result.alpha, "units": result.units,
            "disagreements": result.disagreeing}


def agreement_json(agreement: Agreement) -> str:
    """The same report as JSON: corpus and article fields, and every disagreement with its key and values."""
    return json.dumps({
        "first": agreement.first, "second": agreement.second,
        "only_first": agreement.only_first, "only_second": agreement.only_second,
        "corpus": [_field(r) for r in agreement.corpus],
        "articles": {source_id: [_field(r) for r in article.fields]
                     for source_id, article in sorted(agreement.articles.items())},
        "disagreements": [{"key": d.key, "source_id": d.source_id, "field": d.field, "unit": d.unit,
                           "first": d.first_value, "second": d.second_value} for d in agreement.disagreements()],
    }, indent=2, ensure_ascii=False) + "\n"
