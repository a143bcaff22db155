"""What changed in one table between the previous build and the new one (rucas.build.write.incremental finds it,
rucas.build.write.patch_views patches the views by it)."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from rucas.schema import TableSpec


@dataclass
class TableChange:
    """What changed in one table: the previous rows to delete, and the new rows to insert."""

    spec: TableSpec
    deleted: pa.Table
    inserted: pa.Table

    @property
    def empty(self) -> bool:
        return self.deleted.num_rows == 0 and self.inserted.num_rows == 0
