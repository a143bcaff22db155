"""Curating an article: `rucas new` suggests without inventing, validation holds suggestions back until a
curator accepts them, `rucas check` answers for one article, and the review page shows every coded span."""

from __future__ import annotations

import datetime
import html
import re
from pathlib import Path

import duckdb
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from rucas.build.cli import main as rucas
from rucas.build.curate.actor_mentions import KnownActor
from rucas.build.curate.article_text import lines_of
from rucas.build.curate.body_guess import guess_body
from rucas.build.curate.dateline import dateline_date
from rucas.build.curate.new_article import read_known_actors, starting_annotation
from rucas.build.pipeline import build, validate
from rucas.build.publish.serve import datasette_app
from rucas.build.read.errors import ValidationFailed
from rucas.build.review_page.render import ReviewInput, render_review_page
from test_datasette import fetch

# Sentences of the Eurasianet article of 12 June 2010 (the minimal fixture's article), verbatim, laid out
# as a saved page: a menu above, a dateline under the headline, a newsletter pitch and share buttons below.
PLEA_WITH_DATELINE = """\
Skip to main content
Menu
  • Regions
  • Newsletter

Russia Turns Down Kyrgyzstan's Plea for Military Support

Deirdre Tynan Jun 12, 2010

Instead, a meeting of the security council of the Collective Security Treaty Organization (CSTO) will be \
held on Monday, June 14, to formulate a response, Natalia Timakova said at a press conference in Moscow on June 12.

“This is an internal conflict and Russia does not see conditions for participating in its settlement,” she said.

On June 12, the head of the Kyrgyz interim government, Roza Otunbayeva, described the situation in Osh as \
“out of control” and made an appeal to Russia to send troops to help restore order. However, Russia is not \
prepared to offer immediate military assistance as any decision to do so “may only be taken in accordance with \
the UN Charter and after consultations with all members of [the CSTO],” Timakova insisted.

Sign up for Eurasianet's free weekly newsletter. Support Eurasianet: Help keep our journalism open to all, and \
influenced by none.
Share this article
"""

TWO_QUOTATIONS = [
    "“This is an internal conflict and Russia does not see conditions for participating in its settlement,”",
    "“may only be taken in accordance with the UN Charter and after consultations with all members of [the CSTO],”",
]

SOURCE_ID = "eurasianet-plea-excerpt"


def _annotation_path(corpus: Path, source_id: str = SOURCE_ID) -> Path:
    return corpus / "annotations" / f"{source_id}.yaml"


def _add(corpus: Path, tmp_path: Path, text: str, source_id: str = SOURCE_ID) -> dict:
    article = tmp_path / "saved-page.txt"
    article.write_text(text, encoding="utf-8")
    assert rucas(["new", str(article), "--source-id", source_id, "--curated", str(corpus)]) == 0
    return yaml.safe_load(_annotation_path(corpus, source_id).read_text(encoding="utf-8"))


def _accept_every_suggestion(annotation: Path) -> None:
    """What a curator does after reading the suggestions: delete the markers and the suggestions: block,
    and fill in what only a person can know (publisher, rights, the speaker the tool could not name)."""
    text = annotation.read_text(encoding="utf-8")
    text = text.split("\nsuggestions:", 1)[0] + "\n"
    text = re.sub(r"(?m)^\s*suggested: true.*\n", "", text)
    text = text.replace("publisher: null", "publisher: Eurasianet")
    text = text.replace("rights: null", 'rights: "© Eurasianet"')
    text = text.replace("speaker_id: null", "speaker_id: natalya-timakova")
    text = re.sub(r"(?m)^  coder: null.*", "  coder: coder-a", text)
    text = re.sub(r"review_status: single-coded.*", "review_status: test_data", text)  # the fixture's own status
    annotation.write_text(text, encoding="utf-8")


def test_rucas_new_copies_the_article_byte_for_byte(minimal_corpus: Path, tmp_path: Path):
    _add(minimal_corpus, tmp_path, PLEA_WITH_DATELINE)
    stored = minimal_corpus / "articles" / f"{SOURCE_ID}.txt"
    assert stored.read_bytes() == PLEA_WITH_DATELINE.encode("utf-8")


