-- The claims the statements of one article (:source_id) make about events, for its curator's review page.
SELECT c.* FROM statements st JOIN claims c ON c.statement_id = st.statement_id
WHERE st.source_id = :source_id
