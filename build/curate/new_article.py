"""`rucas new`: add an article to the curated folder with a starting annotation of marked guesses.

The text is copied byte for byte. The annotation holds what can be read off the text without
inventing anything: the body span and headline, the publication date when a dateline states
it, candidate statements (their evidence cut from the text itself, so it is verbatim) with the
speaker when a known actor is named beside the reporting word, the actors found through the
aliases of reference/actors.yaml, and capitalised names that match no actor. Each guess is
marked `suggested: true`, or sits in the `suggestions:` block, and validation refuses it until
a curator accepts or deletes it (rucas.build.validate.suggestions).
"""

from __future__ import annotations

import os
import re
import stat
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml
from rucas.build.curate.actor_mentions import (
    KnownActor,
    Mention,
    find_actor_mentions,
    find_unknown_names,
)
from rucas.build.curate.article_text import lines_of, sentences_of
from rucas.build.curate.body_guess import BodyGuess, guess_body
from rucas.build.curate.dateline import StatedDate, dateline_date
from rucas.build.curate.statement_candidates import (
    CandidateStatement,
    find_candidate_statements,
    find_quotations,
)
from rucas.build.read.layout import ANNOTATION_TABLES
from rucas.build.validate.suggestions import SUGGESTED_KEY, SUGGESTIONS_BLOCK
from rucas.build.curate.yaml_text import flow, flow_list, scalar
from rucas.build.curate.source_ids import source_id_problem
from rucas.build.read.corpus import MAX_FILE_BYTES
from rucas.schema.tables import ROW_HISTORY_COLUMNS
from rucas.schema import table_spec

ENGLISH_WORDS = {"the", "and", "of", "to", "in", "is", "that", "for", "on", "with", "said", "was", "has", "have"}
"""Common English words: an article where they are frequent is suggested as language `en`."""

CANDIDATE_MIN_WORDS = 6
"""New-actor candidates are looked for only in lines this long (not in captions, bylines or sub-headings)."""


class NewArticleError(ValueError):
    """The article cannot be added as asked; the message says why and what to do."""


@dataclass
class NewArticle:
    """What `rucas new` wrote and found."""

    source_id: str
    article_path: Path
    annotation_path: Path
    body: BodyGuess | None
    date: StatedDate | None
    statements: list[CandidateStatement]
    mentions: list[Mention]
    unknown_names: list[Mention]

KEY_OF_TABLE = {table: key for key, table in ANNOTATION_TABLES.items()}
"""The annotation's top-level key for each table it feeds (rucas.build.read.layout): `rucas new` writes the
source and statement keys with guesses and every other key as an empty list."""
SOURCE_KEY, STATEMENTS_KEY = KEY_OF_TABLE["sources"], KEY_OF_TABLE["statements"]


def source_id_from_filename(path: Path) -> str:
    """A source id from a file name: lower case, every run of other characters a single hyphen."""
    return re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")


def read_known_actors(curated_dir: Path) -> list[KnownActor]:
    """The actors of <curated>/reference/actors.yaml with their names and aliases."""
    path = curated_dir / "reference" / "actors.yaml"
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise NewArticleError(f"{path}: cannot be read ({exc}). Fix: run `rucas validate` and correct it.") from exc
    actors = []
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("actor_id"), str):
            aliases = entry.get("aliases") or []
            actors.append(KnownActor(entry["actor_id"], str(entry.get("name") or ""), str(entry.get("actor_type") or ""),
                                     tuple(a for a in aliases if isinstance(a, str)) if isinstance(aliases, list) else ()))
    return actors


def _occurs_once(text: str, words: str) -> bool:
    first = text.find(words)
    return first != -1 and text.find(words, first + 1) == -1


def _unique_words(text: str, start: int, end: int, forward: bool, min_words: int) -> str:
    """The fewest whole words (at least `min_words`) from `start` forward, or back from `end`, that occur once in the text.

    A piece that occurs once stays unique when it grows, so the shortest is found by bisection: a few
    searches of the text, not one per word (a long repetitive article made that quadratic)."""
    stretch = text[start:end]
    words = list(re.finditer(r"\S+", stretch))
    cuts = [m.end() for m in words] if forward else [m.start() for m in reversed(words)]

    def piece(count: int) -> str:
        return stretch[:cuts[count - 1]] if forward else stretch[cuts[count - 1]:]

    low, high = min(min_words, len(cuts)), len(cuts)
    if not cuts or not _occurs_once(text, piece(high)):
        return stretch
    while low < high:
        middle = (low + high) // 2
        if _occurs_once(text, piece(middle)):
            high = middle
        else:
            low = middle + 1
    return piece(low)


