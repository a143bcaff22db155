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
    assert (e["event_type"], e["event_mode"]) == ("AGREE", "assist")
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
    (earliest, latest, precision, basis, note), = rows(
        duck, "SELECT date_earliest, date_latest, date_precision, date_basis, date_note FROM sources WHERE source_id = ?", IRIN)
    assert (earliest, latest, precision, basis) == (D(1998, 9, 11), D(2003, 3, 13), "range", "inferred")
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


def test_saifullin_says_uzbekistan_would_act_with_russia_only_if_is_becomes_active(duck):
    e = event(duck, "uzbekistan-would-act-jointly-with-russia-if-is-activates")
    assert (e["event_type"], e["modality"]) == ("AGREE", "conditional")
    assert conditions_of(duck, e["event_id"]) == {"hostile_activity"}
    speakers = {s for (s,) in rows(duck, "SELECT s.speaker_id FROM claims c JOIN statements s USING (statement_id) "
                                         "WHERE c.event_id = ?", e["event_id"])}
    assert speakers == {"rafik-saifullin"}
    agencies = {v for (v,) in rows(duck, "SELECT s.reported_via_id FROM claims c JOIN statements s USING (statement_id) "
                                         "WHERE c.event_id = ? AND s.reported_via_id IS NOT NULL", e["event_id"])}
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


def test_csto_met_in_tajikistan_on_2015_04_09(duck):
    e = event(duck, "csto-meets-in-tajikistan-on-is-threat-2015-04")
    assert (e["event_type"], e["location_country_iso3"]) == ("CONSULT", "TJK")
    assert e["date_earliest"] == e["date_latest"] == D(2015, 4, 9)


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


def test_taliban_took_control_of_afghan_tajik_border_in_july_2021(duck):
    e = event(duck, "taliban-take-control-of-afghan-tajik-border-2021-07")
    assert (e["event_type"], e["cameo_code"], e["modality"]) == ("COERCE", "192", "occurred")
    assert (e["date_earliest"], e["date_latest"], e["date_precision"]) == (D(2021, 7, 1), D(2021, 7, 31), "month")
    assert actors_in(duck, e["event_id"], "initiator") == {"taliban"}


def test_201st_base_units_conduct_regular_exercises_in_tajikistan(duck):
    e = event(duck, "russia-201st-base-regular-exercises-2021")
    assert (e["event_type"], e["location_country_iso3"]) == ("MOBILIZE", "TJK")
    assert "russia-201st-military-base" in actors_in(duck, e["event_id"], "initiator")


def test_us_withdrawal_from_afghanistan_is_coded_from_both_2021_articles(duck):
    found = rows(duck, "SELECT DISTINCT e.source_id FROM events e JOIN event_actors a USING (event_id) "
                       "WHERE e.event_type = 'RETREAT' AND a.actor_id = 'united-states' AND a.role = 'initiator'")
    assert {s for (s,) in found} == {NEWS_I, AKIPRESS}
    assert "nato" in actors_in(duck, "us-nato-withdrawal-from-afghanistan-news-i", "initiator")


def test_foreign_ministers_of_russia_and_central_asia_met_in_tashkent_on_2021_07_16(duck):
    e = event(duck, "russia-central-asia-foreign-ministers-meeting-tashkent-2021-07-16")
    assert (e["location_name"], e["location_country_iso3"]) == ("Tashkent", "UZB")
    assert e["date_earliest"] == e["date_latest"] == D(2021, 7, 16)
    assert {"russia", "uzbekistan"} <= actors_in(duck, e["event_id"], "initiator")


# --- AKIpress, 29 July 2021: Russian bases raise combat readiness ---------------------------------

def test_shoigu_spoke_at_the_sco_defence_ministers_meeting_in_dushanbe_on_2021_07_28(duck):
    e = event(duck, "sco-defence-ministers-meeting-dushanbe-2021-07-28")
    assert (e["location_name"], e["date_earliest"]) == ("Dushanbe", D(2021, 7, 28))
    assert "sergei-shoigu" in actors_in(duck, e["event_id"], "participant")
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


def test_uzbek_request_appeal_codes_keep_their_leading_zero(duck):
    codes = {c for (c,) in rows(duck, "SELECT cameo_code FROM events WHERE event_type = 'REQUEST'")}
    assert codes == {"0234", "0232", "023"}


def test_every_person_who_speaks_held_an_office_over_the_statements_dates(duck):
    """A role must cover each known bound of the statement's date interval (an open bound is not checked)."""
    unplaced = duck.execute("""
        SELECT s.statement_id, s.speaker_id, s.date_earliest, s.date_latest
        FROM statements s JOIN actors a ON a.actor_id = s.speaker_id
        WHERE a.actor_type = 'person' AND NOT EXISTS (
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
