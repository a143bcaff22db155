-- question: 70: Who said what, in which office, reported by whom?
-- Every statement with its speaker, the office the speaker held when speaking, the news agency it came
-- through, the actors it is about or addressed to, its article and its evidence, in date order.
-- The speaker's office is every term in actor_roles that covers the statement's whole date interval
-- [date_earliest, date_latest] (a term with an empty start or end is open on that side); statements
-- whose date is unknown get no office. Order: earliest date (unknown dates last), latest date,
-- statement_id. Lists are sorted by name, then id, and separated by '; '; an office title appears once.
-- key: statement_id
-- columns: date_earliest, speaker, speaker_office, about, evidence, statement_id
-- order: date_earliest NULLS LAST, date_latest NULLS LAST, statement_id
-- column: speaker: The speaker's usual English name (actors.name).
-- column: speaker_office: The offices (actor_roles.title) the speaker held throughout the statement's date interval.
-- column: speaker_office_of: The bodies or states those offices belong to (names of actor_roles.organization_id).
-- column: reported_via: Name of the news agency the article says the statement came through.
-- column: about: Names of the actors the statement is about (statement_actors relation about).
-- column: addressees: Names of the actors the statement is addressed to (statement_actors relation addressee).
-- column: source_title: The headline of the article reporting the statement (sources.title).
-- column: publisher: The outlet that published that article (sources.publisher).
WITH RECURSIVE
offices AS (
  SELECT s.statement_id, r.role_id, r.title, o.name AS organization, o.actor_id AS organization_id
  FROM statements s
  JOIN actor_roles r ON r.person_id = s.speaker_id
  JOIN actors o ON o.actor_id = r.organization_id
  WHERE s.date_earliest IS NOT NULL
    AND (r.date_earliest IS NULL OR r.date_earliest <= s.date_earliest)
    AND (r.date_latest IS NULL OR (s.date_latest IS NOT NULL AND s.date_latest <= r.date_latest))
),
items AS (
  SELECT statement_id, 'office' AS list, title AS item, title AS item_id FROM offices
  UNION
  SELECT statement_id, 'office_of', organization, organization_id FROM offices
  UNION
  SELECT sa.statement_id, sa.relation, a.name, a.actor_id
  FROM statement_actors sa
  JOIN actors a ON a.actor_id = sa.actor_id
),
numbered AS (
  SELECT statement_id, list, item,
         row_number() OVER (PARTITION BY statement_id, list ORDER BY item, item_id) AS position,
         count(*) OVER (PARTITION BY statement_id, list) AS length
  FROM items
),
joined (statement_id, list, position, length, text) AS (
  SELECT statement_id, list, position, length, item FROM numbered WHERE position = 1
  UNION ALL
  SELECT n.statement_id, n.list, n.position, n.length, j.text || '; ' || n.item
  FROM joined j
  JOIN numbered n ON n.statement_id = j.statement_id AND n.list = j.list AND n.position = j.position + 1
),
lists AS (
  SELECT statement_id,
         max(CASE WHEN list = 'office' THEN text END) AS office,
         max(CASE WHEN list = 'office_of' THEN text END) AS office_of,
         max(CASE WHEN list = 'about' THEN text END) AS about,
         max(CASE WHEN list = 'addressee' THEN text END) AS addressees
  FROM joined
  WHERE position = length
  GROUP BY statement_id
)
SELECT
  st.statement_id,
  st.date_earliest,
  st.date_latest,
  st.date_precision,
  st.speaker_id,
  speaker.name AS speaker,
  st.speaker_title,
  lists.office AS speaker_office,
  lists.office_of AS speaker_office_of,
  st.quote_kind,
  st.reported_via_id,
  agency.name AS reported_via,
  lists.about,
  lists.addressees,
  st.source_id,
  s.title AS source_title,
  s.publisher,
  st.evidence
FROM statements st
JOIN actors speaker ON speaker.actor_id = st.speaker_id
JOIN sources s ON s.source_id = st.source_id
LEFT JOIN actors agency ON agency.actor_id = st.reported_via_id
LEFT JOIN lists ON lists.statement_id = st.statement_id
ORDER BY st.date_earliest NULLS LAST, st.date_latest NULLS LAST, st.statement_id
