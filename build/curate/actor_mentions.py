"""Find the actors an article names, through the aliases of reference/actors.yaml, and the names it has no actor for."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

from rucas.build.curate.dateline import MONTHS


@dataclass(frozen=True)
class KnownActor:
    """An actor of reference/actors.yaml as the mention finder needs it: id, name, type and surface forms."""

    actor_id: str
    name: str
    actor_type: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Mention:
    """One place where the text names an actor (or a name that is no actor yet): words and span [start, end)."""

    start: int
    end: int
    text: str
    actor_id: str | None = None


def find_actor_mentions(text: str, actors: Iterable[KnownActor], start: int = 0, end: int | None = None) -> list[Mention]:
    """Every mention of a known actor between `start` and `end`, by name or alias, whole words, case as written.

    Where two surface forms overlap ('Collective Security Treaty Organization' and 'Security
    Treaty'), the longer one wins. Mentions are returned in text order.
    """
    end = len(text) if end is None else end
    forms: dict[str, str | None] = {}
    for actor in actors:
        for form in (actor.name, *actor.aliases):
            if form and form.strip():
                # A form shared by two actors names neither for certain.
                forms[form] = actor.actor_id if forms.get(form, actor.actor_id) == actor.actor_id else None
    certain = sorted((form for form, actor_id in forms.items() if actor_id is not None), key=len, reverse=True)
    if not certain:
        return []
    # One test of the word boundary, then the forms: an alternation of whole-word patterns tested the
    # boundary once for each form at each character (a long article took seconds).
    pattern = re.compile(rf"(?<!\w)(?:{'|'.join(re.escape(f) for f in certain)})(?!\w)")
    return [Mention(m.start(), m.end(), m.group(), forms[m.group()]) for m in pattern.finditer(text, start, end)]


CONNECTORS = {"of", "the", "for", "and", "de", "al", "el", "bin", "von", "van", "on"}
"""Lower-case words allowed inside a name ('Collective Security Treaty Organization', 'Ministry of Defence')."""

NOT_NAMES = {
    "the", "a", "an", "this", "that", "these", "those", "it", "its", "he", "she", "they", "we", "i", "you", "his", "her",
    "their", "our", "in", "on", "at", "by", "for", "from", "to", "of", "with", "as", "but", "and", "or", "if", "when",
    "while", "after", "before", "however", "instead", "separately", "meanwhile", "also", "according", "earlier",
    "later", "last", "next", "there", "here", "what", "who", "which", "why", "how", "not", "no", "yes", "all", "some",
    "both", "each", "such", "many", "most", "more", "other", "so", "then", "thus", "still", "yet", "of course",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", *MONTHS,
}
"""Capitalised words that start sentences or name days and months, not actors."""

TITLES = {"president", "prime", "minister", "deputy", "foreign", "defense", "defence", "interior", "general",
          "colonel", "chief", "head", "spokesman", "spokeswoman", "secretary", "ambassador", "mr", "mrs", "ms",
          "dr", "senior", "former", "acting", "political", "analyst", "commander", "director"}
"""Words of an office written before a name ('Foreign Minister Abdulaziz Komilov'): not part of the name."""

DEMONYM_ENDINGS = ("ian", "ese", "ish", "ean")
DEMONYMS = {"uzbek", "kyrgyz", "tajik", "kazakh", "turkmen", "afghan", "russian", "chinese", "american", "british",
            "french", "german", "iranian", "turkish", "soviet", "islamist"}
"""Adjectives of nationality or region written before a name ('Russian President ...'): not a name on their own."""

_NOT_LAST = CONNECTORS | NOT_NAMES
_NOT_FIRST = NOT_NAMES | TITLES | CONNECTORS

_CAPITALISED = re.compile(r"[A-ZА-ЯЁ]\w*(-[A-ZА-ЯЁ]\w*)*")


def _is_adjective(word: str) -> bool:
    lower = word.lower()
    return lower in DEMONYMS or (lower.endswith(DEMONYM_ENDINGS) and len(lower) > 5)


def _opens_sentence(text: str, position: int) -> bool:
    """Whether the word at `position` is the first of its sentence (capitalised for that reason alone)."""
    before = position  # read back over the characters that may stand before a sentence's first word
    while before > 0 and text[before - 1] in " \t\xa0“”\"‘’'(":
        before -= 1
    return before == 0 or text[before - 1] in ".?!:\n"


def find_unknown_names(text: str, known: list[Mention], start: int = 0, end: int | None = None) -> list[Mention]:
    """Runs of capitalised words between `start` and `end` that no known actor's mention covers (`known`: in
    text order, not overlapping, as find_actor_mentions returns them).

    These are candidates for new actors (persons, bodies, groups); offices, nationality
    adjectives, days, months and sentence openers are trimmed off or left out.
    """
    end = len(text) if end is None else end
    # `known` is in text order and does not overlap (as find_actor_mentions returns it): one pass over the part
    # of it that reaches past `start`
    taken = known
    next_taken = bisect_right(known, start, key=lambda m: m.end)
    words = list(re.finditer(r"\w[\w-]*", text[start:end]))
    names: list[Mention] = []
    run: list[re.Match[str]] = []

    def close() -> None:
        while run and (run[-1].group().lower() in _NOT_LAST):
            run.pop()
        while run and (run[0].group().lower() in _NOT_FIRST or _is_adjective(run[0].group())):
            run.pop(0)
        single = len(run) == 1 and (len(run[0].group()) < 3 or _is_adjective(run[0].group())
                                    or _opens_sentence(text, start + run[0].start()))
        if run and not single:
            first, last = start + run[0].start(), start + run[-1].end()
            names.append(Mention(first, last, text[first:last]))
        run.clear()

    for word in words:
        absolute = (start + word.start(), start + word.end())
        while next_taken < len(taken) and taken[next_taken].end <= absolute[0]:
            next_taken += 1
        inside_known = (next_taken < len(taken) and taken[next_taken].start <= absolute[0]
                        and absolute[1] <= taken[next_taken].end)
        gap = text[start + run[-1].end():absolute[0]] if run else ""
        if inside_known or (run and not re.fullmatch(r"[ \t\xa0]+", gap)):
            close()
        if inside_known:
            continue
        if _CAPITALISED.fullmatch(word.group()) or (run and word.group() in CONNECTORS):
            run.append(word)
        else:
            close()
    close()
    return names
