"""The RUCAS schema: SQLModel table classes (the one definition) and what is derived from them."""

from rucas.schema.derive import ColumnSpec, TableSpec, table_spec, table_specs
from rucas.schema.tables import (
    Actor,
    ActorAlias,
    ActorRole,
    Adjudication,
    Alliance,
    AllianceMember,
    Claim,
    Code,
    CodingAgreement,
    CountryCode,
    Event,
    EventActor,
    EventCondition,
    Source,
    Statement,
    StatementActor,
)

TABLE_MODELS = (
    Actor,
    ActorAlias,
    Source,
    ActorRole,
    Statement,
    StatementActor,
    Event,
    EventActor,
    EventCondition,
    Claim,
    Alliance,
    AllianceMember,
    Code,
    CodingAgreement,
    Adjudication,
    CountryCode,
)
"""Every published table, in an order where each table comes after the tables it references."""

__all__ = ["TABLE_MODELS", "ColumnSpec", "TableSpec", "table_spec", "table_specs"]
