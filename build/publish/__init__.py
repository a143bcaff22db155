"""Stage 4, publish: the Datasette configuration, the atomic swap that makes a build current, and serving it."""
