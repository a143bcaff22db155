"""Store and load the results of validating each article, keyed by content and by the validation code.

The cache holds what `rucas.build.validate.checks.validate_article` returned for every valid
article (its rows as Arrow, tagged with the article's key and each row's origin) and the
fingerprints of the files it hashed. It never decides anything: a missing, corrupt or
mismatched cache is simply empty, and every article not in it is validated again. Each file
records what it holds and for which validation code (`HOLDS`): files swapped or copied between
caches are refused, never read as what they are not.

The cache is made of segments (rows-<token> folders, each written once): a build that took rows from the cache
adds a segment holding only the articles it validated, and the cache is then the segments it read and the new one;
rows of articles changed or removed since stay in the older segments, unread. When MAX_SEGMENTS are reached or
more than STALE_SHARE of their articles are stale, a build writes the whole cache into one segment again. An edit
thus writes one article's rows, not the corpus's.

An article's key hashes its source id, its two files and `code_digest()`, the hash of every
module `validate_article` imports (found by reading their import statements, so nothing is
listed by hand: rucas.build.code_hash, which the writer's digest uses too). Validation imports nothing
from a later stage (tests/test_imports.py), so a change to the writers or the site does not empty the
cache. Reference files are not part of the key: an article's own checks do not read them; the checks
across files run on every build.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import ipc

from rucas.build import code_hash
from rucas.build.code_hash import imported_modules
from rucas.build.table_files import ComputedTables
from rucas.build.read.corpus import FINGERPRINT_COLUMNS

CACHE_FORMAT = "4"
ARTICLE_KEY = "__article_key"
"""Extra column of cached tables: the key of the article each row came from (empty for rows of reference files,
which only the held check columns keep)."""
ENTRY_MODULE = "rucas.build.validate.checks"
"""The module whose code (with everything it imports from rucas) decides an article's rows."""


def validation_modules() -> dict[str, Path]:
    """Every rucas module that article validation imports (from ENTRY_MODULE, following import statements),
    with its source file."""
    return imported_modules([ENTRY_MODULE])


_digest: list[str] = []
"""code_digest() once computed, or taken from the record of a cache whose code files are unchanged."""
_computed: list[code_hash.CodeRecord] = []
"""code_digest()'s record, when this process computed it (kept in the cache it saves)."""

CODE_RECORD = "code.json"
"""The file of a cache folder that keeps code_digest()'s CodeRecord (rucas.build.code_hash)."""


def code_digest() -> str:
    """A hash of every module of validation_modules(): any change to them empties the cache."""
    if not _digest:
        _computed.append(code_hash.code_record([ENTRY_MODULE], salt=CACHE_FORMAT, extra_files=[Path(__file__)]))
        _digest.append(_computed[0].digest)
    return _digest[0]


def use_recorded_code_digest(cache_dir: Path) -> None:
    """Take code_digest() from the cache's record while it holds (rucas.build.code_hash.CodeRecord: every file
    it was computed from, and every folder holding one, as they were then); else it is computed. Reading 20
    modules' syntax trees costs about 0.5 s, most of what validating one changed article costs."""
    if not _digest and (kept := code_hash.CodeRecord.read(cache_dir / CODE_RECORD, code_hash.code_about(
            [ENTRY_MODULE], salt=CACHE_FORMAT))) is not None:
        _digest.append(kept.digest)


def _record_code_digest(cache_dir: Path) -> None:
    code_digest()
    if _computed:  # else taken from a record that still holds
        _computed[0].write(cache_dir / CODE_RECORD)


MAX_SEGMENTS = 8
"""The most segments a cache is made of: a build adds one (the rows of the articles it validated) to those it read
rows from, until then; the next one writes every row into a single segment again."""

STALE_SHARE = 0.1
"""The share of a cache's articles that may be stale (changed or removed since) before a build writes it anew."""


