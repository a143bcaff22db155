-- question: 30: Who said an event happened, and who denied it?
-- Contradictory accounts: every pair of statements of which one asserts and the other denies the same
-- event (claims), with the event, both speakers, the dates of both statements and both articles.
-- One row per (event, asserting statement, denying statement). Order: the event's earliest date
-- (unknown dates last), event_id, asserting statement_id, denying statement_id. Columns: what a reader
-- compares first (the event, who asserts and who denies it, in which words), dates and titles next, ids last.
-- key: event_id, asserting_statement_id, denying_statement_id
-- columns: event_summary, asserting_speaker, asserting_evidence, denying_speaker, denying_evidence, event_id, asserting_statement_id, denying_statement_id
-- order: event_date_earliest NULLS LAST, event_id, asserting_statement_id, denying_statement_id
-- column: event_date_earliest: First day the event can be (events.date_earliest).
-- column: event_date_latest: Last day the event can be (events.date_latest).
-- column: event_summary: One line saying what the event was (events.summary).
-- column: asserting_statement_id: The statement saying that the event happened or will happen.
-- column: asserting_speaker_id: Who made the asserting statement.
-- column: asserting_speaker: Name of who made the asserting statement.
-- column: asserted_date_earliest: First day the asserting statement can have been made.
-- column: asserted_date_latest: Last day the asserting statement can have been made.
-- column: asserting_evidence: The words of the asserting statement, as in its article.
-- column: asserting_source_id: The article reporting the asserting statement.
-- column: asserting_source_title: Headline of the article reporting the asserting statement.
-- column: denying_statement_id: The statement saying that the event did not happen.
-- column: denying_speaker_id: Who made the denying statement.
-- column: denying_speaker: Name of who made the denying statement.
-- column: denied_date_earliest: First day the denying statement can have been made.
-- column: denied_date_latest: Last day the denying statement can have been made.
-- column: denying_evidence: The words of the denying statement, as in its article.
-- column: denying_source_id: The article reporting the denying statement.
-- column: denying_source_title: Headline of the article reporting the denying statement.
SELECT
  e.summary AS event_summary,
  e.date_earliest AS event_date_earliest,
  e.date_latest AS event_date_latest,
  pro_speaker.name AS asserting_speaker,
  pro.evidence AS asserting_evidence,
  con_speaker.name AS denying_speaker,
  con.evidence AS denying_evidence,
  pro.date_earliest AS asserted_date_earliest,
  pro.date_latest AS asserted_date_latest,
  con.date_earliest AS denied_date_earliest,
  con.date_latest AS denied_date_latest,
  e.event_type,
  e.modality,
  pro_source.title AS asserting_source_title,
  con_source.title AS denying_source_title,
  e.event_id,
  pro.statement_id AS asserting_statement_id,
  con.statement_id AS denying_statement_id,
  pro.speaker_id AS asserting_speaker_id,
  con.speaker_id AS denying_speaker_id,
  pro.source_id AS asserting_source_id,
  con.source_id AS denying_source_id
FROM (
  SELECT asserts.event_id, asserts.statement_id AS asserting_id, denies.statement_id AS denying_id
  FROM claims asserts
  JOIN claims denies ON denies.event_id = asserts.event_id
  WHERE asserts.relation = 'asserts' AND denies.relation = 'denies'
) AS pairs
JOIN events e ON e.event_id = pairs.event_id
JOIN statements pro ON pro.statement_id = pairs.asserting_id
JOIN statements con ON con.statement_id = pairs.denying_id
JOIN actors pro_speaker ON pro_speaker.actor_id = pro.speaker_id
JOIN actors con_speaker ON con_speaker.actor_id = con.speaker_id
JOIN sources pro_source ON pro_source.source_id = pro.source_id
JOIN sources con_source ON con_source.source_id = con.source_id
ORDER BY e.date_earliest NULLS LAST, e.event_id, pro.statement_id, con.statement_id
