/**
 * Builds the Zendesk app: zendesk-app/dist (what `zcli apps:server zendesk-app/dist` serves) and
 * zendesk-app/standing-zendesk-app.zip (upload as a private app). Prints the bundle size, gzipped.
 * Run with `npm run build:app`; the browser tests call `buildZendeskApp()`. With
 * `-- --connector-url https://standing.example.com --tenant acme` (or STANDING_APP_CONNECTOR_URL and
 * STANDING_APP_TENANT) the package's manifest uses signed URLs, opening the connector's page
 * (scripts/zendesk-app-manifest.ts).
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync, gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { AppTargetError, appManifest, appTargetFrom, checkTarget, type AppTarget } from './zendesk-app-manifest.ts';

export const APP_DIR = fileURLToPath(new URL('../zendesk-app/', import.meta.url));
export const DIST_DIR = join(APP_DIR, 'dist');
export const ZIP_PATH = join(APP_DIR, 'standing-zendesk-app.zip');

export interface BuildReport {
  /** JS + CSS the app page loads up front (all the sidebar needs), gzipped, in bytes. */
  gzipBytes: number;
  rawBytes: number;
  /** JS + CSS of the chunks loaded lazily (the admin page's insights tab and its charts), gzipped. */
  lazyGzipBytes: number;
  files: string[];
}

export interface BuildOptions {
  /** @defaultValue false */
  quiet?: boolean;
  /** The account's connector and tenant: a signed-URL manifest. @defaultValue null (the manifest as it is) */
  target?: AppTarget | null;
}

export async function buildZendeskApp(options: BuildOptions = {}): Promise<BuildReport> {
  // Checked before the build, so a bad option fails at once.
  const target = options.target ? checkTarget(options.target) : null;
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
  writeAppManifest(DIST_DIR, target);
  mkdirSync(join(DIST_DIR, 'translations'), { recursive: true });
  for (const f of readdirSync(join(APP_DIR, 'translations')))
    copyFileSync(join(APP_DIR, 'translations', f), join(DIST_DIR, 'translations', f));
  // Zendesk wants a logo (320x320) and a small logo (128x128) in assets/.
  writeFileSync(join(DIST_DIR, 'assets', 'logo.png'), solidPng(320, [3, 54, 61]));
  writeFileSync(join(DIST_DIR, 'assets', 'logo-small.png'), solidPng(128, [3, 54, 61]));
  const files = walk(DIST_DIR).map((f) => relative(DIST_DIR, f));
  writeFileSync(ZIP_PATH, packageApp(DIST_DIR));
  // What the page loads up front (the sidebar's budget), apart from chunks the admin page imports lazily
  // (the insights tab and its chart library).
  const html = readFileSync(join(DIST_DIR, 'assets', 'index.html'), 'utf8');
  const entry = new Set([...html.matchAll(/(?:src|href)="\.\/([^"]+\.(?:js|css))"/g)].map((m) => `assets/${m[1]}`));
  const code = files.filter((f) => /\.(js|css)$/.test(f));
  const gz = (list: string[]) =>
    list.reduce((n, f) => n + gzipSync(readFileSync(join(DIST_DIR, f)), { level: 9 }).length, 0);
  const report = {
    gzipBytes: gz(code.filter((f) => entry.has(f.split(sep).join('/')))),
    rawBytes: code
      .filter((f) => entry.has(f.split(sep).join('/')))
      .reduce((n, f) => n + statSync(join(DIST_DIR, f)).size, 0),
    lazyGzipBytes: gz(code.filter((f) => !entry.has(f.split(sep).join('/')))),
    files,
  };
  if (!options.quiet) {
    process.stdout.write(`zendesk-app: ${DIST_DIR} (zcli apps:server), ${ZIP_PATH} (upload)\n`);
    process.stdout.write(
      `zendesk-app: sidebar bundle JS+CSS ${(report.gzipBytes / 1024).toFixed(1)} KB gzipped ` +
        `(${(report.rawBytes / 1024).toFixed(0)} KB raw; budget 150 KB gzipped); loaded lazily by the admin ` +
        `page: ${(report.lazyGzipBytes / 1024).toFixed(1)} KB gzipped\n`,
    );
    const t = target;
    process.stdout.write(
      t
        ? `zendesk-app: signed URLs: every location opens ${t.connectorUrl}/app/v1/${t.tenant}/zaf; ` +
            `allowed domain ${new URL(t.connectorUrl).hostname}\n`
        : 'zendesk-app: served by Zendesk (no --connector-url/--tenant): the sidebar shows, but cannot record steps\n',
    );
  }
  return report;
}

/** Writes `dir`/manifest.json: zendesk-app/manifest.json, made for `target` when there is one. */
export function writeAppManifest(dir: string, target: AppTarget | null): void {
  const source = JSON.parse(readFileSync(join(APP_DIR, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(appManifest(source, target), null, 2)}\n`);
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/**
 * The app package Zendesk's upload takes: every file under `dir`, with `/` separators, manifest.json at
 * the root. A fixed modification time makes two builds of the same files byte-identical.
 */
export function packageApp(dir: string): Uint8Array {
  const entries = walk(dir).map((path) => [relative(dir, path).split(sep).join('/'), readFileSync(path)] as const);
  return zipSync(Object.fromEntries(entries), { level: 9, mtime: new Date(1980, 0, 1) });
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
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  let target: AppTarget | null;
  try {
    target = appTargetFrom(process.argv.slice(2), process.env);
  } catch (err) {
    if (!(err instanceof AppTargetError)) throw err;
    process.stderr.write(`build:app: ${err.message}\n`);
    process.exit(2);
  }
  await buildZendeskApp({ target });
}
