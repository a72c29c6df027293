/**
 * The HTTP status of a failed node-zendesk call. node-zendesk 6 throws for 4xx/5xx other than 429,
 * sometimes with `statusCode`, and at least for 404 with the status only in the message:
 * "Request processing failed: Zendesk Error (404): Item not found" (tried here). A 429 resolves as a
 * value instead (docs/development.md). `null`: no status at all (a network failure).
 */
export function nodeZendeskErrorStatus(err: unknown): number | null {
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number') return status;
  const fromMessage = /Zendesk Error \((\d{3})\)/.exec(err instanceof Error ? err.message : '')?.[1];
  return fromMessage ? Number(fromMessage) : null;
}
