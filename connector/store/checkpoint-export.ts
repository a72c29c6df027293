/**
 * Copies of signed checkpoints outside the database: a directory (a path or file:///path, e.g. a
 * mounted WORM volume) or an S3-compatible bucket (s3://bucket/prefix, path-style PUT signed with
 * AWS Signature Version 4 by aws4fetch: one request type does not justify the AWS SDK). Each
 * checkpoint is one JSON object, `<tenant>/<number, 12 digits>.json`, never overwritten by us.
 */
import { createHash } from 'node:crypto';
import { AwsClient } from 'aws4fetch';
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

export const checkpointObjectName = (c: SignedCheckpoint) =>
  `${c.body.tenant}/${String(c.number).padStart(12, '0')}.json`;
const document = (c: SignedCheckpoint) =>
  `${JSON.stringify({ number: c.number, seq: c.seq, body: c.body, hash: c.hash, signature: c.signature }, null, 2)}\n`;

/** An exporter for STANDING_CHECKPOINT_EXPORT: `s3://bucket/prefix`, `file:///dir` or a directory path. */
export function checkpointExporter(
  target: string,
  s3: S3Settings,
  fetchImpl: typeof fetch = fetch,
): CheckpointExporter {
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
  const { accessKeyId, secretAccessKey, sessionToken, region } = s3;
  // No retries here: a failed copy is retried by the next checkpoint run (see checkpoints.ts).
  const client =
    accessKeyId && secretAccessKey
      ? new AwsClient({ accessKeyId, secretAccessKey, sessionToken, region, service: 's3', retries: 0 })
      : undefined;
  return {
    target,
    put: async (c) => {
      if (!client)
        throw new CheckpointExportError('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are needed for an s3:// export');
      const key = [prefix, checkpointObjectName(c)].filter(Boolean).join('/');
      const path = `${endpoint.pathname.replace(/\/$/, '')}/${bucket}/${key}`.split('/').map(encodeRfc3986).join('/');
      const body = document(c);
      // The payload's hash, signed (aws4fetch would send UNSIGNED-PAYLOAD to s3 otherwise).
      const headers = {
        'content-type': 'application/json',
        'x-amz-content-sha256': createHash('sha256').update(body).digest('hex'),
      };
      const signed = await client.sign(`${endpoint.protocol}//${endpoint.host}${path}`, {
        method: 'PUT',
        headers,
        body,
      });
      const res = await fetchImpl(signed);
      if (!res.ok) throw new CheckpointExportError(`S3 PUT ${bucket}/${key}: HTTP ${res.status}`);
    },
  };
}

const encodeRfc3986 = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
const CopyShape = z.object({
  number: z.number().int().positive(),
  seq: z.number().int().min(0),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
});

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
