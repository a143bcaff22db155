-- Who the statements of one article (:source_id) are about or addressed to, for its curator's review page.
SELECT sa.* FROM statements st JOIN statement_actors sa ON sa.statement_id = st.statement_id
WHERE st.source_id = :source_id