@dataclass
class CachedArticles:
    """The cached rows of valid articles (tagged with ARTICLE_KEY) and the wanted keys they cover, in the files of
    the cache's segments (rows-<token> folders, oldest first). Each file is mapped when its rows are asked for and
    let go with them, so that their pages do not stay in memory."""

    tables: dict[str, list[Path]]
    keys: pa.Array = field(default_factory=lambda: pa.array([], pa.string()))
    """The wanted keys whose rows the cache holds (each once, as text)."""
    stale: bool = False
    """Whether the cache also holds articles that are not wanted (changed or removed since): `rows` filters them."""
    segments: list[str] = field(default_factory=list)
    """The segments the rows were read from (their folder names), oldest first."""
    articles: int = 0
    """How many articles the segments hold rows of, wanted or not."""
    _wanted: dict[str, pa.ChunkedArray] = field(default_factory=dict, repr=False)
    """Which rows of each table asked for belong to wanted articles (all_rows), found once: a table may be asked
    for several times, and finding them looks up every row's key."""

    def rows(self, name: str) -> pa.Table:
        """The cached rows of table `name` that belong to wanted articles (read, and filtered, at each call)."""
        table, wanted = self.all_rows(name)
        return table if wanted is None else table.filter(wanted)

    def all_rows(self, name: str) -> tuple[pa.Table, pa.ChunkedArray | None]:
        """Every cached row of table `name` (memory-mapped, not copied) and which belong to wanted articles (None:
        all of them)."""
        table = pa.concat_tables([_read_ipc(path, name) for path in self.tables[name]])
        if not self.stale:
            return table, None
        if name not in self._wanted:
            self._wanted[name] = pc.is_in(table.column(ARTICLE_KEY), value_set=self.keys)
        return table, self._wanted[name]

    def holds(self, keys: pa.Array) -> pa.Array:
        """True for each of `keys` whose article's rows are taken from the cache."""
        return pc.is_in(keys, value_set=self.keys)

    def extendable(self) -> bool:
        """Whether the next cache may keep these segments and add one of the articles validated since (fewer than
        MAX_SEGMENTS, at most STALE_SHARE of their articles stale); else it is written whole, in one segment."""
        return (bool(self.segments) and len(self.segments) < MAX_SEGMENTS
                and self.articles - len(self.keys) <= STALE_SHARE * self.articles)


HOLDS = b"rucas.cache.holds"
"""Schema metadata of every cache file: what it holds (a table's name, or "fingerprints") and for which validation
code, so that a file swapped, copied or left from another version is refused instead of misread."""


class NotThisCacheFile(ValueError):
    """A cache file that holds something other than what it is read for."""


def _read_ipc(path: Path, holds: str) -> pa.Table:
    with pa.memory_map(str(path)) as source:
        table = ipc.open_file(source).read_all()
    if (table.schema.metadata or {}).get(HOLDS) != f"{holds}\0{code_digest()}".encode():
        raise NotThisCacheFile(f"{path.name} does not hold {holds} of this validation code")
    return table


def _write_ipc(table: pa.Table, path: Path, holds: str) -> None:
    schema = table.schema.with_metadata({**(table.schema.metadata or {}), HOLDS: f"{holds}\0{code_digest()}".encode()})
    with pa.OSFile(str(path), "wb") as sink, ipc.new_file(sink, schema) as writer:
        writer.write_table(table.replace_schema_metadata(schema.metadata))


SEGMENT_NAME = re.compile(r"rows-[0-9a-f]{12}")
"""The name of a segment's folder (save gives each a random token)."""


def _current_listing(cache_dir: Path) -> tuple[str, list]:
    """The current segment's name (the `current` pointer) and the list of segment names its meta.json gives, as
    written (unchecked); raises OSError, ValueError or KeyError when they cannot be read."""
    token = (cache_dir / "current").read_text(encoding="utf-8").strip()
    if not SEGMENT_NAME.fullmatch(token):
        raise ValueError(f"{token[:40]!r} is not a segment of this cache")
    return token, json.loads((cache_dir / token / "meta.json").read_text(encoding="utf-8"))["segments"]


def _segments(cache_dir: Path) -> list[Path]:
    """The folders of the current cache's segments, oldest first, each checked to hold this format and code;
    raises OSError, ValueError or KeyError when there is no usable cache."""
    token, names = _current_listing(cache_dir)
    folders = []
    for name in names:
        if not (isinstance(name, str) and SEGMENT_NAME.fullmatch(name)):
            raise ValueError(f"{name!r} is not a segment of this cache")
        meta = json.loads((cache_dir / name / "meta.json").read_text(encoding="utf-8"))
        if meta.get("format") != CACHE_FORMAT or meta.get("code") != code_digest():
            raise ValueError(f"{name} was written by another cache format or validation code")
        folders.append(cache_dir / name)
    if not folders or folders[-1].name != token:
        raise ValueError("the current segment is not the last of its list")
    return folders


def usable(cache_dir: Path) -> bool:
    """Whether `cache_dir` holds a cache of this format and validation code (its files are checked as they are read:
    this only says whether any article may be taken from it)."""
    use_recorded_code_digest(cache_dir)
    try:
        return bool(_segments(cache_dir))
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _segment_files(folder: Path, kind: str) -> list[str]:
    """The tables (`kind` "tables") or key tables ("keys") a segment's meta.json lists."""
    return json.loads((folder / "meta.json").read_text(encoding="utf-8"))[kind]


