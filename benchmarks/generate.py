"""Generate a synthetic curated corpus of N articles, in exactly the format of dataset/curated/.

Every article, actor and alliance is plainly synthetic ("Synthetic article 17 ...",
"Synthetic State 04", country codes from the ISO 3166 user-assigned range XAA-XZZ, no
Wikidata ids, no URLs): the corpus exists to measure the build, never to be read as data.

The output is deterministic: the reference files depend only on the seed, and article i
depends only on (seed, i), so the first 1,000 articles of a 10k corpus equal a 1k corpus.
Proportions follow the real annotations: 3-6 statements, 4-8 events, 1-3 conditions and
2-4 claims per article, dates of mixed precision, and some evidence phrases repeated within
an article so that `occurrence:` is exercised.

    python benchmarks/generate.py --articles 1000 --seed 1 --out benchmarks/corpora/1k
"""

from __future__ import annotations

import argparse
import calendar
import datetime
import json
import random
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
CODEBOOK_SOURCES = (REPO / "dataset/curated/reference/codebook.yaml",
                    REPO / "tests/fixtures/minimal/reference/codebook.yaml")
"""The codebook is copied, never invented: the real one when present, else the minimal fixture's."""
SECTIONS = ("event_types", "event_modes", "event_contexts", "cameo_codes", "condition_types")

STATES, PERSONS, BODIES, MEDIA, IGOS, ARMED_GROUPS, ALLIANCES = 40, 120, 60, 12, 8, 10, 10
TOWNS = 80
NOUNS = ("convoy", "garrison", "border post", "airfield", "delegation", "treaty", "exercise", "patrol",
         "pipeline", "checkpoint", "brigade", "summit", "ceasefire", "refugee camp", "supply route")
VERBS = ("reinforced", "inspected", "discussed", "postponed", "announced", "rejected", "requested",
         "welcomed", "criticised", "reviewed", "suspended", "extended")
REPEATED_PHRASE = "the synthetic corridor"
"""Appears twice in every body, so one condition per article cites it with `occurrence: 2`."""


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


@dataclass(frozen=True)
class Reference:
    """The shared pool that every article draws its actors, codes and places from."""

    states: list[tuple[str, str, str]]       # (actor_id, name, iso3)
    persons: list[tuple[str, str, str]]      # (actor_id, name, iso3)
    bodies: list[str]
    media: list[tuple[str, str]]             # (actor_id, name)
    codes: dict[str, list[str]]              # codebook section -> codes


