/** Zendesk's public test signing secret, refused wherever a tenant's real webhook secret is configured. */
/**
 * The fixed secret Zendesk signs test deliveries with before a webhook exists (Admin Center
 * "Test webhook" on an unsaved webhook). Never accept it for a real tenant.
 */
export const ZENDESK_TEST_SIGNING_SECRET = 'dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ==';
/**
 * Why the test secret is refused as a tenant's real one: it is public, so anyone could sign
 * webhooks with it.
 */
export const ZENDESK_TEST_SECRET_REFUSED =
  "is Zendesk's public test signing secret (anyone can sign with it): use the webhook's own signing secret " +
  'from Admin Center';
