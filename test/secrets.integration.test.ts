import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deriveMasterKeys } from '../connector/model/sealing.ts';
import { OPERATOR_TOKEN_FILE, MASTER_KEY_FILE, loadSecrets } from '../connector/config/secrets.ts';

let dataDir: string;
beforeEach(async () => {
  dataDir = join(await mkdtemp(join(tmpdir(), 'standing-secrets-')), 'state');
});
afterEach(async () => {
  await rm(join(dataDir, '..'), { recursive: true, force: true });
});

const base = () => ({ dataDir, masterKey: undefined, operatorToken: undefined, production: false });

async function load(config: Parameters<typeof loadSecrets>[0]) {
  const r = await loadSecrets(config);
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.secrets;
}

describe('loadSecrets outside production', () => {
  it('generates both secrets once, mode 0600, and reuses them on the next start', async () => {
    const first = await load(base());
    const tokenPath = join(dataDir, OPERATOR_TOKEN_FILE);
    const keyPath = join(dataDir, MASTER_KEY_FILE);
    expect(first.sources).toEqual({
      operatorToken: { from: 'file', path: tokenPath, created: true },
      masterKey: { from: 'file', path: keyPath, created: true },
    });
    expect((await stat(tokenPath)).mode & 0o777).toBe(0o600);
    expect((await stat(keyPath)).mode & 0o777).toBe(0o600);
    expect(first.operatorToken.length).toBeGreaterThanOrEqual(32);
    expect((await readFile(tokenPath, 'utf8')).trim()).toBe(first.operatorToken);

    const second = await load(base());
    expect(second.sources.operatorToken).toEqual({ from: 'file', path: tokenPath, created: false });
    expect(second.operatorToken).toBe(first.operatorToken);
    expect(second.master.lookup.equals(first.master.lookup)).toBe(true);
    expect(second.master.wrapping.equals(first.master.wrapping)).toBe(true);
  });

  it('prefers the environment and writes no file for it', async () => {
    const master = Buffer.alloc(32, 1);
    const secrets = await load({ ...base(), masterKey: master, operatorToken: 't'.repeat(32) });
    expect(secrets.operatorToken).toBe('t'.repeat(32));
    expect(secrets.master.lookup.equals(deriveMasterKeys(master).lookup)).toBe(true);
    expect(secrets.sources).toEqual({ operatorToken: { from: 'environment' }, masterKey: { from: 'environment' } });
    await expect(stat(join(dataDir, OPERATOR_TOKEN_FILE))).rejects.toThrow(/ENOENT/);
  });

  it('refuses a damaged master key file instead of replacing it', async () => {
    await load(base());
    const keyPath = join(dataDir, MASTER_KEY_FILE);
    await writeFile(keyPath, 'not a key\n');
    const r = await loadSecrets(base());
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems).toEqual([
      { variable: 'STANDING_MASTER_KEY', message: expect.stringContaining(keyPath) },
    ]);
    expect(await readFile(keyPath, 'utf8')).toBe('not a key\n');
  });

  it('tightens a secret file readable by others', async () => {
    await load(base());
    const tokenPath = join(dataDir, OPERATOR_TOKEN_FILE);
    const { chmod } = await import('node:fs/promises');
    await chmod(tokenPath, 0o644);
    await load(base());
    expect((await stat(tokenPath)).mode & 0o777).toBe(0o600);
  });
});

describe('loadSecrets in production', () => {
  it('names each missing variable and generates nothing', async () => {
    const r = await loadSecrets({ ...base(), production: true });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems.map((p) => p.variable)).toEqual(['STANDING_MASTER_KEY', 'STANDING_OPERATOR_TOKEN']);
    await expect(stat(dataDir)).rejects.toThrow(/ENOENT/);
  });

  it('accepts both from the environment', async () => {
    const secrets = await load({
      ...base(),
      production: true,
      masterKey: Buffer.alloc(32, 2),
      operatorToken: 'a'.repeat(48),
    });
    expect(secrets.operatorToken).toBe('a'.repeat(48));
  });
});