def load_articles(cache_dir: Path, wanted: pa.Array, *, rows: bool = True) -> CachedArticles:
    """The cached rows of the articles whose key is one of `wanted` (each once); empty when there is no usable
    cache. Without `rows`, only which of them it holds (`keys`): the files of other tables than `sources` are
    neither listed nor read (`rucas validate` reads no cached rows; a cache of four segments has 56 such files)."""
    try:
        folders = _segments(cache_dir)
        paths: dict[str, list[Path]] = {}
        for folder in folders:
            for name in _segment_files(folder, "tables"):
                if not rows and name != "sources":
                    continue
                _read_ipc(folder / f"{name}.arrow", name)  # refused now, not later, if it holds something else
                paths.setdefault(name, []).append(folder / f"{name}.arrow")
        held = distinct_keys(_read_ipc(path, "sources").column(ARTICLE_KEY) for path in paths.get("sources", []))
        keys = wanted.filter(pc.is_in(wanted, value_set=held))
        if not len(keys):
            return CachedArticles({})
        return CachedArticles(paths, keys, stale=len(keys) != len(held), segments=[folder.name for folder in folders],
                              articles=len(held))
    except (OSError, ValueError, KeyError, TypeError, pa.ArrowException):
        return CachedArticles({})


def distinct_keys(columns: Iterable[pa.ChunkedArray]) -> pa.Array:
    """The distinct article keys of some ARTICLE_KEY columns (dictionary-encoded or not), as text: each dictionary
    chunk is read on its indices, so that 100,000 keys are hashed as they are stored, not once per row."""
    pieces = [pa.array([], pa.string())]
    for column in columns:
        for chunk in column.chunks:
            if pa.types.is_dictionary(chunk.type):
                chunk = chunk.dictionary.take(pc.unique(chunk.indices))
            pieces.append(chunk.cast(pa.string()))
    return pc.unique(pa.concat_arrays(pieces))


def load_keys(cache_dir: Path) -> Mapping[str, pa.Table]:
    """The check columns of every row of the corpus the cache was saved from, from all its segments (dictionary-encoded
    ARTICLE_KEY, one chunk or more per segment; see rucas.build.validate.across.HeldKeys); empty when there is no
    usable cache. Every file is checked here to hold this validation code's check columns; a table's files are
    mapped each time it is asked for and let go with it, so the pages a check reads leave memory once it is done
    with the table (at 100,000 articles some 200 MiB, which stayed resident through the sort of the tables and the
    cache's storing while the tables were held)."""
    try:
        files: dict[str, list[Path]] = {}
        for folder in _segments(cache_dir):
            for name in _segment_files(folder, "keys"):
                path = folder / f"keys-{name}.arrow"
                _read_ipc(path, f"keys:{name}")  # its footer and schema: a file of other code is refused now
                files.setdefault(name, []).append(path)
        return ComputedTables(files, lambda name: pa.concat_tables([_read_ipc(path, f"keys:{name}")
                                                                     for path in files[name]]))
    except (OSError, ValueError, KeyError, TypeError, pa.ArrowException):
        return {}


ARTICLE_KEYS = "article_keys.arrow"
"""The file of a cache folder that keeps each article's key with the hashes of the files it was made from."""
FINGERPRINTS = "fingerprints.arrow"
"""The file of a cache folder that keeps the fingerprints and hashes of the last build's inputs."""
KEY_COLUMNS = ("source_id", "article", "annotation", "key")
"""The columns of ARTICLE_KEYS: a source id, the SHA-256 of its text and of its annotation, and its key."""


def load_fingerprints(cache_dir: Path) -> pa.Table | None:
    """The files hashed by the last build: each one's path, fingerprint then and SHA-256 (FINGERPRINT_COLUMNS;
    read_corpus's `known`), memory-mapped; None when there is no usable record."""
    try:
        table = _read_ipc(cache_dir / FINGERPRINTS, "fingerprints")
        return table.select(list(FINGERPRINT_COLUMNS))
    except (OSError, ValueError, KeyError, TypeError, pa.ArrowException):
        return None


def article_keys(source_ids: pa.Array, articles: pa.Array, annotations: pa.Array,
                 cache_dir: Path | None = None) -> pa.Array:
    """The cache key of each article (its source id, the SHA-256 of its text and of its annotation, in three
    aligned columns): a hash of the validation code, its id and its two files. The keys the last build kept in
    `cache_dir` (key_table) are taken where an article's id and hashes are those they were made from; the others
    are computed (100,000 of them cost 0.1 s)."""
    keys = pa.nulls(len(source_ids), pa.string())
    if cache_dir is not None:
        try:
            kept = _read_ipc(cache_dir / ARTICLE_KEYS, "article keys").combine_chunks()
            if not kept.num_rows:
                raise ValueError("no keys kept")
            column = {name: kept.column(name).chunk(0) for name in KEY_COLUMNS}
            found = pc.index_in(source_ids, value_set=column["source_id"])
            same = pc.and_(pc.equal(articles, column["article"].take(found)),
                           pc.equal(annotations, column["annotation"].take(found)))
            keys = pc.if_else(pc.fill_null(same, False), column["key"].take(found), keys)
        except (OSError, ValueError, KeyError, TypeError, pa.ArrowException):
            pass  # none kept: every key is computed
    missing = pc.indices_nonzero(pc.is_null(keys))
    if not len(missing):
        return keys
    digest = code_digest()  # asked once: 100,000 calls cost 0.1 s
    computed = [hashlib.sha256(f"{digest}\0{source_id}\0{article}\0{annotation}".encode()).hexdigest()
                for source_id, article, annotation in zip(*(column.take(missing).to_pylist()
                                                            for column in (source_ids, articles, annotations)))]
    return pc.replace_with_mask(keys, pc.is_null(keys), pa.array(computed, pa.string()))


