/**
 * CDC messages shaped as Salesforce sends them (from test/fixtures/salesforce/AccountChangeEvent.json), with variants.
 */
import { readFileSync } from 'node:fs';

export const ACCOUNT_CHANGE_EVENT = JSON.parse(
  readFileSync(new URL('../../fixtures/salesforce/AccountChangeEvent.json', import.meta.url), 'utf8'),
) as {
  payload: { ChangeEventHeader: Record<string, unknown> } & Record<string, unknown>;
  event: { replayId: number };
};

type Header = Record<string, unknown>;

/** The fixture with another replay id and header fields. */
export function changeEvent(
  replayId: number,
  header: Header = {},
  fields: Record<string, unknown> = {},
): Record<string, unknown> {
  const base = structuredClone(ACCOUNT_CHANGE_EVENT);
  return {
    ...base,
    payload: { ...base.payload, ...fields, ChangeEventHeader: { ...base.payload.ChangeEventHeader, ...header } },
    event: { replayId },
  };
}

export const contactChangeEvent = (replayId: number) =>
  changeEvent(
    replayId,
    { entityName: 'Contact', recordIds: ['0035g00000AbCdEAAV'], changedFields: ['Email'] },
    { Email: 'dana.reyes@example.com', Status__c: undefined, Status_Reason__c: undefined },
  );
export const mergedChangeEvent = (replayId: number) =>
  changeEvent(replayId, { recordIds: ['0015g00000XyZaBAAV', '0015g00000XyZaCAAV', '0015g00000XyZaDAAV'] });
export const gapEvent = (replayId: number) => ({
  schema: 'IeRuaY6cbI_HsV8Rv1Mc5g',
  payload: {
    ChangeEventHeader: {
      ...ACCOUNT_CHANGE_EVENT.payload.ChangeEventHeader,
      changeType: 'GAP_UPDATE',
      changedFields: [],
      changeOrigin: '',
    },
  },
  event: { replayId },
});
export const undeleteEvent = (replayId: number) => changeEvent(replayId, { changeType: 'UNDELETE', changedFields: [] });
