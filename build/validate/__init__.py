"""Stage 2, validate: check every curated value and every reference across files; collect errors with file:line."""
