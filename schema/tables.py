"""The published tables of RUCAS as SQLModel classes: the one definition of every column.

Every other shape of the data (DuckDB and SQLite DDL, pyarrow schemas, pandas dtypes, the
Frictionless data package, Datasette's descriptions) is derived from these classes by
`rucas.schema.derive`. Each class docstring is the table's description; each Field's
`description` is the column's.
"""

from __future__ import annotations

import datetime

from sqlmodel import Field, SQLModel

from rucas.schema.codes import (
    ActorType,
    AdjudicationDecision,
    AgreementLevel,
    AgreementScope,
    AllianceType,
    ClaimRelation,
    DateBasis,
    DatePrecision,
    EventActorRole,
    GeoPrecision,
    MembershipStatus,
    Modality,
    QuoteKind,
    ReviewStatus,
    StatementActorRelation,
)
from rucas.schema.forms import (  # noqa: F401  (re-exported: the forms are facts of these tables)
    CAMEO_PATTERN,
    CODE_PATTERN,
    DATE_RANGE,
    ISO3_PATTERN,
    MAX_LENGTH,
    QID_PATTERN,
    ROW_HISTORY_COLUMNS,
    SHA256_PATTERN,
    SLUG_PATTERN,
    Display,
)


def pattern(regex: str) -> dict[str, dict[str, str]]:
    """Column keyword arguments recording the form a text column's values must have (read by derive)."""
    return {"info": {"pattern": regex}}


def country_code() -> dict[str, dict[str, str]]:
    """Column keyword arguments for an ISO 3166-1 alpha-3 country code: its form and its code list."""
    return {"info": {"pattern": ISO3_PATTERN, "vocabulary": "iso3166-1-alpha3"}}


def code() -> dict[str, dict[str, str]]:
    """Column keyword arguments for a codebook code (or a codebook's name): CODE_PATTERN, checked for look-alike letters."""
    return {"info": {"pattern": CODE_PATTERN, "form": "code"}}


def url() -> dict[str, dict[str, str]]:
    """Column keyword arguments for a web address: an http(s) URL with a host, without spaces or quotes."""
    return {"info": {"form": "url"}}


def language_code() -> dict[str, dict[str, str]]:
    """Column keyword arguments for an ISO 639-1 language code (two lower-case letters of the ISO list)."""
    return {"info": {"pattern": r"^[a-z]{2}$", "vocabulary": "iso639-1", "form": "language"}}


def article_text() -> dict[str, dict[str, str]]:
    """Column keyword arguments for an article's whole text (bounded by MAX_LENGTH["article"], not by free text's)."""
    return {"info": {"form": "article"}}


class DateInterval(SQLModel):
    """The date columns shared by every dated table: a closed interval with its precision and basis."""

    date_earliest: datetime.date | None = Field(
        default=None, description="First day the date can be (inclusive); empty when unknown."
    )
    date_latest: datetime.date | None = Field(
        default=None, description="Last day the date can be (inclusive); equals date_earliest for a known day."
    )
    date_precision: DatePrecision = Field(
        description="How precisely the date is known: day, month, year, range or unknown."
    )
    date_basis: DateBasis = Field(
        description="stated (the text or a reference gives it) or inferred (reasoned by the curator)."
    )
    date_note: str | None = Field(
        default=None, description="What the date rests on: the words of the text or the reasoning."
    )


class Evidence(SQLModel):
    """The verbatim span of an article that a row was coded from."""

    evidence: str = Field(description="The exact words of the article this row was coded from.")
    evidence_start: int = Field(
        description="Offset of the evidence in sources.text (Python code points, 0-based)."
    )
    evidence_end: int = Field(description="End offset of the evidence in sources.text (exclusive).")


