"""Check that each article's review status is supported by the stored records, and turn those records into rows.

    double-coded  needs codings/<coder>/<id>.yaml and codings/<second_coder>/<id>.yaml (both valid);
    adjudicated   needs them too, and adjudications/<id>.yaml naming the same roles, day and adjudicator,
                  whose first_sha256/second_sha256 are the two coding files' hashes, with exactly one decision
                  for every disagreement `rucas agreement` finds for the article and none for any other.

Log format (adjudications/<source_id>.yaml):

    first: coder-a                       # the annotation's coder
    second: coder-b                      # its second_coder
    first_sha256: <sha256 of codings/coder-a/<id>.yaml>
    second_sha256: <sha256 of codings/coder-b/<id>.yaml>
    adjudicator: adjudicator             # the annotation's adjudicator
    adjudicated_on: 2026-12-05           # the annotation's adjudicated_on
    decisions:
      - disagreement: <key printed by rucas agreement>
        decision: first | second | neither
        published: <the value the published annotation carries, as text; null where the unit is not coded>
        reason: <why>
        consulted: <a URL, or null>
    errata:                              # optional: changes to a coding file after it was adjudicated
      - file: first | second
        was_sha256: <its hash before>    # the first erratum's is first_sha256 (or second_sha256); each next one's
        now_sha256: <its hash after>     # the previous erratum's now_sha256; the last one's the file's hash now
        by: maintainer                   # a role label
        on: 2026-12-05
        original: <where the file as it was is kept, e.g. a commit of the repository>
        change: <what changed and why>

first_sha256 and second_sha256 stay the hashes of the files the decisions were made on. An erratum may change
only what `rucas agreement` does not compare (a note's citation, say): the disagreements are found again in the
files as they are now, and must still be exactly the decided ones.

Run by the pipeline after every file is validated (a later stage than validation, since it compares the
codings); an article that is single-coded or test data costs nothing here.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from rucas.build.read.file_list import FileList
from rucas.build.read.documents import DocList, DocMap, Where, line_of_item, parse_curated_yaml
from rucas.build.review.agreement import Agreement, Disagreement, compare_codings
from rucas.build.review.codings import coding_path, file_sha256, read_text_of
from rucas.build.read.layout import ADJUDICATIONS_FOLDER, CODINGS_FOLDER
from rucas.build.validate.across import ORIGIN, decode_origin
from rucas.build.read.errors import CurationError, display_path, locate_errors
from rucas.schema.codes import AdjudicationDecision, ReviewStatus

LOG_KEYS = ("first", "second", "first_sha256", "second_sha256", "adjudicator", "adjudicated_on", "decisions",
            "errata")
ERRATUM_KEYS = ("file", "was_sha256", "now_sha256", "by", "on", "original", "change")
DECISION_KEYS = ("disagreement", "decision", "published", "reason", "consulted")
REVIEWED = (ReviewStatus.double_coded.value, ReviewStatus.adjudicated.value)
"""The statuses that stored records must support."""


def adjudication_path(curated: Path, source_id: str) -> Path:
    """Where the adjudication log of article `source_id` is stored."""
    return curated / ADJUDICATIONS_FOLDER / f"{source_id}.yaml"


@dataclass(frozen=True)
class Claimed:
    """What an annotation's source: block says of its review, and where it says it."""

    source_id: str
    status: str
    coder: str
    second_coder: str | None
    adjudicator: str | None
    adjudicated_on: datetime.date | None
    path: str
    line: int | Where


@dataclass
class ReviewRecords:
    """The agreement of every double-coded or adjudicated article's two codings, the adjudication decisions, and
    what the records fail to support."""

    agreements: dict[tuple[str, str], Agreement] = field(default_factory=dict)
    decisions: list[dict[str, Any]] = field(default_factory=list)
    """Rows of the adjudications table."""
    errors: list[CurationError] = field(default_factory=list)


