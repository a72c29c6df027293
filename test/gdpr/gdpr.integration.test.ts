/**
 * GDPR on the real PostgreSQL: an access export holds everything about a person and nothing about
 * a colleague; after erasure nothing of theirs is readable anywhere (a pg_dump of the schema is
 * searched for their email, Zendesk user id and ticket ids), the chain and an offline export
 * still verify, and a writer with stale caches files the person under a new subject.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import canonicalize from 'canonicalize';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessExport,
  accessExportCsv,
  type HistoryRead,
  type HistoryReadsLog,
} from '../../connector/gdpr/access-export.ts';
import { eraseSubject, LegalHoldBlocksErasureError } from '../../connector/gdpr/erasure.ts';
import { IntakeInbox } from '../../connector/intake/intake-inbox.ts';
import { verifyTenant } from '../../connector/store/checkpoints.ts';
import { exportLog } from '../../connector/store/log-export.ts';
import { Retention } from '../../connector/store/retention.ts';
import { StandingLog } from '../../connector/store/standing-log.ts';
import { holdActor } from '../support/access.ts';
import { run } from '../support/cli.ts';
import { openTestStore, TEST_DATABASE_URL, type TestStore } from '../support/databases.ts';
import { event } from '../support/fixtures.ts';

const exec = promisify(execFile);

/** The read audit, as another slice records it: here, in memory. */
class MemoryReads implements HistoryReadsLog {
  readonly reads: (HistoryRead & { tenant: string; subject_id: string })[] = [];
  async readsOf(tenant: string, subjectIds: string[]): Promise<HistoryRead[]> {
    return this.reads
      .filter((r) => r.tenant === tenant && subjectIds.includes(r.subject_id))
      .map(({ tenant: _t, subject_id: _s, ...r }) => r);
  }
}

const org = { zendesk_organization_id: '7770001' };
const dana = { zendesk_user_id: '61234567001', email: 'dana.reyes@example.com' };
const lee = { zendesk_user_id: '61234567002', email: 'lee.colleague@example.com' };
const DANA_TICKETS = ['4471001', '4471002'];
const LEE_TICKET = '4471999';