class RowHistory(SQLModel):
    """When a row with a curator-written id first appeared in a release, and when it last changed.

    Filled by `rucas release` from the releases before it (rucas.build.release.history); a build that is
    not a release leaves both null, as does a release of a row whose history cannot be traced."""

    first_release: str | None = Field(
        default=None, description="The release in which the row first appeared (under this id, or an id it was "
        "renamed from); empty in a build that is not a release."
    )
    last_changed_release: str | None = Field(
        default=None, description="The release in which the row last changed: appeared, was renamed, or had a value "
        "corrected; empty in a build that is not a release."
    )


class Actor(RowHistory, table=True):
    """Every state, organisation, body, armed group, military unit, media outlet and person named in the articles."""

    __tablename__ = "actors"
    __display__ = Display(
        label="name",
        facets=("actor_type", "country_iso3"),
        lead=("name", "actor_type", "country_iso3", "description"),
    )

    actor_id: str = Field(primary_key=True, sa_column_kwargs=pattern(SLUG_PATTERN), description="Stable human-readable id of the actor.")
    name: str = Field(description="The actor's usual English name.")
    actor_type: ActorType = Field(description="What kind of entity the actor is (see codebook actor_type).")
    country_iso3: str | None = Field(
        default=None,
        sa_column_kwargs=country_code(),
        description="ISO 3166-1 alpha-3 code: a state's own, or the country a person, body or outlet belongs to.",
    )
    wikidata_qid: str | None = Field(
        default=None, sa_column_kwargs=pattern(QID_PATTERN), description="Wikidata item id, only where verified; empty otherwise."
    )
    description: str | None = Field(default=None, description="Who or what the actor is, in a sentence.")


class ActorAlias(SQLModel, table=True):
    """Every surface form under which an actor appears in the articles, misspellings included."""

    __tablename__ = "actor_aliases"
    __display__ = Display(lead=("alias",))

    actor_id: str = Field(primary_key=True, foreign_key="actors.actor_id", description="The actor this alias names.")
    alias: str = Field(primary_key=True, description="The name exactly as written in an article.")


class Source(DateInterval, RowHistory, table=True):
    """The news articles the dataset is coded from, with their verbatim text and publication date."""

    __tablename__ = "sources"
    __display__ = Display(
        label="title",
        newest_first="date_earliest",
        facets=("publisher", "language", "review_status"),
        full_text=("title", "text"),
        lead=("date_earliest", "date_latest", "title", "publisher", "author", "url"),
    )

    source_id: str = Field(primary_key=True, sa_column_kwargs=pattern(SLUG_PATTERN), description="Stable id of the article (its file name).")
    title: str = Field(description="The headline as published.")
    publisher: str = Field(description="The outlet that published the article, as named.")
    publisher_actor_id: str | None = Field(
        default=None, foreign_key="actors.actor_id", description="The publisher as an actor."
    )
    author: str | None = Field(default=None, description="The byline, where the article gives one.")
    language: str = Field(sa_column_kwargs=language_code(), description="ISO 639-1 code of the article's language.")
    url: str | None = Field(default=None, sa_column_kwargs=url(), description="Where the article was published, only where known.")
    rights: str = Field(description="Who holds the rights to the article text; the text is not ours to relicense.")
    text: str = Field(sa_column_kwargs=article_text(), description="The article exactly as received, byte for byte (UTF-8).")
    text_sha256: str = Field(sa_column_kwargs=pattern(SHA256_PATTERN), description="SHA-256 of the article file's bytes.")
    body_start: int = Field(description="Offset in text where the article body begins (code points).")
    body_end: int = Field(description="Offset in text where the article body ends (exclusive).")
    note: str | None = Field(default=None, description="Curator's note on the source.")
    coder: str = Field(
        description="Who coded the annotation: a role of codebook coder_role (coder-a, generator, ...), never a "
        "person's guessed name.",
    )
    second_coder: str | None = Field(
        default=None,
        description="Who coded the article a second time, blind (a coder_role other than the coder); empty when "
        "single-coded.",
    )
    adjudicator: str | None = Field(
        default=None,
        description="Who decided each disagreement between the two codings (a coder_role); empty until adjudicated.",
    )
    adjudicated_on: datetime.date | None = Field(
        default=None, description="Day the adjudication was completed; empty until adjudicated."
    )
    review_status: ReviewStatus = Field(
        description="single-coded, double-coded, adjudicated or test_data (codebook review_status); every status "
        "is built, a release publishes adjudicated articles only."
    )


