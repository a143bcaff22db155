"""The curation guide (dataset/curated/README.md) shows an annotation a curator can copy: it builds."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from rucas.build.validate.corpus import validate_corpus

GUIDE = Path(__file__).resolve().parent.parent / "dataset" / "curated" / "README.md"
TEMPLATE_ARTICLE = "eurasianet-russia-turns-down-kyrgyzstans-plea"
"""The article the guide's annotation template is written for."""


def guide_annotation_template() -> str:
    """The guide's ```yaml block that is a whole annotation file (the one starting with `source:`)."""
    blocks = re.findall(r"```yaml\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.DOTALL)
    (template,) = [block for block in blocks if block.startswith("source:")]
    return template


def test_the_guides_annotation_template_validates_with_the_curated_reference_files(
        curated_dir: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "curated"
    shutil.copytree(curated_dir, corpus)
    (corpus / "annotations" / f"{TEMPLATE_ARTICLE}.yaml").write_text(guide_annotation_template(), encoding="utf-8")
    tables = {name: table.to_pylist() for name, table in validate_corpus(corpus).tables.items()}
    events = [event for event in tables["events"] if event["source_id"] == TEMPLATE_ARTICLE]
    assert [event["event_type"] for event in events] == ["REQUEST", "REJECT"]
    refusal = events[1]["event_id"]
    assert len([c for c in tables["event_conditions"] if c["event_id"] == refusal]) == 2
    assert [c["relation"] for c in tables["claims"] if c["event_id"] == refusal] == ["asserts"]