def claimed_reviews(sources: pa.Table, root: str) -> list[Claimed]:
    """The double-coded and adjudicated articles of a `sources` table (with ORIGIN), as their annotations claim."""
    status = sources.column("review_status")
    if pa.types.is_dictionary(status.type):
        status = status.cast(pa.string())
    chosen = sources.filter(pc.is_in(status, value_set=pa.array(REVIEWED)))
    claimed = []
    for row in chosen.to_pylist():
        path, line = decode_origin(row[ORIGIN], root, "review_status")
        claimed.append(Claimed(row["source_id"], str(row["review_status"]), row["coder"], row.get("second_coder"),
                               row.get("adjudicator"), row.get("adjudicated_on"), path, line))
    return claimed


def read_review_records(curated: Path, claimed: list[Claimed]) -> ReviewRecords:
    """Check the records behind every claimed review and collect their agreement and decisions."""
    records = ReviewRecords()
    by_pair: dict[tuple[str, str], list[Claimed]] = defaultdict(list)
    for claim in claimed:
        missing = [coding_path(curated, role, claim.source_id) for role in (claim.coder, claim.second_coder)
                   if role is not None and not coding_path(curated, role, claim.source_id).is_file()]
        for path in missing:
            records.errors.append(CurationError(claim.path, claim.line, f"article {claim.source_id!r} is {claim.status}, "
                                                f"but {display_path(path)} does not exist.",
                                                "store that coding there, or set review_status to what the stored "
                                                "codings support (single-coded)."))
        if not missing and claim.second_coder is not None:
            by_pair[(claim.coder, claim.second_coder)].append(claim)
    for (first, second), claims in sorted(by_pair.items()):
        agreement = compare_codings(curated, first, second, sorted(c.source_id for c in claims))
        records.errors += agreement.errors
        if agreement.errors:
            continue
        records.agreements[(first, second)] = agreement
        for claim in claims:
            if claim.status == ReviewStatus.adjudicated.value:
                records.decisions += _check_log(curated, claim, agreement, records.errors)
    records.errors = locate_errors(records.errors, read_text_of)
    return records


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (DocMap, DocList)):
        return None
    return value if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)


def _corrected(log: DocMap, shown: str, errors: list[CurationError]) -> dict[str, str | None]:
    """The hash each coding file has after the log's errata (first_sha256, second_sha256: only those an erratum
    changed), with errors for an erratum that is incomplete or does not follow on from the hash before it."""
    errata = log.get("errata")
    if errata is None:
        return {}
    if not isinstance(errata, DocList):
        errors.append(CurationError(shown, log.line_of("errata"), "errata must be a list.",
                                    "write one '- file: first | second' entry per change of a coding file."))
        return {}
    now: dict[str, str | None] = {}
    for index, entry in enumerate(errata):
        place = line_of_item(errata, index)
        if not isinstance(entry, DocMap):
            errors.append(CurationError(shown, place, "an erratum is a mapping.", f"write {', '.join(ERRATUM_KEYS)}."))
            continue
        wrong = [key for key in entry if key not in ERRATUM_KEYS]
        missing = [key for key in ERRATUM_KEYS if _text(entry.get(key)) in (None, "")]
        if wrong or missing:
            errors.append(CurationError(shown, place, f"an erratum has {', '.join(ERRATUM_KEYS)} and nothing else"
                                        + (f"; unknown: {', '.join(str(k)[:40] for k in wrong)}" if wrong else "")
                                        + (f"; missing: {', '.join(missing)}" if missing else "") + ".",
                                        "complete it (dataset/curated/README.md, adjudication logs)."))
            continue
        which = _text(entry.get("file"))
        if which not in ("first", "second"):
            errors.append(CurationError(shown, place, f"an erratum's file is first or second, not {which[:40]!r}.",
                                        "name the coding it changed by its place in the log."))
            continue
        key = f"{which}_sha256"
        before = now.get(key, _text(log.get(key)))
        if _text(entry.get("was_sha256")) != before:
            errors.append(CurationError(shown, place, f"the erratum's was_sha256 is not {before}, the {which} coding's "
                                        "hash before it (the log's, or the previous erratum's now_sha256).",
                                        "errata follow on from one another, oldest first."))
        now[key] = _text(entry.get("now_sha256"))
    return now


