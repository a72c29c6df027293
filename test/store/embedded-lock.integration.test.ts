/**
 * The embedded database is single-process: a second opener is refused with a clear message, a stale lock is taken over.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../connector/store/database.ts';
import { EmbeddedDatabaseBusyError, lockEmbeddedDataDir } from '../../connector/store/embedded-lock.ts';

describe('embedded database lock', () => {
  it('refuses a second opener while the first holds the directory, and frees it on close', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'standing-lock-')), 'pgdata');
    const first = await openDatabase({ embeddedDataDir: dir });
    try {
      await expect(openDatabase({ embeddedDataDir: dir })).rejects.toThrow(EmbeddedDatabaseBusyError);
    } finally {
      await first.close();
    }
    const again = await openDatabase({ embeddedDataDir: dir });
    await again.close();
  });

  it('names the process that holds it', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'standing-lock-')), 'pgdata');
    // The parent of this test process is alive and is not us.
    writeFileSync(`${dir}.lock`, String(process.ppid));
    await expect(lockEmbeddedDataDir(dir)).rejects.toThrow(EmbeddedDatabaseBusyError);
    await expect(lockEmbeddedDataDir(dir)).rejects.toThrow(`in use by process ${process.ppid}`);
  });

  it('takes over a lock left by a process that no longer runs', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'standing-lock-')), 'pgdata');
    writeFileSync(`${dir}.lock`, '2147483646');
    const release = await lockEmbeddedDataDir(dir);
    await release();
  });
});
