/**
 * `standing verify` on a chain that is being appended to: it checks the chain up to the head it
 * read first and never reports a live chain broken.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { StandingLog, type VerifyReport } from '../../connector/store/standing-log.ts';
import { openTestStore, type TestStore } from '../support/databases.ts';
import { event } from '../support/fixtures.ts';

let store: TestStore;
beforeAll(async () => {
  store = await openTestStore('postgres', 'verify_live');
});
afterAll(async () => {
  await store?.dispose();
});

it('verify under concurrent appends reports ok', async () => {
  const tenant = `live-${randomBytes(3).toString('hex')}`;
  await store.log.append(Array.from({ length: 20 }, () => event({ tenant })));
  // Small pages: many reads per walk, so appends land between the head read and the pages.
  const verifier = new StandingLog(store.db, store.master, { verifyPageSize: 3 });
  let appending = true;
  const appends = (async () => {
    for (let i = 0; i < 60; i++) await store.log.append(Array.from({ length: 3 }, () => event({ tenant })));
    appending = false;
  })();
  const reports: VerifyReport[] = [];
  while (appending) reports.push(await verifier.verify(tenant));
  await appends;
  reports.push(await verifier.verify(tenant));

  expect(reports.length).toBeGreaterThan(2);
  expect(reports.filter((r) => !r.ok)).toEqual([]);
  expect(reports.at(-1)).toMatchObject({ ok: true, checked: 200 });
});
