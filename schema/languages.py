"""ISO 639-1 language codes: the list a `language` value must come from (from the `pycountry` package)."""

from __future__ import annotations

import functools


@functools.cache
def iso639_1() -> frozenset[str]:
    """Every two-letter code of ISO 639-1."""
    import pycountry

    return frozenset(language.alpha_2 for language in pycountry.languages if hasattr(language, "alpha_2"))


def is_language_code(code: str) -> bool:
    """True when `code` is an ISO 639-1 language code (en, ru, ky, uz, ...)."""
    return code in iso639_1()