def test_suggestions_invent_no_date_id_or_quotation(minimal_corpus: Path, tmp_path: Path):
    annotation = _add(minimal_corpus, tmp_path, PLEA_WITH_DATELINE)
    text = PLEA_WITH_DATELINE
    actor_ids = {actor.actor_id for actor in read_known_actors(minimal_corpus)}

    source = annotation["source"]
    assert source["date"]["earliest"] == source["date"]["latest"] == datetime.date(2010, 6, 12)
    assert source["date"]["precision"] == "day" and source["date"]["basis"] == "stated"
    assert "Jun 12, 2010" in source["date"]["note"]
    assert source["title"] == "Russia Turns Down Kyrgyzstan's Plea for Military Support"
    for unknown in ("publisher", "publisher_actor_id", "author", "url", "rights"):
        assert source[unknown] is None, unknown

    statements = annotation["statements"]
    for statement in statements:
        assert text.count(statement["evidence"]) >= 1, statement["evidence"]
        assert statement["speaker_id"] is None or statement["speaker_id"] in actor_ids
        assert set(statement["about"]) <= actor_ids
        assert statement["date"]["latest"] in (None, datetime.date(2010, 6, 12))
        assert statement["date"]["earliest"] is None
    for quotation in TWO_QUOTATIONS:
        assert any(quotation in statement["evidence"] for statement in statements), quotation
    speakers = {statement["evidence"].split(",")[-1].strip(): statement["speaker_id"] for statement in statements}
    assert speakers["Natalia Timakova said at a press conference in Moscow on June 12."] == "natalya-timakova"
    assert speakers["” she said."] == "natalya-timakova"  # the pronoun follows Timakova's statement
    assert speakers["” Timakova insisted."] is None  # 'Timakova' alone is no alias in the fixture

    mentioned = annotation["suggestions"]["actors_mentioned"]
    assert {entry["actor_id"] for entry in mentioned} == {"russia", "kyrgyzstan", "csto", "natalya-timakova",
                                                          "kyrgyzstan-interim-government", "roza-otunbayeva"}
    for entry in mentioned:
        for mention in entry["mentions"]:
            assert text[mention["start"]:mention["end"]] == mention["text"]
    candidates = {entry["name"]: entry for entry in annotation["suggestions"]["new_actor_candidates"]}
    assert {"Osh", "UN Charter", "Timakova"} <= candidates.keys()
    assert "Russia" not in candidates and "Monday" not in candidates
    for entry in candidates.values():
        assert text[entry["start"]:entry["end"]] == entry["name"]


def test_body_runs_from_headline_to_last_paragraph(minimal_corpus: Path, tmp_path: Path):
    body = _add(minimal_corpus, tmp_path, PLEA_WITH_DATELINE)["source"]["body"]
    assert body["starts_with"] == "Russia Turns Down Kyrgyzstan's Plea for Military Support"
    assert body["ends_with"].endswith("Timakova insisted.")
    end = PLEA_WITH_DATELINE.index(body["ends_with"]) + len(body["ends_with"])
    assert "newsletter" not in PLEA_WITH_DATELINE[PLEA_WITH_DATELINE.index(body["starts_with"]):end]


def test_validation_refuses_each_suggestion_until_accepted(minimal_corpus: Path, tmp_path: Path):
    _add(minimal_corpus, tmp_path, PLEA_WITH_DATELINE)
    path = _annotation_path(minimal_corpus)
    lines = path.read_text(encoding="utf-8").splitlines()
    marked = {number for number, line in enumerate(lines, start=1) if line.strip().startswith("suggested: true")}
    block = lines.index(next(line for line in lines if line.startswith("suggestions:"))) + 1
    with pytest.raises(ValidationFailed) as failure:
        validate(minimal_corpus)
    refused = {error.line: str(error) for error in failure.value.errors
               if error.path.endswith(path.name) and "suggestion not yet reviewed" in error.message}
    assert refused.keys() == marked | {block}
    for line in marked:
        assert f"{path.name}:{line}: suggestion not yet reviewed" in refused[line]
        assert refused[line].endswith("Fix: accept it by deleting `suggested: true`, or delete the entry.")
    assert not any("unknown key 'suggested'" in error.message for error in failure.value.errors)


def test_accepted_suggestions_build(minimal_corpus: Path, tmp_path: Path):
    _add(minimal_corpus, tmp_path, PLEA_WITH_DATELINE)
    _accept_every_suggestion(_annotation_path(minimal_corpus))
    report = build(minimal_corpus, tmp_path / "out")
    assert report.row_counts["sources"] == 2
    con = duckdb.connect(str(tmp_path / "out" / "rucas.duckdb"), read_only=True)
    rows = con.execute("SELECT speaker_id, evidence, evidence_start, evidence_end FROM statements "
                       "WHERE source_id = ? ORDER BY evidence_start", [SOURCE_ID]).fetchall()
    con.close()
    assert len(rows) == 3 and {row[0] for row in rows} == {"natalya-timakova"}
    for _, evidence, start, end in rows:
        assert PLEA_WITH_DATELINE[start:end] == evidence


