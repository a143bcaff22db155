"""Which notes cite a source a reader or scholar cannot rely on.

`reference/codebook.yaml`, section `uncitable_domains`, lists domains whose pages are no source for a fact:
AI-written encyclopedias, fan wikis, copies of Wikipedia, redirectors, forums, content farms. A note (any
column whose name ends in `note`) may not cite a URL whose host is one of them or a subdomain of one, nor a
Wikipedia article by its current address (`*.wikipedia.org/wiki/...`), whose words change under the reader:
a Wikipedia citation names the revision read (`oldid=`).

The check runs across files (build/validate/across.py) on the assembled note columns, with the codebook of the
corpus being validated, so that a change of the list re-checks every cached article. Notes are screened per
column with one regular expression in Arrow; only the rows it flags are looked at URL by URL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.compute as pc

UNCITABLE_CODEBOOK = "uncitable_domain"
"""The codebook (section `uncitable_domains` of codebook.yaml) whose codes are the uncitable domains."""

_URL = re.compile(r"\bhttps?://[^\s\"'<>)\]]+", re.IGNORECASE)


@dataclass(frozen=True)
class UncitableCitation:
    """One URL of one note that may not be cited: `domain` is the listed domain, or None for unpinned Wikipedia."""

    table: str
    column: str
    row: int
    url: str
    domain: str | None

    @property
    def message(self) -> str:
        """What is wrong, for the curator."""
        if self.domain is not None:
            return (f"{self.table}.{self.column} cites {self.url[:120]!r}, on {self.domain}, which codebook.yaml lists "
                    "as uncitable (uncitable_domains).")
        return (f"{self.table}.{self.column} cites the Wikipedia page {self.url[:120]!r} without a revision id, so "
                "the words it rests on can change.")

    @property
    def fix(self) -> str:
        """How to fix it."""
        if self.domain is not None:
            return ("cite the office's or outlet's own page, wikidata.org, a reference work or Wikipedia with its "
                    "revision (oldid=); if no such source states the fact, leave the value empty and say so in the note.")
        return ("cite the revision you read (https://<lang>.wikipedia.org/w/index.php?title=<page>&oldid=<revision id>, "
                "from the page's history), or the source the article cites.")


def uncitable_domains(codebook: pa.Table) -> list[str]:
    """The listed domains (lower case) among the codebook rows."""
    rows = codebook.filter(pc.equal(codebook.column("codebook"), UNCITABLE_CODEBOOK))
    return sorted({code.lower() for code in rows.column("code").to_pylist() if code})


def cited_urls(note: str) -> list[str]:
    """The http(s) URLs a note cites, without trailing punctuation."""
    return [url.rstrip(".,;:") for url in _URL.findall(note)]


def uncitable_domain_of(url: str, domains: Iterable[str]) -> str | None:
    """The listed domain that `url`'s host is, or is a subdomain of; None when it is none of them."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return next((d for d in sorted(domains) if host == d or host.endswith("." + d)), None)


def is_unpinned_wikipedia(url: str) -> bool:
    """Whether `url` is a Wikipedia article (`*.wikipedia.org/wiki/...`) without an `oldid=` revision id."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return ((host == "wikipedia.org" or host.endswith(".wikipedia.org")) and parts.path.startswith("/wiki/")
            and "oldid=" not in parts.query)


def _screen(domains: list[str]) -> str:
    """A regular expression (RE2) matching every note that might cite a listed domain or an unpinned Wikipedia page."""
    hosts = "|".join(re.escape(domain) for domain in [*domains, "wikipedia.org"])
    return rf"https?://([^/\s\"'<>)]*\.)?({hosts})([/:?#\s\"'<>),;]|$)"


def uncitable_citations(tables: dict[str, pa.Table], domains: list[str]) -> Iterator[UncitableCitation]:
    """Every URL in a note column of `tables` that is on a listed domain or is an unpinned Wikipedia page."""
    pattern = _screen(domains)
    for name in sorted(tables):
        table = tables[name]
        for column in table.column_names:
            if not column.endswith("note") or not pa.types.is_string(table.schema.field(column).type):
                continue
            values = table.column(column)
            flagged = pc.fill_null(pc.match_substring_regex(values, pattern, ignore_case=True), False)
            if not pc.any(flagged).as_py():
                continue
            for row in pc.indices_nonzero(flagged).to_pylist():
                for url in cited_urls(values[row].as_py()):
                    domain = uncitable_domain_of(url, domains)
                    if domain is not None or is_unpinned_wikipedia(url):
                        yield UncitableCitation(name, column, row, url, domain)
