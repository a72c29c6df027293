/**
 * Copies of signed checkpoints outside the database: a directory (a path or file:///path, e.g. a
 * mounted WORM volume) or an S3-compatible bucket (s3://bucket/prefix, path-style PUT signed with
 * AWS Signature Version 4 by hand: one request type does not justify the AWS SDK). Each checkpoint
 * is one JSON object, `<tenant>/<number, 12 digits>.json`, never overwritten by us.
 */
import { createHash, createHmac } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SignedCheckpoint } from '../model/checkpoint.ts';
import { StandingError } from '../lib/errors.ts';

export interface CheckpointExporter {
  /** Where the copies go, safe to print (no credentials). */
  readonly target: string;
  put(checkpoint: SignedCheckpoint): Promise<void>;
}

export class CheckpointExportError extends StandingError {
  override name = 'CheckpointExportError';
}

export interface S3Settings {
  /** @defaultValue `https://s3.<region>.amazonaws.com` */
  endpoint?: string;
  region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
}

export const checkpointObjectName = (c: SignedCheckpoint) => `${c.body.tenant}/${String(c.number).padStart(12, '0')}.json`;
const document = (c: SignedCheckpoint) => `${JSON.stringify({ number: c.number, seq: c.seq, body: c.body, hash: c.hash, signature: c.signature }, null, 2)}\n`;

/** An exporter for STANDING_CHECKPOINT_EXPORT: `s3://bucket/prefix`, `file:///dir` or a directory path. */
export function checkpointExporter(target: string, s3: S3Settings, fetchImpl: typeof fetch = fetch): CheckpointExporter {
  if (target.startsWith('s3://')) return s3Exporter(target, s3, fetchImpl);
  const dir = target.startsWith('file://') ? fileURLToPath(target) : target;
  return {
    target: dir,
    put: async (c) => {
      const path = join(dir, checkpointObjectName(c));
      await mkdir(dirname(path), { recursive: true });
      // 'wx': an existing copy is never replaced; the same checkpoint again is fine.
      await writeFile(path, document(c), { flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      });
    },
  };
}

function s3Exporter(target: string, s3: S3Settings, fetchImpl: typeof fetch): CheckpointExporter {
  const url = new URL(target);
  const bucket = url.hostname;
  const prefix = url.pathname.replace(/^\/+|\/+$/g, '');
  const endpoint = new URL(s3.endpoint ?? `https://s3.${s3.region}.amazonaws.com`);
  return {
    target,
    put: async (c) => {
      if (!s3.accessKeyId || !s3.secretAccessKey) throw new CheckpointExportError('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are needed for an s3:// export');
      const key = [prefix, checkpointObjectName(c)].filter(Boolean).join('/');
      const path = `${endpoint.pathname.replace(/\/$/, '')}/${bucket}/${key}`.split('/').map(encodeRfc3986).join('/');
      const body = document(c);
      const headers = signV4({ method: 'PUT', host: endpoint.host, path, body, region: s3.region, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, sessionToken: s3.sessionToken, now: new Date() });
      const res = await fetchImpl(`${endpoint.protocol}//${endpoint.host}${path}`, { method: 'PUT', headers: { ...headers, 'content-type': 'application/json' }, body });
      if (!res.ok) throw new CheckpointExportError(`S3 PUT ${bucket}/${key}: HTTP ${res.status}`);
    },
  };
}

const encodeRfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const hmac = (key: Buffer | string, s: string) => createHmac('sha256', key).update(s).digest();

/** AWS Signature Version 4 headers of a request without a query string (exported for tests). */
export function signV4(r: { method: string; host: string; path: string; body: string; region: string; accessKeyId: string; secretAccessKey: string; sessionToken?: string; now: Date }): Record<string, string> {
  const amzDate = r.now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const payloadHash = sha256(r.body);
  const headers: Record<string, string> = { host: r.host, 'x-amz-content-sha256': payloadHash, 'x-amz-date': amzDate };
  if (r.sessionToken) headers['x-amz-security-token'] = r.sessionToken;
  const names = Object.keys(headers).sort();
  const canonical = [r.method, r.path, '', ...names.map((n) => `${n}:${headers[n]}`), '', names.join(';'), payloadHash].join('\n');
  const scope = `${day}/${r.region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${r.secretAccessKey}`, day), r.region), 's3'), 'aws4_request');
  const signature = createHmac('sha256', signingKey).update(toSign).digest('hex');
  const { host: _host, ...rest } = headers;
  return { ...rest, authorization: `AWS4-HMAC-SHA256 Credential=${r.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}` };
}

const CopyShape = z.object({ number: z.number().int().positive(), seq: z.number().int().min(0), hash: z.string().regex(/^[0-9a-f]{64}$/) });

/**
 * A tenant's checkpoint copies in an export directory (`<dir>/<tenant>/*.json`), to compare with the
 * database (verifyTenant's `copies`). A file that is not a checkpoint copy is an error naming it.
 */
export async function readCheckpointCopies(target: string, tenant: string): Promise<z.infer<typeof CopyShape>[]> {
  const dir = join(target.startsWith('file://') ? fileURLToPath(target) : target, tenant);
  const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw err;
  });
  const copies = [];
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    const parsed = CopyShape.safeParse(JSON.parse(await readFile(join(dir, name), 'utf8').catch(() => 'null')));
    if (!parsed.success) throw new CheckpointExportError(`${join(dir, name)} is not a checkpoint copy`);
    copies.push(parsed.data);
  }
  return copies;
}
