"""Pick out the sentences of an article that report what someone said, with the likely speaker."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from rucas.build.curate.actor_mentions import KnownActor, Mention
from rucas.build.curate.article_text import Piece

REPORTING = re.compile(
    r"\b(said|says|say|told|tells|stated|states|declared|declares|added|adds|insisted|insists|stressed|"
    r"noted|announced|warned|explained|quoted|according to)\b")
"""Words that attribute words to someone ('said', 'told', 'stated', 'declared', 'according to', ...)."""

QUOTE_MARKS = {"“": "”", '"': '"', "«": "»"}
"""A quotation is in curly, straight or angle quotes: each opening mark with its closing one."""

_OPENING = re.compile("|".join(re.escape(mark) for mark in QUOTE_MARKS))


def find_quotations(text: str) -> list[tuple[int, int]]:
    """The spans [start, end) of the quotations in `text`, marks included, from the left: each opening mark
    runs to the next closing mark of its kind. One pass: a mark that is never closed is looked for once, so
    an article with many unclosed quotation marks stays linear (a regular expression rescanned the rest of
    the text from each)."""
    spans: list[tuple[int, int]] = []
    unclosed: set[str] = set()
    position = 0
    while (opening := _OPENING.search(text, position)) is not None:
        mark = opening.group()
        close = -1 if mark in unclosed else text.find(QUOTE_MARKS[mark], opening.end())
        if close == -1:
            unclosed.add(mark)
            position = opening.end()
        else:
            spans.append((opening.start(), close + 1))
            position = close + 1
    return spans

MIN_QUOTED_WORDS = 4
"""A quotation this long is a statement even without a reporting word; shorter ones may be scare quotes."""

SPEAKER_DISTANCE = 6
"""At most this many words between a speaker's name and the reporting word that follows it ('Shoigu, the minister, said')."""

SPEAKER_DISTANCE_AFTER = 3
"""At most this many words between a reporting word and a speaker's name after it ('said Defense Minister Shoigu')."""

ON_BEHALF = re.compile(r"\b(spokes\w+|aide|adviser|representative|press secretary|sources?|officials?)\s+"
                       r"(of|for|at|in|close to|from)\s+(\w+\s+){0,3}$|"
                       r"\b(of|for|at|from|with)\s+(the\s+)?([\w’'-]+\s+){0,2}$", re.IGNORECASE)
"""Words before a name that make someone else the speaker ('a spokeswoman for President X said',
'Sharafov of the republic's National Security Service told')."""

PRONOUN = re.compile(r"\b(he|she|they)\s+(\w+\s+){0,2}$|^\s*(he|she|they)\b", re.IGNORECASE)
"""A pronoun just before or after the reporting word: 'she said', 'he later added', 'said she'."""

PRONOUN_BEFORE = re.compile(r"(?<!\w)(he|she|they)\s+(\w+\s+)?$", re.IGNORECASE)
"""A pronoun right before the reporting word: 'she said', 'he later added'."""

ADDRESSEE_VERBS = {"told", "tells"}
"""Reporting words whose following name is the one spoken to ('told Sputnik'), not the speaker."""


@dataclass
class CandidateStatement:
    """A sentence that reports speech: its words, direct or reported, the guessed speaker and who it names."""

    sentence: Piece
    quote_kind: str
    speaker_id: str | None
    speaker_reason: str
    about: list[str] = field(default_factory=list)
    reported_via_id: str | None = None


def _outside_quotes(sentence: Piece) -> list[tuple[int, int]]:
    """The stretches of the sentence (absolute offsets) that are not inside a quotation."""
    spans, begin = [], 0
    for quote_start, quote_end in find_quotations(sentence.text):
        spans.append((sentence.start + begin, sentence.start + quote_start))
        begin = quote_end
    spans.append((sentence.start + begin, sentence.end))
    return spans


class _Spans:
    """Sorted, disjoint spans [start, end) (a sentence's stretches outside quotations), asked whether they hold a
    position by bisection: a sentence with many quotations and reporting words stays linear."""

    def __init__(self, spans: list[tuple[int, int]]):
        self.starts, self.ends = [a for a, _ in spans], [b for _, b in spans]

    def hold(self, position: int) -> bool:
        index = bisect_right(self.starts, position) - 1
        return index >= 0 and position < self.ends[index]


class _Tokens:
    """The runs of non-space characters of a sentence, to count the words between two positions in it as
    `len(text[a:b].split())` does, without reading the text between them."""

    def __init__(self, sentence: Piece):
        found = [(sentence.start + m.start(), sentence.start + m.end()) for m in re.finditer(r"\S+", sentence.text)]
        self.starts, self.ends = [a for a, _ in found], [b for _, b in found]

    def between(self, start: int, end: int) -> int:
        if end <= start:
            return 0
        return bisect_left(self.starts, end) - bisect_right(self.ends, start)

    def start_of_previous(self, position: int, count: int) -> int | None:
        """The start of the `count`-th run that starts before `position`, counting back (None when fewer)."""
        index = bisect_left(self.starts, position) - count
        return self.starts[index] if index >= 0 else None