describe('GDPR access export and erasure (PostgreSQL)', () => {
  let store: TestStore;
  let dir: string;
  beforeAll(async () => {
    store = await openTestStore('postgres', 'gdpr');
    dir = await mkdtemp(join(tmpdir(), 'standing-gdpr-'));
  });
  afterAll(async () => {
    await store?.dispose();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const freshTenant = (label: string) => `${label}-${randomBytes(3).toString('hex')}`;
  const userEvent = (tenant: string, who: typeof dana, extra: Parameters<typeof event>[0] = {}) =>
    event({
      tenant,
      customer: who,
      account: org,
      source: {
        system: 'zendesk',
        object: 'user',
        id: who.zendesk_user_id,
        url: `https://acme.zendesk.com/agent/users/${who.zendesk_user_id}`,
        event_id: `cdc:tx:1:${who.zendesk_user_id}:${randomBytes(3).toString('hex')}`,
      },
      ...extra,
    });
  const ticketEvent = (tenant: string, who: typeof dana, ticket: string) =>
    event({
      tenant,
      kind: 'reinstatement_requested',
      status: { before: null, after: null },
      customer: { zendesk_user_id: who.zendesk_user_id },
      account: org,
      source: { system: 'zendesk', object: 'ticket', id: ticket, event_id: randomBytes(8).toString('hex') },
      related_ticket_ids: [ticket],
    });

  /** Two colleagues of one organization, each with events, field values, inbox rows and app records. */
  async function seed(tenant: string) {
    const outcomes = await store.log.append([
      userEvent(tenant, dana),
      ticketEvent(tenant, dana, DANA_TICKETS[0]!),
      ticketEvent(tenant, dana, DANA_TICKETS[1]!),
      userEvent(tenant, lee),
      ticketEvent(tenant, lee, LEE_TICKET),
      event({
        tenant,
        customer: org,
        source: {
          system: 'zendesk',
          object: 'organization',
          id: org.zendesk_organization_id,
          event_id: randomBytes(8).toString('hex'),
        },
      }),
    ]);
    const field = (object: string, objectId: string, value: string) => ({
      object,
      object_id: objectId,
      field_id: '360001',
      field_key: 'account_status_reason',
      field_title: 'Reason',
      changed_at: '2026-03-04T05:00:00.000Z',
      event_id: randomBytes(8).toString('hex'),
      value,
      actor_id: '900112233',
    });
    await store.log.fieldValues.record(tenant, 'zendesk', [
      field('user', dana.zendesk_user_id, 'Dana owes 45 days'),
      field('ticket', DANA_TICKETS[0]!, 'Dana ticket note'),
      field('user', lee.zendesk_user_id, 'Lee note'),
    ]);
    await store.db.query(
      `INSERT INTO tickets_seen (tenant, ticket_id, requester_id, organization_id, seen_at) VALUES
       ($1, $2, $3, $5, now()), ($1, $4, $6, $5, now())`,
      [tenant, DANA_TICKETS[1], dana.zendesk_user_id, LEE_TICKET, org.zendesk_organization_id, lee.zendesk_user_id],
    );
    const inbox = new IntakeInbox(store.db);
    const body = (who: typeof dana) => ({
      type: 'zen:event-type:user.custom_field_changed',
      detail: { id: Number(who.zendesk_user_id), email: who.email },
      event: {},
    });
    const keys = {
      stored: randomBytes(6).toString('hex'),
      quarantined: randomBytes(6).toString('hex'),
      lee: randomBytes(6).toString('hex'),
    };
    await inbox.accept({ tenant, source: 'zendesk', event_id: keys.stored, body: body(dana), meta: {} });
    await inbox.accept({
      tenant,
      source: 'zendesk',
      event_id: keys.quarantined,
      body: { note: `unmapped ${dana.email.toUpperCase()}` },
      meta: {},
    });
    await inbox.accept({ tenant, source: 'zendesk', event_id: keys.lee, body: body(lee), meta: {} });
    await inbox.settle([
      {
        tenant,
        source: 'zendesk',
        event_id: keys.stored,
        state: 'stored',
        outcome: { seqs: [outcomes[0]!.seq], duplicates: 0 },
        mapping_version: 1,
        loaded_attempts: 0,
      },
      {
        tenant,
        source: 'zendesk',
        event_id: keys.quarantined,
        state: 'quarantined',
        outcome: { reason: 'invalid_payload', problems: [{ path: 'detail', message: `bad ${dana.email}` }] },
        mapping_version: 1,
        loaded_attempts: 0,
      },
    ]);
    return { outcomes, keys };
  }

  it('exports everything about the person, with chain proofs, and nothing about a colleague', async () => {
    const tenant = freshTenant('sar');
    const { outcomes, keys } = await seed(tenant);
    const reads = new MemoryReads();
    const [danaSubject] = await store.log.subjects.find(tenant, { email: dana.email });
    const [leeSubject] = await store.log.subjects.find(tenant, { email: lee.email });
    reads.reads.push({
      tenant,
      subject_id: danaSubject!,
      seq: 1,
      at: '2026-03-05T10:00:00.000Z',
      action: 'history.read',
      principal: { type: 'api_key', key_id: 'k1' },
      path: '/api/v1/history',
    });
    reads.reads.push({
      tenant,
      subject_id: leeSubject!,
      seq: 2,
      at: '2026-03-05T10:00:01.000Z',
      action: 'history.read',
      principal: { type: 'api_key', key_id: 'k1' },
      path: '/api/v1/history',
    });

    const doc = await accessExport(store.log, reads, tenant, { email: dana.email });
    const text = JSON.stringify(doc);
    // Everything about Dana ...
    expect(doc.subjects.map((s) => s.subject_id)).toEqual([danaSubject]);
    expect(doc.linked_accounts).toHaveLength(1);
    expect(doc.identities).toMatchObject({ email: [dana.email], zendesk_user_id: [dana.zendesk_user_id] });
    const own = doc.events.filter((e) => e.about === 'person');
    expect(own.map((e) => e.proof.seq)).toEqual([outcomes[0]!.seq, outcomes[1]!.seq, outcomes[2]!.seq]);
    expect(own[0]!.event).toMatchObject({
      erased: false,
      customer: dana,
      source: { id: dana.zendesk_user_id, url: expect.stringContaining(dana.zendesk_user_id) },
    });
    expect(own[1]!.event.related_ticket_ids).toEqual([DANA_TICKETS[0]]);
    expect(doc.events.filter((e) => e.about === 'account').map((e) => e.proof.seq)).toEqual([outcomes[5]!.seq]);
    for (const e of doc.events)
      expect(createHash('sha256').update(canonicalize(e.proof.record)!).digest('hex')).toBe(e.proof.hash);
    expect(doc.reads.map((r) => r.seq)).toEqual([1]);
    expect(doc.field_values.map((f) => f.value).sort()).toEqual(['Dana owes 45 days', 'Dana ticket note']);
    expect(doc.tickets_seen.map((t) => t.ticket_id)).toEqual([DANA_TICKETS[1]]);
    expect(doc.inbox.map((r) => r.event_id).sort()).toEqual([keys.stored, keys.quarantined].sort());
    // ... and nothing about Lee.
    for (const needle of [lee.email, lee.zendesk_user_id, LEE_TICKET, 'Lee note', leeSubject!])
      expect(text, needle).not.toContain(needle);

    const csv = accessExportCsv(doc);
    expect(csv.split('\r\n').filter(Boolean)).toHaveLength(1 + doc.events.length);
    expect(csv).toContain(dana.email);
    expect(csv).not.toContain(lee.email);
  });

  it(
    'erases every copy: pg_dump finds nothing, the chain and an offline export verify, a stale writer starts a ' +
      'new subject',
    async () => {
      // A schema of its own: the dump below must not see the other tests' (unerased) Dana.
      const outer = store;
      store = await openTestStore('postgres', 'gdpr_erase');
      try {
        await erasesEveryCopy();
      } finally {
        await store.dispose();
        store = outer;
      }
    },
  );

  async function erasesEveryCopy() {
    const tenant = freshTenant('erase');
    const { keys } = await seed(tenant);
    // Another process that wrote and read Dana a moment ago: identities and key cached.
    const otherProcess = new StandingLog(store.db, store.master);
    await otherProcess.append([userEvent(tenant, dana)]);
    const [oldSubject] = await otherProcess.subjects.find(tenant, dana);

    const report = await eraseSubject(store.log, {
      tenant,
      identities: { email: dana.email },
      reason: 'Art. 17 request R-1',
      actor: 'operator',
    });
    expect(report.subjects).toEqual([{ subject_id: oldSubject, erasure_seq: expect.any(Number) }]);
    expect(report).toMatchObject({ inbox_rows_redacted: 2, field_values_deleted: 2, tickets_seen_deleted: 1 });

    // History by any identity finds nothing; the rows read back erased, the erasure entry is there.
    expect((await store.log.history(tenant, { email: dana.email })).events).toEqual([]);
    const rows = [];
    for await (const r of store.log.rows(tenant)) rows.push(r);
    const erasure = rows.find((r) => r.kind === 'erasure');
    expect(erasure).toMatchObject({
      subject_id: oldSubject,
      sealed: '',
      public: { source: { system: 'standing', event_id: `erasure:${oldSubject}` } },
    });

    // The inbox keeps the rows (dedupe), not the bodies.
    const inbox = await store.db.query<{ event_id: string; body: unknown }>(
      'SELECT event_id, body FROM intake_inbox WHERE tenant = $1',
      [tenant],
    );
    expect(inbox.filter((r) => r.event_id !== keys.lee).map((r) => r.body)).toEqual([
      { redacted: 'gdpr_erasure' },
      { redacted: 'gdpr_erasure' },
    ]);
    expect(JSON.stringify(inbox.find((r) => r.event_id === keys.lee)?.body)).toContain(lee.email);

    // The stale process cannot seal under the destroyed key: Dana coming back is a new subject.
    const [back] = await otherProcess.append([userEvent(tenant, dana)]);
    expect(back).toMatchObject({ status: 'appended' });
    const [newSubject] = await store.log.subjects.find(tenant, dana);
    expect(newSubject).toBeDefined();
    expect(newSubject).not.toBe(oldSubject);
    const [{ subject_id: writtenUnder } = { subject_id: '' }] = await store.db.query<{ subject_id: string }>(
      'SELECT subject_id FROM standing_events WHERE tenant = $1 AND id = $2',
      [tenant, back!.id],
    );
    expect(writtenUnder).toBe(newSubject);
    expect(
      (await store.log.history(tenant, { email: dana.email }, { about: 'person' })).events.map((e) => e.id),
    ).toEqual([back!.id]);
    // Erase the returning Dana too, so the dump below must hold nothing of hers at all.
    await eraseSubject(store.log, {
      tenant,
      identities: { email: dana.email },
      reason: 'second request',
      actor: 'operator',
    });

    expect(await verifyTenant(store.log, tenant)).toMatchObject({ ok: true });
    const file = join(dir, `${tenant}.ndjson`);
    await exportLog(store.log, tenant, file);
    const offline = await run(process.execPath, ['tools/verify-export.mjs', file]);
    expect(offline.stdout).toContain(`${tenant}: ok, ${rows.length + 2} rows`);
    expect(offline.code).toBe(0);
    const exported = await readFile(file, 'utf8');

    const { stdout: dump } = await exec('pg_dump', ['--schema', store.schema, '--data-only', TEST_DATABASE_URL], {
      maxBuffer: 64 * 1024 * 1024,
    });
    // The dump ran and holds the colleague, so searching it means something.
    expect(dump).toContain(lee.zendesk_user_id);
    for (const haystack of [dump, exported]) {
      for (const needle of [dana.email, dana.zendesk_user_id, ...DANA_TICKETS, 'Dana owes', 'Dana ticket'])
        expect(haystack.toLowerCase(), needle).not.toContain(needle.toLowerCase());
    }
    // Lee's data is still there, readable.
    expect(
      (await store.log.history(tenant, { email: lee.email })).events.find((e) => e.source.object === 'user'),
    ).toMatchObject({ erased: false, customer: lee });
    expect((await accessExport(store.log, new MemoryReads(), tenant, { email: dana.email })).events).toEqual([]);
  }

  it('is refused while a legal hold covers the person or the tenant, and the refusal changes nothing', async () => {
    const tenant = freshTenant('held');
    await seed(tenant);
    const retention = new Retention(store.db);
    const [subject] = await store.log.subjects.find(tenant, dana);
    const counsel = await holdActor(store.db, tenant);
    const hold = await retention.placeHold(tenant, subject!, 'litigation L-7', counsel);
    await expect(
      eraseSubject(store.log, { tenant, identities: { email: dana.email }, reason: 'r', actor: 'operator' }),
    ).rejects.toBeInstanceOf(LegalHoldBlocksErasureError);
    expect((await store.log.history(tenant, { email: dana.email })).events[0]).toMatchObject({ erased: false });
    await retention.liftHold(tenant, hold.hold_id, 'settled', counsel);
    await retention.placeHold(tenant, null, 'audit', counsel);
    await expect(
      eraseSubject(store.log, { tenant, identities: { email: dana.email }, reason: 'r', actor: 'operator' }),
    ).rejects.toThrow(/tenant .* legal hold/);
    const [count] = await store.db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM intake_inbox WHERE tenant = $1 AND body ? 'redacted'",
      [tenant],
    );
    expect(count?.n).toBe(0);
  });

  it('keeps a redelivered source event one entry, before and after the person is erased', async () => {
    const tenant = freshTenant('idem');
    const e = userEvent(tenant, dana);
    const [first] = await store.log.append([e]);
    expect((await store.log.append([e]))[0]).toMatchObject({
      status: 'duplicate',
      seq: first!.seq,
      source_event_id: e.source.event_id,
    });
    await eraseSubject(store.log, { tenant, identities: dana, reason: 'r', actor: 'operator' });
    expect((await store.log.append([e]))[0]).toMatchObject({ status: 'duplicate', seq: first!.seq });
    const [row] = await store.db.query<{ source_event_id: string }>(
      'SELECT source_event_id FROM standing_events WHERE tenant = $1 AND seq = $2',
      [tenant, first!.seq],
    );
    expect(row?.source_event_id).toMatch(/^[0-9a-f]{64}$/);
  });
});
