/** Zendesk webhook bodies the intake and fault suites send: a user soft-deleted (`user.active_changed`). */
export function softDeleteEvent(id: string, user: number, detail: Record<string, unknown> = {}) {
  return {
    type: 'zen:event-type:user.active_changed',
    account_id: 1,
    id,
    time: '2026-03-04T05:33:18Z',
    zendesk_event_version: '2022-06-20',
    subject: `zen:user:${user}`,
    // An `email: undefined` in `detail` leaves the email out of the body (JSON drops it): the worker then looks it up.
    detail: { id: String(user), email: `u${user}@example.com`, role: 'end-user', external_id: '', organization_id: '0', ...detail },
    event: { current: false, previous: true },
  };
}