def _iso3(index: int) -> str:
    return "X" + chr(ord("A") + index // 26) + chr(ord("A") + index % 26)


def _date(earliest: datetime.date | None, latest: datetime.date | None, precision: str, basis: str,
          note: str | None) -> str:
    parts = [f"earliest: {earliest.isoformat() if earliest else 'null'}",
             f"latest: {latest.isoformat() if latest else 'null'}", f"precision: {precision}", f"basis: {basis}"]
    if note:
        parts.append(f"note: {q(note)}")
    return "{" + ", ".join(parts) + "}"


def _random_date(rng: random.Random, anchor: datetime.date) -> str:
    """A date near `anchor` in one of the five precisions, in proportions like the real annotations."""
    kind = rng.choices(("day", "month", "year", "range", "unknown"), weights=(60, 15, 8, 12, 5))[0]
    if kind == "day":
        day = anchor - datetime.timedelta(days=rng.randint(0, 3))
        basis = rng.choice(("stated", "stated", "inferred"))
        return _date(day, day, "day", basis, "Synthetic: inferred from the dateline." if basis == "inferred" else None)
    if kind == "month":
        first = anchor.replace(day=1)
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        return _date(first, last, "month", "stated", None)
    if kind == "year":
        return _date(datetime.date(anchor.year, 1, 1), datetime.date(anchor.year, 12, 31), "year", "stated", None)
    if kind == "range":
        start = anchor - datetime.timedelta(days=rng.randint(2, 60))
        return _date(start, anchor, "range", "inferred", "Synthetic: bounded by the dateline.")
    return _date(None, None, "unknown", "inferred", "Synthetic: the text gives no date.")


def _codebook(choice: Path | None = None) -> tuple[Path, dict[str, list[str]]]:
    """The codebook to copy and its codes: `choice`, else the real one when it lists codes in every section,
    else the fixture's."""
    for path in (choice,) if choice else CODEBOOK_SOURCES:
        try:
            sections = yaml.safe_load(path.read_text(encoding="utf-8"))
            codes = {section: [str(entry["code"]) for entry in sections[section]] for section in SECTIONS}
        except (OSError, yaml.YAMLError, KeyError, TypeError):
            continue
        if all(codes.values()):
            return path, codes
    raise FileNotFoundError(f"no usable codebook among {[str(p) for p in CODEBOOK_SOURCES]}")


def write_reference(reference_dir: Path, seed: int, codebook: Path | None = None) -> Reference:
    """Write actors, country codes, roles, alliances, memberships and the (copied) codebook; return the pool."""
    rng = random.Random(f"reference-{seed}")
    reference_dir.mkdir(parents=True, exist_ok=True)
    source, codes = _codebook(codebook)
    shutil.copyfile(source, reference_dir / "codebook.yaml")

    states = [(f"synthetic-state-{i:02d}", f"Synthetic State {i:02d}", _iso3(i)) for i in range(STATES)]
    persons = [(f"synthetic-person-{i:03d}", f"Synthetic Person {i:03d}", rng.choice(states)[2]) for i in range(PERSONS)]
    bodies = [(f"synthetic-body-{i:02d}", f"Synthetic Ministry {i:02d}", states[i % STATES][2]) for i in range(BODIES)]
    media = [(f"synthetic-media-{i:02d}", f"Synthetic Wire {i:02d}") for i in range(MEDIA)]
    igos = [(f"synthetic-alliance-{i:02d}", f"Synthetic Alliance {i:02d}") for i in range(IGOS)]
    groups = [(f"synthetic-group-{i:02d}", f"Synthetic Armed Group {i:02d}", rng.choice(states)[2])
              for i in range(ARMED_GROUPS)]

    lines: list[str] = []

    def actor(actor_id: str, name: str, actor_type: str, iso3: str | None, description: str) -> None:
        lines.extend([f"- actor_id: {actor_id}", f"  name: {q(name)}", f"  actor_type: {actor_type}",
                      f"  country_iso3: {iso3 or 'null'}", "  wikidata_qid: null",
                      f"  description: {q(description)}", f"  aliases: [{q(name)}, {q(name.upper())}]"])

    for actor_id, name, iso3 in states:
        actor(actor_id, name, "state", iso3, "A synthetic state for benchmarks.")
    for actor_id, name, iso3 in persons:
        actor(actor_id, name, "person", iso3, "A synthetic person for benchmarks.")
    for actor_id, name, iso3 in bodies:
        actor(actor_id, name, "government_body", iso3, "A synthetic ministry for benchmarks.")
    for actor_id, name in media:
        actor(actor_id, name, "media", "XZZ", "A synthetic news wire for benchmarks.")
    for actor_id, name in igos:
        actor(actor_id, name, "igo", None, "A synthetic alliance body for benchmarks.")
    for actor_id, name, iso3 in groups:
        actor(actor_id, name, "armed_group", iso3, "A synthetic armed group for benchmarks.")
    (reference_dir / "actors.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    country_codes = [(iso3, name) for _, name, iso3 in states] + [("XZZ", "Synthetic wire country")]
    (reference_dir / "country_codes.yaml").write_text("".join(
        f"- {{country_iso3: {iso3}, name: {q(name)}, cow_code: null, cow_abbreviation: null, gw_code: null, "
        f"note: {q('Synthetic: a user-assigned code, in no COW or GW list.')}}}\n" for iso3, name in country_codes), encoding="utf-8")

    lines = []
    for index, (person_id, name, _) in enumerate(persons):
        start = datetime.date(1995 + rng.randint(0, 20), rng.randint(1, 12), 1)
        end = start + datetime.timedelta(days=rng.randint(365, 3650))
        ongoing = index % 7 == 0
        lines.extend([f"- role_id: {person_id}-office", f"  person_id: {person_id}",
                      f"  organization_id: {bodies[index % BODIES][0]}", f"  title: {q('Synthetic Minister')}",
                      f"  date: {_date(start, None if ongoing else end, 'unknown' if ongoing else 'range', 'stated', 'Synthetic term of office.')}"])
    (reference_dir / "roles.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")

    alliance_types = ("collective_defence", "security_cooperation", "bilateral_alliance", "strategic_partnership")
    lines = []
    for i in range(ALLIANCES):
        actor_id = igos[i][0] if i < IGOS else "null"
        lines.extend([f"- alliance_id: synthetic-alliance-{i:02d}", f"  name: {q(f'Synthetic Alliance {i:02d}')}",
                      f"  alliance_type: {alliance_types[i % len(alliance_types)]}", f"  actor_id: {actor_id}",
                      "  wikidata_qid: null", f"  founded: {datetime.date(1990 + i, 1 + i % 12, 1 + i).isoformat()}",
                      f"  obligations: {q('Synthetic obligations for benchmarks.')}", "  note: null"])
    (reference_dir / "alliances.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")

    lines = []
    for i in range(ALLIANCES):
        founded = datetime.date(1990 + i, 1 + i % 12, 1 + i)
        for actor_id, _, _ in rng.sample(states, rng.randint(3, 12)):
            joined = founded + datetime.timedelta(days=rng.randint(0, 2000))
            left = joined + datetime.timedelta(days=rng.randint(200, 4000)) if rng.random() < 0.4 else None
            intervals = [(joined, left, "member")]
            if left and rng.random() < 0.5:  # a later interval, e.g. a partnership after leaving
                intervals.append((left, None, rng.choice(("partner", "observer", "suspended"))))
            for start, end, status in intervals:
                lines.extend([f"- alliance_id: synthetic-alliance-{i:02d}", f"  actor_id: {actor_id}",
                              f"  joined_date: {start.isoformat()}", f"  left_date: {end.isoformat() if end else 'null'}",
                              f"  status: {status}", "  basis: reference", f"  note: {q('Synthetic membership.')}"])
    (reference_dir / "memberships.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Reference(states, persons, [b[0] for b in bodies], media, codes)


def article_files(index: int, seed: int, reference: Reference) -> tuple[str, str, str]:
    """The source_id, article text and annotation YAML of synthetic article `index`."""
    rng = random.Random(f"article-{seed}-{index}")
    source_id = f"synthetic-{index:06d}"
    media_id, media_name = rng.choice(reference.media)
    dateline = datetime.date(2000, 1, 1) + datetime.timedelta(days=rng.randint(0, 9000))
    main_state = rng.choice(reference.states)
    title = f"Synthetic article {index} about {main_state[1]}"
    tag = f"a{index}"

    body: list[str] = [f"In synthetic article {index}, reporters describe a synthetic week around {main_state[1]}.",
                       f"Observers mentioned {REPEATED_PHRASE} early in the week."]
    statements, events = [], []
    for k in range(rng.randint(3, 6)):
        speaker = rng.choice(reference.persons)
        words = (f"The {rng.choice(NOUNS)} was {rng.choice(VERBS)} because of {rng.choice(NOUNS)}s near "
                 f"{rng.choice(reference.states)[1]} [{tag}-s{k}]")
        body.append(f"{speaker[1]} said: \u201c{words}.\u201d")
        statements.append((k, speaker, words))
    for k in range(rng.randint(4, 8)):
        initiator, target = rng.sample(reference.states, 2)
        words = f"{initiator[1]} {rng.choice(VERBS)} a {rng.choice(NOUNS)} with {target[1]} [{tag}-e{k}]"
        body.append(words + ".")
        events.append((k, initiator, target, words))
    condition_count = rng.randint(1, 3)
    conditions = []
    for k in range(condition_count):
        if k == 0:
            conditions.append((k, REPEATED_PHRASE, 2))
            continue
        words = f"only if the {rng.choice(NOUNS)} stays open [{tag}-c{k}]"
        body.append(f"Officials added it would proceed {words}.")
        conditions.append((k, words, None))
    body.append(f"Later, {REPEATED_PHRASE} was mentioned again, and synthetic article {index} ends here.")

    menu = "Skip to main content\n\nSynthetic Wire\n\nMain Menu\n\n  \u2022 Regions\n  \u2022 Topics\n  \u2022 Newsletter\n"
    pitch = ("Sign up for the synthetic newsletter: synthetic headlines in your inbox every synthetic morning.\n\n"
             "Related synthetic headlines\n\n" + "\n".join(
                 f"Synthetic headline {rng.randint(1, 10**6)} about {rng.choice(reference.states)[1]}" for _ in range(4)))
    text = f"{menu}\n{title}\n\n{media_name} {dateline:%b %d, %Y}\n\n" + "\n\n".join(body) + f"\n\n{pitch}\n"

    out = ["source:", f"  title: {q(title)}", f"  publisher: {q(media_name)}", f"  publisher_actor_id: {media_id}",
           "  author: null", "  language: en",
           f"  date: {_date(dateline, dateline, 'day', 'stated', 'Synthetic dateline.')}", "  url: null",
           f"  rights: {q('Synthetic text generated for benchmarks; no rights reserved.')}",
           f"  body: {{starts_with: {q(f'In synthetic article {index},')}, ends_with: {q(f'synthetic article {index} ends here.')}}}",
           "  note: null", "  coder: generator", "  review_status: test_data", "", "statements:"]
    for k, speaker, words in statements:
        about = rng.sample(reference.states, rng.randint(1, 2))
        addressees = rng.sample(reference.states, rng.randint(0, 1))
        out += [f"  - statement_id: {source_id}-statement-{k}", f"    speaker_id: {speaker[0]}",
                f"    speaker_title: {q('a synthetic official')}",
                f"    reported_via_id: {media_id if rng.random() < 0.3 else 'null'}",
                f"    quote_kind: {rng.choice(('direct', 'reported'))}",
                f"    date: {_random_date(rng, dateline)}", f"    evidence: {q(words)}",
                f"    about: [{', '.join(a[0] for a in about)}]",
                f"    addressees: [{', '.join(a[0] for a in addressees)}]", "    note: null"]
    out += ["", "events:"]
    for k, initiator, target, words in events:
        town = rng.randint(0, TOWNS - 1)
        coordinates = rng.random() < 0.5
        out += [f"  - event_id: {source_id}-event-{k}",
                f"    event_type: {rng.choice(reference.codes['event_types'])}",
                f"    event_mode: {rng.choice(reference.codes['event_modes'])}",
                f"    event_context: {rng.choice(reference.codes['event_contexts'])}",
                f"    cameo_code: {q(rng.choice(reference.codes['cameo_codes']))}",
                f"    modality: {rng.choice(('occurred', 'occurred', 'planned', 'conditional', 'claimed', 'denied'))}",
                f"    date: {_random_date(rng, dateline)}"]
        location = [f"name: {q(f'Synthetic Town {town:02d}')}", f"country_iso3: {_iso3(town % STATES)}"]
        if coordinates:
            location += [f"latitude: {-60 + (town * 7.3) % 120:.4f}", f"longitude: {-170 + (town * 13.1) % 340:.4f}",
                         "precision: settlement", f"note: {q('Synthetic coordinates.')}"]
        out.append(f"    location: {{{', '.join(location)}}}")
        if rng.random() < 0.2:
            out += [f"    fatalities: {rng.randint(0, 50)}", f"    injured: {rng.randint(0, 200)}",
                    "    displaced: null", f"    casualty_note: {q('synthetic figures')}"]
        out += [f"    summary: {q(f'Synthetic event {k} of synthetic article {index}.')}", f"    evidence: {q(words)}",
                f"    actors: {{initiator: [{initiator[0]}], target: [{target[0]}], participant: []}}"]
        if k == 0:
            out.append("    conditions:")
            for c, words_c, occurrence in conditions:
                out += [f"      - condition_id: {source_id}-condition-{c}",
                        f"        condition_type: {rng.choice(reference.codes['condition_types'])}",
                        f"        evidence: {q(words_c)}"]
                if occurrence:
                    out.append(f"        occurrence: {occurrence}")
        out.append("    note: null")
    out += ["", "claims:"]
    pairs = [(s[0], e[0]) for s in statements for e in events]
    for s, e in rng.sample(pairs, rng.randint(2, 4)):
        out.append(f"  - {{statement_id: {source_id}-statement-{s}, event_id: {source_id}-event-{e}, "
                   f"relation: {rng.choice(('asserts', 'asserts', 'denies'))}}}")
    return source_id, text, "\n".join(out) + "\n"


def generate_corpus(target_dir: Path, articles: int, seed: int = 0, codebook: Path | None = None) -> Path:
    """Write a synthetic curated corpus of `articles` articles under `target_dir`; return `target_dir`.

    Deterministic for a given seed and codebook (by default the real codebook when it is usable,
    else tests/fixtures/minimal's). An existing corpus there is replaced.
    """
    if target_dir.exists():
        shutil.rmtree(target_dir)
    reference = write_reference(target_dir / "reference", seed, codebook)
    (target_dir / "articles").mkdir(parents=True)
    (target_dir / "annotations").mkdir(parents=True)
    (target_dir / "README.md").write_text(
        f"A synthetic corpus of {articles} articles (seed {seed}) written by benchmarks/generate.py.\n"
        "Nothing here is real: it exists to measure the build.\n", encoding="utf-8")
    for index in range(articles):
        source_id, text, annotation = article_files(index, seed, reference)
        (target_dir / "articles" / f"{source_id}.txt").write_text(text, encoding="utf-8")
        (target_dir / "annotations" / f"{source_id}.yaml").write_text(annotation, encoding="utf-8")
    return target_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, required=True, help="how many articles to generate")
    parser.add_argument("--seed", type=int, default=0, help="random seed (same seed, same corpus)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write (replaced if it exists)")
    parser.add_argument("--codebook", type=Path, default=None,
                        help="codebook.yaml to copy (default: the real one when usable, else the minimal fixture's)")
    args = parser.parse_args(argv)
    generate_corpus(args.out, args.articles, args.seed, args.codebook)
    print(f"wrote {args.articles} synthetic articles to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