def test_an_article_without_a_dateline_gets_no_date(minimal_corpus: Path, tmp_path: Path):
    undated = PLEA_WITH_DATELINE.replace("Deirdre Tynan Jun 12, 2010\n\n", "")
    # A full date inside a paragraph is something the article reports, not when it was published.
    undated = undated.replace("on Monday, June 14,", "on Monday, June 14, 2010,")
    annotation = _add(minimal_corpus, tmp_path, undated)
    date = annotation["source"]["date"]
    assert (date["earliest"], date["latest"], date["precision"], date["note"]) == (None, None, "unknown", None)
    assert all(s["date"]["earliest"] is None and s["date"]["latest"] is None for s in annotation["statements"])


def test_rucas_new_never_overwrites(minimal_corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture):
    _add(minimal_corpus, tmp_path, PLEA_WITH_DATELINE)
    before = _annotation_path(minimal_corpus).read_bytes()
    article = tmp_path / "saved-page.txt"
    assert rucas(["new", str(article), "--source-id", SOURCE_ID, "--curated", str(minimal_corpus)]) == 1
    assert "exists already. Fix:" in capsys.readouterr().err
    assert _annotation_path(minimal_corpus).read_bytes() == before


def test_a_suggested_marker_anywhere_is_refused_at_its_line(minimal_corpus: Path):
    path = minimal_corpus / "annotations" / "eurasianet-russia-turns-down-kyrgyzstans-plea.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if "condition_type: legal_mandate" in line)
    lines.insert(at + 1, "        suggested: true\n")
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(ValidationFailed) as failure:
        validate(minimal_corpus)
    assert [(error.line, error.message) for error in failure.value.errors] == [
        (at + 2, "suggestion not yet reviewed (condition russia-kyrgyz-refusal-un-charter marked `suggested: true`).")]


def test_rucas_check_prints_what_one_article_adds(minimal_corpus: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture):
    _add(minimal_corpus, tmp_path, PLEA_WITH_DATELINE)
    capsys.readouterr()
    assert rucas(["check", SOURCE_ID, "--curated", str(minimal_corpus)]) == 1
    refused = capsys.readouterr()
    assert "suggestion not yet reviewed" in refused.err and f"{SOURCE_ID}.yaml:" in refused.err

    _accept_every_suggestion(_annotation_path(minimal_corpus))
    page = tmp_path / "review.html"
    assert rucas(["check", SOURCE_ID, "--curated", str(minimal_corpus), "--html", str(page)]) == 0
    out = capsys.readouterr().out
    assert f"{SOURCE_ID}: valid." in out
    counts = {line.split()[0]: int(line.split()[1]) for line in out.splitlines() if line.startswith("  ")}
    assert counts == {"sources": 1, "statements": 3, "statement_actors": counts["statement_actors"], "events": 0,
                      "event_actors": 0, "event_conditions": 0, "claims": 0}
    assert "natalya-timakova-this-is-internal-conflict-and-russia" in out
    assert page.read_text(encoding="utf-8").count('class="card statement"') == 3


def served_review_pages(output: Path) -> dict[str, str]:
    """The review page of every article of the build in `output`, as its site serves it (/-/review/<source_id>)."""
    con = duckdb.connect(str(output / "rucas.duckdb"), read_only=True)
    source_ids = [source_id for (source_id,) in con.execute("SELECT source_id FROM sources ORDER BY 1").fetchall()]
    con.close()
    responses = fetch(datasette_app(output), *(f"/-/review/{source_id}" for source_id in source_ids))
    assert [response.status_code for response in responses] == [200] * len(source_ids)
    return {source_id: response.text for source_id, response in zip(source_ids, responses)}


