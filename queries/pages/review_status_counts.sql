-- How many articles have each review status, and how many of them were second-coded and adjudicated: the
-- reliability page's summary, whatever the size of the corpus. No parameter.
SELECT review_status, count(*) AS articles, count(second_coder) AS second_coded,
       count(adjudicator) AS adjudicated
FROM sources
GROUP BY review_status
ORDER BY review_status
