"""The key facts of each curated article, asserted through SQL against the built DuckDB database.

Each test states one fact read from the articles (or from the verified reference facts behind
the reference files) and fails if the curated data stops saying it. The `duck` fixture is a
read-only DuckDB connection to a fresh build of dataset/curated (tests/conftest.py).
"""

from __future__ import annotations

import datetime

import pytest

D = datetime.date

EURASIANET = "eurasianet-russia-turns-down-kyrgyzstans-plea"
IRIN = "irin-moscow-offers-help-to-defeat-extremists"
RFERL = "rferl-uzbekistan-would-cooperate-with-russia-against-is"
NEWS_I = "news-i-moscow-measures-to-prevent-invasion-of-tajikistan"
AKIPRESS = "akipress-russian-bases-raise-combat-readiness"


def rows(duck, sql: str, *params) -> list[tuple]:
    return duck.execute(sql, list(params)).fetchall()


def event(duck, event_id: str) -> dict:
    cursor = duck.execute("SELECT * FROM events WHERE event_id = ?", [event_id])
    names = [d[0] for d in cursor.description]
    found = cursor.fetchall()
    assert len(found) == 1, f"event {event_id} missing"
    return dict(zip(names, found[0]))


def actors_in(duck, event_id: str, role: str) -> set[str]:
    return {a for (a,) in rows(duck, "SELECT actor_id FROM event_actors WHERE event_id = ? AND role = ?",
                               event_id, role)}


def conditions_of(duck, event_id: str) -> set[str]:
    return {t for (t,) in rows(duck, "SELECT condition_type FROM event_conditions WHERE event_id = ?", event_id)}


def members_on(duck, alliance_id: str, day: datetime.date, status: str = "member",
               basis: str | None = "reference") -> set[str]:
    """Actors holding `status` in the alliance on `day` (left_date is exclusive)."""
    sql = ("SELECT DISTINCT actor_id FROM alliance_members WHERE alliance_id = ? AND status = ? "
           "AND joined_date <= ? AND (left_date IS NULL OR ? < left_date)")
    params = [alliance_id, status, day, day]
    if basis is not None:
        sql += " AND basis = ?"
        params.append(basis)
    return {a for (a,) in rows(duck, sql, *params)}


def note_of(duck, statement_id: str) -> str:
    (note,), = rows(duck, "SELECT coalesce(note, '') FROM statements WHERE statement_id = ?", statement_id)
    return note


def held_office(duck, person_id: str, organization_id: str, day: datetime.date) -> bool:
    return bool(rows(duck, "SELECT 1 FROM actor_roles WHERE person_id = ? AND organization_id = ? "
                           "AND date_earliest <= ? AND (date_latest IS NULL OR ? <= date_latest)",
                     person_id, organization_id, day, day))


# --- Eurasianet, 12 June 2010: Russia turns down Kyrgyzstan's plea --------------------------------

def test_kyrgyz_interim_government_asked_russia_for_troops_on_2010_06_12(duck):
    e = event(duck, "kyrgyz-interim-government-asks-russia-for-troops-2010-06-12")
    assert (e["event_type"], e["event_mode"], e["cameo_code"], e["modality"]) == ("REQUEST", "assist", "0234", "occurred")
    assert e["date_earliest"] == e["date_latest"] == D(2010, 6, 12) and e["date_precision"] == "day"
    assert "send troops to help restore order" in e["evidence"]
    assert {"kyrgyzstan-interim-government", "roza-otunbayeva"} <= actors_in(duck, e["event_id"], "initiator")
    assert actors_in(duck, e["event_id"], "target") == {"russia"}


def test_russia_refused_kyrgyz_request_as_internal_conflict(duck):
    e = event(duck, "russia-refuses-kyrgyz-request-for-troops-2010-06-12")
    assert (e["event_type"], e["event_mode"], e["cameo_code"], e["modality"]) == ("REJECT", "assist", "1224", "occurred")
    assert e["date_earliest"] == D(2010, 6, 12)
    assert actors_in(duck, e["event_id"], "initiator") == {"russia"}
    assert "kyrgyzstan-interim-government" in actors_in(duck, e["event_id"], "target")
    said = rows(duck, "SELECT s.speaker_id, s.evidence FROM claims c JOIN statements s USING (statement_id) "
                      "WHERE c.event_id = ? AND c.relation = 'asserts'", e["event_id"])
    assert any(speaker == "natalya-timakova" and "internal conflict" in words for speaker, words in said)


def test_russian_refusal_requires_un_charter_and_consultations_with_all_csto_members(duck):
    assert conditions_of(duck, "russia-refuses-kyrgyz-request-for-troops-2010-06-12") == {"legal_mandate", "alliance_consultation"}
    words = {w for (w,) in rows(duck, "SELECT evidence FROM event_conditions WHERE event_id = ?",
                                "russia-refuses-kyrgyz-request-for-troops-2010-06-12")}
    assert "in accordance with the UN Charter" in words


def test_timakova_spoke_as_medvedevs_press_secretary_on_2010_06_12(duck):
    assert held_office(duck, "natalya-timakova", "russia-presidential-administration", D(2010, 6, 12))
    assert held_office(duck, "dmitry-medvedev", "russia", D(2010, 6, 12))
    assert not held_office(duck, "vladimir-putin", "russia", D(2010, 6, 12))


def test_otunbayeva_headed_the_interim_government_when_she_appealed(duck):
    assert held_office(duck, "roza-otunbayeva", "kyrgyzstan-interim-government", D(2010, 6, 12))


def test_csto_security_council_meeting_was_scheduled_for_2010_06_14(duck):
    e = event(duck, "csto-security-council-meeting-on-kyrgyzstan-2010-06-14")
    assert (e["event_type"], e["modality"]) == ("CONSULT", "planned")
    assert e["date_earliest"] == e["date_latest"] == D(2010, 6, 14)
    assert actors_in(duck, e["event_id"], "initiator") == {"csto"}