def _check_log(curated: Path, claim: Claimed, agreement: Agreement, errors: list[CurationError]) -> list[dict[str, Any]]:
    """Errors for a log that does not support the adjudicated claim; its decisions as rows of adjudications."""
    path = adjudication_path(curated, claim.source_id)
    shown = display_path(path)
    if not path.is_file():
        errors.append(CurationError(claim.path, claim.line, f"article {claim.source_id!r} is adjudicated, but "
                                    f"{shown} does not exist.", "store the adjudication log there (format: "
                                    "dataset/curated/README.md), or set review_status: double-coded."))
        return []
    log = parse_curated_yaml(path.read_bytes(), shown, errors)
    if not isinstance(log, DocMap):
        if log is not None:
            errors.append(CurationError(shown, 1, "an adjudication log is a mapping.",
                                        f"write {', '.join(LOG_KEYS)} (see dataset/curated/README.md)."))
        return []
    for key in log:
        if key not in LOG_KEYS:
            errors.append(CurationError(shown, log.line_of(key), f"unknown key {key[:60]!r}.",
                                        f"an adjudication log has only {', '.join(LOG_KEYS)}."))
    expected = {"first": claim.coder, "second": claim.second_coder, "adjudicator": claim.adjudicator,
                "adjudicated_on": claim.adjudicated_on.isoformat() if claim.adjudicated_on else None,
                "first_sha256": file_sha256(coding_path(curated, claim.coder, claim.source_id)),
                "second_sha256": file_sha256(coding_path(curated, claim.second_coder or "", claim.source_id))}
    now = _corrected(log, shown, errors)
    for key, wanted in expected.items():
        written = now.get(key, _text(log.get(key)))
        if written == wanted:
            continue
        if key.endswith("sha256") and key in now:
            errors.append(CurationError(shown, log.line_of("errata"), f"the last erratum of the {key[:-7]} coding "
                                        f"gives its hash as {written}, but codings/{expected[key[:-7]]}/"
                                        f"{claim.source_id}.yaml is {wanted}: it changed after the erratum.",
                                        f"record that change as a further erratum (now_sha256: {wanted})."))
        elif key.endswith("sha256"):
            role = claim.coder if key == "first_sha256" else claim.second_coder
            errors.append(CurationError(shown, log.line_of(key), f"{key} is not the hash of codings/{role}/"
                                        f"{claim.source_id}.yaml: the coding changed after it was adjudicated, or the "
                                        "log names another file.", f"compare the codings again (rucas agreement) and "
                                        f"adjudicate what changed, then write {key}: {wanted}."))
        else:
            errors.append(CurationError(shown, log.line_of(key), f"{key} is {written!r}, but the annotation says "
                                        f"{wanted!r}.", f"make the log and annotations/{claim.source_id}.yaml agree."))
    found = {d.key: d for d in agreement.articles[claim.source_id].disagreements}
    decisions = log.get("decisions")
    if decisions is None:
        decisions = DocList()
    if not isinstance(decisions, DocList):
        errors.append(CurationError(shown, log.line_of("decisions"), "decisions must be a list.",
                                    "write one '- disagreement: <key>' entry per disagreement."))
        return []
    rows, decided = [], {}
    for index, entry in enumerate(decisions):
        place = line_of_item(decisions, index)
        row = _decision_row(entry, place, shown, found, decided, claim, errors)
        if row is not None:
            rows.append(row)
    for key in sorted(found.keys() - decided.keys()):
        errors.append(CurationError(shown, log.line_of("decisions"), f"disagreement {key} has no decision.",
                                    "add '- disagreement: <that key>' with decision, published, reason and consulted."))
    return rows


