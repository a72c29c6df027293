#!/usr/bin/env node
// `npm run build`: compiles connector/, queue/ and salesforce/ to dist/ (tsconfig.build.json rewrites
// the `.ts` import extensions to `.js`), then copies the files the code reads from disk beside its
// modules: SQL, migrations, Lua scripts, openapi.yaml. Run the result with `node dist/connector/main.js`.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'dist');
const ASSETS = /\.(sql|yaml|json|lua)$/;

rmSync(out, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });

let copied = 0;
const copyAssets = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) copyAssets(path);
    else if (ASSETS.test(name)) {
      cpSync(path, join(out, relative(root, path)));
      copied += 1;
    }
  }
};
for (const dir of ['connector', 'queue', 'salesforce']) copyAssets(join(root, dir));
console.log(`standing: built into dist/ (${copied} assets copied)`);