class ActorRole(DateInterval, RowHistory, table=True):
    """Offices held by persons, with their terms: who was minister, spokesperson or analyst when."""

    __tablename__ = "actor_roles"
    __display__ = Display(
        label="title",
        newest_first="date_earliest",
        facets=("organization_id",),
        lead=("person_id", "title", "organization_id", "date_earliest", "date_latest"),
    )

    role_id: str = Field(primary_key=True, sa_column_kwargs=pattern(SLUG_PATTERN), description="Stable id of the term of office.")
    person_id: str = Field(foreign_key="actors.actor_id", description="The person holding the office.")
    organization_id: str = Field(foreign_key="actors.actor_id", description="The body or state the office belongs to.")
    title: str = Field(description="The office, in a standard English form.")


class Statement(DateInterval, Evidence, RowHistory, table=True):
    """Quotations and attributed claims: who said what, when, through which agency, in which article."""

    __tablename__ = "statements"
    __display__ = Display(
        label="evidence",
        newest_first="date_earliest",
        facets=("quote_kind", "speaker_id", "reported_via_id"),
        full_text=("evidence", "speaker_title"),
        lead=("date_earliest", "date_latest", "speaker_id", "speaker_title", "evidence", "quote_kind"),
    )

    statement_id: str = Field(primary_key=True, sa_column_kwargs=pattern(SLUG_PATTERN), description="Stable id of the statement.")
    source_id: str = Field(foreign_key="sources.source_id", description="The article reporting the statement.")
    speaker_id: str = Field(foreign_key="actors.actor_id", description="Who made the statement.")
    speaker_title: str | None = Field(default=None, description="How the article describes the speaker, as written.")
    reported_via_id: str | None = Field(
        default=None, foreign_key="actors.actor_id", description="The news agency the article says it came through."
    )
    quote_kind: QuoteKind = Field(description="direct (quoted words) or reported (paraphrase).")
    note: str | None = Field(default=None, description="Curator's note on the statement.")


class StatementActor(SQLModel, table=True):
    """The actors a statement is about or addressed to."""

    __tablename__ = "statement_actors"
    __display__ = Display(facets=("relation",), lead=("statement_id", "relation", "actor_id"))

    statement_id: str = Field(primary_key=True, foreign_key="statements.statement_id", description="The statement.")
    actor_id: str = Field(primary_key=True, foreign_key="actors.actor_id", description="The actor it concerns.")
    relation: StatementActorRelation = Field(primary_key=True, description="about or addressee.")


