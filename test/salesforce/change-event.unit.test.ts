import { describe, expect, it } from 'vitest';
import { ChangeEventHeader, parseSubscribedMessage } from '../../salesforce/change-event.ts';
import { ACCOUNT_CHANGE_EVENT, changeEvent, gapEvent, mergedChangeEvent, undeleteEvent } from './support/messages.ts';

describe('CDC messages', () => {
  it('reads the documented AccountChangeEvent fixture', () => {
    const m = parseSubscribedMessage('/data/AccountChangeEvent', ACCOUNT_CHANGE_EVENT);
    expect(m.kind).toBe('change_event');
    if (m.kind !== 'change_event') return;
    expect(m.replayId).toBe(6734);
    expect(m.message.payload.ChangeEventHeader).toMatchObject({
      entityName: 'Account',
      changeType: 'UPDATE',
      recordIds: ['0015g00000XyZaBAAV'],
      commitTimestamp: 1775282402000,
    });
    // Changed fields stay in the payload, for the mapping.
    expect(m.message.payload.Status__c).toBe('Active');
  });

  it('accepts several record ids, gap events, undeletes and an overflow event without record ids', () => {
    for (const raw of [mergedChangeEvent(1), gapEvent(2), undeleteEvent(3)])
      expect(parseSubscribedMessage('/data/AccountChangeEvent', raw).kind).toBe('change_event');
    const overflow = changeEvent(4, { changeType: 'GAP_OVERFLOW', recordIds: [], changedFields: [] });
    expect(parseSubscribedMessage('/data/AccountChangeEvent', overflow).kind).toBe('change_event');
    expect(
      ChangeEventHeader.safeParse({ ...ACCOUNT_CHANGE_EVENT.payload.ChangeEventHeader, recordIds: ['001*'] }).success,
    ).toBe(true);
  });

  it('hands over an invalid message with its problems and, when readable, its replay id', () => {
    const m = parseSubscribedMessage(
      '/data/AccountChangeEvent',
      changeEvent(9, { changeType: 'MERGE', recordIds: [] }),
    );
    expect(m).toMatchObject({ kind: 'invalid', replayId: 9 });
    if (m.kind !== 'invalid') return;
    expect(m.problems.map((p) => p.path)).toEqual(['payload.ChangeEventHeader.changeType']);
    expect(parseSubscribedMessage('/data/AccountChangeEvent', changeEvent(10, { recordIds: [] }))).toMatchObject({
      kind: 'invalid',
      problems: [{ path: 'payload.ChangeEventHeader.recordIds' }],
    });
    expect(parseSubscribedMessage('/data/AccountChangeEvent', { nonsense: true })).toMatchObject({
      kind: 'invalid',
      replayId: null,
    });
  });

  it('reads Platform Events on /event/ channels', () => {
    const m = parseSubscribedMessage('/event/Account_Status__e', {
      schema: 'x',
      payload: { Account_Id__c: '0015g00000XyZaBAAV', CreatedDate: '2026-04-04T06:00:02.000Z' },
      event: { replayId: 12 },
    });
    expect(m).toMatchObject({ kind: 'platform_event', replayId: 12 });
  });
});
