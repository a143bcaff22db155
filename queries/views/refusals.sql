-- question: 20: When did Russia (or anyone) refuse military help, and for what stated reasons?
-- Every refusal of military assistance (the REJECT events of assistance_timeline) with the reasons
-- stated for it: one row per refusal and condition attached to it (event_conditions: the kind of
-- condition, its codebook definition and the article's words), or one row with empty reason columns
-- for a refusal with no condition coded. The statements that assert or deny a refusal are on its
-- event page (claims). Order: earliest date (unknown dates last), latest date, event_id, condition_id.
-- key: event_id, condition_id
-- columns: date_earliest, refused_by, refused_to, summary, reason_type, reason_words, event_id, condition_id
-- order: date_earliest NULLS LAST, date_latest NULLS LAST, event_id, condition_id NULLS LAST
-- column: refused_by: Names of the actors that refused (the event's initiators), sorted, separated by '; '.
-- column: refused_to: Names of the actors refused (the event's targets), sorted, separated by '; '.
-- column: reason_type: Kind of condition or reason attached to the refusal (event_conditions.condition_type).
-- column: reason_definition: What that kind of condition means (codebook condition_type).
-- column: reason_words: The article's words stating the reason (event_conditions.evidence).
-- column: source_title: The headline of the article the refusal is coded from (sources.title).
SELECT
  t.date_earliest,
  t.date_latest,
  t.date_precision,
  t.initiators AS refused_by,
  t.targets AS refused_to,
  t.modality,
  t.summary,
  c.condition_type AS reason_type,
  cb.definition AS reason_definition,
  c.evidence AS reason_words,
  t.source_title,
  t.event_id,
  c.condition_id,
  t.source_id
FROM assistance_timeline t
LEFT JOIN event_conditions c ON c.event_id = t.event_id
LEFT JOIN codebook cb ON cb.codebook = 'condition_type' AND cb.code = c.condition_type
WHERE t.event_type = 'REJECT'
ORDER BY t.date_earliest NULLS LAST, t.date_latest NULLS LAST, t.event_id, c.condition_id
