"""The closed vocabularies of RUCAS: every enum value with the definition users see in `codebook`."""

from __future__ import annotations

from enum import Enum


class CodedEnum(str, Enum):
    """A string enum whose members carry a one-sentence definition.

    Members are declared as ``name = "value", "definition"``; the definition becomes the
    `codebook` row for that value, so the code and its documentation cannot drift apart.
    """

    definition: str

    def __new__(cls, value: str, definition: str) -> CodedEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member.definition = definition
        return member

    def __str__(self) -> str:
        return self.value

    @classmethod
    def values(cls) -> list[str]:
        """All values of this vocabulary, in declaration order."""
        return [member.value for member in cls]


class DatePrecision(CodedEnum):
    """How precisely a date interval is known."""

    day = "day", "A single known day: date_earliest equals date_latest."
    month = "month", "A known calendar month: the interval runs from its first to its last day."
    year = "year", "A known calendar year: the interval runs from 1 January to 31 December."
    range = "range", "An interval bounded by evidence; date_note says what bounds it."
    unknown = "unknown", "Not known; either bound may be empty and date_note says why."


class DateBasis(CodedEnum):
    """Where a date comes from."""

    stated = "stated", "The article or the cited reference states the date."
    inferred = "inferred", "The curator reasoned the date from other facts; date_note gives them."


class ActorType(CodedEnum):
    """What kind of entity an actor is."""

    state = "state", "A sovereign state."
    person = "person", "A natural person."
    igo = "igo", "An intergovernmental organisation or alliance body."
    government_body = "government_body", "A ministry, agency, service or other organ of a state."
    armed_group = "armed_group", "A non-state armed or militant group."
    media = "media", "A news agency, newspaper, broadcaster or website publishing news."
    ngo = "ngo", "A non-governmental organisation or think tank."
    military_unit = "military_unit", "A military base, formation or unit of a state's armed forces."
    other = "other", "An entity that fits none of the other types; description says what it is."


class QuoteKind(CodedEnum):
    """Whether a statement is quoted verbatim or paraphrased."""

    direct = "direct", "The article quotes the speaker's words in quotation marks."
    reported = "reported", "The article paraphrases or attributes the claim without quoting it."


class StatementActorRelation(CodedEnum):
    """How an actor figures in a statement."""

    about = "about", "The statement is about this actor."
    addressee = "addressee", "The statement is addressed to this actor."


class Modality(CodedEnum):
    """The reality status of an event according to its source."""

    occurred = "occurred", "The article reports the event as having taken place."
    planned = "planned", "The article reports the event as scheduled or intended, not yet happened."
    conditional = "conditional", "The event is promised or threatened only if stated conditions hold."
    claimed = "claimed", "One party says the event happened; the article does not confirm it."
    denied = "denied", "A party denies that the event happened."


class EventActorRole(CodedEnum):
    """An actor's part in an event."""

    initiator = "initiator", "The actor that carries out or originates the event (PLOVER actor)."
    target = "target", "The actor the event is directed at (PLOVER recipient)."
    participant = "participant", "Another actor taking part, neither initiator nor target."


class ClaimRelation(CodedEnum):
    """Whether a statement affirms or denies an event."""

    asserts = "asserts", "The statement says that the event happened or will happen."
    denies = "denies", "The statement says that the event did not happen."


class GeoPrecision(CodedEnum):
    """How precisely an event's coordinates locate it (cf. UCDP where_prec, ACLED geo_precision)."""

    place = "place", "A specific site such as a base, building or training ground."
    settlement = "settlement", "A city, town or village; coordinates are the settlement's."
    region = "region", "A province or region; coordinates, if any, are its representative point."
    border_area = "border_area", "Along a border; coordinates, if any, are approximate."
    country = "country", "Only the country is known."


class AllianceType(CodedEnum):
    """The kind of alliance or alignment (cf. ATOP obligations)."""

    collective_defence = "collective_defence", (
        "A multilateral treaty or organisation whose members pledge mutual military assistance."
    )
    security_cooperation = "security_cooperation", (
        "A multilateral organisation for security consultation and cooperation without a "
        "mutual-defence pledge."
    )
    bilateral_alliance = "bilateral_alliance", (
        "A treaty between two states with a mutual-assistance or allied-relations clause."
    )
    strategic_partnership = "strategic_partnership", (
        "A bilateral partnership treaty or declaration with security consultation, short of "
        "a defence pledge."
    )


class MembershipStatus(CodedEnum):
    """An actor's standing in an alliance over an interval."""

    member = "member", "A full member or party with the rights and obligations of membership."
    suspended = "suspended", "A member whose participation was suspended or frozen."
    observer = "observer", "An observer without membership obligations."
    partner = "partner", "A dialogue or partnership status short of membership."


class ReviewStatus(CodedEnum):
    """How far an annotation's coding was checked: by one coder, two, or two and an adjudicator (cf. ACLED and
    UCDP review stages). Validation accepts a status only where the stored codings and adjudication log
    support it (rucas.build.review.records); `rucas release` publishes only adjudicated articles."""

    single_coded = "single-coded", (
        "One coder (source.coder) coded the article; no second coding was compared with it."
    )
    double_coded = "double-coded", (
        "A second coder (source.second_coder) coded the article blind; both codings are stored in "
        "codings/<role>/ and their agreement is measured, but the disagreements are not yet adjudicated."
    )
    adjudicated = "adjudicated", (
        "Double-coded, and every disagreement between the two codings was decided by the adjudicator on "
        "adjudicated_on, as recorded in adjudications/<source_id>.yaml (table adjudications)."
    )
    test_data = "test_data", (
        "A generated or hand-trimmed article used only by tests and benchmarks (benchmarks/generate.py, "
        "tests/fixtures); never part of the published corpus, so there is nothing to review."
    )


class AdjudicationDecision(CodedEnum):
    """Which coding an adjudicator's decision on one disagreement follows."""

    first = "first", "The published annotation follows the first coding."
    second = "second", "The published annotation follows the second coding."
    neither = "neither", "The published annotation follows neither coding; reason says what it carries instead."


class AgreementLevel(CodedEnum):
    """The level of measurement at which Krippendorff's alpha compares a field's values."""

    nominal = "nominal", "Values are equal or not (codes, actor sets, names)."
    interval = "interval", "Values are numbers whose differences count (dates, in days)."


class AgreementScope(CodedEnum):
    """What a row of coding_agreement measures agreement over."""

    article = "article", "The units of one article."
    corpus = "corpus", "The units of every double-coded article together."


CODE_VOCABULARIES: dict[str, type[CodedEnum]] = {
    "date_precision": DatePrecision,
    "date_basis": DateBasis,
    "actor_type": ActorType,
    "quote_kind": QuoteKind,
    "statement_actor_relation": StatementActorRelation,
    "modality": Modality,
    "event_actor_role": EventActorRole,
    "claim_relation": ClaimRelation,
    "location_precision": GeoPrecision,
    "alliance_type": AllianceType,
    "membership_status": MembershipStatus,
    "review_status": ReviewStatus,
    "decision": AdjudicationDecision,
    "level": AgreementLevel,
    "scope": AgreementScope,
}
"""Every closed vocabulary by the codebook name under which its values are published."""
