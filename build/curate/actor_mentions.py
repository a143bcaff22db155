"""Find the actors an article names, through the aliases of reference/actors.yaml, and the names it has no actor for."""

from __future__ import annotations

import re
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


def _word_pattern(words: str) -> str:
    return rf"(?<!\w){re.escape(words)}(?!\w)"


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
    pattern = re.compile("|".join(_word_pattern(f) for f in certain))
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

_CAPITALISED = re.compile(r"[A-ZА-ЯЁ]\w*(-[A-ZА-ЯЁ]\w*)*")


def _is_adjective(word: str) -> bool:
    lower = word.lower()
    return lower in DEMONYMS or (lower.endswith(DEMONYM_ENDINGS) and len(lower) > 5)


def _opens_sentence(text: str, position: int) -> bool:
    """Whether the word at `position` is the first of its sentence (capitalised for that reason alone)."""
    before = text[:position].rstrip(" \t\xa0“”\"‘’'(")
    return not before or before[-1] in ".?!:\n"


def find_unknown_names(text: str, known: list[Mention], start: int = 0, end: int | None = None) -> list[Mention]:
    """Runs of capitalised words between `start` and `end` that no known actor's mention covers.

    These are candidates for new actors (persons, bodies, groups); offices, nationality
    adjectives, days, months and sentence openers are trimmed off or left out.
    """
    end = len(text) if end is None else end
    taken = [(m.start, m.end) for m in known]
    words = list(re.finditer(r"\w[\w-]*", text[start:end]))
    names: list[Mention] = []
    run: list[re.Match[str]] = []

    def close() -> None:
        while run and (run[-1].group().lower() in CONNECTORS | NOT_NAMES):
            run.pop()
        while run and (run[0].group().lower() in NOT_NAMES | TITLES | CONNECTORS or _is_adjective(run[0].group())):
            run.pop(0)
        single = len(run) == 1 and (len(run[0].group()) < 3 or _is_adjective(run[0].group())
                                    or _opens_sentence(text, start + run[0].start()))
        if run and not single:
            first, last = start + run[0].start(), start + run[-1].end()
            names.append(Mention(first, last, text[first:last]))
        run.clear()

    for word in words:
        absolute = (start + word.start(), start + word.end())
        inside_known = any(a <= absolute[0] and absolute[1] <= b for a, b in taken)
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
