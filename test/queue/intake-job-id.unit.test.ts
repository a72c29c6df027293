/** Intake job ids: deterministic per event and kind of run, and valid as BullMQ job ids. */
import { describe, expect, it } from 'vitest';
import { intakeJobId, intakeRound } from '../../queue/intake-queue.ts';

const key = { tenant: 'acme', source: 'zendesk', event_id: '01HZX:7:4242' } as const;
const NOW = Date.parse('2026-03-04T05:00:00Z');

describe('intakeJobId', () => {
  it('is the same for a redelivery of the same event, and differs between events and tenants', () => {
    expect(intakeJobId(key)).toBe(intakeJobId({ ...key }));
    expect(intakeJobId(key)).not.toBe(intakeJobId({ ...key, event_id: '01HZX:7:4243' }));
    expect(intakeJobId(key)).not.toBe(intakeJobId({ ...key, tenant: 'globex' }));
  });

  it('is a valid BullMQ custom id whatever the event id holds (no colon, not all digits)', () => {
    for (const event_id of ['12345', 'a:b:c', 'x'.repeat(300), 'é 😀 /\\']) {
      const id = intakeJobId({ ...key, event_id });
      expect(id).not.toContain(':');
      expect(id).not.toMatch(/^\d+$/);
    }
  });

  it('gives each kind of run its own ids: a replay is fresh each time, a sweep once per window', () => {
    const first = intakeJobId(key, intakeRound.first());
    const replay = intakeJobId(key, intakeRound.replay(NOW));
    const sweep = intakeJobId(key, intakeRound.sweep(120_000, NOW));
    expect(new Set([first, replay, sweep]).size).toBe(3);
    expect(intakeJobId(key, intakeRound.replay(NOW + 1))).not.toBe(replay);
    expect(intakeJobId(key, intakeRound.sweep(120_000, NOW + 119_999))).toBe(sweep);
    expect(intakeJobId(key, intakeRound.sweep(120_000, NOW + 120_000))).not.toBe(sweep);
  });
});
