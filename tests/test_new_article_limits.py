"""`rucas new` reads only a regular file of bounded size, and its suggestions take time linear in the article.

A device (/dev/zero), a named pipe or a folder is refused at once, naming the path; so is an article
over the 5 MiB limit validation applies to curated files. Repetitive text (the same sentence or line
again and again, unclosed quotation marks) made the suggestions quadratic: a 228 kB article took 45 s.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from conftest import MINIMAL_CORPUS
from rucas.build.cli import main as rucas
from rucas.build.curate.new_article import read_known_actors, starting_annotation
from rucas.build.read.corpus import MAX_FILE_BYTES

REPEATED = {
    "the same sentence": "Russia said it would not send troops to Kyrgyzstan, Timakova said. ",
    "the same paragraph": "Russia said it would not send troops to Kyrgyzstan, the spokeswoman said on Monday.\n\n",
    "unclosed quotation marks": "“Russia said. ",
    "a quotation and a pronoun": '"We will not send troops," Timakova said. "No," she said. ',
    "capitalised names": "Moscow Osh Bishkek Tashkent Dushanbe Almaty. ",
}


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    return Path(shutil.copytree(MINIMAL_CORPUS, tmp_path / "curated"))


def _new(article: Path, corpus: Path) -> int:
    return rucas(["new", str(article), "--source-id", "an-article", "--curated", str(corpus)])


def _nothing_written(corpus: Path) -> bool:
    return not (corpus / "articles" / "an-article.txt").exists() and not (corpus / "annotations" / "an-article.yaml").exists()


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_rucas_new_refuses_a_device_at_once(corpus: Path, device: str, capsys):
    started = time.monotonic()
    assert _new(Path(device), corpus) == 1
    assert time.monotonic() - started < 10
    assert f"{device}: is not a regular file" in capsys.readouterr().err and _nothing_written(corpus)


def test_rucas_new_refuses_a_named_pipe_without_waiting_for_a_writer(corpus: Path, tmp_path: Path, capsys):
    pipe = tmp_path / "article.txt"
    os.mkfifo(pipe)
    assert _new(pipe, corpus) == 1
    assert "is not a regular file" in capsys.readouterr().err and _nothing_written(corpus)


def test_rucas_new_refuses_a_folder(corpus: Path, tmp_path: Path, capsys):
    assert _new(tmp_path, corpus) == 1
    assert "is not a regular file" in capsys.readouterr().err


def test_rucas_new_refuses_an_article_over_the_size_limit_and_says_the_limit(corpus: Path, tmp_path: Path, capsys):
    article = tmp_path / "huge.txt"
    article.write_text("Russia said so. " * (MAX_FILE_BYTES // 16 + 1))
    assert _new(article, corpus) == 1
    assert f"over the {MAX_FILE_BYTES:,}-byte limit" in capsys.readouterr().err and _nothing_written(corpus)


@pytest.mark.parametrize("shape", list(REPEATED))
def test_suggestions_for_a_long_repetitive_article_take_seconds_not_minutes(shape: str):
    actors = read_known_actors(MINIMAL_CORPUS)
    text = (REPEATED[shape] * (228_000 // len(REPEATED[shape]) + 1))[:228_000]
    started = time.monotonic()
    starting_annotation(text, actors)
    assert time.monotonic() - started < 20  # about 1 s on two shared cores; 45 s when it was quadratic


def test_the_body_of_a_repetitive_article_is_marked_by_words_that_occur_once(corpus: Path, tmp_path: Path):
    import yaml

    article = tmp_path / "article.txt"
    article.write_text(REPEATED["the same sentence"] * 5)
    assert _new(article, corpus) == 0
    body = yaml.safe_load((corpus / "annotations" / "an-article.yaml").read_text())["source"]["body"]
    text = article.read_text()
    for words in (body["starts_with"], body["ends_with"]):  # overlapping occurrences count, as validation counts
        first = text.find(words)
        assert first != -1 and text.find(words, first + 1) == -1


def test_a_full_disk_while_rucas_new_writes_leaves_no_half_added_article(corpus: Path, tmp_path: Path, monkeypatch,
                                                                        capsys):
    import builtins
    import errno

    import rucas.build.curate.new_article as new_article

    def full_for_annotations(path, mode="r", *args, **kwargs):
        if str(path).endswith(".yaml") and "x" in mode:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return builtins.open(path, mode, *args, **kwargs)

    monkeypatch.setattr(new_article, "open", full_for_annotations, raising=False)
    article = tmp_path / "page.txt"
    article.write_text(REPEATED["the same paragraph"] * 3)
    assert _new(article, corpus) == 1
    assert "no space left on the device" in capsys.readouterr().err and _nothing_written(corpus)