def _assert_review_pages_show_every_span(output: Path) -> None:
    """Each article's page marks every statement, event and condition of it over exactly its evidence,
    with the row's card beside it, and fetches nothing."""
    pages = served_review_pages(output)
    con = duckdb.connect(str(output / "rucas.duckdb"), read_only=True)
    for (source_id,) in con.execute("SELECT source_id FROM sources").fetchall():
        page = pages[source_id]
        coded = con.execute(
            "SELECT 'statement', statement_id FROM statements WHERE source_id = $1 UNION ALL "
            "SELECT 'event', event_id FROM events WHERE source_id = $1 UNION ALL "
            "SELECT 'condition', condition_id FROM event_conditions JOIN events USING (event_id) "
            "WHERE source_id = $1", [source_id]).fetchall()
        tags = re.findall(r'<a class="tag (\w+)" href="#\1-([a-z0-9-]+)" title="[^"]*">(\w+)</a>', page)
        assert {(kind, row_id) for kind, row_id, _ in tags} == set(coded), source_id
        marked = re.findall(r'<span class="[a-z ]+" title="([^"]*)">([^<]*)</span>', page)
        for kind, row_id, label in tags:
            assert f'id="{kind}-{row_id}"' in page  # its rows, beside the text
            highlighted = "".join(html.unescape(words) for labels, words in marked if label in labels.split(", "))
            evidence = con.execute(f"SELECT evidence FROM {'event_conditions' if kind == 'condition' else kind + 's'} "
                                   f"WHERE {kind}_id = ?", [row_id]).fetchone()[0]
            assert highlighted.split() == evidence.split(), (source_id, row_id)
        assert not re.search(r"<script|<link|<img|src=|@import|url\(", page)  # self-contained: nothing to fetch
        assert all(href.startswith("#") for href in re.findall(r'href="([^"]*)"', page))
    con.close()


def test_review_page_of_a_new_article_shows_every_span(minimal_corpus: Path, tmp_path: Path):
    _add(minimal_corpus, tmp_path, PLEA_WITH_DATELINE)
    _accept_every_suggestion(_annotation_path(minimal_corpus))
    build(minimal_corpus, tmp_path / "out")
    _assert_review_pages_show_every_span(tmp_path / "out")


def test_review_pages_of_the_seed_articles_show_every_span(output_dir: Path):
    _assert_review_pages_show_every_span(output_dir)


def test_review_page_escapes_the_article_and_the_annotation():
    text = 'Headline <b>bold</b> & more\n\nShe said "<script>alert(1)</script>" & left.\n'
    start = text.index("She")
    row = {"statement_id": "a-statement", "speaker_id": "x", "speaker_title": "<i>title</i>", "quote_kind": "direct",
           "reported_via_id": None, "date_earliest": None, "date_latest": None, "date_precision": "unknown",
           "date_basis": "inferred", "date_note": "a & b", "note": None, "evidence_start": start,
           "evidence_end": len(text) - 1}
    page = render_review_page(ReviewInput("s", text, (0, len(text) - 1), {"statements": [row]}, {"x": "<X>"}))
    assert "<script>" not in page and "<b>" not in page and "<i>" not in page and "<X>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&lt;i&gt;title&lt;/i&gt;" in page


def test_a_review_page_writes_quotes_as_html_escape_does():
    text = 'He said "no" and \'never\'; &#34; stays text.\n'
    page = render_review_page(ReviewInput("s", text, None, {}, {}), title='"T"', subtitle="it's")
    assert html.escape(text.strip()) in page and "<h1>&quot;T&quot;</h1>" in page and "it&#x27;s" in page
    assert "&#34;" not in page.replace("&amp;#34;", "") and "&#39;" not in page


@pytest.mark.parametrize("source_id", ["akipress-russian-bases-raise-combat-readiness",
                                       "eurasianet-russia-turns-down-kyrgyzstans-plea",
                                       "irin-moscow-offers-help-to-defeat-extremists",
                                       "news-i-moscow-measures-to-prevent-invasion-of-tajikistan",
                                       "rferl-uzbekistan-would-cooperate-with-russia-against-is"])
def test_body_guess_agrees_with_the_curators_on_every_seed_article(curated_dir: Path, source_id: str):
    text = (curated_dir / "articles" / f"{source_id}.txt").read_text(encoding="utf-8")
    body = yaml.safe_load((curated_dir / "annotations" / f"{source_id}.yaml").read_text(encoding="utf-8"))
    guess = guess_body(text)
    assert text[guess.start:].startswith(body["source"]["body"]["starts_with"])
    assert text[:guess.end].endswith(body["source"]["body"]["ends_with"])


@pytest.mark.parametrize(("dateline", "stated"), [
    ("Deirdre Tynan Jun 12, 2010", datetime.date(2010, 6, 12)),
    ("July 29, 2021, 11:42       Source akipress.kg", datetime.date(2021, 7, 29)),
    ("Updated June 13, 2010 | Published June 12, 2010", datetime.date(2010, 6, 12)),
    ("Last updated: 14 June 2010", None),
    ("MOSCOW, June 12, 2010 (Reuters) - Russia said on Saturday it would not send troops to the south for now.",
     datetime.date(2010, 6, 12)),
    ("Russia said on June 12, 2010 that it would not send troops to the south for now, officials told reporters.",
     None),
    ("Jun 31, 2010", None),
])
def test_the_publication_date_is_only_one_a_dateline_states(dateline: str, stated: datetime.date | None):
    found = dateline_date(lines_of(dateline))
    assert (found.day if found else None) == stated
    if found:
        assert found.words in dateline