class Event(DateInterval, Evidence, RowHistory, table=True):
    """Requests, offers, refusals, denials, consultations, readiness changes, exercises, deployments and clashes."""

    __tablename__ = "events"
    __display__ = Display(
        label="summary",
        newest_first="date_earliest",
        facets=("event_type", "modality", "location_country_iso3", "event_mode", "event_context"),
        full_text=("summary", "evidence"),
        full_text_codes=("event_type", "cameo_code"),
        lead=("date_earliest", "date_latest", "date_precision", "event_type", "modality", "summary", "evidence", "location_name"),
    )

    event_id: str = Field(primary_key=True, sa_column_kwargs=pattern(SLUG_PATTERN), description="Stable id of the event.")
    source_id: str = Field(foreign_key="sources.source_id", description="The article the event is coded from.")
    event_type: str = Field(sa_column_kwargs=code(), description="PLOVER event type (codebook event_type), e.g. REQUEST, REJECT, MOBILIZE.")
    event_mode: str | None = Field(default=None, sa_column_kwargs=code(), description="PLOVER mode qualifying the type (codebook event_mode).")
    event_context: str | None = Field(default=None, sa_column_kwargs=code(), description="PLOVER context of the event (codebook event_context).")
    cameo_code: str | None = Field(
        default=None, sa_column_kwargs=pattern(CAMEO_PATTERN), description="CAMEO event code as text, leading zeros kept (codebook cameo_code)."
    )
    modality: Modality = Field(description="occurred, planned, conditional, claimed or denied, per the article.")
    location_name: str | None = Field(default=None, description="Where the event took place, as named.")
    location_country_iso3: str | None = Field(
        default=None, sa_column_kwargs=country_code(), description="ISO 3166-1 alpha-3 code of the country of the location."
    )
    latitude: float | None = Field(default=None, ge=-90, le=90, description="WGS84 latitude of the location.")
    longitude: float | None = Field(default=None, ge=-180, le=180, description="WGS84 longitude of the location.")
    location_precision: GeoPrecision | None = Field(
        default=None, description="How precisely the location is known (codebook location_precision)."
    )
    location_note: str | None = Field(default=None, description="Where the coordinates come from.")
    fatalities: int | None = Field(default=None, ge=0, description="Deaths as reported; empty when not reported.")
    injured: int | None = Field(default=None, ge=0, description="Injured as reported; empty when not reported.")
    displaced: int | None = Field(default=None, ge=0, description="People displaced as reported; empty when not reported.")
    casualty_note: str | None = Field(default=None, description="How the article qualifies the figures (almost, up to).")
    summary: str = Field(description="One line saying what happened.")
    note: str | None = Field(default=None, description="Curator's note on the event.")


class EventActor(SQLModel, table=True):
    """Which actors initiated, were targeted by or took part in each event."""

    __tablename__ = "event_actors"
    __display__ = Display(facets=("role",), lead=("event_id", "role", "actor_id"))

    event_id: str = Field(primary_key=True, foreign_key="events.event_id", description="The event.")
    actor_id: str = Field(primary_key=True, foreign_key="actors.actor_id", description="The actor.")
    role: EventActorRole = Field(primary_key=True, description="initiator, target or participant.")


class EventCondition(Evidence, RowHistory, table=True):
    """Conditions attached to offers, pledges and refusals, by type, with their words."""

    __tablename__ = "event_conditions"
    __display__ = Display(
        label="condition_type",
        facets=("condition_type",),
        lead=("event_id", "condition_type", "evidence"),
    )

    condition_id: str = Field(primary_key=True, sa_column_kwargs=pattern(SLUG_PATTERN), description="Stable id of the condition.")
    event_id: str = Field(foreign_key="events.event_id", description="The offer, pledge or refusal it qualifies.")
    condition_type: str = Field(sa_column_kwargs=code(), description="Kind of condition (codebook condition_type), e.g. request_received.")
    note: str | None = Field(default=None, description="Curator's note on the condition.")


class Claim(SQLModel, table=True):
    """Links from statements to the events they assert or deny: the key to contradictory accounts."""

    __tablename__ = "claims"
    __display__ = Display(facets=("relation",), lead=("statement_id", "relation", "event_id"))

    statement_id: str = Field(primary_key=True, foreign_key="statements.statement_id", description="The statement.")
    event_id: str = Field(primary_key=True, foreign_key="events.event_id", description="The event it speaks to.")
    relation: ClaimRelation = Field(description="asserts or denies.")


class Alliance(RowHistory, table=True):
    """Alliances, security treaties, organisations and strategic partnerships (cf. ATOP, COW)."""

    __tablename__ = "alliances"
    __display__ = Display(
        label="name",
        newest_first="founded",
        facets=("alliance_type",),
        lead=("name", "alliance_type", "founded", "obligations"),
    )

    alliance_id: str = Field(primary_key=True, sa_column_kwargs=pattern(SLUG_PATTERN), description="Stable id of the alliance.")
    name: str = Field(description="The alliance's usual English name.")
    alliance_type: AllianceType = Field(description="Kind of alliance (codebook alliance_type).")
    actor_id: str | None = Field(
        default=None, foreign_key="actors.actor_id", description="The alliance as an acting organisation, where it is one."
    )
    wikidata_qid: str | None = Field(default=None, sa_column_kwargs=pattern(QID_PATTERN), description="Wikidata item id, only where verified.")
    founded: datetime.date | None = Field(default=None, description="When the treaty was signed or the body founded.")
    obligations: str | None = Field(default=None, description="What members owe each other, in brief.")
    note: str | None = Field(default=None, description="Where the facts come from.")


