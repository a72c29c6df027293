#!/usr/bin/env node
// Offline verifier of a Standing export (`standing export --tenant t --out file`). Node.js built-ins
// only, no dependency on the service: copy this one file next to the export and run
//
//   node verify-export.mjs export.ndjson [--public-key checkpoint-public.pem]
//
// It re-hashes every row (SHA-256 of the row's JCS text, RFC 8785, `hash` left out), checks each
// links to the one before (from the genesis hash, or from a signed boundary where retention cut the
// chain), and checks every checkpoint and boundary: Ed25519 signatures, the checkpoints' own chain,
// and that each checkpoint's (seq, head hash) is a row of the export. With --public-key the
// signatures must be by that key (pin it out of band); without, by the key the export names.
// Exit codes: 0 verified, 1 broken or tampered, 2 usage or unreadable file.
import { createHash, createPublicKey, verify } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

const GENESIS = '0'.repeat(64);

/** RFC 8785 JSON Canonicalization: ECMAScript serialization of primitives, keys sorted by UTF-16 units. */
export function jcs(v) {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new TypeError('non-finite number');
    return JSON.stringify(v);
  }
  if (Array.isArray(v)) return `[${v.map(jcs).join(',')}]`;
  if (typeof v === 'object') {
    const keys = Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${jcs(v[k])}`).join(',')}}`;
  }
  throw new TypeError(`cannot canonicalize ${typeof v}`);
}

const sha256 = (text) => createHash('sha256').update(text).digest('hex');
const keyIdOf = (key) =>
  createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('hex');

class Broken extends Error {}
const fail = (message) => {
  throw new Broken(message);
};

function signedBy(key, body, signature) {
  try {
    return typeof signature === 'string' && verify(null, Buffer.from(jcs(body)), key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

export async function verifyExport(path, pinnedPem) {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let header;
  let key;
  const boundaries = new Map();
  const checkpoints = [];
  const rowHashes = new Map();
  let first = null;
  let last = null;
  let rows = 0;
  let ended = false;
  for await (const line of lines) {
    if (line.trim() === '') continue;
    if (ended) fail('data after the end line');
    let item;
    try {
      item = JSON.parse(line);
    } catch {
      fail(`line ${rows + boundaries.size + checkpoints.length + 2} is not JSON`);
    }
    if (!header) {
      if (item.type !== 'standing.export' || item.version !== 1) fail('not a Standing export (version 1)');
      header = item;
      const pem = pinnedPem ?? item.public_key;
      if (pem) {
        key = createPublicKey(pem);
        if (key.asymmetricKeyType !== 'ed25519') fail('the public key is not Ed25519');
      }
      continue;
    }
    if (item.type === 'boundary') {
      if (!key) fail(`boundary at seq ${item.seq}: no public key to check its signature`);
      const body = {
        type: 'standing.boundary',
        version: 1,
        tenant: header.tenant,
        seq: item.seq,
        hash: item.hash,
        reason: item.reason,
        key_id: item.key_id,
      };
      if (item.key_id !== keyIdOf(key) || !signedBy(key, body, item.signature))
        fail(`boundary at seq ${item.seq}: signature does not verify: rows before it may have been cut`);
      boundaries.set(item.seq, item.hash);
    } else if (item.type === 'checkpoint') {
      checkpoints.push(item);
    } else if (item.type === 'row') {
      const { hash, ...record } = item.row;
      if (record.tenant !== header.tenant) fail(`row ${record.seq}: another tenant's row`);
      if (last === null) {
        const start = record.seq === 1 ? GENESIS : boundaries.get(record.seq - 1);
        if (start === undefined)
          fail(`the export starts at seq ${record.seq} and no signed boundary is recorded at ${record.seq - 1}`);
        last = { seq: record.seq - 1, hash: start };
        first = record.seq;
      }
      if (record.seq !== last.seq + 1) fail(`row ${last.seq + 1} is missing (next is ${record.seq})`);
      if (record.prev_hash !== last.hash) fail(`row ${record.seq}: prev_hash does not link to row ${last.seq}`);
      if (sha256(jcs(record)) !== hash) fail(`row ${record.seq}: altered (its hash does not match its content)`);
      last = { seq: record.seq, hash };
      rowHashes.set(record.seq, hash);
      rows++;
    } else if (item.type === 'end') {
      if (item.rows !== rows) fail(`the export says ${item.rows} rows, it holds ${rows}`);
      ended = true;
    } else fail(`unknown line type ${item.type}`);
  }
  if (!header) fail('empty file');
  if (!ended) fail('the export is cut short (no end line)');
  let previous = null;
  for (const [i, c] of checkpoints.entries()) {
    const b = c.body;
    const where = `checkpoint ${c.number}`;
    if (!key) fail(`${where}: no public key to check its signature`);
    if (c.number !== i + 1 || b.number !== c.number || b.seq !== c.seq || b.tenant !== header.tenant)
      fail(`${where}: number, seq or tenant differ from the signed body`);
    if (sha256(jcs(b)) !== c.hash || b.previous !== previous) fail(`${where}: not linked to the checkpoint before it`);
    if (b.key_id !== keyIdOf(key) || !signedBy(key, b, c.signature)) fail(`${where}: signature does not verify`);
    previous = c.hash;
    const rowHash = rowHashes.get(c.seq) ?? (boundaries.has(c.seq) ? boundaries.get(c.seq) : undefined);
    if (rowHash !== undefined && rowHash !== b.head_hash)
      fail(`${where}: row ${c.seq} is not the row it signed (rewritten)`);
    if (rowHash === undefined && c.seq > 0 && (first === null || c.seq >= first))
      fail(`${where}: row ${c.seq} it signed is missing`);
  }
  return {
    tenant: header.tenant,
    rows,
    first,
    last: last?.seq ?? null,
    checkpoints: checkpoints.length,
    boundaries: boundaries.size,
    key_id: key ? keyIdOf(key) : null,
    pinned: pinnedPem !== undefined,
  };
}

async function main(argv) {
  const args = argv.slice(2);
  const at = args.indexOf('--public-key');
  const pemFile = at >= 0 ? args.splice(at, 2)[1] : undefined;
  if (args.length !== 1 || (at >= 0 && !pemFile)) {
    process.stderr.write('usage: node verify-export.mjs <export.ndjson> [--public-key <spki.pem>]\n');
    return 2;
  }
  let pem;
  try {
    pem = pemFile ? readFileSync(pemFile, 'utf8') : undefined;
    const r = await verifyExport(args[0], pem);
    const range = r.rows === 0 ? 'no rows' : `${r.rows} rows (seq ${r.first}-${r.last})`;
    const signer = r.key_id
      ? `signed with key ` +
        `${r.key_id}${r.pinned ? ' (pinned)' : ' (named by the export: compare it with the key you trust)'}`
      : 'no key';
    process.stdout.write(
      `${r.tenant}: ok, ${range}, ${r.checkpoints} checkpoints, ${r.boundaries} boundaries, ${signer}\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof Broken) {
      process.stdout.write(`BROKEN: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`cannot verify: ${err.message}\n`);
    return 2;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  process.exitCode = await main(process.argv);
