/**
 * The S3 exporter against a local HTTP stub (no real S3 in the suite): a path-style PUT of the
 * checkpoint's JSON under the prefix, with SigV4 headers. Whether a real S3 accepts the signature
 * is not tested here.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bodyHash, parseCheckpointKey, signBody, type CheckpointBody } from '../../connector/model/checkpoint.ts';
import { checkpointExporter } from '../../connector/store/checkpoint-export.ts';

const received: { method?: string; url?: string; headers: IncomingMessage['headers']; body: string }[] = [];
let status = 200;
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (d: Buffer) => (body += d.toString()));
  req.on('end', () => {
    received.push({ method: req.method, url: req.url, headers: req.headers, body });
    res.statusCode = status;
    res.end();
  });
});
let endpoint: string;
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const key = parseCheckpointKey(randomBytes(32).toString('base64'));
const body: CheckpointBody = {
  type: 'standing.checkpoint',
  version: 1,
  tenant: 'acme',
  number: 7,
  seq: 42,
  head_hash: 'a'.repeat(64),
  start: { seq: 0, hash: '0'.repeat(64) },
  at: '2026-12-01T00:00:00.000Z',
  previous: 'b'.repeat(64),
  key_id: key.keyId,
  public_key: key.publicKeyPem,
};
const checkpoint = { number: 7, seq: 42, body, hash: bodyHash(body), signature: signBody(key, body) };

it('PUTs the checkpoint to bucket/prefix/tenant/number.json with SigV4 headers', async () => {
  const exporter = checkpointExporter('s3://audit-bucket/standing/prod', {
    endpoint,
    region: 'eu-west-1',
    accessKeyId: 'AKIDEXAMPLE',
    secretAccessKey: 'secret',
    sessionToken: 'tok',
  });
  await exporter.put(checkpoint);
  const r = received.at(-1)!;
  expect(r).toMatchObject({ method: 'PUT', url: '/audit-bucket/standing/prod/acme/000000000007.json' });
  expect(JSON.parse(r.body)).toEqual(checkpoint);
  expect(r.headers['x-amz-security-token']).toBe('tok');
  expect(r.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
  expect(r.headers.authorization).toMatch(
    new RegExp(
      '^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/\\d{8}/eu-west-1/s3/aws4_request, ' +
        'SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$',
    ),
  );
  expect(r.body).not.toContain('secret"');
});

it('reports a refused PUT, and missing credentials, as errors', async () => {
  status = 403;
  await expect(
    checkpointExporter('s3://audit-bucket', {
      endpoint,
      region: 'us-east-1',
      accessKeyId: 'a',
      secretAccessKey: 'b',
    }).put(checkpoint),
  ).rejects.toThrow('S3 PUT audit-bucket/acme/000000000007.json: HTTP 403');
  await expect(
    checkpointExporter('s3://audit-bucket', { endpoint, region: 'us-east-1' }).put(checkpoint),
  ).rejects.toThrow('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY');
});