class _Occurrences:
    """`occurrence: N` of quoted words: their places in the text, searched once for each distinct quotation."""

    def __init__(self, text: str):
        self.text, self.found = text, {}

    def of(self, words: str, start: int) -> int | None:
        """N for the words at `start` when they occur more than once, else None."""
        if words not in self.found:
            places, at = [], self.text.find(words)
            while at != -1:
                places.append(at)
                at = self.text.find(words, at + 1)
            self.found[words] = {place: number for number, place in enumerate(places, start=1)}
        places = self.found[words]
        return places[start] if len(places) > 1 else None


def _statement_id(candidate: CandidateStatement, taken: set[str], numbers: dict[str, int]) -> str:
    """A readable id from the speaker and the first words of the quotation, unique among `taken`; `numbers`
    holds the last number given to each base, so that many equal sentences are numbered in one pass."""
    text = candidate.sentence.text
    quoted = next((text[a + 1:b - 1] for a, b in find_quotations(text) if text[a] != "«" and b - a > 2), None)
    words = quoted or text
    slug_words = [w for w in re.findall(r"[a-z0-9]+", words.lower()) if w not in {"the", "a", "an", "of", "to"}][:6]
    base = "-".join([candidate.speaker_id or "statement", *slug_words])
    identifier, number = base, numbers.get(base, 1)
    if number > 1:
        identifier = f"{base}-{number}"
    while identifier in taken:
        identifier, number = f"{base}-{number + 1}", number + 1
    taken.add(identifier)
    numbers[base] = number
    return identifier


def _guess_language(text: str) -> str | None:
    words = re.findall(r"[a-z]+", text.lower())
    return "en" if words and sum(w in ENGLISH_WORDS for w in words) >= 0.05 * len(words) else None


def _body_spec(text: str, body: BodyGuess) -> dict[str, str]:
    """starts_with and ends_with for the guessed body: its first and last words, as many as make them unique."""
    first_end = body.headline.end if body.headline else body.end
    return {"starts_with": _unique_words(text, body.start, first_end, forward=True, min_words=15),
            "ends_with": _unique_words(text, body.last_line.start, body.end, forward=False, min_words=5)}


def _source_lines(title: str | None, language: str | None, date: StatedDate | None,
                  body: dict[str, str] | None) -> list[str]:
    """The source: block; its keys come from the schema's sources table, less the columns the build derives."""
    derived = {"source_id", "text", "text_sha256", "body_start", "body_end", *ROW_HISTORY_COLUMNS}
    if date:
        date_value = flow({"earliest": date.day, "latest": date.day, "precision": "day", "basis": "stated",
                           "note": f"Dateline '{date.line.text if len(date.line.text) <= 60 else date.words}'."})
    else:
        date_value = (flow({"earliest": None, "latest": None, "precision": "unknown", "basis": "inferred", "note": None})
                      + "  # no dateline: give the tightest interval the text justifies, with a note")
    known: dict[str, str] = {
        "title": scalar(title) + ("" if title else "  # required: the headline as published"),
        "publisher": "null  # required: the outlet, as named",
        "language": scalar(language) + "  # ISO 639-1" + ("" if language else "; required"),
        "date": date_value,
        "url": "null  # only an address you know; never a reconstructed one",
        "rights": "null  # required: who holds the rights to the text",
        "coder": "null  # required: your role in codebook.yaml coder_roles (e.g. coder-a), never a name",
        "review_status": "single-coded  # double-coded, then adjudicated, once codings/ and adjudications/ hold them",
    }
    known["body"] = flow(body) if body else "null  # required: {starts_with: \"first words\", ends_with: \"last words\"}"
    order = ["title", "publisher", "publisher_actor_id", "author", "language", "date", "url", "rights", "body", "note"]
    columns = {("date" if c.name == "date_earliest" else c.name): c for c in table_spec("sources").columns
               if c.name not in derived and not (c.name.startswith("date_") and c.name != "date_earliest")}
    lines = [f"{SOURCE_KEY}:", f"  {SUGGESTED_KEY}: true  # title, language, date and body are guesses: check them"]
    for key in [k for k in order if k in columns or k == "body"] + [k for k in columns if k not in order]:
        column = columns.get(key)
        value = known.get(key) or ("pending" if column is not None and "pending" in column.enum_values else "null")
        lines.append(f"  {key}: {value}")
    return lines