def key_table(source_ids: pa.Array, articles: pa.Array, annotations: pa.Array, keys: pa.Array) -> pa.Table:
    """The table of KEY_COLUMNS that `save` keeps, for article_keys of the next run."""
    return pa.table(dict(zip(KEY_COLUMNS, (source_ids, articles, annotations, keys))))


def _listed_segments(cache_dir: Path) -> set[str]:
    """The names of the segments the current cache lists, whatever their format or code (none if it lists none)."""
    try:
        _, names = _current_listing(cache_dir)
    except (OSError, ValueError, KeyError, TypeError):
        return set()
    return {name for name in names if isinstance(name, str)} if isinstance(names, list) else set()


def remove_unused_segments(cache_dir: Path) -> None:
    """Remove the segment folders in `cache_dir` that the current cache does not list: superseded by a save that
    kept them for a while (`save(remove_superseded=False)`), or written by a build that stopped before its save
    was complete. Only folders named as save names them are removed."""
    listed = _listed_segments(cache_dir)
    for folder in cache_dir.glob("rows-*"):
        if folder.name not in listed and SEGMENT_NAME.fullmatch(folder.name) and not folder.is_symlink() \
                and folder.is_dir():
            shutil.rmtree(folder, ignore_errors=True)


def save(cache_dir: Path, tables: Mapping[str, pa.Table], fingerprints: pa.Table,
         keys: Mapping[str, pa.Table], kept: list[str] | None = None, articles: pa.Table | None = None,
         remove_superseded: bool = True) -> None:
    """Store the rows of valid articles, the check columns of their rows (`keys`, for the checks across files) and
    the file fingerprints (rucas.build.read.corpus.Corpus.fingerprints) as a new segment; the cache becomes the
    segments `kept` (of the current cache, which hold every other article's rows and check columns) and it, or it
    alone. `articles` (key_table) keeps the articles' keys for article_keys of the next run. Replaces the previous
    cache atomically, then removes the segments it no longer uses; with `remove_superseded` False, those the
    previous cache listed stay (something still reads them) until remove_unused_segments. Segments no cache lists
    (left by a build that stopped) are removed first."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    remove_unused_segments(cache_dir)
    token = f"rows-{uuid.uuid4().hex[:12]}"
    directory = cache_dir / token
    directory.mkdir()
    for name in tables:  # one table at a time (`tables` may assemble each when asked)
        _write_ipc(tables[name].unify_dictionaries(), directory / f"{name}.arrow", name)
        pa.default_memory_pool().release_unused()  # the table's copies go back to the system before the next
    for name in keys:
        table = keys[name]
        article = table.column(ARTICLE_KEY).cast(pa.string()).combine_chunks()  # encoded anew: no stale keys
        table = table.set_column(table.schema.get_field_index(ARTICLE_KEY), ARTICLE_KEY, pc.dictionary_encode(article))
        _write_ipc(table.unify_dictionaries(), directory / f"keys-{name}.arrow", f"keys:{name}")
        del table
        pa.default_memory_pool().release_unused()
    segments = [*(kept or []), token]
    (directory / "meta.json").write_text(json.dumps({"format": CACHE_FORMAT, "code": code_digest(),
                                                     "tables": sorted(tables), "keys": sorted(keys),
                                                     "segments": segments}),
                                         encoding="utf-8")
    for name, table, holds in ((FINGERPRINTS, fingerprints, "fingerprints"), (ARTICLE_KEYS, articles, "article keys")):
        if table is None:  # none to keep: a stale file would be refused by its hashes, but is not left either
            (cache_dir / name).unlink(missing_ok=True)
            continue
        temporary = cache_dir / f".{name.removesuffix('.arrow')}-{token}.arrow"
        _write_ipc(table, temporary, holds)
        os.replace(temporary, cache_dir / name)
    _record_code_digest(cache_dir)
    pointer = cache_dir / f".current-{token}"
    pointer.write_text(token + "\n", encoding="utf-8")
    os.replace(pointer, cache_dir / "current")
    if remove_superseded:
        remove_unused_segments(cache_dir)
