-- The statements coded from one article (:source_id), for its curator's review page.
SELECT * FROM statements WHERE source_id = :source_id
