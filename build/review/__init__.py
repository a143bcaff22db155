"""Measuring coding reliability: two codings of an article compared unit by unit, Krippendorff's alpha, adjudication logs."""