class AllianceMember(SQLModel, table=True):
    """Membership intervals: who belonged to which alliance, from when to when, with what status."""

    __tablename__ = "alliance_members"
    __display__ = Display(
        newest_first="joined_date",
        facets=("alliance_id", "status"),
        lead=("alliance_id", "actor_id", "status", "joined_date", "left_date"),
    )

    alliance_id: str = Field(primary_key=True, foreign_key="alliances.alliance_id", description="The alliance.")
    actor_id: str = Field(primary_key=True, foreign_key="actors.actor_id", description="The member.")
    status: MembershipStatus = Field(primary_key=True, description="member, suspended, observer or partner.")
    joined_date: datetime.date = Field(primary_key=True, description="First day of the interval (inclusive).")
    left_date: datetime.date | None = Field(
        default=None, description="Day the interval ended (exclusive); empty while ongoing."
    )
    basis: str = Field(description="'reference' (reference knowledge, see note) or the source_id that attests it.")
    note: str | None = Field(default=None, description="Where the dates come from.")


class Code(SQLModel, table=True):
    """The codebook: every code value used in the dataset with its label and definition."""

    __tablename__ = "codebook"
    __display__ = Display(facets=("codebook",), lead=("codebook", "code", "label", "definition"))

    codebook: str = Field(primary_key=True, sa_column_kwargs=code(), description="The vocabulary, named after the column that uses it.")
    code: str = Field(primary_key=True, sa_column_kwargs=code(), description="The value as it appears in the data.")
    label: str = Field(description="A short human-readable label.")
    definition: str = Field(description="What the value means and when coders use it.")


class CodingAgreement(SQLModel, table=True):
    """How far two independent codings of the articles agree: Krippendorff's alpha per article and field, and per
    field over every double-coded article (rucas agreement)."""

    __tablename__ = "coding_agreement"
    __display__ = Display(
        label="field",
        facets=("scope", "field", "level"),
        lead=("scope", "source_id", "field", "level", "alpha", "units", "disagreements"),
    )

    key: str = Field(primary_key=True, description="Stable id of the row: <source_id>/<field>, or "
                     "corpus/<field>/<first coder>~<second coder>.")
    scope: AgreementScope = Field(description="article (one article's units) or corpus (every double-coded article).")
    source_id: str | None = Field(default=None, description="The article; empty for a corpus row.")
    field: str = Field(description="What was compared: units (which sentences were coded at all), a kind of unit "
                       "(statements, events, conditions, claims: found by both or one coder), or a field of a "
                       "matched unit (event_type, date_earliest, ...).")
    level: AgreementLevel = Field(description="nominal (equal or not) or interval (dates, in days).")
    alpha: float | None = Field(default=None, description="Krippendorff's alpha (1 perfect agreement, 0 chance); "
                                "empty where undefined (fewer than two values, or one value only).")
    units: int = Field(ge=0, description="Units compared (pairable by both coders).")
    disagreements: int = Field(ge=0, description="Units on which the two codings differ.")
    first_coder: str = Field(description="Role of the first coding (codebook coder_role).")
    second_coder: str = Field(description="Role of the second coding (codebook coder_role).")


