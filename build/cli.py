"""The `rucas` command: a thin wrapper over rucas.build.pipeline and friends."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rucas.build.read.errors import ValidationFailed
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
    from rucas.build.pipeline import quiet, stderr_progress, validate

    curated = args.curated or default_curated_dir()
    progress = quiet if args.quiet else stderr_progress
    cache_dir = None if args.no_cache else (args.cache_dir or default_output_dir() / ".cache")
    if args.watch and curated.is_dir():  # else validate says what is wrong with the folder, and stops
        return _validate_watching(curated, cache_dir, args.quiet)
    try:
        validated = validate(curated, cache_dir, progress, bar=_show_bar(args))
        sizes = {name: count for name, count in validated.row_counts.items() if count}
    except ValidationFailed as failure:
        return _print_errors(failure)
    counts = ", ".join(f"{n} {t}" for t, n in sorted(sizes.items()))
    print(f"valid: {counts}")
    return 0


def _validate_watching(curated: Path, cache_dir: Path | None, quiet: bool) -> int:
    """`rucas validate --watch`: validate, then again after each save, until interrupted. Each validation prints its
    errors (standard error) and one line on standard output: `valid: ...` as `rucas validate` prints it, or the
    number of errors."""
    import time

    from rucas.build.pipeline import WatchRound, validate_watching
    from rucas.build.read.watch import WatchUnavailable

    def report(round: WatchRound) -> None:
        if not quiet and round.changed is not None:
            paths = sorted(round.changed.paths)
            more = f" and {len(paths) - 3} more" if len(paths) > 3 else ""
            print(f"\n[{time.strftime('%H:%M:%S')}] changed: {', '.join(paths[:3])}{more}", file=sys.stderr)
        if isinstance(round.outcome, ValidationFailed):
            for error in round.outcome.errors:
                print(str(error), file=sys.stderr)
            print(f"{len(round.outcome.errors)} error(s)", flush=True)
        else:
            counts = ", ".join(f"{n} {t}" for t, n in sorted(round.outcome.row_counts.items()) if n)
            print(f"valid: {counts}", flush=True)
        if not quiet:
            print(f"checked in {round.seconds:.2f} s; watching {curated} for changes (Ctrl-C stops)", file=sys.stderr,
                  flush=True)

    try:
        validate_watching(curated, cache_dir, report)
    except WatchUnavailable as unavailable:
        print(f"rucas: --watch: {unavailable}. Fix: run `rucas validate` after each save instead.", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
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
    from rucas.build.write.manifest import read_manifest

    manifest = read_manifest(rucas.output_dir(args.output) / "manifest.json")
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


def cmd_docs(args: argparse.Namespace) -> int:
    """Rewrite the generated blocks of REFERENCE.md and dataset/curated/README.md (or, with --check, name the stale ones)."""
    import tempfile

    from rucas.build.pipeline import build, quiet
    from rucas.build.publish.reference_doc import DocInputs, update_documents

    curated = args.curated or default_curated_dir()
    with tempfile.TemporaryDirectory(prefix="rucas-docs-") as scratch:
        output = args.output or build(curated, Path(scratch), quiet, cache=False, incremental=False).output_dir
        stale = update_documents(DocInputs(output, curated, cli=args.parser), check=args.check)
    for block in stale:
        print(f"{'stale' if args.check else 'rewrote'}: {block}", file=sys.stderr if args.check else sys.stdout)
    if args.check and stale:
        print("run `rucas docs` to regenerate them.", file=sys.stderr)
        return 1
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the SQLite database with Datasette (read-only, immutable)."""
    from rucas.build.pipeline import build, ensure_built, stderr_progress
    from rucas.build.publish.atomic import check_output_dir
    from rucas.build.publish.serve import PortInUse, check_port_free, serve

    output = args.output or default_output_dir()
    if not (output / "datasette" / "inspect-data.json").exists():  # then serving writes it (and may build) there
        check_output_dir(output)
    try:
        check_port_free(args.host, args.port)  # before building anything
        if args.rebuild:
            build(default_curated_dir(), output, stderr_progress)
        ensure_built(output)
        return serve(output_dir=output, host=args.host, port=args.port)
    except PortInUse as busy:
        print(f"rucas serve: {busy.strerror}", file=sys.stderr)
        return 1