def test_medvedev_and_karimov_spoke_by_phone_on_2010_06_12(duck):
    e = event(duck, "medvedev-karimov-telephone-call-2010-06-12")
    assert (e["event_type"], e["event_mode"], e["cameo_code"]) == ("CONSULT", "phone", "041")
    assert e["date_earliest"] == D(2010, 6, 12)
    assert {"dmitry-medvedev", "islam-karimov"} <= actors_in(duck, e["event_id"], "initiator")


def test_osh_clashes_killed_75_and_injured_almost_1000(duck):
    e = event(duck, "osh-inter-ethnic-clashes-2010-06")
    assert (e["fatalities"], e["injured"], e["displaced"]) == (75, 1000, 6000)
    assert "almost 1,000" in e["casualty_note"] and "up to 6,000" in e["casualty_note"]
    assert (e["location_name"], e["location_country_iso3"]) == ("Osh", "KGZ")
    assert e["date_latest"] == D(2010, 6, 12)


def test_karimov_is_misspelt_karmiov_in_the_eurasianet_text(duck):
    assert rows(duck, "SELECT actor_id FROM actor_aliases WHERE alias = 'Karmiov'") == [("islam-karimov",)]


# --- IRIN (undated, c. 2000): Moscow offers help to defeat "extremists" --------------------------

def test_russia_offered_uzbekistan_all_necessary_assistance(duck):
    e = event(duck, "russia-offers-uzbekistan-all-necessary-assistance")
    assert (e["event_type"], e["event_mode"], e["event_context"]) == ("AGREE", None, "terrorism")
    assert "all necessary assistance" in e["evidence"]
    assert actors_in(duck, e["event_id"], "target") == {"uzbekistan"}
    via = rows(duck, "SELECT s.speaker_id, s.reported_via_id FROM claims c JOIN statements s USING (statement_id) "
                     "WHERE c.event_id = ?", e["event_id"])
    assert via == [("igor-ivanov", "interfax")]


def test_ivanov_claimed_uzbekistan_asked_russia_for_individual_types_of_weapons(duck):
    e = event(duck, "uzbekistan-asked-russia-for-individual-types-of-weapons")
    assert (e["event_type"], e["cameo_code"], e["modality"]) == ("REQUEST", "0232", "claimed")
    assert "individual types of weapons" in e["evidence"]
    assert actors_in(duck, e["event_id"], "target") == {"russia"}
    asserted_by = {s for (s,) in rows(duck, "SELECT s.speaker_id FROM claims c JOIN statements s USING (statement_id) "
                                            "WHERE c.event_id = ? AND c.relation = 'asserts'", e["event_id"])}
    assert asserted_by == {"igor-ivanov"}


def test_komilov_denied_that_uzbekistan_sought_russian_military_aid(duck):
    denials = rows(duck, "SELECT s.speaker_id, s.reported_via_id, s.evidence FROM claims c "
                         "JOIN statements s USING (statement_id) WHERE c.event_id = ? AND c.relation = 'denies'",
                   "uzbekistan-asked-russia-for-individual-types-of-weapons")
    assert {(speaker, via) for speaker, via, _ in denials} == {("abdulaziz-komilov", "itar-tass")}
    assert any("categorically denied" in words for _, _, words in denials)
    assert any("wishful thinking" in words for _, _, words in denials)


def test_irin_article_date_is_an_interval_bounded_by_the_two_ministers_terms(duck):
    """Ivanov headed the Foreign Ministry "since September 1998" (The Moscow Times) and Komilov's first
    term ran "between 1994 and 2003" (IWPR): only the month and the year are verified, so the
    interval runs from 1 September 1998 to 31 December 2003, not between days taken from mirrors."""
    (earliest, latest, precision, basis, note), = rows(
        duck, "SELECT date_earliest, date_latest, date_precision, date_basis, date_note FROM sources WHERE source_id = ?", IRIN)
    assert (earliest, latest, precision, basis) == (D(1998, 9, 1), D(2003, 12, 31), "range", "inferred")
    assert "themoscowtimes.com" in note and "iwpr.net" in note
    assert "2000" in note
    for day in (earliest, latest):
        assert held_office(duck, "igor-ivanov", "russia-foreign-ministry", day)
        assert held_office(duck, "abdulaziz-komilov", "uzbekistan-foreign-ministry", day)


def test_uzbekistan_had_left_the_collective_security_treaty_by_2000(duck):
    assert "uzbekistan" in members_on(duck, "cst", D(1998, 1, 1))
    assert "uzbekistan" not in members_on(duck, "cst", D(2000, 8, 29))
    assert {"russia", "tajikistan", "kyrgyzstan", "kazakhstan", "armenia", "belarus"} <= members_on(duck, "cst", D(2000, 8, 29))


# --- RFE/RL, April 2015: Uzbekistan would "cooperate with Russia" against IS ---------------------

def test_karimov_asked_putin_for_help_against_extremism_on_2014_12_10(duck):
    e = event(duck, "karimov-asks-putin-for-help-against-extremism-2014-12")
    assert (e["event_type"], e["modality"]) == ("REQUEST", "occurred")
    assert e["date_earliest"] == e["date_latest"] == D(2014, 12, 10)
    assert {"uzbekistan", "islam-karimov"} == actors_in(duck, e["event_id"], "initiator")
    assert {"russia", "vladimir-putin"} == actors_in(duck, e["event_id"], "target")
    assert held_office(duck, "vladimir-putin", "russia", D(2014, 12, 10))
    assert held_office(duck, "islam-karimov", "uzbekistan", D(2014, 12, 10))


