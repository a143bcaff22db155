-- Every article with its review status and who coded, second-coded and adjudicated it. No parameter.
SELECT source_id, title, publisher, review_status, coder, second_coder, adjudicator, adjudicated_on
FROM sources
ORDER BY date_earliest, source_id
