import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { NewStandingEvent } from '../../connector/model/standing-event.ts';
import { mapSalesforceRow, type SalesforceMapResult } from '../../salesforce/map-salesforce.ts';
import {
  DEFAULT_SALESFORCE_MAPPING,
  checkStatusFieldDescribe,
  parseSalesforceMapping,
  type SalesforceMapping,
} from '../../salesforce/mapping-document.ts';
import { OUTBOUND_ACK, parseOutboundMessage, soapFault } from '../../salesforce/outbound-message.ts';
import { ChangeEventMessage, splitChangeEvent } from '../../salesforce/payloads.ts';

const fixtureText = (name: string) => readFileSync(new URL(`../fixtures/salesforce/${name}`, import.meta.url), 'utf8');
const cdcFixture = () =>
  JSON.parse(fixtureText('AccountChangeEvent.json')) as Record<string, unknown> & {
    payload: Record<string, unknown> & { ChangeEventHeader: Record<string, unknown> };
  };

const MAPPING = ((): SalesforceMapping => {
  const r = parseSalesforceMapping({
    version: 1,
    account: {
      status_field: 'Status__c',
      values: { Active: 'active', Suspended: { status: 'suspended', reason_code: 'non_payment' }, Closed: 'closed' },
      reason_field: { name: 'Status_Reason__c' },
    },
    contact: { status_field: 'Standing__c', values: { Good: 'active', Blocked: 'deactivated' } },
    initiator: { automation_user_ids: ['0055g00000AUTOM'] },
  });
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.mapping;
})();

function cdc(changes: { header?: Record<string, unknown>; fields?: Record<string, unknown> } = {}) {
  const m = cdcFixture();
  m.payload = {
    ...m.payload,
    ...changes.fields,
    ChangeEventHeader: { ...m.payload.ChangeEventHeader, ...changes.header },
  };
  return ChangeEventMessage.parse(m);
}
const rowsOf = (message: ReturnType<typeof cdc>) => splitChangeEvent('/data/AccountChangeEvent', message);
const map = (body: unknown, extra: Partial<Parameters<typeof mapSalesforceRow>[0]> = {}): SalesforceMapResult =>
  mapSalesforceRow({
    tenant: 'acme',
    body,
    mapping: MAPPING,
    instanceUrl: 'https://acme.my.salesforce.com',
    receivedAt: '2026-04-04T06:00:05.000Z',
    ...extra,
  });
function only(r: SalesforceMapResult): NewStandingEvent {
  expect(r, JSON.stringify(r)).toMatchObject({ outcome: 'events' });
  return r.outcome === 'events' ? r.events[0]! : ({} as NewStandingEvent);
}

