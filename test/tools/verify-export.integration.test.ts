/**
 * The offline verifier (tools/verify-export.mjs, node built-ins only) against exports written by
 * `exportLog`: a good export passes; an altered row, a removed row or a forged checkpoint
 * signature fails; so does a signature by another key when the right one is pinned.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCheckpointKey } from '../../connector/model/checkpoint.ts';
import { writeCheckpoints } from '../../connector/store/checkpoints.ts';
import { exportLog } from '../../connector/store/log-export.ts';
import { openTestStore, type TestStore } from '../support/databases.ts';
import { run } from '../support/cli.ts';
import { event } from '../support/fixtures.ts';

const key = parseCheckpointKey(randomBytes(32).toString('base64'));
const tenant = `export-${randomBytes(2).toString('hex')}`;
let store: TestStore;
let dir: string;
let good: string[];
let pem: string;

beforeAll(async () => {
  store = await openTestStore('embedded', 'verify_export');
  dir = await mkdtemp(join(tmpdir(), 'standing-export-'));
  await store.log.append([event({ tenant }), event({ tenant }), event({ tenant })]);
  await writeCheckpoints(store.log, key, { tenants: [tenant] });
  await store.log.append([event({ tenant }), event({ tenant })]);
  await writeCheckpoints(store.log, key, { tenants: [tenant] });
  await store.log.append([event({ tenant })]);
  const file = join(dir, 'good.ndjson');
  expect(await exportLog(store.log, tenant, file, { publicKey: key })).toEqual({
    rows: 6,
    checkpoints: 2,
    boundaries: 0,
  });
  good = (await readFile(file, 'utf8')).trimEnd().split('\n');
  pem = join(dir, 'public.pem');
  await writeFile(pem, key.publicKeyPem);
});
afterAll(async () => {
  await store?.dispose();
  if (dir) await rm(dir, { recursive: true, force: true });
});

type Line = { type: string; row?: Record<string, unknown>; signature?: string; rows?: number };
async function verifyLines(lines: string[], pinned = pem) {
  const file = join(dir, `${randomBytes(4).toString('hex')}.ndjson`);
  await writeFile(file, `${lines.join('\n')}\n`);
  return run(process.execPath, ['tools/verify-export.mjs', file, '--public-key', pinned]);
}
const edit = (fn: (items: Line[]) => Line[]) =>
  fn(good.map((l) => JSON.parse(l) as Line)).map((i) => JSON.stringify(i));

describe('tools/verify-export.mjs', () => {
  it('accepts a good export, pinned to the checkpoint key', async () => {
    const r = await verifyLines(good);
    expect(r).toMatchObject({ code: 0 });
    expect(r.stdout).toBe(
      `${tenant}: ok, 6 rows (seq 1-6), 2 checkpoints, 0 boundaries, signed with key ${key.keyId} (pinned)\n`,
    );
  });

  it('rejects an altered row', async () => {
    const r = await verifyLines(
      edit((items) =>
        items.map((i) =>
          i.type === 'row' && i.row!.seq === 2 ? { ...i, row: { ...i.row, kind: 'reinstatement' } } : i,
        ),
      ),
    );
    expect(r).toMatchObject({ code: 1, stdout: 'BROKEN: row 2: altered (its hash does not match its content)\n' });
  });

  it('rejects a removed row, even with the row count fixed', async () => {
    const r = await verifyLines(
      edit((items) =>
        items
          .filter((i) => !(i.type === 'row' && i.row!.seq === 4))
          .map((i) => (i.type === 'end' ? { ...i, rows: 5 } : i)),
      ),
    );
    expect(r).toMatchObject({ code: 1, stdout: 'BROKEN: row 4 is missing (next is 5)\n' });
  });

  it('rejects removed trailing rows that a checkpoint signed', async () => {
    const r = await verifyLines(
      edit((items) =>
        items
          .filter((i) => !(i.type === 'row' && Number(i.row!.seq) >= 5))
          .map((i) => (i.type === 'end' ? { ...i, rows: 4 } : i)),
      ),
    );
    expect(r).toMatchObject({ code: 1, stdout: 'BROKEN: checkpoint 2: row 5 it signed is missing\n' });
  });

  it('rejects a forged checkpoint signature', async () => {
    const lines = [...good];
    const cp = JSON.parse(good[2]!) as Line;
    expect(cp.type).toBe('checkpoint');
    lines[2] = JSON.stringify({ ...cp, signature: Buffer.alloc(64, 1).toString('base64') });
    expect(await verifyLines(lines)).toMatchObject({
      code: 1,
      stdout: 'BROKEN: checkpoint 2: signature does not verify\n',
    });
  });

  it('rejects checkpoints signed by another key than the pinned one', async () => {
    const other = join(dir, 'other.pem');
    await writeFile(other, generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString());
    expect(await verifyLines(good, other)).toMatchObject({
      code: 1,
      stdout: 'BROKEN: checkpoint 1: signature does not verify\n',
    });
  });
});
