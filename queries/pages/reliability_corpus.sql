-- How far the two codings agree over every double-coded article: Krippendorff's alpha per field, with the
-- units compared and how many differed (coding_agreement rows of scope corpus). No parameter.
SELECT field, level, alpha, units, disagreements, first_coder, second_coder
FROM coding_agreement
WHERE scope = 'corpus'
ORDER BY CASE WHEN field IN ('sentences', 'statements', 'events', 'conditions', 'claims') THEN 0 ELSE 1 END,
         field, first_coder, second_coder