def _near(named: list[Mention], ends: list[int], verb: re.Match[str], tokens: _Tokens) -> list[Mention]:
    """The mentions close enough to the reporting word to be its speaker, in text order: those ending before it
    with at most SPEAKER_DISTANCE words between, and those after it with at most SPEAKER_DISTANCE_AFTER."""
    split = bisect_right(ends, verb.start())  # `ends`: of `named`, which do not overlap
    first = split
    while first > 0 and tokens.between(named[first - 1].end, verb.start()) <= SPEAKER_DISTANCE:
        first -= 1
    last = split
    while last < len(named) and (named[last].start < verb.end()
                                 or tokens.between(verb.end(), named[last].start) <= SPEAKER_DISTANCE_AFTER):
        last += 1
    return named[first:last]


def _pronoun_speaker(previous: str | None) -> tuple[str | None, str]:
    if previous:
        return previous, "a pronoun ('he', 'she', 'they'): taken from the statement before"
    return None, "a pronoun with no named speaker before it: name the speaker"


def _guess_speaker(text: str, sentence: Piece, mentions: list[Mention], actors: dict[str, KnownActor],
                   previous: str | None) -> tuple[str | None, str]:
    outside = _Spans(_outside_quotes(sentence))
    tokens = _Tokens(sentence)
    verbs = [m for m in REPORTING.finditer(text, sentence.start, sentence.end) if outside.hold(m.start())]
    # 'she said', 'he later added': the pronoun is one of the two runs of characters before the verb
    if any(PRONOUN_BEFORE.search(text, max(sentence.start, tokens.start_of_previous(verb.start(), 2) or 0),
                                 verb.start()) for verb in verbs):
        return _pronoun_speaker(previous)
    named = [m for m in mentions if outside.hold(m.start)
             and not re.match(r"[’']s\b", text[m.end:m.end + 3])]  # 'said Moscow’s response': not the speaker
    ends = [m.end for m in named]
    best: tuple[int, Mention] | None = None
    for verb in verbs:
        for mention in _near(named, ends, verb, tokens):  # the others are too far away to be the speaker
            before = mention.end <= verb.start()
            gap = text[mention.end:verb.start()] if before else text[verb.end():mention.start]
            if not before and (verb.group() in ADDRESSEE_VERBS or re.match(r"\s*that\b", gap)):
                continue  # 'told Sputnik', 'stressed that Moscow ...'
            distance = len(gap.split())
            if distance > (SPEAKER_DISTANCE if before else SPEAKER_DISTANCE_AFTER) or any(q in gap for q in "“”\"«»"):
                continue
            preference = distance - (2 if actors[mention.actor_id].actor_type == "person" else 0)
            if best is None or preference < best[0]:
                best = (preference, mention)
    if best is not None:
        mention = best[1]
        if ON_BEHALF.search(text[sentence.start:mention.start]):
            return None, f"{mention.text!r} is named after 'of' or 'for', as someone's body or place: name the speaker"
        return mention.actor_id, f"named beside the reporting word: {mention.text!r}"
    if any(PRONOUN.search(text[verb.end():verb.end() + 12]) for verb in verbs):
        return _pronoun_speaker(previous)
    return None, "no known actor named as the speaker: give speaker_id"


def find_candidate_statements(text: str, sentences: list[Piece], mentions: list[Mention],
                              actors: dict[str, KnownActor]) -> list[CandidateStatement]:
    """Sentences with a quotation or a reporting word, in text order, each with a guessed speaker.

    The speaker is a known actor named next to the reporting word (persons preferred), or,
    for 'he said', the speaker of the statement before; otherwise it is left empty.
    """
    candidates: list[CandidateStatement] = []
    previous: str | None = None
    mentions = sorted(mentions, key=lambda m: m.start)
    starts = [m.start for m in mentions]
    for sentence in sentences:
        quotes = find_quotations(sentence.text)
        long_quote = any(len(sentence.text[a:b].split()) >= MIN_QUOTED_WORDS for a, b in quotes)
        outside = _Spans(_outside_quotes(sentence))
        reported = any(outside.hold(m.start()) for m in REPORTING.finditer(text, sentence.start, sentence.end))
        if not (reported or long_quote):
            continue
        inside = [m for m in mentions[bisect_left(starts, sentence.start):bisect_left(starts, sentence.end)]
                  if m.end <= sentence.end]
        speaker, reason = _guess_speaker(text, sentence, inside, actors, previous)
        via = None
        if speaker and actors[speaker].actor_type == "media":  # 'according to Interfax': the agency, not the speaker
            via, speaker, reason = speaker, None, f"{actors[speaker].name} is a news outlet (reported_via_id): name the speaker"
        about = list(dict.fromkeys(m.actor_id for m in inside if m.actor_id not in (speaker, via)))
        candidates.append(CandidateStatement(sentence, "direct" if quotes else "reported", speaker, reason, about, via))
        previous = speaker if speaker and actors[speaker].actor_type == "person" else None
    return candidates
