#!/usr/bin/env node
// Runs before `npm start` and `npm test`: installs dependencies when node_modules is missing or
// older than package-lock.json, so a fresh checkout needs no separate install step.
import { execSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const marker = 'node_modules/.package-lock.json';
const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync('package-lock.json').mtimeMs;
if (stale) {
  console.error('standing: installing dependencies...');
  try {
    execSync('npm ci --no-audit --no-fund --loglevel=error', { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch {
    // A registry without some platform-only optional packages makes `npm ci` refuse the lock file;
    // `npm install` resolves the same versions from it.
    execSync('npm install --no-audit --no-fund --loglevel=error', { stdio: 'inherit' });
  }
}
