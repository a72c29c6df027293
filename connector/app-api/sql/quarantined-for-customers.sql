-- quarantined-for-customers: how many of a tenant's quarantined Zendesk events are about the ticket's
-- requester or organization, so the sidebar can say a change may be missing from the history. Zendesk's
-- event envelopes name their subject as `zen:user:<id>` / `zen:organization:<id>` (the webhook
-- bodies of the connector's trigger template name no subject and are not counted).
-- $1 text     tenant
-- $2 text[]   subjects, e.g. {zen:user:7101,zen:organization:8101}
-- Returns     n
SELECT count(*)::int AS n
FROM intake_inbox
WHERE tenant = $1 AND state = 'quarantined' AND source = 'zendesk' AND body->>'subject' = ANY($2::text[]);
