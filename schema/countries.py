"""ISO 3166-1 alpha-3 country codes: the list a `country_iso3` value must come from.

The assigned codes come from the `pycountry` package, which ships the ISO 3166-1 table of
Debian's iso-codes project (https://salsa.debian.org/iso-codes-team/iso-codes), through
schema/generated_codes.py (written by `python -m rucas.schema.generate_specs`; tests/test_schema.py
fails when it no longer holds the installed table). ISO 3166-1
also reserves ranges for user assignment (AAA-AAZ, QMA-QZZ, XAA-XZZ, ZZA-ZZZ, section 5.3 of the
standard; e.g. XKX, used for Kosovo by the EU and others): those are accepted too, and the
synthetic benchmark corpus uses them so that no real state is implied.
"""

from __future__ import annotations

import functools
import re

USER_ASSIGNED = re.compile(r"AA[A-Z]|Q[M-Z][A-Z]|X[A-Z]{2}|ZZ[A-Z]")
"""Alpha-3 codes ISO 3166-1 leaves to users."""


@functools.cache  # asked for each value checked: an import statement per call cost 0.6 us
def assigned_alpha3() -> frozenset[str]:
    """Every alpha-3 code currently assigned by ISO 3166-1 (schema/generated_codes.py: loading pycountry's tables
    cost a validation 0.05 s)."""
    from rucas.schema.generated_codes import ASSIGNED_ALPHA3

    return ASSIGNED_ALPHA3


def pycountry_alpha3() -> frozenset[str]:
    """Every alpha-3 code of pycountry's ISO 3166-1 table (what schema/generated_codes.py is generated from)."""
    import pycountry

    return frozenset(country.alpha_3 for country in pycountry.countries)


def is_country_code(code: str) -> bool:
    """True when `code` is an assigned or user-assigned ISO 3166-1 alpha-3 code."""
    return code in assigned_alpha3() or bool(USER_ASSIGNED.fullmatch(code))