def cmd_publish_config(args: argparse.Namespace) -> int:
    """Write the Datasette configuration directory for the current build."""
    from rucas.build.publish.atomic import check_output_dir, claim_folder
    from rucas.build.publish.serve import publish_config

    if args.to is None:  # the configuration is written into the build's datasette/
        check_output_dir(args.output or default_output_dir())
    else:
        claim_folder(args.to)
    try:
        directory = publish_config(args.output or default_output_dir(), args.to)
    except FileNotFoundError as missing:
        print(str(missing), file=sys.stderr)
        return 1
    print(f"wrote {directory}; serve it with: datasette {directory}")
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    """Copy the current clean build into a release folder with CHANGES, CITATION.cff, SHA256SUMS and an archive."""
    import datetime

    from rucas.build.paths import default_releases_dir
    from rucas.build.release.release import ReleaseError, make_release

    try:
        released = datetime.date.fromisoformat(args.date) if args.date else None
    except ValueError:
        print(f"--date {args.date}: write the date as YYYY-MM-DD", file=sys.stderr)
        return 2
    try:
        report = make_release(args.output or default_output_dir(), args.to or default_releases_dir(),
                              released=released, previous=args.previous, curated_dir=args.curated)
    except (ReleaseError, FileNotFoundError) as failure:
        print(str(failure), file=sys.stderr)
        return 1
    release = report.release
    print(f"released rucas {release.version} ({release.date}) -> {release.folder}")
    print(f"  changes against: {release.previous or 'nothing (first release)'}; see {release.folder / 'CHANGES'}")
    print(f"  archive: {report.archive} sha256 {report.archive_sha256}")
    if report.warning:
        print(f"warning: {report.warning}", file=sys.stderr)
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    """Compare two builds or releases table by table and view by view."""
    from rucas.build.release.diff import DiffError, diff_builds
    from rucas.build.release.report import changes_json, changes_text
    from rucas.build.write.manifest import ManifestError

    try:
        diff = diff_builds(args.old, args.new)
    except (FileNotFoundError, DiffError, ManifestError) as missing:
        print(str(missing), file=sys.stderr)
        return 1
    text = changes_json(diff) if args.format == "json" else changes_text(diff)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    """Add an article to the curated folder with a starting annotation of marked suggestions."""
    from rucas.build.curate.new_article import NewArticleError, add_article

    try:
        added = add_article(args.article, args.curated or default_curated_dir(), args.source_id)
    except NewArticleError as problem:
        print(str(problem), file=sys.stderr)
        return 1
    speakers = sum(1 for s in added.statements if s.speaker_id)
    date = (f"date {added.date.day} from the dateline '{added.date.words}'" if added.date
            else "no dateline found: the date is left empty")
    print(f"wrote {added.article_path} (byte for byte) and {added.annotation_path}:\n"
          f"  body {'guessed' if added.body else 'not found: write source.body by hand'}; {date}\n"
          f"  {len(added.statements)} candidate statement(s), {speakers} with a speaker; "
          f"{len({m.actor_id for m in added.mentions})} known actor(s) mentioned; "
          f"{len({m.text for m in added.unknown_names})} name(s) matching no actor\n"
          f"Review each `suggested: true` and the suggestions: block, then run: rucas check {added.source_id}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Validate one article against the reference files; print what it adds to each table."""
    from rucas.build.curate.check_article import check_article, check_review_page, summary_lines

    result = check_article(args.curated or default_curated_dir(), args.article_id)
    for error in result.errors:
        print(str(error), file=sys.stderr)
    if args.html and (page := check_review_page(result)) is not None:
        args.html.parent.mkdir(parents=True, exist_ok=True)
        args.html.write_text(page, encoding="utf-8")
        print(f"review page: {args.html}")
    verdict = "valid" if result.ok else f"{len(result.errors)} error(s); rows with errors are left out"
    print(f"{result.source_id}: {verdict}. It adds:")
    print("\n".join(summary_lines(result)))
    return 0 if result.ok else 1


def cmd_blind_packet(args: argparse.Namespace) -> int:
    """Write a blind second coder's packet for one article: the article, the guide and the reference vocabulary."""
    from rucas.build.curate.blind_packet import write_blind_packet

    curated = args.curated or default_curated_dir()
    guide = args.guide or curated / "codings" / "coder-b" / "GUIDE.md"
    try:
        hashes = write_blind_packet(curated, args.article_id, args.out, guide)
    except (ValueError, FileNotFoundError, FileExistsError) as problem:
        print(f"rucas blind-packet: {problem}", file=sys.stderr)
        return 1
    for name, digest in hashes.items():
        print(f"{digest}  {name}")
    print(f"packet: {args.out} (give the coder only this folder; record the hashes above in the coding's RECORD.md)")
    return 0


def cmd_agreement(args: argparse.Namespace) -> int:
    """Compare two roles' codings: Krippendorff's alpha per field and article, and every disagreement by key."""
    from rucas.build.review.report import agreement_json, agreement_text
    from rucas.build.review.agreement import compare_codings

    agreement = compare_codings(args.curated or default_curated_dir(), args.first, args.second)
    if agreement.errors:
        for error in agreement.errors:
            print(str(error), file=sys.stderr)
        print(f"\n{len(agreement.errors)} error(s) in the codings; nothing was compared.", file=sys.stderr)
        return 1
    sys.stdout.write(agreement_json(agreement) if args.json else agreement_text(agreement))
    return 0


class _PandasUnasked:
    """An import finder that answers "no such module" for pandas, while pyarrow first asks for it (`_no_pandas_probe`)."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name == "pandas":
            raise ModuleNotFoundError("not asked for by rucas", name=name)


def _no_pandas_probe() -> None:
    """Spare the command the import of pandas (0.1 s) that pyarrow makes the first time it turns a Python value into
    Arrow, only to ask whether the value is a pandas object (its Python shim) and to learn pandas's null values (its
    C++ converter). rucas's commands hand pyarrow no pandas objects. pyarrow asks each once per process: answered
    "not installed" for the conversion of one Python scalar, it keeps to Python values, and imports pandas when
    pandas is wanted (to_pandas), so a later use of pandas in the same process still works."""
    import pyarrow as pa

    if "pandas" in sys.modules:
        return
    finder = _PandasUnasked()
    sys.meta_path.insert(0, finder)
    try:
        pa.scalar(0)
    finally:
        sys.meta_path.remove(finder)


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
    validate.add_argument("--watch", action="store_true",
                          help="keep watching the curated folder and validate again after each save, listing only "
                          "the files that changed (Linux; Ctrl-C stops)")
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

    docs = commands.add_parser(
        "docs", help="rewrite the generated blocks of REFERENCE.md and dataset/curated/README.md",
        description="Render the reference's blocks (tables, views, codes, validation rules, counts, curated input) "
        "from their definitions and a build of the curated corpus, and rewrite them in place.")
    docs.add_argument("--check", action="store_true", help="change nothing; exit 1 naming each stale block")
    docs.add_argument("--output", type=Path, default=None,
                      help="read this build of the curated corpus (default: build one into a temporary folder)")
    docs.add_argument("--curated", type=Path, default=None, help="the curated folder (default: the package's)")
    docs.set_defaults(func=cmd_docs, parser=parser)

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

    release = commands.add_parser(
        "release", help="make a release folder and archive from the current build",
        description="Copy the current clean build into <releases>/<version>/ with CHANGES (against the previous "
        "release), changes.json, CITATION.cff, SHA256SUMS and one byte-reproducible .tar.gz.")
    release.add_argument("--output", type=Path, default=None, help="the build to release (default: the output folder)")
    release.add_argument("--to", type=Path, default=None,
                         help="the releases folder (default: $RUCAS_RELEASES_DIR, else dataset/releases)")
    release.add_argument("--previous", type=Path, default=None,
                         help="the release (or build) folder to compare with (default: the newest release in --to)")
    release.add_argument("--date", default=None,
                         help="release date YYYY-MM-DD (default: date of the last git commit of the curated folder)")
    release.add_argument("--curated", type=Path, default=None,
                         help="the curated folder whose git history dates the release (default: the package's)")
    release.set_defaults(func=cmd_release)

    diff = commands.add_parser(
        "diff", help="rows added, removed and changed between two builds or releases",
        description="Compare two builds or releases (folders holding parquet/ and rucas.duckdb) by primary key, "
        "per table and view.")
    diff.add_argument("old", type=Path, help="the older build or release folder")
    diff.add_argument("new", type=Path, help="the newer build or release folder")
    diff.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json")
    diff.add_argument("--out", type=Path, default=None, help="write to this file instead of standard output")
    diff.set_defaults(func=cmd_diff)


    new = commands.add_parser(
        "new", help="add an article with a starting annotation of suggestions to review",
        description="Copy ARTICLE (a plain-text file) byte for byte into <curated>/articles/<id>.txt and write "
        "<curated>/annotations/<id>.yaml: the guessed body, the date a dateline states, candidate statements "
        "with verbatim evidence and likely speakers, and the actors found. Each guess is marked; validation "
        "refuses it until you accept or delete it.")
    new.add_argument("article", type=Path, help="the article as a UTF-8 text file")
    new.add_argument("--source-id", default=None, help="the article's id (default: from the file name)")
    _add_paths(new, output=False)
    new.set_defaults(func=cmd_new)

    check = commands.add_parser(
        "check", help="validate one article quickly and print what it adds to each table",
        description="Validate articles/ARTICLE_ID.txt and its annotation against the reference files (not the "
        "other articles; `rucas validate` checks ids across the corpus), then print the rows it adds.")
    check.add_argument("article_id", help="the article's source id (its file name without .txt)")
    check.add_argument("--html", type=Path, default=None, help="also write the article's review page to this file")
    _add_paths(check, output=False)
    check.set_defaults(func=cmd_check)

    packet = commands.add_parser(
        "blind-packet", help="a blind second coder's packet for one article",
        description="Write OUT/GUIDE.md and OUT/curated/ (the article, an empty annotations folder, and the reference "
        "files without notes, descriptions or memberships attested by articles), so that a second coder codes "
        "the article from its text and the guide alone and checks the file with `rucas check ID --curated "
        "OUT/curated`. Prints each file's sha256 for the coding's record.")
    packet.add_argument("article_id", help="the article's source id (its file name without .txt)")
    packet.add_argument("--out", type=Path, required=True, help="a new folder for the packet")
    packet.add_argument("--guide", type=Path, default=None,
                        help="the coder's guide (default: codings/coder-b/GUIDE.md of the curated folder)")
    _add_paths(packet, output=False)
    packet.set_defaults(func=cmd_blind_packet)

    agreement = commands.add_parser(
        "agreement", help="Krippendorff's alpha between two codings, and their disagreements",
        description="Validate codings/FIRST/ and codings/SECOND/ (as annotations are validated), match their units "
        "by evidence, and print Krippendorff's alpha per field over all articles both coded and per article, then "
        "every disagreement with the key an adjudication log decides it by.")
    agreement.add_argument("--first", default="coder-a", help="role of the first coding (default coder-a)")
    agreement.add_argument("--second", default="coder-b", help="role of the second coding (default coder-b)")
    agreement.add_argument("--json", action="store_true", help="print JSON")
    _add_paths(agreement, output=False)
    agreement.set_defaults(func=cmd_agreement)

    args = parser.parse_args(argv)
    output = getattr(args, "output", None)
    if output is not None and output.exists() and not output.is_dir():
        print(f"rucas: --output {output} is a file, not a folder. Fix: give a folder (it is created if missing).",
              file=sys.stderr)
        return 1
    from rucas.build.publish.atomic import OutputConflict
    from rucas.build.write.manifest import ManifestError

    if argv is None:  # the process is the command (not a caller's, which may hand pyarrow pandas objects)
        _no_pandas_probe()
    try:
        return args.func(args)
    except ValidationFailed as failure:  # serve, stats and others build first when there is no build yet
        return _print_errors(failure)
    except BrokenPipeError:
        return _reader_went_away()
    except (OutputConflict, ManifestError) as refused:
        print(f"rucas {args.command}: {refused}", file=sys.stderr)
        return 1
    except OSError as failure:
        print(f"rucas {args.command}: {_os_error_message(failure)}", file=sys.stderr)
        return 1


def _os_error_message(failure: OSError) -> str:
    """What went wrong with a file, and the fix, for an error of the operating system (no traceback)."""
    import errno

    where = failure.filename or "a file"
    if failure.errno in (errno.ENOSPC, errno.EDQUOT):
        return (f"{where}: no space left on the device. Nothing was published: a build or release that fails "
                "leaves the previous one as it was, and removes what it had written. Fix: free space on that "
                "disk (or write to another with --output or --to), then run the command again.")
    if failure.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"{where}: not allowed ({failure.strerror}). Fix: choose a folder you may write to, or fix its permissions."
    if failure.errno in (errno.ENOTDIR, errno.EEXIST, errno.EISDIR):
        return (f"{where}: {failure.strerror}: a file stands where a folder is needed, or a folder where a file "
                "is. Fix: move it away, or give another path.")
    return f"{where}: {failure.strerror or failure}. Fix: check the path and the disk, then run the command again."


def _reader_went_away() -> int:
    """The command's output was piped into a reader that stopped early (`rucas stats | head`): that is
    fine. Point stdout at /dev/null so that Python's final flush does not fail again, and succeed."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
