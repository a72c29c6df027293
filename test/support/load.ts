/** Webhook bodies and load helpers shared by the fault, fuzz and ops suites. */

/** A Zendesk `user.active_changed` to inactive: one deactivation of one person. */
export function userDeactivated(id: string, user: number): Record<string, unknown> {
  return {
    type: 'zen:event-type:user.active_changed',
    account_id: 1,
    id,
    time: '2026-03-04T05:33:18Z',
    zendesk_event_version: '2022-06-20',
    subject: `zen:user:${user}`,
    detail: { id: String(user), email: `u${user}@example.com`, role: 'end-user', external_id: '', organization_id: '0', created_at: '2025-01-08T10:12:42Z', updated_at: '2026-03-04T05:33:17Z' },
    event: { current: false, previous: true },
  };
}
