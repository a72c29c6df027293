#!/usr/bin/env node
// Offline verifier of a Standing export (`standing export --tenant t --out file`). Node.js built-ins
// only, no dependency on the service: copy this one file next to the export and run
//
//   node verify-export.mjs export.ndjson [--public-key checkpoint-public.pem]
//
// It re-hashes every row (SHA-256 of the row's JCS text, RFC 8785, `hash` left out), checks each
// links to the one before (from the genesis hash, or from a signed boundary where retention cut the
// chain), and checks every checkpoint and boundary: Ed25519 signatures, the checkpoints' own chain,
// and that each checkpoint's (seq, head hash) is a row of the export. A version 2 export (`standing
// export --attributions`) also carries the tenant's attribution chain: each record is re-hashed (JCS
// of the record with type `standing.attribution`) and linked from the genesis hash or from the
// attribution boundary its retention cut left (which names that cut's signed log boundary), and the
// event it attributes must be the export's row at that seq, or one retention removed. Attribution
// records are not signed themselves: they are as trustworthy as the copy. With --public-key the
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
  const rowIds = new Map();
  const attribution = { boundaries: new Map(), first: null, last: null, count: 0 };
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
      if (item.type !== 'standing.export' || (item.version !== 1 && item.version !== 2))
        fail('not a Standing export (version 1 or 2)');
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
      rowIds.set(record.seq, record.id);
      rows++;
    } else if (header.version === 2 && item.type === 'attribution_boundary') {
      if (!boundaries.has(item.log_seq))
        fail(`attribution boundary at ${item.seq}: no signed boundary of the log at seq ${item.log_seq}`);
      attribution.boundaries.set(item.seq, item.hash);
    } else if (header.version === 2 && item.type === 'attribution') {
      checkAttribution(attribution, item.record, header.tenant, rowIds, Math.max(0, ...boundaries.keys()));
    } else if (item.type === 'end') {
      if (item.rows !== rows) fail(`the export says ${item.rows} rows, it holds ${rows}`);
      if (header.version === 2 && item.attributions !== attribution.count)
        fail(`the export says ${item.attributions} attribution records, it holds ${attribution.count}`);
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
    attributions:
      header.version === 2
        ? { count: attribution.count, first: attribution.first, last: attribution.last?.seq ?? null }
        : null,
  };
}

/** One attribution record of a version 2 export, in seq order (see the header comment). */
function checkAttribution(chain, item, tenant, rowIds, cutThrough) {
  const { hash, ...record } = item;
  const where = `attribution record ${record.seq}`;
  if (record.tenant !== tenant) fail(`${where}: another tenant's record`);
  if (chain.last === null) {
    const start = record.seq === 1 ? GENESIS : chain.boundaries.get(record.seq - 1);
    if (start === undefined)
      fail(`the attribution chain starts at ${record.seq} and no boundary is recorded at ${record.seq - 1}`);
    chain.last = { seq: record.seq - 1, hash: start };
    chain.first = record.seq;
  }
  if (record.seq !== chain.last.seq + 1) fail(`attribution record ${chain.last.seq + 1} is missing`);
  if (record.prev_hash !== chain.last.hash) fail(`${where}: prev_hash does not link to record ${chain.last.seq}`);
  if (sha256(jcs({ ...record, type: 'standing.attribution' })) !== hash)
    fail(`${where}: altered (its hash does not match its content)`);
  const eventId = rowIds.get(record.event_seq);
  if (eventId === undefined ? record.event_seq > cutThrough : eventId !== record.event_id)
    fail(`${where}: event ${record.event_id} at seq ${record.event_seq} is not a row of the export`);
  chain.last = { seq: record.seq, hash };
  chain.count++;
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
    const a = r.attributions;
    const attributed =
      a === null ? '' : `, ${a.count} attribution records${a.count > 0 ? ` (seq ${a.first}-${a.last})` : ''}`;
    process.stdout.write(
      `${r.tenant}: ok, ${range}, ${r.checkpoints} checkpoints, ${r.boundaries} boundaries${attributed}, ${signer}\n`,
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