describe('Change Data Capture', () => {
  it(
    'maps the documented Account change event to a reinstatement of that account, with the reason from the ' +
      'same change',
    () => {
      const [row] = rowsOf(cdc());
      expect(row!.event_id).toBe('cdc:0002343d-9d90-e395-ed20-cf416ba652ad:1:0015g00000XyZaBAAV');
      const e = only(map(row!.body));
      expect(e).toMatchObject({
        kind: 'reinstatement',
        status: { before: null, after: 'active' },
        initiation: { type: 'manual', temporary: false },
        actor: { type: 'agent', id: '0055g00000Q1w2eAAB' },
        reason: { code: 'unspecified', text: 'Payment received' },
        source: {
          system: 'salesforce',
          object: 'Account',
          id: '0015g00000XyZaBAAV',
          url: 'https://acme.my.salesforce.com/0015g00000XyZaBAAV',
          event_id: row!.event_id,
        },
        detected_via: 'change_event',
        customer: { salesforce_account_id: '0015g00000XyZaBAAV' },
        occurred_at: new Date(1775282402000).toISOString(),
      });
    },
  );

  it('splits an event naming several records into one row per record, each with its own deterministic id', () => {
    const rows = rowsOf(
      cdc({
        header: { recordIds: ['001000000000001AAA', '001000000000002AAA', '001000000000001AAA'] },
        fields: { Status__c: 'Suspended' },
      }),
    );
    expect(rows.map((r) => r.event_id)).toEqual([
      'cdc:0002343d-9d90-e395-ed20-cf416ba652ad:1:001000000000001AAA',
      'cdc:0002343d-9d90-e395-ed20-cf416ba652ad:1:001000000000002AAA',
    ]);
    expect(rows.map((r) => only(map(r.body)).customer)).toEqual([
      { salesforce_account_id: '001000000000001AAA' },
      { salesforce_account_id: '001000000000002AAA' },
    ]);
  });

  it('maps DELETE to deleted and UNDELETE back, and ignores an update that did not touch the status field', () => {
    const [del] = rowsOf(
      cdc({
        header: { changeType: 'DELETE', changedFields: [] },
        fields: { Status__c: undefined, Status_Reason__c: undefined },
      }),
    );
    expect(only(map(del!.body))).toMatchObject({
      kind: 'deactivation',
      status: { after: 'deleted' },
      reason: { code: 'salesforce_record_deleted' },
    });
    const [undel] = rowsOf(
      cdc({ header: { changeType: 'UNDELETE' }, fields: { Status__c: undefined, Status_Reason__c: undefined } }),
    );
    expect(only(map(undel!.body))).toMatchObject({
      kind: 'reinstatement',
      status: { before: 'deleted', after: 'active' },
      reason: { code: 'salesforce_record_undeleted' },
    });
    const [name] = rowsOf(
      cdc({
        header: { changedFields: ['Name'] },
        fields: { Status__c: undefined, Status_Reason__c: undefined, Name: 'Renamed' },
      }),
    );
    expect(map(name!.body)).toMatchObject({ outcome: 'ignored', reason: expect.stringContaining('Status__c') });
  });

  it('asks to re-read the record of a GAP event, and maps what the read found as an observation', () => {
    const [gap] = rowsOf(
      cdc({
        header: { changeType: 'GAP_UPDATE', changedFields: [] },
        fields: { Status__c: undefined, Status_Reason__c: undefined },
      }),
    );
    expect(map(gap!.body)).toEqual({ outcome: 'reread', object: 'Account', record_id: '0015g00000XyZaBAAV' });
    expect(only(map(gap!.body, { reread: { Id: '0015g00000XyZaBAAV', Status__c: 'Closed' } }))).toMatchObject({
      kind: 'status_observed',
      status: { after: 'closed' },
      detected_via: 'reconciliation',
    });
    expect(only(map(gap!.body, { reread: null }))).toMatchObject({
      kind: 'status_observed',
      status: { after: 'deleted' },
    });
  });

  it('reads automation users as automatic, an unknown value as unmappable, and other objects as ignored', () => {
    const [auto] = rowsOf(cdc({ header: { commitUser: '0055g00000AUTOMAAB' } }));
    expect(only(map(auto!.body))).toMatchObject({ initiation: { type: 'automatic' }, actor: { type: 'integration' } });
    const [odd] = rowsOf(cdc({ fields: { Status__c: 'On hold' } }));
    expect(map(odd!.body)).toMatchObject({
      outcome: 'unmappable',
      problems: [{ path: 'Status__c', message: expect.stringContaining('account.values') }],
    });
    const [opp] = rowsOf(cdc({ header: { entityName: 'Opportunity' } }));
    expect(map(opp!.body)).toMatchObject({ outcome: 'ignored' });
  });

  it('maps a Contact to a person, with its Account as the account context and its email', () => {
    const [c] = splitChangeEvent(
      '/data/ContactChangeEvent',
      cdc({
        header: { entityName: 'Contact', recordIds: ['0035g00000AbCdEAAZ'], changedFields: ['Standing__c'] },
        fields: {
          Status__c: undefined,
          Status_Reason__c: undefined,
          Standing__c: 'Blocked',
          Email: 'Dana.Reyes@Example.com',
          AccountId: '0015g00000XyZaBAAV',
        },
      }),
    );
    const e = only(map(c!.body));
    expect(e).toMatchObject({
      kind: 'deactivation',
      status: { after: 'deactivated' },
      customer: { salesforce_contact_id: '0035g00000AbCdEAAZ', email: 'dana.reyes@example.com' },
      account: { salesforce_account_id: '0015g00000XyZaBAAV' },
    });
    const noEmail = { ...MAPPING, identities: { contact_email: false } };
    expect(only(map(c!.body, { mapping: noEmail })).customer).toEqual({ salesforce_contact_id: '0035g00000AbCdEAAZ' });
  });
});