def test_an_analysts_prediction_is_not_coded_as_uzbekistans_pledge_or_arrest_policy(duck):
    """Saifullin is an independent analyst who holds no office: "joint action with Russia would be
    immediately carried out" and returnees "would be arrested at the border" predict what Uzbekistan
    would do. They are his statements (via RIA Novosti and Interfax), not Uzbekistan's AGREE or an
    arrest by the state (adjudications/rferl-...yaml)."""
    assert rows(duck, "SELECT * FROM actor_roles WHERE person_id = 'rafik-saifullin'") == []
    asserted = rows(duck, """
        SELECT e.event_type, e.event_mode FROM claims c JOIN statements s USING (statement_id)
        JOIN events e ON e.event_id = c.event_id
        WHERE s.speaker_id = 'rafik-saifullin' AND (e.event_type = 'AGREE' OR e.event_mode = 'arrest')""")
    assert asserted == []
    agencies = {v for (v,) in rows(duck, "SELECT reported_via_id FROM statements WHERE speaker_id = 'rafik-saifullin' "
                                         "AND reported_via_id IS NOT NULL")}
    assert agencies == {"ria-novosti", "interfax"}


def test_uzbekistan_was_a_csto_member_from_2006_to_2012(duck):
    assert "uzbekistan" in members_on(duck, "csto", D(2010, 6, 12))
    assert "uzbekistan" not in members_on(duck, "csto", D(2006, 8, 15))
    assert "uzbekistan" not in members_on(duck, "csto", D(2012, 12, 19))


def test_uzbekistan_was_not_a_csto_member_in_2015(duck):
    assert "uzbekistan" not in members_on(duck, "csto", D(2015, 4, 13), basis=None)
    assert "uzbekistan" in members_on(duck, "csto", D(2015, 4, 13), status="suspended")


def test_rferl_lists_the_six_csto_members_without_uzbekistan(duck):
    listed = members_on(duck, "csto", D(2015, 4, 14), basis=RFERL)
    assert listed == {"tajikistan", "russia", "armenia", "belarus", "kazakhstan", "kyrgyzstan"}
    assert listed == members_on(duck, "csto", D(2015, 4, 14))


def test_csto_military_committee_met_in_tajikistan_on_8_and_9_april_2015(duck):
    """RFE/RL: the CSTO "met in Tajikistan last week". Asia-Plus reports "a two-day meeting of the CSTO
    Military Committee" in Tajikistan "on April 8-9" (news.tj/en/news/csto-military-committee-meets-
    tajikistan-discuss-threat), so the meeting is not coded as the single day of 9 April."""
    e = event(duck, "csto-meets-in-tajikistan-on-is-threat-2015-04")
    assert (e["event_type"], e["location_country_iso3"]) == ("CONSULT", "TJK")
    assert (e["date_earliest"], e["date_latest"], e["date_precision"]) == (D(2015, 4, 8), D(2015, 4, 9), "range")
    assert "news.tj" in e["date_note"]


def test_antonov_was_deputy_defence_minister_at_his_april_11_interview(duck):
    (day,), = rows(duck, "SELECT date_earliest FROM statements WHERE statement_id = ?",
                   "antonov-raises-is-threat-and-need-for-russian-military-presence")
    assert day == D(2015, 4, 11)
    assert held_office(duck, "anatoly-antonov", "russia-defence-ministry", day)


def test_moscow_conference_on_international_security_was_upcoming_on_16_17_april_2015(duck):
    e = event(duck, "moscow-conference-on-international-security-2015")
    assert (e["modality"], e["date_earliest"], e["date_latest"]) == ("planned", D(2015, 4, 16), D(2015, 4, 17))


# --- News i, July 2021: Rudenko on Uzbekistan and Tajikistan --------------------------------------

def test_rudenko_offer_to_uzbekistan_is_conditional_on_an_appeal(duck):
    e = event(duck, "russia-ready-to-assist-uzbekistan-on-proper-appeal-2021-07")
    assert (e["event_type"], e["modality"]) == ("AGREE", "conditional")
    assert actors_in(duck, e["event_id"], "target") == {"uzbekistan"}
    assert conditions_of(duck, e["event_id"]) == {"request_received", "necessity"}
    words = {w for (w,) in rows(duck, "SELECT evidence FROM event_conditions WHERE event_id = ?", e["event_id"])}
    assert "a proper appeal from Uzbekistan" in words
    assert e["date_earliest"] == D(2021, 7, 22)


def test_rudenko_and_rodenko_are_one_actor(duck):
    owners = {a for (a,) in rows(duck, "SELECT actor_id FROM actor_aliases WHERE alias IN ('Rodenko', 'Rudenko', 'Andrei Rodenko')")}
    assert owners == {"andrey-rudenko"}
    assert held_office(duck, "andrey-rudenko", "russia-foreign-ministry", D(2021, 7, 22))


def test_russia_pledged_to_prevent_aggression_against_tajikistan_if_necessary(duck):
    e = event(duck, "russia-pledges-to-prevent-aggression-against-tajikistan-2021-07")
    assert (e["event_type"], e["cameo_code"], e["modality"]) == ("AGREE", "0334", "conditional")
    assert actors_in(duck, e["event_id"], "target") == {"tajikistan"}
    assert "necessity" in conditions_of(duck, e["event_id"])


def test_russia_and_tajikistan_were_allies_when_rudenko_spoke(duck):
    assert {"russia", "tajikistan"} <= members_on(duck, "russia-tajikistan-alliance", D(2021, 7, 22))
    assert {"russia", "tajikistan"} <= members_on(duck, "russia-tajikistan-alliance", D(2021, 7, 22), basis=NEWS_I)


def test_uzbekistan_is_russias_ally_and_strategic_partner_per_rudenko(duck):
    for alliance in ("russia-uzbekistan-alliance", "russia-uzbekistan-strategic-partnership"):
        assert "uzbekistan" in members_on(duck, alliance, D(2021, 7, 22), basis=NEWS_I)
        assert "uzbekistan" in members_on(duck, alliance, D(2021, 7, 22))


