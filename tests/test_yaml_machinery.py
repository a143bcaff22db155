"""Which curated files are read a second time, by PyYAML's event parser, to find YAML machinery (tags, anchors,
aliases, directives, document markers): `holds_yaml_machinery` picks exactly the texts that the single regex it
replaced (kept here as REFERENCE) matched, so the curator sees the same errors."""

from __future__ import annotations

import random
import re
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from rucas.build.read.documents import holds_yaml_machinery

REFERENCE = re.compile(r"(?:^|[\s\[{,])[!&*]|^(?:%|---|\.\.\.)", re.MULTILINE)
"""The pattern the check was: a `!`, `&` or `*` at a line's start or after whitespace, `[`, `{` or `,`, or a line
starting with `%`, `---` or `...`."""

PIECES = [*"!&*%-. \t\n\r\x0b\x0c\x85\u00a0\u2028[]{},:#'\"ab", "--", "---", "..", "..."]
"""What the two tests compose texts from: the trigger characters, every kind of line break and blank (Unicode ones
too), brackets, commas, a few ordinary characters, and runs of dashes and dots (whole or short of a marker)."""


def test_machinery_is_found_in_exactly_the_texts_the_reference_pattern_matches():
    generator = random.Random(1)
    outcomes: Counter[bool] = Counter()
    for _ in range(30_000):
        text = "".join(generator.choices(PIECES, k=generator.randint(0, 12)))
        found = holds_yaml_machinery(text)
        assert found == (REFERENCE.search(text) is not None), repr(text)
        outcomes[found] += 1
    assert min(outcomes.values()) > 5_000  # both answers are common, so each was put to the test


@settings(max_examples=1_500)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_machinery_is_found_where_the_reference_pattern_finds_it_in_any_text(text: str):
    assert holds_yaml_machinery(text) == (REFERENCE.search(text) is not None)


def test_tags_anchors_aliases_directives_and_markers_are_machinery_and_ordinary_punctuation_is_not():
    machinery = ["!!str 5", "a: !!int '7'", "a: &anchor 1", "b: *anchor", "- *x", "[*x]", "{a: *x}", "a: [1,*x]",
                 "%YAML 1.2\n---\na: 1", "a: 1\n---\nb: 2", "a: 1\n...\n", "...", "a:\n\t&x 1", "a:\u00a0!x"]
    ordinary = ["title: AT&T said 50%", "note: 3*4 and x!", "a: b---c", "a: 'wait...'", "a: -- b", "a: b!&*",
                "a: 1 #*not", "", "a: 1\n  b"]
    assert [text for text in machinery if not holds_yaml_machinery(text)] == []
    assert [text for text in ordinary if holds_yaml_machinery(text)] == []
    assert all((REFERENCE.search(text) is not None) == holds_yaml_machinery(text) for text in machinery + ordinary)
