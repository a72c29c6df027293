/**
 * One process at a time on an embedded (PGlite) data directory: PGlite is a single-process
 * database, and two processes writing the same files corrupt them. The lock is a file holding the
 * owner's pid, created exclusively; a lock left by a process that no longer runs is taken over.
 */
import { open, readFile, rm } from 'node:fs/promises';
import { StandingError } from '../lib/errors.ts';

export class EmbeddedDatabaseBusyError extends StandingError {
  override name = 'EmbeddedDatabaseBusyError';
}

const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Takes the lock of `dataDir`; resolves to its release. */
export async function lockEmbeddedDataDir(dataDir: string): Promise<() => Promise<void>> {
  const path = `${dataDir.replace(/\/+$/, '')}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(owner) && owner > 0 && isRunning(owner)) {
        throw new EmbeddedDatabaseBusyError(
          `the embedded database in ${dataDir} is in use by process ${owner}: stop it first, or use a ` +
            `PostgreSQL server (DATABASE_URL) to share the database`,
        );
      }
      await rm(path, { force: true });
    }
  }
  throw new EmbeddedDatabaseBusyError(`could not take the lock ${path}`);
}
