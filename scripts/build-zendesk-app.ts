/**
 * Builds the Zendesk app: zendesk-app/dist (what `zcli apps:server zendesk-app/dist` serves) and
 * zendesk-app/standing-zendesk-app.zip (upload as a private app). Prints the bundle size, gzipped.
 * Run with `npm run build:app`; the browser tests call `buildZendeskApp()`.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';

export const APP_DIR = fileURLToPath(new URL('../zendesk-app/', import.meta.url));
export const DIST_DIR = join(APP_DIR, 'dist');
export const ZIP_PATH = join(APP_DIR, 'standing-zendesk-app.zip');

export interface BuildReport {
  /** JS + CSS of the app page, gzipped, in bytes. */
  gzipBytes: number;
  rawBytes: number;
  files: string[];
}

export async function buildZendeskApp(options: { quiet?: boolean } = {}): Promise<BuildReport> {
  const { build } = await import('vite');
  // A test run sets NODE_ENV=test, which would make the JSX transform emit development code.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: join(APP_DIR, 'vite.config.ts'), logLevel: options.quiet ? 'silent' : 'warn' });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  copyFileSync(join(APP_DIR, 'manifest.json'), join(DIST_DIR, 'manifest.json'));
  mkdirSync(join(DIST_DIR, 'translations'), { recursive: true });
  for (const f of readdirSync(join(APP_DIR, 'translations'))) copyFileSync(join(APP_DIR, 'translations', f), join(DIST_DIR, 'translations', f));
  // Zendesk wants a logo (320x320) and a small logo (128x128) in assets/.
  writeFileSync(join(DIST_DIR, 'assets', 'logo.png'), solidPng(320, [3, 54, 61]));
  writeFileSync(join(DIST_DIR, 'assets', 'logo-small.png'), solidPng(128, [3, 54, 61]));
  const files = walk(DIST_DIR).map((f) => relative(DIST_DIR, f));
  writeFileSync(ZIP_PATH, zip(files.map((name) => ({ name, data: readFileSync(join(DIST_DIR, name)) }))));
  const code = files.filter((f) => /\.(js|css)$/.test(f)).map((f) => readFileSync(join(DIST_DIR, f)));
  const report = { gzipBytes: code.reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0), rawBytes: code.reduce((n, b) => n + b.length, 0), files };
  if (!options.quiet) {
    process.stdout.write(`zendesk-app: ${DIST_DIR} (zcli apps:server), ${ZIP_PATH} (upload)\n`);
    process.stdout.write(`zendesk-app: sidebar bundle JS+CSS ${(report.gzipBytes / 1024).toFixed(1)} KB gzipped (${(report.rawBytes / 1024).toFixed(0)} KB raw; budget 150 KB gzipped)\n`);
  }
  return report;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** A minimal ZIP (deflate, no extras): enough for Zendesk's app upload, with no zip tool needed. */
function zip(entries: { name: string; data: Buffer }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const nameBuf = Buffer.from(name.split('\\').join('/'));
    const packed = deflateRawSync(data);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(0x00210000, 10);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(0x00210000, 12);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, packed);
    centrals.push(central, nameBuf);
    offset += local.length + nameBuf.length + packed.length;
  }
  const centralDir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralDir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, centralDir, end]);
}

/** A square PNG of one colour. */
function solidPng(size: number, [r, g, b]: [number, number, number]): Buffer {
  const row = Buffer.alloc(1 + size * 3);
  for (let x = 0; x < size; x++) row.set([r, g, b], 1 + x * 3);
  const raw = Buffer.concat(Array.from({ length: size }, () => row));
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildZendeskApp();
}