def _statement_lines(text: str, candidates: list[CandidateStatement], date: StatedDate | None) -> list[str]:
    if not candidates:
        return [f"{STATEMENTS_KEY}: []"]
    if date:
        said = flow({"earliest": None, "latest": date.day, "precision": "range", "basis": "inferred",
                     "note": f"Not after the article's dateline ({date.day.isoformat()}); the day it was said "
                             "is not coded yet."})
    else:
        said = flow({"earliest": None, "latest": None, "precision": "unknown", "basis": "inferred", "note": None})
    lines, taken, numbers, occurrences = [f"{STATEMENTS_KEY}:"], set(), {}, _Occurrences(text)
    for candidate in candidates:
        sentence = candidate.sentence
        lines += [f"  - statement_id: {_statement_id(candidate, taken, numbers)}",
                  f"    {SUGGESTED_KEY}: true  # speaker: {candidate.speaker_reason}",
                  f"    speaker_id: {scalar(candidate.speaker_id)}",
                  "    speaker_title: null",
                  f"    reported_via_id: {scalar(candidate.reported_via_id)}",
                  f"    quote_kind: {candidate.quote_kind}",
                  f"    date: {said}",
                  f"    evidence: {scalar(sentence.text)}"]
        if (occurrence := occurrences.of(sentence.text, sentence.start)) is not None:
            lines.append(f"    occurrence: {occurrence}")
        lines += [f"    about: {flow_list(candidate.about)}", "    addressees: []", "    note: null", ""]
    return lines


def _suggestion_lines(text: str, mentions: list[Mention], unknown: list[Mention]) -> list[str]:
    newlines = [m.start() for m in re.finditer("\n", text)]

    def line_number(offset: int) -> int:
        return bisect_left(newlines, offset) + 1

    lines = [f"{SUGGESTIONS_BLOCK}:  # found by rucas new; use what helps, then delete this block",
             "  actors_mentioned:" + ("" if mentions else " []")]
    by_actor: dict[str, list[Mention]] = {}
    for mention in mentions:
        by_actor.setdefault(mention.actor_id, []).append(mention)
    for actor_id, found in by_actor.items():
        lines.append(f"    - actor_id: {actor_id}")
        lines.append("      mentions:")
        lines += [f"        - {flow({'text': m.text, 'start': m.start, 'end': m.end, 'line': line_number(m.start)})}"
                  for m in found]
    lines.append("  new_actor_candidates:" + ("" if unknown else " []"))
    counts = Counter(m.text for m in unknown)
    seen: set[str] = set()
    for mention in unknown:
        if mention.text in seen:
            continue
        seen.add(mention.text)
        lines.append(f"    - {flow({'name': mention.text, 'start': mention.start, 'end': mention.end, 'line': line_number(mention.start), 'times': counts[mention.text]})}")
    return lines


def starting_annotation(text: str, actors: list[KnownActor]) -> tuple[str, NewArticle]:
    """The starting annotation of an article (YAML text) and what was found, without writing anything."""
    body = guess_body(text)
    lines = lines_of(text)
    start, end = (body.start, body.end) if body else (0, len(text))
    body_lines = [line for line in lines if start <= line.start and line.end <= end]
    headline_index = next((i for i, line in enumerate(lines) if body and body.headline == line), None)
    near = lines[max(0, headline_index - 3):headline_index + 6] if headline_index is not None else body_lines[:6]
    date = dateline_date(near)
    by_id = {actor.actor_id: actor for actor in actors}
    mentions = find_actor_mentions(text, actors, start, end)
    unknown = [name for line in body_lines if line.words >= CANDIDATE_MIN_WORDS and line != (body and body.headline)
               for name in find_unknown_names(text, mentions, line.start, line.end)]
    sentences = [s for line in body_lines if line != (body and body.headline) for s in sentences_of(line)]
    candidates = find_candidate_statements(text, sentences, mentions, by_id)
    title = body.headline.text if body and body.headline else None
    document = [
        "# Starting annotation written by `rucas new`. Every guess is marked `suggested: true`, and the",
        "# suggestions: block at the end lists the actors found and names that match no actor. Validation",
        "# refuses each until you accept it (delete the marker line) or delete the entry; see",
        "# dataset/curated/README.md, \"Adding an article\".",
        *_source_lines(title, _guess_language(text[start:end]), date, _body_spec(text, body) if body else None),
        "",
        *_statement_lines(text, candidates, date),
        *[line for key in ANNOTATION_TABLES if key not in (SOURCE_KEY, STATEMENTS_KEY) for line in (f"{key}: []", "")],
        *_suggestion_lines(text, mentions, unknown),
    ]
    found = NewArticle("", Path(), Path(), body, date, candidates, mentions, unknown)
    return "\n".join(document) + "\n", found