def test_taliban_controlled_almost_all_of_the_afghan_tajik_border_by_8_july_2021(duck):
    """News i: "Earlier this month, the Taliban took control of almost all of Afghanistan-Tajikistan
    borders" (in the report of 22 July 2021). TASS, 8 July 2021 (tass.com/politics/1312065): the CSTO
    Joint Staff's head said "almost the entire border" was under Taliban control. PLOVER codes CAMEO 192
    as COERCE seize; the context is territory, as PLOVER's military context excludes non-state forces."""
    e = event(duck, "taliban-take-control-of-afghan-tajik-border-2021-07")
    assert (e["event_type"], e["event_mode"], e["event_context"], e["cameo_code"], e["modality"]) == (
        "COERCE", "seize", "territory", "192", "occurred")
    assert (e["date_earliest"], e["date_latest"], e["date_precision"]) == (D(2021, 7, 1), D(2021, 7, 8), "range")
    assert "tass.com/politics/1312065" in e["date_note"]
    assert actors_in(duck, e["event_id"], "initiator") == {"taliban"}


def test_201st_base_exercises_are_known_only_from_rudenkos_remarks(duck):
    """News i: "Units of 201 Russian military bases based in Tajikistan, in turn, are conducting regular
    exercises" sits between two sentences credited to Rudenko, so the exercises are his claim."""
    e = event(duck, "russia-201st-base-regular-exercises-2021")
    assert (e["event_type"], e["event_mode"], e["location_country_iso3"], e["modality"]) == ("MOBILIZE", "troops", "TJK", "claimed")
    assert "russia-201st-military-base" in actors_in(duck, e["event_id"], "initiator")
    speakers = rows(duck, "SELECT s.speaker_id, c.relation FROM claims c JOIN statements s USING (statement_id) "
                          "WHERE c.event_id = ?", e["event_id"])
    assert speakers == [("andrey-rudenko", "asserts")]


def test_us_withdrawal_from_afghanistan_is_coded_from_both_2021_articles(duck):
    found = rows(duck, "SELECT DISTINCT e.source_id FROM events e JOIN event_actors a USING (event_id) "
                       "WHERE e.event_type = 'RETREAT' AND a.actor_id = 'united-states' AND a.role = 'initiator'")
    assert {s for (s,) in found} == {NEWS_I, AKIPRESS}
    assert "nato" in actors_in(duck, "us-nato-withdrawal-from-afghanistan-news-i", "initiator")


def test_foreign_ministers_of_russia_and_central_asia_met_in_tashkent_on_2021_07_16(duck):
    """News i: "the Fourth Summit of the Foreign Ministers of Russia and Central Asia on July 16 ... in
    Tashkent" (tajikistannewsgazette.com: held on 16 July 2021 in Tashkent). The text names no Central
    Asian state, so the initiators are only the ministers' meeting and Russia."""
    e = event(duck, "russia-central-asia-foreign-ministers-meeting-tashkent-2021-07-16")
    assert (e["location_name"], e["location_country_iso3"]) == ("Tashkent", "UZB")
    assert (e["latitude"], e["longitude"]) == (None, None)
    assert e["date_earliest"] == e["date_latest"] == D(2021, 7, 16)
    assert actors_in(duck, e["event_id"], "initiator") == {"central-asia-russia-foreign-ministers", "russia"}


def test_the_ministers_joint_statement_noted_the_need_for_concerted_efforts(duck):
    """News i: "The importance of concerted efforts ... was noted ... in a joint statement in Tashkent";
    the joint statement of 16 July 2021 is published at tajikistannewsgazette.com. It was made at the
    meeting, so it carries no claim to the meeting; it reached the article inside Rudenko's interview
    with Sputnik, so it came through Sputnik."""
    (speaker, day, via), = rows(duck, "SELECT speaker_id, date_earliest, reported_via_id FROM statements "
                                      "WHERE statement_id = 'central-asia-russia-foreign-ministers-joint-statement-2021-07-16'")
    assert (speaker, day, via) == ("central-asia-russia-foreign-ministers", D(2021, 7, 16), "sputnik")
    assert rows(duck, "SELECT * FROM claims WHERE statement_id = 'central-asia-russia-foreign-ministers-joint-statement-2021-07-16'") == []


# --- AKIpress, 29 July 2021: Russian bases raise combat readiness ---------------------------------

def test_shoigu_spoke_at_the_sco_defence_ministers_meeting_in_dushanbe_on_2021_07_28(duck):
    e = event(duck, "sco-defence-ministers-meeting-dushanbe-2021-07-28")
    assert (e["location_name"], e["date_earliest"]) == ("Dushanbe", D(2021, 7, 28))
    assert {"sco", "russia", "sergei-shoigu"} == actors_in(duck, e["event_id"], "initiator")
    assert held_office(duck, "sergei-shoigu", "russia-defence-ministry", D(2021, 7, 28))


def test_russian_bases_in_tajikistan_and_kyrgyzstan_raised_combat_readiness(duck):
    e = event(duck, "russian-bases-in-tajikistan-and-kyrgyzstan-raise-combat-readiness-2021-07")
    assert (e["event_type"], e["cameo_code"], e["modality"]) == ("MOBILIZE", "152", "occurred")
    assert {"russia-201st-military-base", "russia-military-bases-in-kyrgyzstan"} <= actors_in(duck, e["event_id"], "initiator")
    assert e["date_latest"] == D(2021, 7, 28)


def test_shoigu_pledged_to_react_to_threats_against_csto_allies(duck):
    e = event(duck, "russia-will-react-to-threats-to-csto-allies-2021-07")
    assert (e["event_type"], e["modality"]) == ("AGREE", "conditional")
    assert conditions_of(duck, e["event_id"]) == {"threat_to_ally"}
    assert actors_in(duck, e["event_id"], "target") == {"csto"}


def test_csto_allies_on_2021_07_28_did_not_include_uzbekistan(duck):
    assert members_on(duck, "csto", D(2021, 7, 28)) == {"armenia", "belarus", "kazakhstan", "kyrgyzstan", "russia", "tajikistan"}


def test_russian_base_will_aid_tajikistan_if_a_threat_emerges_from_afghanistan(duck):
    e = event(duck, "russian-base-will-aid-tajikistan-if-threat-from-afghanistan-2021-07")
    assert (e["event_type"], e["modality"]) == ("AGREE", "conditional")
    assert conditions_of(duck, e["event_id"]) == {"threat_emergence"}
    assert actors_in(duck, e["event_id"], "target") == {"tajikistan"}


