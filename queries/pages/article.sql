-- One article (:source_id) with its text split into the boilerplate before the body, the body and the
-- boilerplate after it (sources.body_start and body_end are 0-based code-point offsets; substr counts from 1).
SELECT source_id, title, publisher, author, language, url, rights, date_earliest, date_latest, date_precision,
       date_note, note, body_start, review_status, coder, second_coder, adjudicator, adjudicated_on,
       substr(text, 1, body_start) AS before_body,
       substr(text, body_start + 1, body_end - body_start) AS body,
       substr(text, body_end + 1) AS after_body
FROM sources
WHERE source_id = :source_id
