-- Every disagreement between the two codings and how the adjudicator decided it, by article and field.
-- No parameter.
SELECT a.source_id, s.title, a.field, a.unit, a.first_value, a.second_value, a.decision, a.published_value,
       a.reason, a.consulted, a.adjudicator, a.adjudicated_on, a.key
FROM adjudications a
JOIN sources s ON s.source_id = a.source_id
ORDER BY a.source_id, a.field, a.key