def test_russia_tajikistan_uzbekistan_exercise_planned_20_km_from_afghan_border(duck):
    e = event(duck, "russia-tajikistan-uzbekistan-joint-exercise-near-afghan-border-2021-08")
    assert (e["event_type"], e["modality"], e["location_country_iso3"]) == ("COOPERATE", "planned", "TJK")
    assert "20 km away from the border with Afghanistan" in e["evidence"]
    assert (e["date_earliest"], e["date_latest"]) == (D(2021, 8, 5), D(2021, 8, 10))
    assert actors_in(duck, e["event_id"], "initiator") == {"russia", "tajikistan", "uzbekistan"}


def test_islamic_state_relocation_to_afghanistan_is_shoigus_claim(duck):
    e = event(duck, "is-militants-relocate-to-afghanistan-2021")
    assert (e["event_type"], e["modality"]) == ("MOBILIZE", "claimed")
    speakers = {s for (s,) in rows(duck, "SELECT s.speaker_id FROM claims c JOIN statements s USING (statement_id) "
                                         "WHERE c.event_id = ?", e["event_id"])}
    assert speakers == {"sergei-shoigu"}


# --- Across the corpus ------------------------------------------------------------------------------

@pytest.mark.parametrize("source_id", [EURASIANET, IRIN, RFERL, NEWS_I, AKIPRESS])
def test_every_article_has_statements_and_events(duck, source_id):
    (statements,), = rows(duck, "SELECT count(*) FROM statements WHERE source_id = ?", source_id)
    (events,), = rows(duck, "SELECT count(*) FROM events WHERE source_id = ?", source_id)
    assert statements > 0 and events > 0


def test_all_evidence_lies_inside_its_article_body(duck):
    outside = rows(duck, """
        SELECT x.id FROM (
            SELECT statement_id AS id, source_id, evidence_start, evidence_end FROM statements
            UNION ALL SELECT event_id, source_id, evidence_start, evidence_end FROM events
            UNION ALL SELECT c.condition_id, e.source_id, c.evidence_start, c.evidence_end
                      FROM event_conditions c JOIN events e USING (event_id)) x
        JOIN sources s USING (source_id)
        WHERE x.evidence_start < s.body_start OR x.evidence_end > s.body_end""")
    assert outside == []


def test_request_appeal_codes_keep_their_leading_zero(duck):
    codes = {c for (c,) in rows(duck, "SELECT cameo_code FROM events WHERE event_type = 'REQUEST'")}
    assert codes == {"0234", "0232", "023", "0212"}


def test_every_person_who_speaks_held_an_office_over_the_statements_dates(duck):
    """A role must cover each known bound of the statement's date interval (an open bound is not checked).

    The one exception is the independent analyst Rafik Saifullin, who holds no office (RFE/RL calls him
    a "Tashkent-based political analyst" and names no institution), so he has no role at all.
    """
    officeless = {p for (p,) in rows(duck, """
        SELECT DISTINCT s.speaker_id FROM statements s JOIN actors a ON a.actor_id = s.speaker_id
        WHERE a.actor_type = 'person' AND s.speaker_id NOT IN (SELECT person_id FROM actor_roles)""")}
    assert officeless == {"rafik-saifullin"}
    unplaced = duck.execute("""
        SELECT s.statement_id, s.speaker_id, s.date_earliest, s.date_latest
        FROM statements s JOIN actors a ON a.actor_id = s.speaker_id
        WHERE a.actor_type = 'person' AND s.speaker_id IN (SELECT person_id FROM actor_roles) AND NOT EXISTS (
            SELECT 1 FROM actor_roles r
            WHERE r.person_id = s.speaker_id
              AND (s.date_earliest IS NULL OR r.date_earliest IS NULL OR r.date_earliest <= s.date_earliest)
              AND (s.date_latest IS NULL OR r.date_latest IS NULL OR s.date_latest <= r.date_latest)
              AND coalesce(r.date_earliest, r.date_latest) <= coalesce(s.date_latest, s.date_earliest))
        ORDER BY s.statement_id""").fetchall()
    assert unplaced == []


def test_no_source_date_is_more_precise_than_its_basis(duck):
    """A source dated to the day must state that day in its own text; anything inferred is an interval."""
    import datetime

    rows = duck.execute("SELECT source_id, text, date_earliest, date_latest, date_precision, date_basis, date_note "
                        "FROM sources").fetchall()
    for source_id, text, earliest, latest, precision, basis, note in rows:
        text = " ".join(text.split())  # the AKIpress dateline uses no-break spaces
        if basis == "inferred":
            assert precision != "day" and earliest != latest, source_id
            assert note, source_id
        if precision == "day":
            assert basis == "stated", source_id
            day: datetime.date = earliest
            written = {f"{day:%b} {day.day}, {day.year}", f"{day:%B} {day.day}, {day.year}",
                       f"{day.day} {day:%B} {day.year}"}
            assert any(form in text for form in written), f"{source_id}: {day} is not written in the article"


# --- Corrections of the independent audit of November 2026 ----------------------------------------

def test_every_curated_article_names_coder_a_and_no_review_it_did_not_have(duck):
    """Provenance is truthful: coder-a coded every article; a second coder and an adjudicator are named only with
    the status that needs them (validation checks the codings and logs behind them)."""
    reviews = rows(duck, "SELECT coder, second_coder, adjudicator, review_status FROM sources")
    assert len(reviews) == 5
    for coder, second, adjudicator, status in reviews:
        assert coder == "coder-a"
        assert status in ("single-coded", "double-coded", "adjudicated")
        assert (second is not None) == (status != "single-coded")
        assert (adjudicator is not None) == (status == "adjudicated")


def test_no_published_note_cites_the_unpublished_research_notes(duck):
    """Every note must cite something a reader can open; "facts.md" and "the research notes" were never published."""
    notes = []
    for table, in rows(duck, "SELECT DISTINCT table_name FROM information_schema.columns WHERE column_name LIKE '%note'"):
        for column, in rows(duck, "SELECT column_name FROM information_schema.columns "
                                  "WHERE table_name = ? AND column_name LIKE '%note'", table):
            notes += [n for (n,) in rows(duck, f'SELECT "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL')]
    assert notes
    assert [n for n in notes if "facts.md" in n or "research notes" in n] == []