def _decision_row(entry: Any, place: Where, shown: str, found: dict[str, Disagreement], decided: dict[str, Where],
                  claim: Claimed, errors: list[CurationError]) -> dict[str, Any] | None:
    """One decision checked, as a row of adjudications; None after an error."""
    if not isinstance(entry, DocMap):
        errors.append(CurationError(shown, place, "a decision is a mapping.", f"write {', '.join(DECISION_KEYS)}."))
        return None
    problems = len(errors)
    for key in entry:
        if key not in DECISION_KEYS:
            errors.append(CurationError(shown, entry.line_of(key), f"unknown key {key[:60]!r} in a decision.",
                                        f"a decision has only {', '.join(DECISION_KEYS)}."))
    key = _text(entry.get("disagreement"))
    disagreement = found.get(key or "")
    if disagreement is None:
        errors.append(CurationError(shown, entry.line_of("disagreement"), f"no disagreement {str(key)[:120]!r} between "
                                    f"the codings of {claim.source_id!r}.", "copy the key from `rucas agreement`, or "
                                    "remove this decision."))
    elif key in decided:
        errors.append(CurationError(shown, entry.line_of("disagreement"), f"disagreement {key} is decided twice.",
                                    "keep one decision for it."))
    decision = _text(entry.get("decision"))
    if decision not in AdjudicationDecision.values():
        errors.append(CurationError(shown, entry.line_of("decision"), f"decision {str(decision)[:60]!r} is not one of "
                                    f"{', '.join(AdjudicationDecision.values())}.", "write which coding the published "
                                    "annotation follows: first, second or neither."))
    reason = _text(entry.get("reason"))
    if not reason or not reason.strip():
        errors.append(CurationError(shown, entry.line_of("reason"), "a decision needs its reason.",
                                    "write reason: why the published value is right."))
    consulted = _text(entry.get("consulted"))
    if consulted is not None and not consulted.startswith(("https://", "http://")):
        errors.append(CurationError(shown, entry.line_of("consulted"), "consulted must be a URL (https://...) or null.",
                                    "give the address of the public source consulted, or null."))
    published = _text(entry.get("published"))
    if disagreement is not None and decision in ("first", "second"):
        chosen = disagreement.first_value if decision == "first" else disagreement.second_value
        if published != chosen:
            errors.append(CurationError(shown, entry.line_of("published"), f"decision {decision}, but published "
                                        f"({published!r}) is not the {decision} coding's value ({chosen!r}).",
                                        "write the value the published annotation carries, and the decision that "
                                        "says which coding it follows (neither if it follows none)."))
    if len(errors) > problems or disagreement is None or key is None:
        return None
    decided[key] = place
    return {"key": key, "source_id": claim.source_id, "field": disagreement.field, "unit": disagreement.unit,
            "first_value": disagreement.first_value, "second_value": disagreement.second_value,
            "decision": decision, "published_value": published, "reason": reason, "consulted": consulted,
            "adjudicator": claim.adjudicator, "adjudicated_on": claim.adjudicated_on}


def agreement_rows(records: ReviewRecords) -> list[dict[str, Any]]:
    """Rows of coding_agreement: each compared article and field, and each field over the articles of a pair."""
    rows = []
    for (first, second), agreement in sorted(records.agreements.items()):
        for source_id, article in sorted(agreement.articles.items()):
            for result in article.fields:
                rows.append({"key": f"{source_id}/{result.field}", "scope": "article", "source_id": source_id,
                             "field": result.field, "level": result.level, "alpha": result.alpha,
                             "units": result.units, "disagreements": result.disagreeing,
                             "first_coder": first, "second_coder": second})
        for result in agreement.corpus:
            rows.append({"key": f"corpus/{result.field}/{first}~{second}", "scope": "corpus", "source_id": None,
                         "field": result.field, "level": result.level, "alpha": result.alpha, "units": result.units,
                         "disagreements": result.disagreeing, "first_coder": first, "second_coder": second})
    return rows


def review_inputs(curated: Path) -> FileList:
    """The manifest's record (path, SHA-256, size) of every coding and adjudication log: inputs of the build, so that
    a change to one changes the dataset version (and makes the next build cold)."""
    found = []
    for folder in (curated / CODINGS_FOLDER, curated / ADJUDICATIONS_FOLDER):
        if not folder.is_dir():
            continue
        found += sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    return FileList.from_columns([path.relative_to(curated).as_posix() for path in found],
                                 [file_sha256(path) for path in found], [path.stat().st_size for path in found])


class ReviewCheck:
    """The check run after validation (`validate_corpus(after=...)`): it keeps the records it read for the build."""

    def __init__(self, curated: Path):
        self.curated = curated
        self.records = ReviewRecords()

    def __call__(self, sources: pa.Table, root: str) -> list[CurationError]:
        """Check the records behind the reviews that `sources` (the check columns of every sources row) claim."""
        claimed = claimed_reviews(sources, root)
        self.records = read_review_records(self.curated, claimed) if claimed else ReviewRecords()
        return self.records.errors
