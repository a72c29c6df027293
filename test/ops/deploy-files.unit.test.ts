/**
 * The deployment files cannot be run here (no Docker daemon): this checks what docs/operations.md says of
 * them against their text. Compiled output, non-root, the three roles, Redis with AOF.
 */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { PROCESS_ROLES } from '../../connector/config/roles.ts';

const read = (name: string) => readFileSync(new URL(`../../deploy/${name}`, import.meta.url), 'utf8');

it('the Dockerfile is multi-stage, runs the compiled output as a non-root user', () => {
  const dockerfile = read('Dockerfile');
  expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
  expect(dockerfile).toMatch(/^RUN npm run build/m);
  expect(dockerfile).toMatch(/^USER node$/m);
  expect(dockerfile).toMatch(/^CMD \["node", "dist\/connector\/main\.js"\]$/m);
  expect(dockerfile).not.toMatch(/tsx/);
});

it('compose runs api, worker and scheduler on PostgreSQL and Redis with AOF', () => {
  const compose = read('compose.yaml');
  for (const role of ['api', 'worker', 'scheduler']) {
    expect(PROCESS_ROLES).toContain(role);
    expect(compose).toMatch(
      new RegExp(
        `^  ${role}:\\n(?:    .*\\n)*    environment: \\{ <<: \\*standing-env, STANDING_ROLE: ${role} \\}`,
        'm',
      ),
    );
  }
  expect(compose).toMatch(/^ {2}postgres:$/m);
  expect(compose).toMatch(/"--appendonly", "yes"/);
  expect(compose).toMatch(/"--maxmemory-policy", "noeviction"/);
});
