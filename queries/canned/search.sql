-- One search box for the whole dataset: events (summary and evidence, and the codebook's label and
-- definition of their event type and CAMEO code), statements (their words and the speaker's title as
-- written) and articles (headline and body: the page's menus and related headlines around the body are
-- stored in sources.text but never searched). Words match by their stem (Porter): "refused" also finds
-- "refuse", "refusal" and "refuses", and finds the event coded REJECT ("Reject or refuse") whose article
-- says Russia "declines". :q takes SQLite FTS5
-- syntax: words (all must occur), "exact phrases", OR, NOT, prefix*. SQLite only (it reads the full-text
-- indexes of rucas.db). An empty :q lists everything, unranked. Events first, then statements, then
-- articles; within each, the best matches first (FTS5 bm25), then id.
-- column: found_in: Where the words were found: event, statement or article.
-- column: headline: The event's summary, the statement's speaker (with the title as written) or the article's headline.
-- column: words: The event's or statement's evidence, or the beginning of the article's body (never the page's menus or headlines around it).
SELECT found_in, date_earliest, date_latest, headline, words, event_id, statement_id, source_id
FROM (
  -- How it is written, so that a page of it is quick at any size: each part (what an empty :q lists, and
  -- what the words find, of events, statements and articles) is ordered on its own, in the order of an
  -- index (the table's key) or of the full-text index's matches, and the parts follow one another in the
  -- order above; SQLite runs the arms of a UNION ALL one after the other and stops at the page's LIMIT. A
  -- part whose condition on :q is false reads nothing. (One ORDER BY over the whole union, as this query
  -- had before, made SQLite sort every row of the corpus for an empty :q: 0.9 s at 100,000 articles.)
  -- An empty :q is matched as the empty phrase "", which FTS5 accepts and which matches nothing.
  SELECT * FROM (
    SELECT 'event' AS found_in, e.date_earliest, e.date_latest, e.summary AS headline, e.evidence AS words,
           e.event_id, NULL AS statement_id, e.source_id
    FROM events e
    WHERE :q = ''
    ORDER BY e.event_id
  )
  UNION ALL
  SELECT * FROM (
    SELECT 'event', e.date_earliest, e.date_latest, e.summary, e.evidence, e.event_id, NULL, e.source_id
    FROM (SELECT rowid, bm25(events_fts) AS score FROM events_fts
          WHERE events_fts MATCH (CASE :q WHEN '' THEN '""' ELSE :q END)) AS f
    JOIN events e ON e.rowid = f.rowid
    WHERE :q <> ''
    ORDER BY f.score, e.event_id
  )
  UNION ALL
  SELECT * FROM (
    SELECT 'statement', st.date_earliest, st.date_latest,
           speaker.name || coalesce(' (' || st.speaker_title || ')', ''), st.evidence, NULL, st.statement_id,
           st.source_id
    FROM statements st
    JOIN actors speaker ON speaker.actor_id = st.speaker_id
    WHERE :q = ''
    ORDER BY st.statement_id
  )
  UNION ALL
  SELECT * FROM (
    SELECT 'statement', st.date_earliest, st.date_latest,
           speaker.name || coalesce(' (' || st.speaker_title || ')', ''), st.evidence, NULL, st.statement_id,
           st.source_id
    FROM (SELECT rowid, bm25(statements_fts) AS score FROM statements_fts
          WHERE statements_fts MATCH (CASE :q WHEN '' THEN '""' ELSE :q END)) AS f
    JOIN statements st ON st.rowid = f.rowid
    JOIN actors speaker ON speaker.actor_id = st.speaker_id
    WHERE :q <> ''
    ORDER BY f.score, st.statement_id
  )
  UNION ALL
  SELECT * FROM (
    SELECT 'article', s.date_earliest, s.date_latest, s.title || ' (' || s.publisher || ')',
           substr(s.text, s.body_start + 1, 240) || ' …', NULL, NULL, s.source_id
    FROM sources s
    WHERE :q = ''
    ORDER BY s.source_id
  )
  UNION ALL
  SELECT * FROM (
    SELECT 'article', s.date_earliest, s.date_latest, s.title || ' (' || s.publisher || ')',
           substr(s.text, s.body_start + 1, 240) || ' …', NULL, NULL, s.source_id
    FROM (SELECT rowid, bm25(sources_fts) AS score FROM sources_fts
          WHERE sources_fts MATCH (CASE :q WHEN '' THEN '""' ELSE :q END)) AS f
    JOIN sources s ON s.rowid = f.rowid
    WHERE :q <> ''
    ORDER BY f.score, s.source_id
  )
) AS found