def test_kyrgyz_media_casualty_reports_are_undated_so_only_bounded_by_10_and_12_june_2010(duck):
    """The Kyrgyz outlets' figures carry no date: not before the outbreak of 10 June 2010
    (en.wikipedia.org/wiki/2010_South_Kyrgyzstan_ethnic_clashes), not after the article of 12 June."""
    (earliest, latest, precision), = rows(duck, "SELECT date_earliest, date_latest, date_precision FROM statements "
                                                "WHERE statement_id = 'kyrgyz-media-osh-casualty-figures'")
    assert (earliest, latest, precision) == (D(2010, 6, 10), D(2010, 6, 12), "range")


def test_analyst_assessments_carry_no_claims(duck):
    """Quinn-Judge judges Moscow's response ("confusion and concern") and speculates about the call; an
    assessment does not assert the events it comments on (README, Claims)."""
    assert rows(duck, "SELECT statement_id FROM claims WHERE statement_id LIKE 'quinn-judge-%'") == []


def test_speaker_title_never_holds_the_speakers_own_name(duck):
    """speaker_title is a description the sentence gives ("Minister", "the deputy foreign minister",
    "Uzbek officials"), never a name such as "Timakova", "Saifullin", "Russia" or "Minister Sergei Shoigu"."""
    named = rows(duck, """
        SELECT s.statement_id, s.speaker_title FROM statements s JOIN actors a ON a.actor_id = s.speaker_id
        WHERE (s.speaker_title = a.name AND a.actor_type IN ('person', 'state'))
           OR (a.actor_type = 'person' AND s.speaker_title IN (SELECT alias FROM actor_aliases x WHERE x.actor_id = s.speaker_id))
           OR EXISTS (SELECT 1 FROM actor_aliases x WHERE x.actor_id = s.speaker_id AND length(x.alias) > 3
                      AND a.actor_type = 'person' AND contains(s.speaker_title, x.alias))""")
    assert named == []
    assert rows(duck, "SELECT speaker_title FROM statements WHERE statement_id = 'ivanov-uzbekistan-asked-for-individual-types-of-weapons'") == [(None,)]
    # An unnamed collective is described by the sentence's own words, which are its title.
    assert rows(duck, "SELECT speaker_title FROM statements WHERE statement_id = 'kyrgyz-media-osh-casualty-figures'") == [("Kyrgyz media outlets",)]


def test_reported_via_is_the_agency_credited_in_the_sentence_or_where_the_remarks_are_introduced(duck):
    """One rule for every row: reported_via names the agency the statement's own sentence credits (by name
    or as "it quoted"), or the agency of the interview or report that an earlier sentence introduces and
    the statement continues (Antonov's April 11 RIA Novosti interview; Rudenko's Sputnik interview, the
    joint statement he relays included; Ivanov's remarks quoted by Interfax)."""
    credited = rows(duck, """
        SELECT s.statement_id, s.source_id, s.evidence, list(x.alias) FROM statements s
        JOIN actor_aliases x ON x.actor_id = s.reported_via_id GROUP BY ALL""")
    assert credited
    for statement_id, source_id, evidence, aliases in credited:
        assert (source_id == NEWS_I or "it quoted" in evidence or "interview" in note_of(duck, statement_id)
                or "introduces" in note_of(duck, statement_id)
                or any(alias in evidence for alias in aliases)), statement_id
    assert {v for (v,) in rows(duck, "SELECT reported_via_id FROM statements WHERE statement_id LIKE 'antonov-%'")} == {"ria-novosti"}
    assert {v for (v,) in rows(duck, "SELECT reported_via_id FROM statements WHERE source_id = ?", NEWS_I)} == {"sputnik"}
    assert rows(duck, "SELECT reported_via_id FROM statements WHERE statement_id = 'ivanov-uzbekistan-asked-for-individual-types-of-weapons'") == [("interfax",)]


def test_islamist_attacks_on_uzbekistan_are_known_in_irin_only_from_russia(duck):
    """IRIN states the attacks only inside Russia's position ("Russia believed ... news organisations
    reported"), so the attacks are claimed."""
    e = event(duck, "islamist-groups-attack-uzbekistan")
    assert (e["event_type"], e["modality"]) == ("ASSAULT", "claimed")


def test_no_coordinates_without_an_authoritative_source_read_at_adjudication(duck):
    """Coordinates came from a 2013 Wikipedia revision (Tashkent, about 7 km from the centre), Wikipedia
    editions without a revision id (Osh, Dushanbe) and copies of Wikidata (Moscow); none could be read
    from an authoritative source at adjudication, so every place keeps its name and precision and no
    coordinates, and its note says why."""
    assert rows(duck, "SELECT event_id FROM events WHERE latitude IS NOT NULL OR longitude IS NOT NULL") == []
    for name in ("Moscow", "Osh", "Tashkent", "Dushanbe"):
        notes = rows(duck, "SELECT location_note FROM events WHERE location_name = ?", name)
        assert notes and all("No coordinates" in n for (n,) in notes), name


def test_karimov_made_his_plea_to_putin_in_tashkent(duck):
    """RFE/RL's own report: "At a December 10 meeting with the Russian president in Tashkent"
    (rferl.org/a/islamic-state-uzbekistan-russia/26738034.html); Reuters via glavnoe.in.ua/news/n204082
    dates it 10 December 2014."""
    e = event(duck, "karimov-asks-putin-for-help-against-extremism-2014-12")
    assert (e["location_name"], e["location_country_iso3"], e["location_precision"]) == ("Tashkent", "UZB", "settlement")
    assert "glavnoe.in.ua" in e["date_note"] and "26738034" in e["date_note"] and "nemzeti.net" not in e["date_note"]


