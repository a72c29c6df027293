/**
 * Runs the `standing` CLI (or any command) from the repository root, with only the given environment, as an operator
 * would.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX = `${ROOT}node_modules/.bin/tsx`;

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `command args` with PATH and HOME plus `env`, nothing else inherited. */
export function run(command: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `standing args` through tsx. */
export const runCli = (args: string[], env: Record<string, string> = {}) =>
  run(TSX, ['connector/cli.ts', ...args], env);
