"""Every broken curated input in tests/broken/cases.yaml is refused with file:line and a fix, and loses nothing.

Each case is applied to a private copy of tests/fixtures/minimal and built into an output folder
that already holds a good build: the build must exit with status 1, name the file and line and
say how to fix it, and leave every byte under the output folder as it was.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import MINIMAL_CORPUS, TESTS_DIR
from rucas.build import cli
from rucas.build.read.corpus import MAX_FILE_BYTES
from rucas.build.read.errors import CurationError, ValidationFailed
from rucas.build.pipeline import build

CASES: list[dict[str, Any]] = yaml.safe_load((TESTS_DIR / "broken" / "cases.yaml").read_text(encoding="utf-8"))

TRANSFORMS = {
    "bom": lambda data: b"\xef\xbb\xbf" + data,
    "crlf": lambda data: data.replace(b"\n", b"\r\n"),
    "empty": lambda data: b"",
    "large": lambda data: data + b"Padding that makes the file too large.\n" * (MAX_FILE_BYTES // 39 + 1),
    "deep_nesting": lambda data: b"source: " + b"[" * 100_000 + b"]" * 100_000 + b"\n",
    "huge_code": lambda data: data.replace(b"event_mode: assist", b"event_mode: " + b"x" * 100_000, 1),
    "huge_id": lambda data: data.replace(b"condition_id: russia-kyrgyz-refusal-un-charter",
                                         b"condition_id: " + b"-".join([b"un-charter"] * 2_000), 1),
    "huge_note": lambda data: data.replace(b"note: \"On June 12\"", b"note: \"On June 12" + b". On June 12" * 2_000 + b"\"", 1),
    "cr_only_bad_byte_on_line_5": lambda data: b"\r".join(
        line + b"\xe9" if number == 5 else line for number, line in enumerate(data.split(b"\n"), 1)),
}
"""Byte-level edits that a YAML case file cannot spell out."""


def _symlink_loop(path: Path, corpus: Path) -> None:
    path.unlink()
    path.symlink_to(path.name)


def _fifo(path: Path, corpus: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def _dangling_symlink(path: Path, corpus: Path) -> None:
    path.unlink()
    path.symlink_to(path.parent / "no-such-file.txt")


def _empty_corpus(path: Path, corpus: Path) -> None:
    for folder in ("articles", "annotations"):
        for file in (corpus / folder).iterdir():
            file.unlink()


def _file_for_folder(path: Path, corpus: Path) -> None:
    shutil.rmtree(path)
    path.write_text("The annotations are in the folder next door.\n", encoding="utf-8")


SPECIAL = {"symlink_loop": _symlink_loop, "fifo": _fifo, "dangling_symlink": _dangling_symlink,
           "empty_corpus": _empty_corpus, "file_for_folder": _file_for_folder}
"""File-system edits: things that are not text in a file."""


def apply_case(case: dict[str, Any], corpus: Path, outside: Path) -> None:
    """Make the one mistake `case` describes in the curated folder `corpus`."""
    path = corpus / case["file"]
    if "replace" in case or "replace_bytes" in case:
        old, new = case.get("replace") or case["replace_bytes"]
        encoding = "utf-8" if "replace" in case else "latin-1"
        data = path.read_bytes()
        assert old.encode(encoding) in data, f"{case['id']}: fixture no longer contains {old!r}"
        path.write_bytes(data.replace(old.encode(encoding), new.encode(encoding), 1))
    elif "append" in case:
        path.write_bytes(path.read_bytes() + case["append"].encode("utf-8"))
    elif "write" in case:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(case["write"].encode("utf-8"))
    elif case.get("transform") == "one_letter_evidence":
        article = corpus / "articles" / path.with_suffix(".txt").name
        text = article.read_text(encoding="utf-8")
        body_end = text.index("seeking refuge in Uzbekistan.")
        article.write_text(text[:body_end] + "a " * 2_000_000 + text[body_end:], encoding="utf-8")
        data = path.read_bytes().replace(b'"Russia is not prepared to offer immediate military assistance"', b'"a"')
        path.write_bytes(data)
    elif case.get("transform") == "nfd_evidence":  # the article writes "Café" composed (NFC), the evidence decomposed
        article = corpus / "articles" / path.with_suffix(".txt").name
        text = article.read_text(encoding="utf-8")
        article.write_text(text.replace("However, Russia", "Talks at the Café Osh failed. However, Russia", 1),
                           encoding="utf-8")
        data = path.read_bytes().replace(b'"Russia is not prepared to offer immediate military assistance"',
                                         '"Talks at the Cafe\u0301 Osh failed"'.encode(), 1)
        path.write_bytes(data)
    elif "transform" in case:
        path.write_bytes(TRANSFORMS[case["transform"]](path.read_bytes()))
    elif "special" in case:
        SPECIAL[case["special"]](path, corpus)
    elif case.get("symlink_outside"):
        outside.mkdir(exist_ok=True)
        target = outside / path.name
        shutil.move(path, target)
        path.symlink_to(target)
    elif "rename" in case:
        path.rename(path.with_name(case["rename"]))
    elif case.get("delete"):
        path.unlink()
    else:
        raise AssertionError(f"{case['id']}: no edit given")


def published_digest(output_dir: Path) -> dict[str, str]:
    """SHA-256 of every file reachable under output_dir, following the published links."""
    digests = {}
    for folder, _, files in os.walk(output_dir, followlinks=True):
        for name in files:
            path = Path(folder) / name
            digests[path.relative_to(output_dir).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


@pytest.fixture(scope="module")
def good_output(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """An output folder holding a good build of the minimal corpus, and the digest of everything in it."""
    output = tmp_path_factory.mktemp("published")
    build(MINIMAL_CORPUS, output)
    return output, published_digest(output)


@pytest.fixture()
def broken_corpus(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[dict[str, Any], Path]:
    case = request.param
    corpus = tmp_path / "curated"
    shutil.copytree(MINIMAL_CORPUS, corpus)
    for folder in ("codings", "adjudications", "annotations") if "overlay" in case else ():
        shutil.copytree(TESTS_DIR / "fixtures" / case["overlay"] / folder, corpus / folder, dirs_exist_ok=True)
    apply_case(case, corpus, tmp_path / "outside")
    return case, corpus


def expected_error(case: dict[str, Any], errors: list[CurationError]) -> CurationError:
    """The error the case is about: its message has the expected words; fail if there is none."""
    expect = case["expect"]
    matching = [e for e in errors if expect["message"] in e.message]
    assert matching, f"{case['id']}: no error says {expect['message']!r}; got:\n" + "\n".join(map(str, errors))
    return matching[0]


def expected_file(case: dict[str, Any]) -> str:
    return case["expect"].get("file", case["file"])


def test_the_corpus_of_broken_inputs_has_at_least_thirty_distinct_cases():
    assert len({case["id"] for case in CASES}) == len(CASES) >= 30


def test_the_unbroken_fixture_builds(good_output):
    _, digest = good_output
    assert "manifest.json" in digest and "rucas.db" in digest and "rucas.duckdb" in digest


@pytest.mark.parametrize("broken_corpus", CASES, ids=[c["id"] for c in CASES], indirect=True)
def test_a_broken_input_is_refused_with_file_line_and_fix_and_nothing_changes(broken_corpus, good_output, capsys):
    case, corpus = broken_corpus
    output, before = good_output
    with pytest.raises(ValidationFailed) as failure:
        build(corpus, output)
    errors = failure.value.errors
    error = expected_error(case, errors)
    assert error.path.endswith(expected_file(case)), f"{case['id']}: error names {error.path}"
    assert error.line == case["expect"]["line"], f"{case['id']}: {error}"
    assert error.fix, f"{case['id']}: the error does not say how to fix it: {error}"
    assert case["expect"].get("fix", "") in error.fix, f"{case['id']}: {error}"
    for also in case.get("also", []):
        assert any(also["message"] in e.message and e.line == also["line"] for e in errors), f"{case['id']}: {also}"
    assert len(errors) <= case["expect"].get("max_errors", len(errors)), "\n".join(map(str, errors))
    assert all(len(str(e)) < 1000 for e in errors), f"{case['id']}: an error message is over 1,000 characters"

    status = cli.main(["build", "--quiet", "--curated", str(corpus), "--output", str(output)])
    printed = capsys.readouterr().err
    assert status == 1
    assert str(error) in printed
    assert published_digest(output) == before, f"{case['id']}: the published outputs changed"


CLI_CASES = [case for case in CASES if case.get("cli")]


def rucas_command() -> list[str]:
    """The installed `rucas` command of this interpreter's environment."""
    script = Path(sys.executable).parent / "rucas"
    return [str(script)] if script.exists() else [sys.executable, "-m", "rucas.build.cli"]