def test_non_state_armed_groups_mobilise_with_plover_mode_militia(duck):
    """PLOVER MOBILIZE: troops for a state's forces, militia for any non-state armed group."""
    modes = rows(duck, """
        SELECT e.event_id, e.event_mode, bool_and(a.actor_type = 'armed_group') FROM events e
        JOIN event_actors x ON x.event_id = e.event_id AND x.role = 'initiator' JOIN actors a ON a.actor_id = x.actor_id
        WHERE e.event_type = 'MOBILIZE' GROUP BY ALL""")
    assert modes
    for event_id, mode, non_state in modes:
        assert (mode == "militia") == non_state, event_id
    assert event(duck, "is-emerges-in-afghanistan")["event_mode"] == "militia"


def test_coerce_events_use_only_plover_coerce_modes(duck):
    """PLOVER's COERCE modes are seize, restrict, censor, curfew, martial-law, arrest, deport, withhold,
    misinformation and cyber; territory is a context, not a COERCE mode."""
    modes = {m for (m,) in rows(duck, "SELECT event_mode FROM events WHERE event_type = 'COERCE'")}
    assert modes == {"seize"}


def test_cooperation_has_a_recipient_or_all_parties_as_initiators(duck):
    """PLOVER's COOPERATE requires a recipient; for mutual cooperation the text presents symmetrically
    RUCAS lists every party as initiator (PLOVER's rule for reciprocal events)."""
    for event_id, in rows(duck, "SELECT event_id FROM events WHERE event_type = 'COOPERATE'"):
        assert actors_in(duck, event_id, "target") or len(actors_in(duck, event_id, "initiator")) >= 2, event_id
    assert actors_in(duck, "russia-and-csto-allies-combat-is-jointly-2015", "target") == {"csto"}


def test_terms_of_office_do_not_overlap_on_handover_days(duck):
    """Handover days belong to the incoming holder: Putin's acting presidency ends on 6 May 2000, Medvedev's
    presidency on 6 May 2012 (Putin inaugurated 7 May 2012), Otunbayeva's interim term on 2 July 2010."""
    overlaps = rows(duck, """
        SELECT a.role_id, b.role_id FROM actor_roles a JOIN actor_roles b
          ON a.role_id < b.role_id AND (a.person_id = b.person_id
                                        OR (a.organization_id = b.organization_id AND a.title = b.title))
         AND a.date_earliest <= coalesce(b.date_latest, DATE '9999-12-31')
         AND b.date_earliest <= coalesce(a.date_latest, DATE '9999-12-31')""")
    assert overlaps == []
    assert held_office(duck, "vladimir-putin", "russia", D(2012, 5, 7))
    assert not held_office(duck, "dmitry-medvedev", "russia", D(2012, 5, 7))


def test_the_independent_analyst_is_not_attached_to_the_uzbek_state(duck):
    assert rows(duck, "SELECT role_id FROM actor_roles WHERE person_id = 'rafik-saifullin'") == []


def test_antonov_became_deputy_defence_minister_on_2_february_2011(duck):
    """By presidential decree of 2 February 2011 (madrerussia.com, "Il 2 febbraio 2011 ... Vice Ministro della Difesa")."""
    (earliest,), = rows(duck, "SELECT date_earliest FROM actor_roles WHERE role_id = 'anatoly-antonov-deputy-defence-minister'")
    assert earliest == D(2011, 2, 2)


def test_belarus_is_a_party_to_the_collective_security_treaty_from_the_1999_protocol(duck):
    """Belarus's Foreign Ministry: Belarus joined after 1992 and signed the prolongation protocol of 2 Apr 1999
    (mfa.gov.by); the accession day 31 Dec 1993 was seen only in a blog's reprint, which is not citable."""
    (joined, note), = rows(duck, "SELECT joined_date, note FROM alliance_members WHERE alliance_id = 'cst' AND actor_id = 'belarus'")
    assert joined == D(1999, 4, 2) and "mfa.gov.by" in note and "not verified" in note


def test_unverified_wikidata_ids_are_left_empty(duck):
    """The QIDs of Shoigu and Antonov rested only on unpublished notes and could not be re-checked."""
    assert rows(duck, "SELECT wikidata_qid FROM actors WHERE actor_id IN ('sergei-shoigu', 'anatoly-antonov')") == [(None,), (None,)]


def test_news_i_publication_date_is_not_bounded_by_the_relayed_wire_report(duck):
    """News i relays Sputnik's interview of 22 July 2021; "earlier this month" belongs to that report,
    so it does not bound News i's own, undated, publication: the interval has no end."""
    (earliest, latest, precision), = rows(duck, "SELECT date_earliest, date_latest, date_precision FROM sources WHERE source_id = ?", NEWS_I)
    assert (earliest, latest, precision) == (D(2021, 7, 22), None, "range")


def test_rudenkos_interview_is_dated_22_july_2021_by_two_sources(duck):
    """ANI/Sputnik "Moscow [Russia] July 22" (chanakyaforum.com) and Russia-Islamic World ("in an interview
    with Novosti on 22 July 2021", russia-islworld.ru)."""
    (note,), = rows(duck, "SELECT date_note FROM statements WHERE statement_id = 'rudenko-ready-to-assist-on-need-and-proper-appeal'")
    assert "chanakyaforum.com" in note and "russia-islworld.ru" in note


def test_us_nato_withdrawal_is_known_in_news_i_only_from_rudenko(duck):
    e = event(duck, "us-nato-withdrawal-from-afghanistan-news-i")
    assert e["modality"] == "claimed"


def test_shoigus_speech_does_not_claim_the_meeting_it_was_given_at(duck):
    """The SCO meeting of 28 July 2021 (eng.sectsco.org/20210728/770367.html) is the occasion of Shoigu's
    speech, not something the speech asserts."""
    assert rows(duck, "SELECT * FROM claims WHERE event_id = 'sco-defence-ministers-meeting-dushanbe-2021-07-28'") == []


