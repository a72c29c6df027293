-- attribution-boundary-before: where a tenant's attribution chain starts: its first record's seq, and
-- the boundary a retention cut left just before it (NULL when none was recorded there).
-- $1 text   tenant
-- Returns   first_seq (NULL when no record is left), last_boundary_seq (the latest boundary's seq, or
--           NULL), hash (of the boundary at first_seq - 1, or of the latest when no record is left)
WITH first AS (
  SELECT min(seq) AS seq FROM event_attributions WHERE tenant = $1
), latest AS (
  SELECT max(seq) AS seq FROM attribution_boundaries WHERE tenant = $1
)
SELECT first.seq AS first_seq, latest.seq AS last_boundary_seq, b.hash
FROM first CROSS JOIN latest
LEFT JOIN attribution_boundaries b ON b.tenant = $1 AND b.seq = coalesce(first.seq - 1, latest.seq);
