"""Read the curated folder: article texts, annotations and reference files, as bytes with their paths.

Reading is separate from validation so that the build can hash every input (for the manifest
and the per-article cache) before parsing anything.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from rucas.build.validate.errors import CurationError, display_path

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
REFERENCE_FILES = ("actors", "roles", "alliances", "memberships", "codebook")
MAX_FILE_BYTES = 5 * 1024 * 1024
"""Curated files larger than this are refused: no article or annotation comes near it."""


@dataclass(frozen=True)
class CuratedFile:
    """One curated file: where it is, what the curator should be told it is called, and its bytes."""

    path: Path
    shown: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class Corpus:
    """Everything under dataset/curated that the build reads."""

    root: Path
    articles: dict[str, CuratedFile] = field(default_factory=dict)
    annotations: dict[str, CuratedFile] = field(default_factory=dict)
    reference: dict[str, CuratedFile] = field(default_factory=dict)
    errors: list[CurationError] = field(default_factory=list)

    def files(self) -> list[CuratedFile]:
        """Every input file in a stable order."""
        return (
            [self.reference[name] for name in sorted(self.reference)]
            + [self.articles[s] for s in sorted(self.articles)]
            + [self.annotations[s] for s in sorted(self.annotations)]
        )


def _read(path: Path, root: Path, errors: list[CurationError]) -> CuratedFile | None:
    shown = display_path(path)
    try:
        resolved = path.resolve(strict=True)
    except OSError as exc:
        errors.append(CurationError(shown, 1, f"cannot be read ({exc.strerror}).", "check the file exists."))
        return None
    if not resolved.is_relative_to(root.resolve()):
        errors.append(CurationError(
            shown, 1, f"points outside the curated folder (to {resolved}).",
            "replace the link with the file itself, inside dataset/curated."))
        return None
    size = resolved.stat().st_size
    if size > MAX_FILE_BYTES:
        errors.append(CurationError(
            shown, 1, f"is {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit for a curated file.",
            "split it, or check that the right file was saved here."))
        return None
    return CuratedFile(path, shown, resolved.read_bytes())


def _stem_ok(path: Path, errors: list[CurationError]) -> bool:
    if SLUG.match(path.stem):
        return True
    errors.append(CurationError(
        display_path(path), 1, f"file name {path.name!r} is not a valid source id.",
        "rename it to lower-case letters, digits and single hyphens, e.g. publisher-short-title.txt."))
    return False


def unexpected_reference_files(root: Path) -> list[CurationError]:
    """An error for each file in reference/ that the build does not read (its entries would be lost)."""
    known = {f"{name}.yaml" for name in REFERENCE_FILES}
    folder = root / "reference"
    return [CurationError(display_path(path), 1, "unexpected file in reference/: the build would not read it.",
                          f"reference/ holds only {', '.join(sorted(known))}: merge it into one of them, or move it out.")
            for path in (sorted(folder.iterdir()) if folder.is_dir() else ())
            if not path.name.startswith(".") and path.name not in known]


def read_corpus(root: Path) -> Corpus:
    """Read every curated file under `root` (dataset/curated). Problems reading are collected, not raised."""
    corpus = Corpus(root)
    if not root.is_dir():
        corpus.errors.append(CurationError(display_path(root), 1, "the curated folder does not exist.",
                                           "point --curated at dataset/curated."))
        return corpus
    for name in REFERENCE_FILES:
        path = root / "reference" / f"{name}.yaml"
        if not path.exists():
            corpus.errors.append(CurationError(display_path(path), 1, "reference file is missing.",
                                               f"create reference/{name}.yaml (see dataset/curated/README.md)."))
            continue
        if (file := _read(path, root, corpus.errors)) is not None:
            corpus.reference[name] = file
    for kind, folder, suffix in (("articles", "articles", ".txt"), ("annotations", "annotations", ".yaml")):
        target: dict[str, CuratedFile] = getattr(corpus, kind)
        directory = root / folder
        if not directory.is_dir():
            continue
        for path in sorted(directory.iterdir()):
            if path.name.startswith("."):
                continue
            if path.is_dir():
                corpus.errors.append(CurationError(
                    display_path(path), 1, f"folder inside {folder}/: its files would not be read.",
                    f"move its files up into {folder}/ (one flat folder), or out of dataset/curated."))
                continue
            if path.suffix != suffix:
                corpus.errors.append(CurationError(
                    display_path(path), 1, f"unexpected file in {folder}/.",
                    f"{folder}/ holds only <source_id>{suffix} files: rename or move it."))
                continue
            if _stem_ok(path, corpus.errors) and (file := _read(path, root, corpus.errors)) is not None:
                target[path.stem] = file
    for source_id in sorted(corpus.articles.keys() - corpus.annotations.keys()):
        corpus.errors.append(CurationError(
            corpus.articles[source_id].shown, 1, "article has no annotation.",
            f"create annotations/{source_id}.yaml with at least a source: block."))
    for source_id in sorted(corpus.annotations.keys() - corpus.articles.keys()):
        corpus.errors.append(CurationError(
            corpus.annotations[source_id].shown, 1, "annotation has no article.",
            f"save the article as articles/{source_id}.txt, or rename the annotation to match its article."))
    return corpus
