"""Pick out the sentences of an article that report what someone said, with the likely speaker."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rucas.build.curate.actor_mentions import KnownActor, Mention
from rucas.build.curate.article_text import Piece

REPORTING = re.compile(
    r"\b(said|says|say|told|tells|stated|states|declared|declares|added|adds|insisted|insists|stressed|"
    r"noted|announced|warned|explained|quoted|according to)\b")
"""Words that attribute words to someone ('said', 'told', 'stated', 'declared', 'according to', ...)."""

QUOTATION = re.compile(r"“[^”]*”|\"[^\"]*\"|«[^»]*»")
"""A quotation in curly, straight or angle quotes."""

MIN_QUOTED_WORDS = 4
"""A quotation this long is a statement even without a reporting word; shorter ones may be scare quotes."""

SPEAKER_DISTANCE = 6
"""At most this many words between a speaker's name and the reporting word ('Shoigu said', 'said Shoigu')."""

ON_BEHALF = re.compile(r"\b(spokes\w+|aide|adviser|representative|press secretary|sources?|officials?)\s+"
                       r"(of|for|at|in|close to|from)\s+(\w+\s+){0,3}$", re.IGNORECASE)
"""Words before a name that make someone else the speaker ('a spokeswoman for President X said')."""

PRONOUN = re.compile(r"\b(he|she|they)\s+(\w+\s+){0,2}$|^\s*(he|she|they)\b", re.IGNORECASE)


@dataclass
class CandidateStatement:
    """A sentence that reports speech: its words, direct or reported, the guessed speaker and who it names."""

    sentence: Piece
    quote_kind: str
    speaker_id: str | None
    speaker_reason: str
    about: list[str] = field(default_factory=list)


def _outside_quotes(sentence: Piece) -> list[tuple[int, int]]:
    """The stretches of the sentence (absolute offsets) that are not inside a quotation."""
    spans, begin = [], 0
    for match in QUOTATION.finditer(sentence.text):
        spans.append((sentence.start + begin, sentence.start + match.start()))
        begin = match.end()
    spans.append((sentence.start + begin, sentence.end))
    return spans


def _guess_speaker(text: str, sentence: Piece, mentions: list[Mention], actors: dict[str, KnownActor],
                   previous: str | None) -> tuple[str | None, str]:
    outside = _outside_quotes(sentence)
    verbs = [m for m in REPORTING.finditer(text, sentence.start, sentence.end)
             if any(a <= m.start() < b for a, b in outside)]
    named = [m for m in mentions if any(a <= m.start < b for a, b in outside)
             and not re.match(r"[’']s\b", text[m.end:m.end + 3])]  # 'said Moscow’s response': not the speaker
    best: tuple[int, Mention] | None = None
    for verb in verbs:
        for mention in named:
            gap = text[mention.end:verb.start()] if mention.end <= verb.start() else text[verb.end():mention.start]
            distance = len(gap.split())
            if distance > SPEAKER_DISTANCE or any(q in gap for q in "“”\"«»"):
                continue
            preference = distance - (2 if actors[mention.actor_id].actor_type == "person" else 0)
            if best is None or preference < best[0]:
                best = (preference, mention)
    if best is not None:
        mention = best[1]
        if ON_BEHALF.search(text[sentence.start:mention.start]):
            return None, f"someone speaking for {mention.text!r}: name the speaker"
        return mention.actor_id, f"named beside the reporting word: {mention.text!r}"
    for verb in verbs:
        if PRONOUN.search(text[sentence.start:verb.start()]) or PRONOUN.search(text[verb.end():verb.end() + 12]):
            if previous:
                return previous, "a pronoun ('he', 'she', 'they'): taken from the statement before"
            return None, "a pronoun with no named speaker before it: name the speaker"
    return None, "no known actor named as the speaker: give speaker_id"


def find_candidate_statements(text: str, sentences: list[Piece], mentions: list[Mention],
                              actors: dict[str, KnownActor]) -> list[CandidateStatement]:
    """Sentences with a quotation or a reporting word, in text order, each with a guessed speaker.

    The speaker is a known actor named next to the reporting word (persons preferred), or,
    for 'he said', the speaker of the statement before; otherwise it is left empty.
    """
    candidates: list[CandidateStatement] = []
    previous: str | None = None
    for sentence in sentences:
        quotes = [q for q in QUOTATION.finditer(sentence.text)]
        long_quote = any(len(q.group().split()) >= MIN_QUOTED_WORDS for q in quotes)
        outside = _outside_quotes(sentence)
        reported = any(any(a <= m.start() < b for a, b in outside)
                       for m in REPORTING.finditer(text, sentence.start, sentence.end))
        if not (reported or long_quote):
            continue
        inside = [m for m in mentions if sentence.start <= m.start and m.end <= sentence.end]
        speaker, reason = _guess_speaker(text, sentence, inside, actors, previous)
        about = list(dict.fromkeys(m.actor_id for m in inside if m.actor_id != speaker))
        candidates.append(CandidateStatement(sentence, "direct" if quotes else "reported", speaker, reason, about))
        previous = speaker if speaker and actors[speaker].actor_type == "person" else None
    return candidates
