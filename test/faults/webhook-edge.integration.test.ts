/**
 * Bad input is refused at the edge, for its own request alone: text PostgreSQL cannot store, bodies
 * nested too deep, long numeric event ids, undecodable paths, Zendesk's public test secret.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizationFor } from '../support/access.ts';
import { IntakeInbox } from '../../connector/intake/intake-inbox.ts';
import type { ServiceHandle } from '../../connector/app/service.ts';
import { ZENDESK_TEST_SIGNING_SECRET } from '../../connector/zendesk/webhook-signature.ts';
import {
  intakeEnv,
  postWebhook,
  startIntakeService,
  waitFor,
  type IntakeEnv,
  stopIntakeService,
} from '../support/intake-harness.ts';
import { userDeactivated as userEvent } from '../support/load.ts';
import { sourceEventDigests } from '../support/source-events.ts';

let env: IntakeEnv;
let svc: ServiceHandle;
const run = `${Date.now()}`;

beforeAll(async () => {
  env = intakeEnv('zd_edge');
  svc = await startIntakeService(env);
});
afterAll(async () => {
  await stopIntakeService(env, svc);
});

const admin = async (path: string, init: RequestInit = {}) =>
  fetch(`${svc.url}${path}`, {
    ...init,
    headers: {
      authorization: await authorizationFor(svc.url, env.env.STANDING_ADMIN_TOKEN!, path),
      'content-type': 'application/json',
      ...init.headers,
    },
  });
const states = async (ids: string[]) =>
  new Map(
    (
      await svc.resources.db.query<{ event_id: string; state: string }>(
        'SELECT event_id, state FROM intake_inbox WHERE event_id = ANY($1::text[])',
        [ids],
      )
    ).map((r) => [r.event_id, r.state]),
  );

describe('text PostgreSQL cannot store', () => {
  it('a NUL body fails alone and its neighbours are stored', async () => {
    const ids = Array.from({ length: 24 }, (_, i) => `nul-${run}-${i}`);
    // Sent together, so the good ones share inbox inserts with the bad ones.
    const responses = await Promise.all(
      ids.map((id, i) => {
        const body = JSON.stringify(userEvent(id, 610_000 + i));
        const raw =
          i === 5
            ? body.replace('"end-user"', '"end\\u0000user"')
            : i === 11
              ? body.replace('"end-user"', '"end\\ud800user"')
              : body;
        return postWebhook(svc.url, 'default', null, { raw });
      }),
    );
    const bodies = await Promise.all(
      responses.map(async (r) => ({
        status: r.status,
        body: (await r.json()) as { error?: { code: string; message: string } },
      })),
    );
    expect(bodies[5]).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_text', message: expect.stringContaining('detail.role: contains U+0000') } },
    });
    expect(bodies[11]).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_text', message: expect.stringContaining('lone UTF-16 surrogate') } },
    });
    expect(bodies.filter((_, i) => i !== 5 && i !== 11).map((b) => b.status)).toEqual(Array(22).fill(202));

    const good = ids.filter((_, i) => i !== 5 && i !== 11);
    await waitFor(
      'neighbours stored',
      async () => [...(await states(good)).values()].filter((s) => s === 'stored').length === good.length,
    );
    expect((await states([ids[5]!, ids[11]!])).size).toBe(0);
  });

  it('an entry the database refuses fails alone in its inbox insert; the others of the group are written', async () => {
    const inbox = new IntakeInbox(svc.resources.db);
    try {
      const entries = Array.from({ length: 6 }, (_, i) => ({
        tenant: 'default',
        source: 'zendesk' as const,
        event_id: `group-${run}-${i}`,
        body: { n: i, text: i === 2 ? 'a\u0000b' : 'fine' },
        meta: {},
      }));
      const results = await Promise.allSettled(entries.map((e) => inbox.accept(e)));
      expect(results.map((r) => r.status)).toEqual([
        'fulfilled',
        'fulfilled',
        'rejected',
        'fulfilled',
        'fulfilled',
        'fulfilled',
      ]);
      expect((await states(entries.map((e) => e.event_id))).size).toBe(5);
    } finally {
      await inbox.close();
    }
  });
});

describe('event ids', () => {
  it('a 30-digit numeric event id and its neighbour stay two events', async () => {
    const ids = ['123456789012345678901234567890', '123456789012345678901234567891'];
    const responses = await Promise.all(
      ids.map((id, i) =>
        postWebhook(svc.url, 'default', null, {
          raw: JSON.stringify(userEvent('PLACEHOLDER', 620_000 + i)).replace('"PLACEHOLDER"', id),
        }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual([202, 202]);
    expect(await Promise.all(responses.map(async (r) => ((await r.json()) as { event_id: string }).event_id))).toEqual(
      ids,
    );
    await waitFor(
      'both stored',
      async () => [...(await states(ids)).values()].filter((s) => s === 'stored').length === 2,
    );
    // The log keeps a keyed digest of each provider event id: one row under each id's digest, the
    // digest of the exact 30-digit text (a number rounded on the way would digest differently).
    const digests = sourceEventDigests(svc.resources.secrets.master, 'default', 'zendesk', ids);
    expect(new Set(digests).size).toBe(2);
    const stored = await svc.resources.db.query<{ source_event_id: string }>(
      'SELECT source_event_id FROM standing_events WHERE source_event_id = ANY($1::text[])',
      [digests],
    );
    expect(stored.map((r) => r.source_event_id).sort()).toEqual([...digests].sort());
  });
});

describe('nesting', () => {
  const deep = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);

  it('a deeply nested body gets 400', async () => {
    const raw = JSON.stringify(userEvent(`deep-${run}`, 630_000)).replace(
      '"end-user"',
      `"end-user","nested":${deep(10_000)}`,
    );
    const res = await postWebhook(svc.url, 'default', null, { raw });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: { code: 'too_deep', message: expect.stringContaining('nested deeper than 64 levels') },
    });
    expect((await states([`deep-${run}`])).size).toBe(0);
  });

  it('a deeply nested admin body gets 400 too', async () => {
    const res = await admin('/api/v1/tenants/default/mappings/zendesk', { method: 'PUT', body: deep(10_000) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'too_deep' } });
  });
});

describe('admin API edges', () => {
  it('GET /api/v1/tenants/% is a 400, not a 500', async () => {
    const res = await admin('/api/v1/tenants/%');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_path' } });
  });

  it("refuses Zendesk's public test signing secret as a tenant's webhook secret", async () => {
    const created = await admin('/api/v1/tenants', {
      method: 'POST',
      body: JSON.stringify({ id: `t${run}`, name: 'T', zendesk: { webhook_secret: ZENDESK_TEST_SIGNING_SECRET } }),
    });
    expect(created.status).toBe(400);
    expect(await created.json()).toMatchObject({
      error: { message: expect.stringContaining("zendesk.webhook_secret: is Zendesk's public test signing secret") },
    });
    const patched = await admin('/api/v1/tenants/default', {
      method: 'PATCH',
      body: JSON.stringify({ zendesk: { webhook_secret: ZENDESK_TEST_SIGNING_SECRET } }),
    });
    expect(patched.status).toBe(400);
  });
});
