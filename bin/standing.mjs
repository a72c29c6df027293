#!/usr/bin/env node
// `standing <command>` (npx standing verify ...): runs the compiled CLI (`npm run build` writes
// dist/), as production does; tsx is a dev dependency and is not installed there. From source
// through tsx instead: in a development checkout that has no build yet, and for `demo`, which builds
// the Zendesk app with Vite (a dev dependency) from its TypeScript source.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/connector/cli.js', import.meta.url);
if (existsSync(compiled) && process.argv[2] !== 'demo') {
  await import(compiled.href);
} else {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    console.error(
      existsSync(compiled)
        ? 'standing: `demo` needs the development dependencies (`npm ci`)'
        : 'standing: dist/ is missing; run `npm run build` first (or `npm ci` to develop from source)',
    );
    process.exit(1);
  }
  register();
  await import(new URL('../connector/cli.ts', import.meta.url).href);
}