def _check_verbatim(annotation: str, text: str) -> None:
    """Read the written annotation back: every quoted string must be the article's own words."""
    document = yaml.load(annotation, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml: 20x faster
    quoted = [s["evidence"] for s in document.get(STATEMENTS_KEY) or []]
    if document[SOURCE_KEY].get("body"):
        quoted += [document[SOURCE_KEY]["body"]["starts_with"], document[SOURCE_KEY]["body"]["ends_with"]]
    for words in quoted:
        if words not in text:
            raise RuntimeError(f"rucas new wrote words that are not in the article: {words!r}")


def read_article(article: Path) -> bytes:
    """The bytes of the article file: a regular file (not a device, pipe or folder, whose reading may never end)
    of at most MAX_FILE_BYTES, the limit validation applies to curated files. Raises NewArticleError."""
    try:
        descriptor = os.open(article, os.O_RDONLY | os.O_NONBLOCK)  # opening a named pipe must not wait for a writer
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            os.close(descriptor)
            raise NewArticleError(f"{article}: is not a regular file (a device, pipe or folder). Fix: save the "
                                  "article's text as a .txt file and give its path.")
        with open(descriptor, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise NewArticleError(f"{article}: cannot be read ({exc.strerror}). Fix: check the path.") from exc
    if len(data) > MAX_FILE_BYTES:
        raise NewArticleError(f"{article}: is over the {MAX_FILE_BYTES:,}-byte limit for an article. Fix: save only "
                              "the article's own text (no whole pages or feeds), one article per file.")
    return data


def add_article(article: Path, curated_dir: Path, source_id: str | None = None) -> NewArticle:
    """Copy `article` into <curated>/articles/<source_id>.txt and write its starting annotation.

    Raises NewArticleError (nothing written) when the id is not a source id (source_id_problem), the
    article is not a regular UTF-8 text file of at most MAX_FILE_BYTES, or either file exists already.
    """
    source_id = source_id if source_id is not None else source_id_from_filename(article)
    if (problem := source_id_problem(source_id)) is not None:
        shown = source_id if len(source_id) <= 80 else source_id[:80] + "…"
        raise NewArticleError(f"source id {shown!r} {problem}, so it cannot name the article's files. Fix: pass "
                              "--source-id with lower-case letters, digits and single hyphens, e.g. --source-id "
                              "publisher-short-title.")
    data = read_article(article)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise NewArticleError(f"{article}: is not UTF-8 (byte {data[exc.start]:#04x} at offset {exc.start}). "
                              "Fix: convert it to UTF-8 from its original encoding, then run rucas new again.") from exc
    if not text.strip() or "\x00" in text:
        raise NewArticleError(f"{article}: is empty or not plain text. Fix: save the article's text as a .txt file.")
    article_path = curated_dir / "articles" / f"{source_id}.txt"
    annotation_path = curated_dir / "annotations" / f"{source_id}.yaml"
    for path in (article_path, annotation_path):
        if os.path.lexists(path):
            raise NewArticleError(f"{path} exists already. Fix: choose another --source-id, or delete the old "
                                  "files if you mean to start over.")
    annotation, found = starting_annotation(text, read_known_actors(curated_dir))
    _check_verbatim(annotation, text)
    article_path.parent.mkdir(parents=True, exist_ok=True)
    annotation_path.parent.mkdir(parents=True, exist_ok=True)
    made: list[Path] = []
    try:
        for path, content in ((article_path, data), (annotation_path, annotation.encode("utf-8"))):
            with open(path, "xb") as written:  # "x": never through a link, never over a file
                made.append(path)
                written.write(content)
    except BaseException:  # a full disk: take back what this call wrote, so that it can be run again
        for path in made:
            path.unlink(missing_ok=True)
        raise
    found.source_id, found.article_path, found.annotation_path = source_id, article_path, annotation_path
    return found