def test_headlines_and_standfirsts_are_not_coded_again_beside_the_body(duck):
    """News i's headline and standfirst restate Rudenko's pledge and his contact with Uzbekistan, which the
    body reports; coded again they would count one remark twice. No statement's evidence lies in them."""
    heads = rows(duck, "SELECT statement_id FROM statements WHERE source_id = ? AND (evidence LIKE 'Moscow: We are taking%' "
                       "OR evidence LIKE 'Russia’s Deputy Foreign Minister stressed%')", NEWS_I)
    assert heads == []
    asserted = {s for (s,) in rows(duck, "SELECT statement_id FROM claims WHERE event_id = "
                                         "'russia-pledges-to-prevent-aggression-against-tajikistan-2021-07'")}
    assert asserted == {"rudenko-russia-will-prevent-invasion-of-tajikistan", "rudenko-all-measures-against-aggression-on-tajikistan"}


def test_rudenko_says_central_asians_are_recruited_by_terrorist_organizations(duck):
    """"such organizations" points back to a class the sentence before illustrates with "such as"
    examples; it names no recruiter, so none is coded."""
    e = event(duck, "central-asians-recruited-by-terrorist-organizations-2021")
    assert (e["event_type"], e["event_mode"], e["modality"]) == ("MOBILIZE", "militia", "claimed")
    assert actors_in(duck, e["event_id"], "initiator") == set()


def test_no_event_is_coded_from_words_that_name_no_actor_and_report_no_act(duck):
    """AKIpress: "the attempts to spread terrorist activities" sit inside the clause saying what the
    Defence Ministry's measures counter; nobody is named as making them, so no event is coded, and
    Shoigu's statement about the measures asserts nothing it does not name."""
    assert rows(duck, "SELECT event_id FROM events WHERE event_id LIKE 'attempts-to-spread%'") == []
    assert rows(duck, "SELECT event_id FROM claims WHERE statement_id = 'shoigu-defence-ministry-measures-against-spread-of-terrorism'") == []


def test_saifullin_says_uzbekistan_has_established_close_cooperation_with_russia(duck):
    e = event(duck, "uzbekistan-and-russia-established-close-cooperation-against-is")
    assert (e["event_type"], e["cameo_code"], e["modality"]) == ("COOPERATE", "060", "claimed")
    assert (actors_in(duck, e["event_id"], "initiator"), actors_in(duck, e["event_id"], "target")) == ({"uzbekistan"}, {"russia"})


def test_russia_called_for_a_collective_approach_to_is_through_the_csto(duck):
    e = event(duck, "russia-calls-for-collective-approach-against-is-via-csto")
    assert (e["event_type"], e["event_mode"], e["cameo_code"], e["modality"]) == ("REQUEST", "assist", "0212", "occurred")
    assert actors_in(duck, e["event_id"], "initiator") == {"russia"}
    assert actors_in(duck, e["event_id"], "participant") == {"csto"}


def test_the_analyst_says_returning_uzbek_is_fighters_would_be_arrested_at_the_border(duck):
    """A statement of Saifullin's about the Uzbek nationals fighting with IS; neither the arrest he
    predicts nor the fighting the relative clause mentions is coded as an event."""
    (about,) = rows(duck, "SELECT list(actor_id ORDER BY actor_id) FROM statement_actors "
                          "WHERE statement_id = 'saifullin-returnees-arrested-at-the-border' AND relation = 'about'")[0]
    assert "uzbek-nationals-fighting-with-is" in about
    assert rows(duck, "SELECT * FROM claims WHERE statement_id = 'saifullin-returnees-arrested-at-the-border'") == []


def test_an_increase_in_taliban_violence_is_a_trend_and_rudenkos_concern_claims_nothing(duck):
    """"is witnessing an increase in Taliban violence" describes a trend, not an act (README, What is not
    coded as an event); the seizure of the border in the next sentence is the act coded. Rudenko's "we are
    concerned about the escalation" expresses concern and asserts no event."""
    assert rows(duck, "SELECT event_id FROM events WHERE source_id = ? AND event_type = 'ASSAULT'", NEWS_I) == []
    assert event(duck, "taliban-take-control-of-afghan-tajik-border-2021-07")["event_mode"] == "seize"
    assert rows(duck, "SELECT * FROM claims WHERE statement_id = 'rudenko-concerned-about-escalation-in-afghanistan'") == []


def test_rudenkos_drug_production_remark_is_a_statement_not_an_event(duck):
    """News i: "Drug production has reached its highest level." describes a condition, not an act
    (README, What is not coded as an event)."""
    (speaker, via), = rows(duck, "SELECT speaker_id, reported_via_id FROM statements WHERE statement_id = 'rudenko-drug-production-at-highest-level'")
    assert (speaker, via) == ("andrey-rudenko", "sputnik")
    assert rows(duck, "SELECT * FROM claims WHERE statement_id = 'rudenko-drug-production-at-highest-level'") == []


def test_russian_aid_to_unnamed_central_asian_partners_has_no_invented_recipient(duck):
    """AKIpress: "assistance is provided to the partners in Central Asia" names no partner; PLOVER's AID
    wants a recipient, but RUCAS leaves it empty and says so (README, Departures from PLOVER)."""
    e = event(duck, "russia-provides-assistance-to-central-asian-partners-2021")
    assert (e["event_type"], e["modality"]) == ("AID", "claimed")
    assert actors_in(duck, e["event_id"], "target") == set()
    assert "Departures from PLOVER" in e["note"]


def test_agree_events_carry_no_mode_as_in_plover(duck):
    """PLOVER gives AGREE no modes (PLOVER_MANUAL.tex); offers of help are found by CAMEO code instead,
    and every one of them is in assistance_timeline."""
    assert rows(duck, "SELECT event_id FROM events WHERE event_type = 'AGREE' AND event_mode IS NOT NULL") == []
    offers = {e for (e,) in rows(duck, "SELECT event_id FROM events WHERE event_type = 'AGREE' "
                                       "AND cameo_code IN ('0312', '033', '0331', '0332', '0333', '0334')")}
    assert offers and offers <= {e for (e,) in rows(duck, "SELECT event_id FROM assistance_timeline")}