class Adjudication(SQLModel, table=True):
    """Every disagreement between two codings of an article and how the adjudicator decided it
    (adjudications/<source_id>.yaml)."""

    __tablename__ = "adjudications"
    __display__ = Display(
        label="key",
        facets=("field", "decision", "source_id"),
        lead=("source_id", "field", "unit", "first_value", "second_value", "decision", "published_value", "reason"),
    )

    key: str = Field(primary_key=True, description="The disagreement's stable key, as `rucas agreement` prints it: "
                     "<source_id>/<field>/<first unit>~<second unit> ('-' for a side without the unit).")
    source_id: str = Field(foreign_key="sources.source_id", description="The article.")
    field: str = Field(description="The field disagreed on (as in coding_agreement.field).")
    unit: str = Field(description="The unit: its id in the first coding ~ its id in the second ('-' where absent).")
    first_value: str | None = Field(default=None, description="The first coding's value, as text; empty where it has none.")
    second_value: str | None = Field(default=None, description="The second coding's value, as text; empty where it has none.")
    decision: AdjudicationDecision = Field(description="first, second or neither: which coding the published annotation follows.")
    published_value: str | None = Field(default=None, description="The value the published annotation carries, as text; "
                                        "empty where the unit is not coded.")
    reason: str = Field(description="Why the adjudicator decided so.")
    consulted: str | None = Field(default=None, description="A public source consulted for the decision (URL), if any.")
    adjudicator: str = Field(description="Who decided (codebook coder_role).")
    adjudicated_on: datetime.date = Field(description="Day the article's adjudication was completed.")


class CountryCode(SQLModel, table=True):
    """The country codes crosswalk: each ISO 3166-1 alpha-3 code of the data with its Correlates of War state
    number and abbreviation and its Gleditsch-Ward state number, each taken from the public list the note cites."""

    __tablename__ = "country_codes"
    __display__ = Display(
        label="name",
        lead=("country_iso3", "name", "cow_code", "cow_abbreviation", "gw_code"),
    )

    country_iso3: str = Field(primary_key=True, sa_column_kwargs=country_code(),
                              description="ISO 3166-1 alpha-3 code, as actors.country_iso3 and events.location_country_iso3 hold it.")
    name: str = Field(description="The state's usual English name.")
    cow_code: int | None = Field(default=None, ge=1, le=999, description="Correlates of War state number (ccode) in the "
                                 "COW State System Membership list (v2016); empty where the list has none or it is unverified.")
    cow_abbreviation: str | None = Field(default=None, sa_column_kwargs=pattern(r"^[A-Z]{3}$"),
                                         description="Correlates of War state abbreviation (StateAbb), e.g. KYR; empty with cow_code.")
    gw_code: int | None = Field(default=None, ge=1, le=999, description="Gleditsch-Ward state number in their list of independent "
                                "states (Gleditsch and Ward 1999, updated); empty where the list has none or it is unverified.")
    note: str = Field(description="Where each code comes from: the lists read (their public addresses), and why a code is empty.")


class Redirect(SQLModel, table=True):
    """Ids that were renamed: each old id with the id its row has now (reference/id_renames.yaml). An old id is
    never given to another row; the site sends its old row address to the new row."""

    __tablename__ = "redirects"
    __display__ = Display(facets=("table_name", "release"), lead=("table_name", "old_id", "new_id", "release", "reason"))

    table_name: str = Field(primary_key=True, sa_column_kwargs=pattern(r"^[a-z_]+$"),
                            description="The table whose id was renamed (one with a curator-written id: actors, sources, "
                            "actor_roles, statements, events, event_conditions, alliances).")
    old_id: str = Field(primary_key=True, sa_column_kwargs=pattern(SLUG_PATTERN),
                        description="The id the row had up to the release before `release`; it is never used again.")
    new_id: str = Field(sa_column_kwargs=pattern(SLUG_PATTERN), description="The id the row has from `release` on "
                        "(if it was renamed again later, another redirect leads on from it).")
    release: str = Field(sa_column_kwargs=pattern(r"^[0-9]+\.[0-9]+\.[0-9]+[0-9A-Za-z.]*$"),
                         description="The first release (MAJOR.MINOR.PATCH) in which the row has the new id.")
    reason: str = Field(description="Why the id was changed (a misspelt name, a wrong date in the id, ...).")


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
    Redirect,
)
"""Every published table, in an order where each table comes after the tables it references."""