@pytest.mark.parametrize(("source_id", "stated"), [
    ("akipress-russian-bases-raise-combat-readiness", datetime.date(2021, 7, 29)),
    ("eurasianet-russia-turns-down-kyrgyzstans-plea", datetime.date(2010, 6, 12)),
    ("irin-moscow-offers-help-to-defeat-extremists", None),
    ("news-i-moscow-measures-to-prevent-invasion-of-tajikistan", None),
    ("rferl-uzbekistan-would-cooperate-with-russia-against-is", None)])
def test_only_seed_articles_with_a_dateline_get_a_date(curated_dir: Path, tmp_path: Path, source_id: str,
                                                       stated: datetime.date | None):
    corpus = tmp_path / "curated"
    (corpus / "reference").mkdir(parents=True)
    (corpus / "reference" / "actors.yaml").write_bytes((curated_dir / "reference" / "actors.yaml").read_bytes())
    annotation = _add(corpus, tmp_path, (curated_dir / "articles" / f"{source_id}.txt").read_text(encoding="utf-8"),
                      source_id)
    assert annotation["source"]["date"]["earliest"] == annotation["source"]["date"]["latest"] == stated



CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium: apt-get install chromium")
def test_review_page_reads_side_by_side_at_1280_pixels(output_dir: Path, artifacts_dir: Path, tmp_path: Path):
    """In Chromium at 1280 px each paragraph has its rows to its right, and every label is on screen."""
    from playwright.sync_api import sync_playwright

    source_id = "eurasianet-russia-turns-down-kyrgyzstans-plea"
    page_path = tmp_path / f"{source_id}.html"  # the page the site serves; it fetches nothing, so a file will do
    page_path.write_text(served_review_pages(output_dir)[source_id], encoding="utf-8")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1280, "height": 1400})
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.goto(page_path.as_uri())
        page.screenshot(path=str(artifacts_dir / "review-page-1280.png"))
        for row in page.locator("main .row").all():
            text, rows = row.locator(".text").bounding_box(), row.locator(".rows").bounding_box()
            assert text["x"] + text["width"] <= rows["x"], "the rows sit to the right of the text"
        tags = page.locator(".text a.tag")
        assert tags.count() == 17  # 10 statements, 5 events, 2 conditions
        for index in range(tags.count()):
            assert tags.nth(index).is_visible()
        page.locator(".text a.tag.condition").first.click()
        assert page.evaluate("location.hash") == "#condition-russia-kyrgyz-refusal-un-charter"
        browser.close()
    assert requests == [page_path.as_uri()]

_PIECES = st.sampled_from([
    "Russia", "Moscow", "Natalia Timakova", "Kyrgyzstan", " said", " told reporters", " according to Otunbayeva",
    ", she said.", "“", "”", '"', "'", "’s", " ", "  ", "\n", "\n\n", "\t", ".", ", ", "Jun 12, 2010", "12 June 2010",
    "2010-02-30", "Sign up for our newsletter", "\u2028", "\x85", "\ufeff", "\r\n", "\r", "é", "Ж", "😀", "\\", "#",
    ": ", "- ", "{", "}", "[", "]", "&", "*", "!", "?", "The", "However", "Collective Security Treaty Organization",
    "there is considerable doubt about committing troops to the region if they were the only force",
])


@settings(max_examples=150, deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=80).map("".join))
def test_starting_annotation_quotes_only_the_article_and_reads_back(text: str):
    """Whatever the text, the YAML written reads back, every quoted stretch is the article's own, and every
    date is one the text states."""
    actors = [KnownActor("russia", "Russia", "state", ("Russia", "Moscow")),
              KnownActor("natalya-timakova", "Natalya Timakova", "person", ("Natalia Timakova",))]
    written, _ = starting_annotation(text, actors)
    annotation = yaml.safe_load(written)
    body = annotation["source"]["body"]
    for words in ([body["starts_with"], body["ends_with"]] if body else []) + [
            s["evidence"] for s in annotation["statements"]]:
        assert words and words in text
    for statement in annotation["statements"]:
        assert statement["speaker_id"] in (None, "russia", "natalya-timakova")
    day = annotation["source"]["date"]["earliest"]
    assert day is None or day in (datetime.date(2010, 6, 12),)
    for entry in annotation["suggestions"]["actors_mentioned"]:
        for mention in entry["mentions"]:
            assert text[mention["start"]:mention["end"]] == mention["text"]
