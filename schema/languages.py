"""ISO 639-1 language codes: the list a `language` value must come from (from the `pycountry` package, through
schema/generated_codes.py, written by `python -m rucas.schema.generate_specs`)."""

from __future__ import annotations

import functools


@functools.cache  # asked for each value checked: an import statement per call cost 0.6 us
def iso639_1() -> frozenset[str]:
    """Every two-letter code of ISO 639-1 (schema/generated_codes.py)."""
    from rucas.schema.generated_codes import ISO639_1

    return ISO639_1


def pycountry_iso639_1() -> frozenset[str]:
    """Every two-letter code of pycountry's ISO 639 table (what schema/generated_codes.py is generated from)."""
    import pycountry

    return frozenset(language.alpha_2 for language in pycountry.languages if hasattr(language, "alpha_2"))


def is_language_code(code: str) -> bool:
    """True when `code` is an ISO 639-1 language code (en, ru, ky, uz, ...)."""
    return code in iso639_1()