describe('Outbound Messages', () => {
  it('parses the documented envelope and maps its notification', () => {
    const parsed = parseOutboundMessage(fixtureText('outbound-message.xml'));
    expect(parsed).toEqual({
      ok: true,
      message: {
        organizationId: '00D5g000004SxYzEAK',
        actionId: '04k5g000000CaBcAAK',
        notifications: [
          {
            id: '04l5g00000AbCdEAAV',
            object: 'Account',
            fields: {
              Id: '0015g00000XyZaBAAV',
              Name: 'Reyes Logistics',
              Status__c: 'Suspended',
              Status_Reason__c: 'Non-payment',
              LastModifiedById: '0055g00000Q1w2eAAB',
              SystemModstamp: '2026-03-04T05:40:02.000Z',
            },
          },
        ],
      },
    });
    if (!parsed.ok) return;
    const body = {
      kind: 'outbound_message',
      organization_id: parsed.message.organizationId,
      action_id: parsed.message.actionId,
      notification: parsed.message.notifications[0],
    };
    expect(only(map(body))).toMatchObject({
      kind: 'deactivation',
      status: { before: null, after: 'suspended' },
      initiation: { temporary: true },
      reason: { code: 'non_payment', text: 'Non-payment' },
      actor: { type: 'agent', id: '0055g00000Q1w2eAAB' },
      source: { event_id: 'om:04l5g00000AbCdEAAV' },
      detected_via: 'outbound_message',
      occurred_at: '2026-03-04T05:40:02.000Z',
    });
  });

  it('keeps the reason field as written, trailing U+2028 and spaces included (CDC and Outbound Message alike)', () => {
    const written = 'Non-payment.\u2028Call first.\u2028  ';
    const xml = fixtureText('outbound-message.xml').replace(
      '<sf:Status_Reason__c>Non-payment</sf:Status_Reason__c>',
      `<sf:Status_Reason__c>${written}</sf:Status_Reason__c>`,
    );
    const parsed = parseOutboundMessage(xml);
    expect(parsed.ok && parsed.message.notifications[0]!.fields).toMatchObject({
      Id: '0015g00000XyZaBAAV',
      Status__c: 'Suspended',
      Status_Reason__c: written,
    });
    if (!parsed.ok) return;
    const body = {
      kind: 'outbound_message',
      organization_id: parsed.message.organizationId,
      action_id: parsed.message.actionId,
      notification: parsed.message.notifications[0],
    };
    expect(only(map(body)).reason).toEqual({ code: 'non_payment', text: written });
    const [row] = rowsOf(cdc({ fields: { Status_Reason__c: written } }));
    expect(only(map(row!.body)).reason).toEqual({ code: 'unspecified', text: written });
  });

  it('decodes character references in field values, and only once', () => {
    const xml = fixtureText('outbound-message.xml').replace(
      '<sf:Status_Reason__c>Non-payment</sf:Status_Reason__c>',
      '<sf:Status_Reason__c>Non-payment.&#x2028;Call &#65;&amp;#65; &lt;first&gt;</sf:Status_Reason__c>',
    );
    const parsed = parseOutboundMessage(xml);
    expect(parsed.ok && parsed.message.notifications[0]!.fields.Status_Reason__c).toBe(
      'Non-payment.\u2028Call A&#65; <first>',
    );
  });

  it.each([
    ['not XML', 'hello', 'not well-formed'],
    ['an entity bomb', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', 'DOCTYPE'],
    [
      'no notifications',
      '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body/></soapenv:Envelope>',
      'notifications',
    ],
    [
      'a bad organization id',
      fixtureText('outbound-message.xml').replace('00D5g000004SxYzEAK', 'nope'),
      'OrganizationId',
    ],
  ])('refuses %s, saying what is wrong', (_what, xml, problem) => {
    const r = parseOutboundMessage(xml);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toContain(problem);
  });

  it('refuses more than 100 notifications and reads several', () => {
    const one = /<Notification>[\s\S]*<\/Notification>/.exec(fixtureText('outbound-message.xml'))![0];
    const many = (n: number) =>
      fixtureText('outbound-message.xml').replace(
        one,
        Array.from({ length: n }, (_, i) =>
          one.replace('04l5g00000AbCdEAAV', `04l5g00000AbC${String(i).padStart(3, '0')}AV`),
        ).join(''),
      );
    const three = parseOutboundMessage(many(3));
    expect(three.ok && three.message.notifications.map((x) => x.id)).toEqual([
      '04l5g00000AbC000AV',
      '04l5g00000AbC001AV',
      '04l5g00000AbC002AV',
    ]);
    expect(parseOutboundMessage(many(101))).toMatchObject({
      ok: false,
      problem: expect.stringContaining('at most 100'),
    });
  });

  it('answers with the exact acknowledgement, and a SOAP fault otherwise', () => {
    expect(OUTBOUND_ACK.replace(/\s+/g, '')).toBe(fixtureText('outbound-ack.xml').replace(/\s+/g, ''));
    expect(soapFault('soapenv:Client', 'OrganizationId <x> does not match')).toContain(
      '<faultstring>OrganizationId &lt;x&gt; does not match</faultstring>',
    );
  });
});

describe('the Salesforce mapping document', () => {
  it('has a valid default for a standard org (Active__c on Account)', () => {
    expect(DEFAULT_SALESFORCE_MAPPING.account).toMatchObject({ status_field: 'Active__c' });
  });

  it('names the path of every problem', () => {
    const r = parseSalesforceMapping({
      version: 1,
      account: { status_field: 'Status c', values: { a: 'frozen', A: 'active' } },
      extra: 1,
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problems).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ path: 'account.status_field' }),
          expect.objectContaining({
            path: 'account.values.a',
            message: expect.stringContaining('unknown status "frozen"'),
          }),
          expect.objectContaining({ path: 'extra', message: 'unknown key "extra"' }),
        ]),
      );
    }
  });

  it('refuses a formula field as the status field (describe marks it calculated)', () => {
    const fields = [
      { name: 'Status__c', calculated: true },
      { name: 'Active__c', calculated: false },
    ];
    expect(checkStatusFieldDescribe('account', 'Status__c', fields)).toEqual([
      { path: 'account.status_field', message: expect.stringContaining('formula') },
    ]);
    expect(checkStatusFieldDescribe('account', 'active__c', fields)).toEqual([]);
    expect(checkStatusFieldDescribe('account', 'Nope__c', fields)).toEqual([
      { path: 'account.status_field', message: 'no field Nope__c on this object' },
    ]);
  });
});
