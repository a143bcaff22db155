"""Krippendorff's alpha over a coincidence matrix: any number of coders, missing values, nominal or interval.

Reliability data are a list of units, each the values the coders gave it (None where a coder gave none).
Only units with at least two values are pairable. Each pairable unit u with m_u values adds, for every
ordered pair of its values (c, k) from different coders, 1/(m_u - 1) to the coincidence o_ck. With n_c the
row sums and n their total,

    alpha = 1 - (n - 1) * sum_ck o_ck d2(c, k) / sum_ck n_c n_k d2(c, k)

where d2 is 0/1 (nominal) or (c - k)^2 (interval). Alpha is undefined (None) when fewer than two values are
pairable or when every pairable value is the same (no expected disagreement): Krippendorff, "Computing
Krippendorff's Alpha-Reliability" (2011), https://repository.upenn.edu/asc_papers/43.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Literal

import numpy as np

Level = Literal["nominal", "interval"]


def coincidences(units: Sequence[Sequence[Hashable | None]]) -> tuple[list[Hashable], np.ndarray]:
    """The values that occur in pairable units (sorted where they can be) and their coincidence matrix."""
    pairable = [[value for value in unit if value is not None] for unit in units]
    pairable = [values for values in pairable if len(values) >= 2]
    distinct = {value for values in pairable for value in values}
    try:
        values = sorted(distinct)  # type: ignore[type-var]
    except TypeError:
        values = sorted(distinct, key=repr)
    index = {value: i for i, value in enumerate(values)}
    matrix = np.zeros((len(values), len(values)))
    for unit in pairable:
        counts = np.bincount([index[value] for value in unit], minlength=len(values)).astype(float)
        # every ordered pair of different coders' values: counts c * k off the diagonal, c * (c - 1) on it
        matrix += (np.outer(counts, counts) - np.diag(counts)) / (len(unit) - 1)
    return values, matrix


def squared_differences(values: Sequence[Hashable], level: Level) -> np.ndarray:
    """The metric's squared difference between every two values: nominal 0/1, interval (c - k)^2."""
    if level == "nominal":
        return 1.0 - np.eye(len(values))
    if level == "interval":
        numbers = np.asarray(values, dtype=float)
        return (numbers[:, None] - numbers[None, :]) ** 2
    raise ValueError(f"unknown level {level!r}: use nominal or interval")


def krippendorff_alpha(units: Sequence[Sequence[Hashable | None]], level: Level = "nominal") -> float | None:
    """Krippendorff's alpha of reliability data given unit by unit (each unit: one value or None per coder).

    None when alpha is undefined: fewer than two pairable values, or a single value throughout."""
    values, matrix = coincidences(units)
    marginals = matrix.sum(axis=1)
    total = marginals.sum()
    if total < 2:
        return None
    delta = squared_differences(values, level)
    expected = float(np.outer(marginals, marginals).__mul__(delta).sum())
    if expected == 0:
        return None
    observed = float((matrix * delta).sum())
    return 1.0 - (total - 1) * observed / expected
