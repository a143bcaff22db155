-- The sources row of one article (:source_id), for its curator's review page (rucas.build.review_page).
SELECT * FROM sources WHERE source_id = :source_id
