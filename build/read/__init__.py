"""Stage 1, read: find the curated files, read their bytes, parse their YAML."""
