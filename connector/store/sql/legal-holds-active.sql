-- legal-holds-active: a tenant's legal holds that are placed and not lifted, oldest first.
-- $1 text   tenant
-- Returns   hold_id, subject_id (NULL: the whole tenant), reason, actor, at
SELECT p.hold_id, p.subject_id, p.reason, p.actor, p.at
FROM legal_hold_events p
WHERE p.tenant = $1 AND p.action = 'place'
  AND NOT EXISTS (SELECT 1 FROM legal_hold_events l WHERE l.hold_id = p.hold_id AND l.action = 'lift')
ORDER BY p.at, p.hold_id;
