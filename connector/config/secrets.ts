/**
 * The deployment's two secrets: the master key (wraps every customer's data key) and the operator
 * token. Taken from the environment when set. Outside production a missing one is generated once
 * into the data directory (mode 0600) and reused on later starts, so `npm start` works with no
 * setup; in production a missing one is a startup error, because a silently generated master key
 * would make every previously sealed record unreadable after a redeploy.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConfigProblem, StandingConfig } from './config.ts';
import { deriveMasterKeys, type MasterKeys } from '../model/sealing.ts';
import type { Outcome } from '../lib/result.ts';

export const MASTER_KEY_FILE = 'master.key';
/** The generated operator token's file. It keeps its first name, so existing data directories keep their token. */
export const OPERATOR_TOKEN_FILE = 'admin-token';

/** Where a secret came from; the path is safe to log, the secret is not. */
export type SecretOrigin = { from: 'environment' } | { from: 'file'; path: string; created: boolean };

export interface Secrets {
  master: MasterKeys;
  operatorToken: string;
  sources: { masterKey: SecretOrigin; operatorToken: SecretOrigin };
}

export type SecretsResult = { ok: true; secrets: Secrets } | { ok: false; problems: ConfigProblem[] };

type SecretsConfig = Pick<StandingConfig, 'masterKey' | 'operatorToken' | 'dataDir' | 'production'>;

interface SecretSpec<T> {
  variable: string;
  file: string;
  generate: () => string;
  /** Turns the file's text into the secret, or says what is wrong with it. */
  decode: (text: string) => Outcome<T, { message: string }>;
}

const MASTER_KEY: SecretSpec<Buffer> = {
  variable: 'STANDING_MASTER_KEY',
  file: MASTER_KEY_FILE,
  generate: () => randomBytes(32).toString('base64'),
  decode: (text) => {
    const key = Buffer.from(text, 'base64');
    return /^[A-Za-z0-9+/]{43}=$/.test(text) && key.length === 32
      ? { ok: true, value: key }
      : { ok: false, message: 'is not the base64 of 32 bytes' };
  },
};

const OPERATOR_TOKEN: SecretSpec<string> = {
  variable: 'STANDING_OPERATOR_TOKEN',
  file: OPERATOR_TOKEN_FILE,
  generate: () => randomBytes(32).toString('base64url'),
  decode: (text) =>
    /^[\x21-\x7e]{32,1024}$/.test(text)
      ? { ok: true, value: text }
      : { ok: false, message: 'must hold 32-1024 printable characters' },
};

export async function loadSecrets(config: SecretsConfig): Promise<SecretsResult> {
  const [master, token] = await Promise.all([
    resolveSecret(MASTER_KEY, config.masterKey, config),
    resolveSecret(OPERATOR_TOKEN, config.operatorToken, config),
  ]);
  const problems = [master, token].flatMap((r) => (r.ok ? [] : [r.problem]));
  if (!master.ok || !token.ok) return { ok: false, problems };
  return {
    ok: true,
    secrets: {
      master: deriveMasterKeys(master.value),
      operatorToken: token.value,
      sources: { masterKey: master.source, operatorToken: token.source },
    },
  };
}

type Resolved<T> = { ok: true; value: T; source: SecretOrigin } | { ok: false; problem: ConfigProblem };

async function resolveSecret<T>(
  spec: SecretSpec<T>,
  fromEnv: T | undefined,
  config: SecretsConfig,
): Promise<Resolved<T>> {
  if (fromEnv !== undefined) return { ok: true, value: fromEnv, source: { from: 'environment' } };
  if (config.production) {
    return {
      ok: false,
      problem: {
        variable: spec.variable,
        message: 'must be set when NODE_ENV=production (secrets are only generated outside production)',
      },
    };
  }
  const path = join(config.dataDir, spec.file);
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  let created = false;
  try {
    // 'wx' fails if the file exists, so two processes starting at once cannot overwrite each other's secret.
    await writeFile(path, spec.generate() + '\n', { mode: 0o600, flag: 'wx' });
    created = true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const decoded = spec.decode((await readFile(path, 'utf8')).trim());
  if (!decoded.ok) {
    // Never replaced automatically: a damaged master key file still names the key the data was sealed with.
    return {
      ok: false,
      problem: {
        variable: spec.variable,
        message: `unset, and ${path} ${decoded.message}; fix or remove the file, or set ${spec.variable}`,
      },
    };
  }
  if (((await stat(path)).mode & 0o077) !== 0) await chmod(path, 0o600);
  return { ok: true, value: decoded.value, source: { from: 'file', path, created } };
}
