/** Four eyes, as a pure decision over a subject's events (newest first). */
import { describe, expect, it } from 'vitest';
import { mayDecide, openRequest } from '../../connector/app-api/four-eyes.ts';
import type { StandingEvent } from '../../connector/contracts/index.ts';
import type { AgentSession } from '../../connector/app-api/agent-session.ts';

let seq = 0;
function ev(kind: StandingEvent['kind'], actorId: string, extra: Partial<StandingEvent> = {}): StandingEvent {
  seq += 1;
  return {
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    about: 'person',
    seq,
    tenant: 'acme',
    kind,
    status: { before: null, after: null },
    actor: { type: 'agent', id: actorId },
    source: { system: 'standing-app', object: 'ticket', id: '1', event_id: `app:${seq}` },
    detected_via: 'manual',
    related_ticket_ids: ['1'],
    occurred_at: new Date(Date.UTC(2026, 0, 1, 0, seq)).toISOString(),
    recorded_at: new Date(Date.UTC(2026, 0, 1, 0, seq)).toISOString(),
    erased: false,
    ...extra,
  };
}
const agent = (id: string, role: 'agent' | 'admin' = 'agent', group_ids: string[] = []): AgentSession => ({
  tenant: 'acme',
  zendesk_user_id: id,
  name: id,
  role,
  group_ids,
  expires_at: '2026-01-01T01:00:00.000Z',
});
const approvers = { roles: ['admin' as const], group_ids: ['500'] };

describe('four eyes', () => {
  const request = ev('reinstatement_requested', '1');
  const verified = ev('verification_recorded', '2', {
    verification: [{ method: 'kyc', result: 'passed', at: '2026-01-01T00:00:00.000Z', by: { type: 'agent', id: '3' } }],
  });
  const newestFirst = [verified, request];

  it('finds the open request and everyone who requested or verified it', () => {
    expect(openRequest(newestFirst)?.participants).toEqual(new Set(['1', '2', '3']));
    expect(openRequest([ev('reinstatement_approved', '9'), ...newestFirst])).toBeNull();
    expect(openRequest([ev('reinstatement', '9'), ...newestFirst])).toBeNull();
  });

  it('refuses the requester and every verifier, then anyone not an approver, and allows the rest', () => {
    for (const id of ['1', '2', '3'])
      expect(mayDecide(newestFirst, agent(id, 'admin'), approvers)).toMatchObject({ ok: false, code: 'four_eyes' });
    expect(mayDecide(newestFirst, agent('2', 'admin'), approvers)).toMatchObject({
      message: expect.stringMatching(/recorded a verification step/),
    });
    expect(mayDecide(newestFirst, agent('4'), approvers)).toMatchObject({ ok: false, code: 'not_an_approver' });
    expect(mayDecide(newestFirst, agent('4', 'admin'), approvers)).toEqual({ ok: true });
    expect(mayDecide(newestFirst, agent('5', 'agent', ['500']), approvers)).toEqual({ ok: true });
    expect(mayDecide([], agent('5', 'admin'), approvers)).toMatchObject({ ok: false, code: 'no_open_request' });
  });
});
