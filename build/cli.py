"""The `rucas` command: a thin wrapper over rucas.build.pipeline and friends."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rucas.build.validate.errors import ValidationFailed
from rucas.build.paths import default_curated_dir, default_output_dir


def _add_paths(parser: argparse.ArgumentParser, output: bool = True) -> None:
    parser.add_argument("--curated", type=Path, default=None,
                        help="the curated folder (default: dataset/curated of the package)")
    if output:
        parser.add_argument("--output", type=Path, default=None,
                            help="where outputs go (default: dataset/ in a checkout, else a cache folder)")


def _print_errors(failure: ValidationFailed) -> int:
    for error in failure.errors:
        print(str(error), file=sys.stderr)
    print(f"\n{len(failure.errors)} error(s); nothing was written.", file=sys.stderr)
    return 1


def _show_bar(args: argparse.Namespace) -> bool:
    """A progress bar with --progress, or by default when standard error is a terminal (never with --quiet)."""
    return not args.quiet and (args.progress or sys.stderr.isatty())


def cmd_validate(args: argparse.Namespace) -> int:
    """Check every curated file; write nothing."""
    from rucas.build.pipeline import quiet, stderr_progress, validate, validate_tables

    curated = args.curated or default_curated_dir()
    progress = quiet if args.quiet else stderr_progress
    try:
        cache_dir = None if args.no_cache else (args.cache_dir or default_output_dir() / ".cache")
        validated = validate_tables(curated, cache_dir, progress, bar=_show_bar(args))
        if validated is not None:
            sizes = {name: table.num_rows for name, table in validated.tables.items() if table.num_rows}
        else:
            sizes = {name: len(rows) for name, rows in validate(curated, progress).tables.items()}
    except ValidationFailed as failure:
        return _print_errors(failure)
    counts = ", ".join(f"{n} {t}" for t, n in sorted(sizes.items()))
    print(f"valid: {counts}")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    """Validate, then write every output atomically."""
    from rucas.build.pipeline import build, quiet, stderr_progress

    try:
        report = build(args.curated or default_curated_dir(), args.output or default_output_dir(),
                       quiet if args.quiet else stderr_progress, cache=not args.no_cache, bar=_show_bar(args),
                       incremental=not args.cold)
    except ValidationFailed as failure:
        return _print_errors(failure)
    total = sum(report.row_counts.values())
    print(f"built rucas {report.version}: {total} rows in {len(report.row_counts)} tables -> {report.output_dir}")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    """Print the row counts and version of the current build."""
    import rucas

    manifest = rucas.manifest(args.output)
    if args.markdown:
        from rucas.build.stats import markdown_counts, per_source_counts

        print(markdown_counts(manifest["row_counts"], per_source_counts(rucas.output_dir(args.output))))
        return 0
    if args.json:
        print(json.dumps({"version": manifest["version"], "row_counts": manifest["row_counts"]}, indent=2))
        return 0
    print(f"rucas {manifest['version']}")
    width = max(len(name) for name in manifest["row_counts"])
    for name, count in manifest["row_counts"].items():
        print(f"  {name:<{width}}  {count:>9,}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the SQLite database with Datasette (read-only, immutable)."""
    from rucas.build.publish.serve import serve

    return serve(output_dir=args.output or default_output_dir(), host=args.host, port=args.port,
                 rebuild=args.rebuild)


def cmd_publish_config(args: argparse.Namespace) -> int:
    """Write the Datasette configuration directory for the current build."""
    from rucas.build.publish.serve import publish_config

    try:
        directory = publish_config(args.output or default_output_dir(), args.to)
    except FileNotFoundError as missing:
        print(str(missing), file=sys.stderr)
        return 1
    print(f"wrote {directory}; serve it with: datasette {directory}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `rucas` command."""
    parser = argparse.ArgumentParser(prog="rucas", description="Build and publish the RUCAS dataset.")
    commands = parser.add_subparsers(dest="command", required=True)

    validate = commands.add_parser("validate", help="check the curated files; write nothing",
                                   description="Check every curated file. Errors name file:line and the fix; "
                                   "exit status 1 when there are any.")
    _add_paths(validate, output=False)
    validate.add_argument("--quiet", action="store_true", help="no progress output")
    validate.add_argument("--progress", action="store_true", help="draw a progress bar even when not on a terminal")
    validate.add_argument("--no-cache", action="store_true", help="validate every article, ignoring cached results")
    validate.add_argument("--cache-dir", type=Path, default=None,
                          help="where cached per-article results are read (default: <output>/.cache)")
    validate.set_defaults(func=cmd_validate)

    build = commands.add_parser("build", help="validate, then write Parquet, DuckDB, SQLite and Datasette config",
                                description="Validate, then write all outputs. Outputs are swapped in atomically; "
                                "on any error nothing changes.")
    _add_paths(build)
    build.add_argument("--quiet", action="store_true", help="no progress output")
    build.add_argument("--progress", action="store_true", help="draw a progress bar even when not on a terminal")
    build.add_argument("--no-cache", action="store_true",
                       help="validate every article again instead of reusing <output>/.cache")
    build.add_argument("--cold", action="store_true",
                       help="write every output anew instead of patching the previous build")
    build.set_defaults(func=cmd_build)

    stats = commands.add_parser("stats", help="row counts and version of the current build")
    stats.add_argument("--output", type=Path, default=None, help="the output folder")
    stats.add_argument("--json", action="store_true", help="print JSON")
    stats.add_argument("--markdown", action="store_true", help="print the README's counts tables")
    stats.set_defaults(func=cmd_stats)

    serve = commands.add_parser("serve", help="browse the dataset with Datasette (read-only)",
                                description="Serve dataset/rucas.db with Datasette, immutable and read-only. "
                                "Builds first if there is no build yet.")
    serve.add_argument("--output", type=Path, default=None, help="the output folder")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8001, help="port (default 8001)")
    serve.add_argument("--rebuild", action="store_true", help="build before serving even if a build exists")
    serve.set_defaults(func=cmd_serve)

    publish_config = commands.add_parser(
        "publish-config", help="write the Datasette config directory (plain `datasette DIR` serves it)",
        description="Write metadata.json, settings.json, inspect-data.json and a link to rucas.db into the "
        "build's datasette/ folder (every build does this too), or into --to DIR.")
    publish_config.add_argument("--output", type=Path, default=None, help="the output folder")
    publish_config.add_argument("--to", type=Path, default=None, help="write the config directory here instead")
    publish_config.set_defaults(func=cmd_publish_config)

    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
