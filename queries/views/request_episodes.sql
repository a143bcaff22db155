-- question: 12: What answer did each request for help draw, how fast, and were the two sides allied?
-- Each request (event_type REQUEST) with every response it drew: offers (AGREE), refusals (REJECT) and
-- deployments, aid or military cooperation (MOBILIZE, AID, COOPERATE) with the conditions attached to
-- them, and denials (statements whose claim denies the request). One row per request and response; a
-- request with no response has one row whose response columns are empty.
-- Who counts as a response: parties are matched by country (a state, person, government body or
-- military unit stands for its country, actors.country_iso3; any other actor for itself). An event
-- answers a request when its initiator is on the asked side and its target on the requester's side
-- (responder_side asked), or its initiator on the requester's side and its target on the asked side again
-- (responder_side requester). The asked side is the request's targets and the acting organisation of
-- any alliance a target belonged to (status member) throughout the request's dates: RUCAS records no
-- alliance's leader, so membership stands in for "an alliance the target leads". A denial is any
-- statement denying the request (claims relation denies), whoever made it; its responder_side says
-- whose side the speaker was on (other: neither).
-- Where: a response is coded from the same article as the request. The article that reports a request
-- reports the answers it drew; an event between the same parties in another article, perhaps years
-- later, is not taken for an answer to this request (it may answer something else), and the view's size
-- stays proportional to each article's events, whatever the size of the corpus. source_id names that
-- article (a denial's statement may be another article's: its source is on the statement's page).
-- When: a response counts if it can have come on or after the request: its date_latest is not before
-- the request's date_earliest (an unknown bound never rules it out). days_to_response_min and _max
-- bound the days from the request to the response from the two date intervals (min: response's
-- earliest minus request's latest, at least 0, and 0 where either is unknown; max: response's latest
-- minus request's earliest, empty where either is unknown). first_answer_days_min and _max bound the
-- time to the first answer of the asked side (the least min and the least known max over the request's
-- asked-side responses). shared_alliances lists the alliances both a requester and the responder
-- belonged to (status member, a person, body or unit through its country's state) throughout the
-- request's date interval; empty when there is none or the request's dates are not known on both sides.
-- Lists are sorted and separated by '; '. Order: the request's earliest date (unknown last), its article,
-- request, the response's earliest date (unknown last), response_kind, response_id.
-- key: source_id, request_event_id, response_kind, response_id
-- columns: request_date_earliest, requesters, asked, response_kind, responders, responder_side, response_date_earliest, days_to_response_min, days_to_response_max, response_conditions, shared_alliances, source_id, request_event_id, response_id
-- order: request_date_earliest NULLS LAST, source_id, request_event_id, response_date_earliest NULLS LAST, response_kind, response_id
-- facets: response_kind, responder_side
-- column: request_event_id: The request (events.event_id, event_type REQUEST).
-- column: source_id: The article that reports the request (sources.source_id), from which its offers, refusals and deployments are coded; a denying statement may come from another article.
-- column: request_date_earliest: First day the request can have been made.
-- column: request_date_latest: Last day the request can have been made.
-- column: request_modality: Whether the request occurred, was claimed, denied, ... (events.modality).
-- column: requesters: Names of the request's initiators.
-- column: asked: Names of the request's targets.
-- column: response_kind: offer (AGREE), refusal (REJECT), deployment (MOBILIZE, AID, COOPERATE) or denial (a statement denying the request); empty for a request without response.
-- column: response_id: The responding event (events.event_id) or, for a denial, the statement (statements.statement_id).
-- column: response_type: The response event's PLOVER type; empty for a denial.
-- column: response_modality: The response event's modality; empty for a denial.
-- column: response_date_earliest: First day of the response (event or statement).
-- column: response_date_latest: Last day of the response (event or statement).
-- column: responders: Names of the response's initiators, or of the denying speaker.
-- column: responder_side: asked (the request's targets or their alliance answered), requester (the requester's side acted toward the asked again) or other (a denial by neither side).
-- column: response_conditions: Types of the conditions attached to the response (event_conditions.condition_type), distinct and sorted.
-- column: days_to_response_min: Fewest days from the request to the response the two date intervals allow (0 where a bound is unknown).
-- column: days_to_response_max: Most days from the request to the response the two date intervals allow; empty where a bound is unknown.
-- column: first_answer_days_min: Fewest days from the request to its first asked-side response; empty when there is none.
-- column: first_answer_days_max: Most days from the request to its first asked-side response (the least known maximum); empty when none is known.
-- column: shared_alliances: Ids of the alliances both a requester and the responder belonged to throughout the request's dates (alliance_members), sorted.
-- column: request_summary: What the request was (events.summary).
-- column: response_summary: What the response was (events.summary, or the denying statement's evidence).
WITH RECURSIVE
party_of AS (
  SELECT a.actor_id, a.name,
         CASE WHEN a.actor_type IN ('state', 'person', 'government_body', 'military_unit')
                   AND a.country_iso3 IS NOT NULL THEN a.country_iso3 ELSE a.actor_id END AS party
  FROM actors a
),
represented AS (
  SELECT a.actor_id, a.actor_id AS member_id FROM actors a
  UNION
  SELECT a.actor_id, state.actor_id
  FROM actors a
  JOIN actors state ON state.country_iso3 = a.country_iso3 AND state.actor_type = 'state'
  WHERE a.actor_type IN ('person', 'government_body', 'military_unit')
),
requests AS (
  SELECT e.event_id, e.source_id, e.date_earliest, e.date_latest, e.modality, e.summary
  FROM events e
  WHERE e.event_type = 'REQUEST'
),
request_sides AS (
  SELECT DISTINCT ea.event_id, CASE WHEN ea.role = 'initiator' THEN 'requester' ELSE 'asked' END AS side, p.party
  FROM event_actors ea
  JOIN requests q ON q.event_id = ea.event_id
  JOIN party_of p ON p.actor_id = ea.actor_id
  WHERE ea.role IN ('initiator', 'target')
),
answerers AS (
  SELECT event_id, party FROM request_sides WHERE side = 'asked'
  UNION
  SELECT q.event_id, al.actor_id
  FROM requests q
  JOIN event_actors ea ON ea.event_id = q.event_id AND ea.role = 'target'
  JOIN represented r ON r.actor_id = ea.actor_id
  JOIN alliance_members m ON m.actor_id = r.member_id AND m.status = 'member'
  JOIN alliances al ON al.alliance_id = m.alliance_id
  WHERE al.actor_id IS NOT NULL AND q.date_earliest IS NOT NULL AND q.date_latest IS NOT NULL
    AND m.joined_date <= q.date_earliest AND (m.left_date IS NULL OR q.date_latest < m.left_date)
),
responses AS (
  SELECT e.event_id, e.source_id, e.event_type, e.modality, e.date_earliest, e.date_latest, e.summary,
         CASE WHEN e.event_type = 'AGREE' THEN 'offer' WHEN e.event_type = 'REJECT' THEN 'refusal'
              ELSE 'deployment' END AS kind
  FROM events e
  WHERE e.event_type IN ('AGREE', 'REJECT', 'MOBILIZE', 'AID', 'COOPERATE')
),
response_parties AS (
  SELECT DISTINCT ea.event_id, r.source_id, ea.role, p.party
  FROM event_actors ea
  JOIN responses r ON r.event_id = ea.event_id
  JOIN party_of p ON p.actor_id = ea.actor_id
  WHERE ea.role IN ('initiator', 'target')
),
candidates AS (
  SELECT q.event_id AS request_event_id, r.event_id AS response_id, 'asked' AS responder_side
  FROM requests q
  JOIN answerers w ON w.event_id = q.event_id
  JOIN response_parties ri ON ri.source_id = q.source_id AND ri.party = w.party AND ri.role = 'initiator'
  JOIN response_parties rt ON rt.event_id = ri.event_id AND rt.role = 'target'
  JOIN request_sides rq ON rq.event_id = q.event_id AND rq.side = 'requester' AND rq.party = rt.party
  JOIN responses r ON r.event_id = ri.event_id
  WHERE r.date_latest IS NULL OR q.date_earliest IS NULL OR r.date_latest >= q.date_earliest
  UNION
  SELECT q.event_id, r.event_id, 'requester'
  FROM requests q
  JOIN request_sides rq ON rq.event_id = q.event_id AND rq.side = 'requester'
  JOIN response_parties ri ON ri.source_id = q.source_id AND ri.party = rq.party AND ri.role = 'initiator'
  JOIN response_parties rt ON rt.event_id = ri.event_id AND rt.role = 'target'
  JOIN request_sides ra ON ra.event_id = q.event_id AND ra.side = 'asked' AND ra.party = rt.party
  JOIN responses r ON r.event_id = ri.event_id
  WHERE r.date_latest IS NULL OR q.date_earliest IS NULL OR r.date_latest >= q.date_earliest
),
matched AS (
  SELECT request_event_id, response_id, min(responder_side) AS responder_side
  FROM candidates
  GROUP BY request_event_id, response_id
),
denials AS (
  SELECT c.event_id AS request_event_id, st.statement_id AS response_id, st.speaker_id,
         CASE WHEN max(CASE WHEN s.side = 'asked' THEN 1 ELSE 0 END) = 1 THEN 'asked'
              WHEN max(CASE WHEN s.side = 'requester' THEN 1 ELSE 0 END) = 1 THEN 'requester'
              ELSE 'other' END AS responder_side
  FROM claims c
  JOIN requests q ON q.event_id = c.event_id
  JOIN statements st ON st.statement_id = c.statement_id
  JOIN party_of p ON p.actor_id = st.speaker_id
  LEFT JOIN request_sides s ON s.event_id = c.event_id AND s.party = p.party
  WHERE c.relation = 'denies'
  GROUP BY c.event_id, st.statement_id, st.speaker_id
),
pairs AS (
  SELECT m.request_event_id, r.kind AS response_kind, m.response_id, r.event_type AS response_type,
         r.modality AS response_modality, r.date_earliest, r.date_latest, m.responder_side, r.summary
  FROM matched m
  JOIN responses r ON r.event_id = m.response_id
  UNION ALL
  SELECT d.request_event_id, 'denial', d.response_id, NULL, NULL, st.date_earliest, st.date_latest,
         d.responder_side, st.evidence
  FROM denials d
  JOIN statements st ON st.statement_id = d.response_id
),
bounds AS (
  SELECT 'event' AS source, event_id AS id, date_earliest, date_latest FROM requests
  UNION ALL
  SELECT 'event', event_id, date_earliest, date_latest FROM responses
  UNION ALL
  SELECT 'statement', st.statement_id, st.date_earliest, st.date_latest
  FROM statements st
  WHERE st.statement_id IN (SELECT c.statement_id FROM claims c WHERE c.relation = 'denies')
),
parts AS (
  SELECT source, id,
         CAST(substr(CAST(date_earliest AS VARCHAR(10)), 1, 4) AS INTEGER) AS ey,
         CAST(substr(CAST(date_earliest AS VARCHAR(10)), 6, 2) AS INTEGER) AS em,
         CAST(substr(CAST(date_earliest AS VARCHAR(10)), 9, 2) AS INTEGER) AS ed,
         CAST(substr(CAST(date_latest AS VARCHAR(10)), 1, 4) AS INTEGER) AS ly,
         CAST(substr(CAST(date_latest AS VARCHAR(10)), 6, 2) AS INTEGER) AS lm,
         CAST(substr(CAST(date_latest AS VARCHAR(10)), 9, 2) AS INTEGER) AS ld
  FROM bounds
),
shifted AS (
  SELECT source, id, ed, ld,
         ey + 4800 - CASE WHEN em <= 2 THEN 1 ELSE 0 END AS eya,
         em + CASE WHEN em <= 2 THEN 9 ELSE -3 END AS ema,
         ly + 4800 - CASE WHEN lm <= 2 THEN 1 ELSE 0 END AS lya,
         lm + CASE WHEN lm <= 2 THEN 9 ELSE -3 END AS lma
  FROM parts
),
days AS (
  SELECT source, id,
         CAST(ed + floor((153 * ema + 2) / 5) + 365 * eya + floor(eya / 4) - floor(eya / 100)
              + floor(eya / 400) AS INTEGER) AS day_earliest,
         CAST(ld + floor((153 * lma + 2) / 5) + 365 * lya + floor(lya / 4) - floor(lya / 100)
              + floor(lya / 400) AS INTEGER) AS day_latest
  FROM shifted
),
timed AS (
  SELECT p.*,
         CASE WHEN rd.day_earliest IS NULL OR qd.day_latest IS NULL THEN 0
              WHEN rd.day_earliest - qd.day_latest > 0 THEN rd.day_earliest - qd.day_latest
              ELSE 0 END AS days_min,
         rd.day_latest - qd.day_earliest AS days_max
  FROM pairs p
  JOIN days qd ON qd.source = 'event' AND qd.id = p.request_event_id
  JOIN days rd ON rd.source = CASE WHEN p.response_kind = 'denial' THEN 'statement' ELSE 'event' END
              AND rd.id = p.response_id
),
first_answer AS (
  SELECT request_event_id, min(days_min) AS days_min, min(days_max) AS days_max
  FROM timed
  WHERE responder_side = 'asked'
  GROUP BY request_event_id
),
responders AS (
  SELECT p.request_event_id, p.response_kind, p.response_id, ea.actor_id
  FROM pairs p
  JOIN event_actors ea ON ea.event_id = p.response_id AND ea.role = 'initiator'
  WHERE p.response_kind <> 'denial'
  UNION
  SELECT d.request_event_id, 'denial', d.response_id, d.speaker_id
  FROM denials d
),
ties AS (
  SELECT DISTINCT rs.request_event_id, rs.response_kind, rs.response_id, mq.alliance_id
  FROM responders rs
  JOIN requests q ON q.event_id = rs.request_event_id
  JOIN event_actors qi ON qi.event_id = q.event_id AND qi.role = 'initiator'
  JOIN represented rq ON rq.actor_id = qi.actor_id
  JOIN alliance_members mq ON mq.actor_id = rq.member_id AND mq.status = 'member'
  JOIN represented rr ON rr.actor_id = rs.actor_id
  JOIN alliance_members mr ON mr.actor_id = rr.member_id AND mr.status = 'member' AND mr.alliance_id = mq.alliance_id
  WHERE q.date_earliest IS NOT NULL AND q.date_latest IS NOT NULL
    AND mq.joined_date <= q.date_earliest AND (mq.left_date IS NULL OR q.date_latest < mq.left_date)
    AND mr.joined_date <= q.date_earliest AND (mr.left_date IS NULL OR q.date_latest < mr.left_date)
),
rows_out AS (
  SELECT q.event_id AS request_event_id, t.response_kind, t.response_id, t.response_type, t.response_modality,
         t.date_earliest, t.date_latest, t.responder_side, t.summary, t.days_min, t.days_max
  FROM requests q
  LEFT JOIN timed t ON t.request_event_id = q.event_id
),
items AS (
  SELECT o.request_event_id, o.response_kind, o.response_id, 'requesters' AS list, a.name AS item, a.actor_id AS item_id
  FROM rows_out o
  JOIN event_actors ea ON ea.event_id = o.request_event_id AND ea.role = 'initiator'
  JOIN actors a ON a.actor_id = ea.actor_id
  UNION
  SELECT o.request_event_id, o.response_kind, o.response_id, 'asked', a.name, a.actor_id
  FROM rows_out o
  JOIN event_actors ea ON ea.event_id = o.request_event_id AND ea.role = 'target'
  JOIN actors a ON a.actor_id = ea.actor_id
  UNION
  SELECT rs.request_event_id, rs.response_kind, rs.response_id, 'responders', a.name, a.actor_id
  FROM responders rs
  JOIN actors a ON a.actor_id = rs.actor_id
  UNION
  SELECT p.request_event_id, p.response_kind, p.response_id, 'conditions', c.condition_type, c.condition_type
  FROM pairs p
  JOIN event_conditions c ON c.event_id = p.response_id
  WHERE p.response_kind <> 'denial'
  UNION
  SELECT request_event_id, response_kind, response_id, 'ties', alliance_id, alliance_id
  FROM ties
),
numbered AS (
  SELECT request_event_id, response_kind, response_id, list, item,
         row_number() OVER (PARTITION BY request_event_id, response_kind, response_id, list ORDER BY item, item_id) AS position,
         count(*) OVER (PARTITION BY request_event_id, response_kind, response_id, list) AS length
  FROM items
),
joined (request_event_id, response_kind, response_id, list, position, length, text) AS (
  SELECT request_event_id, response_kind, response_id, list, position, length, item FROM numbered WHERE position = 1
  UNION ALL
  SELECT n.request_event_id, n.response_kind, n.response_id, n.list, n.position, n.length, j.text || '; ' || n.item
  FROM joined j
  JOIN numbered n ON n.request_event_id = j.request_event_id AND n.list = j.list AND n.position = j.position + 1
                 AND (n.response_id = j.response_id OR (n.response_id IS NULL AND j.response_id IS NULL))
                 AND (n.response_kind = j.response_kind OR (n.response_kind IS NULL AND j.response_kind IS NULL))
),
lists AS (
  SELECT request_event_id, response_kind, response_id,
         max(CASE WHEN list = 'requesters' THEN text END) AS requesters,
         max(CASE WHEN list = 'asked' THEN text END) AS asked,
         max(CASE WHEN list = 'responders' THEN text END) AS responders,
         max(CASE WHEN list = 'conditions' THEN text END) AS conditions,
         max(CASE WHEN list = 'ties' THEN text END) AS ties
  FROM joined
  WHERE position = length
  GROUP BY request_event_id, response_kind, response_id
)
SELECT
  o.request_event_id,
  q.source_id,
  q.date_earliest AS request_date_earliest,
  q.date_latest AS request_date_latest,
  q.modality AS request_modality,
  l.requesters,
  l.asked,
  o.response_kind,
  o.response_id,
  o.response_type,
  o.response_modality,
  o.date_earliest AS response_date_earliest,
  o.date_latest AS response_date_latest,
  l.responders,
  o.responder_side,
  l.conditions AS response_conditions,
  o.days_min AS days_to_response_min,
  o.days_max AS days_to_response_max,
  f.days_min AS first_answer_days_min,
  f.days_max AS first_answer_days_max,
  l.ties AS shared_alliances,
  q.summary AS request_summary,
  o.summary AS response_summary
FROM rows_out o
JOIN requests q ON q.event_id = o.request_event_id
LEFT JOIN first_answer f ON f.request_event_id = o.request_event_id
LEFT JOIN lists l ON l.request_event_id = o.request_event_id
                 AND (l.response_id = o.response_id OR (l.response_id IS NULL AND o.response_id IS NULL))
                 AND (l.response_kind = o.response_kind OR (l.response_kind IS NULL AND o.response_kind IS NULL))
ORDER BY q.date_earliest NULLS LAST, q.source_id, o.request_event_id, o.date_earliest NULLS LAST, o.response_kind, o.response_id