@pytest.mark.slow
@pytest.mark.parametrize("broken_corpus", CLI_CASES, ids=[c["id"] for c in CLI_CASES], indirect=True)
def test_rucas_build_exits_1_naming_file_line_and_fix(broken_corpus, good_output):
    case, corpus = broken_corpus
    output, before = good_output
    result = subprocess.run([*rucas_command(), "build", "--quiet", "--curated", str(corpus), "--output", str(output)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1, result.stderr
    file_line = re.escape(expected_file(case)) + f":{case['expect']['line']}: "
    lines = [line for line in result.stderr.splitlines() if case["expect"]["message"] in line]
    assert any(re.search(file_line, line) and " Fix: " in line for line in lines), result.stderr
    assert "nothing was written" in result.stderr
    assert "Traceback" not in result.stderr
    assert published_digest(output) == before


def test_the_reference_lists_every_broken_input():
    reference = (TESTS_DIR.parent / "REFERENCE.md").read_text(encoding="utf-8")
    assert f"{len(CASES)} cases, each one mistake" in reference
    assert all(f"| `{case['id']}` |" in reference for case in CASES)


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A validation cache holding the results of the unbroken fixture."""
    from rucas.build.validate.corpus import save_cache, validate_corpus

    cache_dir = tmp_path_factory.mktemp("cache")
    save_cache(cache_dir, validate_corpus(MINIMAL_CORPUS))
    return cache_dir


def _errors(validate) -> list[str]:
    with pytest.raises(ValidationFailed) as failure:
        validate()
    return [str(error) for error in failure.value.errors]


@pytest.mark.parametrize("broken_corpus", CASES, ids=[c["id"] for c in CASES], indirect=True)
def test_a_warm_cache_changes_no_error_of_a_broken_input(broken_corpus, warm_cache, tmp_path):
    from rucas.build.review.records import ReviewCheck
    from rucas.build.validate.corpus import validate_corpus

    _, corpus = broken_corpus
    cache_dir = Path(shutil.copytree(warm_cache, tmp_path / "cache"))
    assert _errors(lambda: validate_corpus(corpus, cache_dir, workers=1, after=ReviewCheck(corpus))) == \
        _errors(lambda: validate_corpus(corpus, after=ReviewCheck(corpus)))


@pytest.mark.parametrize("broken_corpus", CASES, ids=[c["id"] for c in CASES], indirect=True)
def test_a_broken_input_is_found_alike_when_a_second_process_lists_the_annotations(broken_corpus, monkeypatch):
    from rucas.build.read import corpus as listing

    _, corpus = broken_corpus
    here = listing.read_corpus(corpus)
    forked: list[bool] = []
    side_by_side = listing.side_by_side
    monkeypatch.setattr(listing, "LARGE_FOLDER_BYTES", 0)  # every folder is large: the annotations are listed aside
    monkeypatch.setattr(listing, "side_by_side", lambda *jobs: forked.append(True) or side_by_side(*jobs))
    aside = listing.read_corpus(corpus)
    assert sorted(map(str, aside.errors)) == sorted(map(str, here.errors))
    assert (list(aside.articles), list(aside.annotations)) == (list(here.articles), list(here.annotations))
    assert [file.fingerprint for file in aside.files()] == [file.fingerprint for file in here.files()]
    assert forked or not ((corpus / "articles").is_dir() and (corpus / "annotations").is_dir())
