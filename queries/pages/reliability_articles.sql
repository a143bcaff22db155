-- Krippendorff's alpha per article and field, with units and disagreements (coding_agreement rows of
-- scope article), and each article's headline and review status. No parameter.
SELECT ca.source_id, s.title, s.publisher, s.review_status, ca.field, ca.level, ca.alpha, ca.units, ca.disagreements
FROM coding_agreement ca
JOIN sources s ON s.source_id = ca.source_id
WHERE ca.scope = 'article'
ORDER BY ca.source_id,
         CASE WHEN ca.field IN ('sentences', 'statements', 'events', 'conditions', 'claims') THEN 0 ELSE 1 END,
         ca.field
