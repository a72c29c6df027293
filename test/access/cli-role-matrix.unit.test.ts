/**
 * Each role can run exactly its CLI commands: every command the program registers is in the
 * table the role check reads, and that table gives each command the roles written here (an
 * independent statement of docs/tenants-and-roles.md), for its own tenant only.
 */
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { refusal } from '../../connector/access/authorize.ts';
import type { Principal } from '../../connector/access/principal.ts';
import { CLI_PERMISSIONS, commandPath } from '../../connector/cli/command-access.ts';
import { buildProgram } from '../../connector/cli/program.ts';

type Who = 'operator' | 'agent' | 'admin' | 'auditor';
const WHO: readonly Who[] = ['operator', 'agent', 'admin', 'auditor'];

const EXPECTED: Readonly<Record<string, readonly Who[]>> = {
  serve: ['operator'],
  demo: ['operator'],
  migrate: ['operator'],
  config: ['operator'],
  'db grant': ['operator'],
  verify: ['operator', 'auditor'],
  checkpoint: ['operator'],
  'checkpoint register-key': ['operator'],
  export: ['auditor'],
  'tenant create': ['operator'],
  'tenant list': ['operator'],
  'tenant update': ['operator', 'admin'],
  'tenant show': ['operator', 'admin'],
  'key create': ['operator'],
  'key list': ['operator'],
  'key revoke': ['operator'],
  'mapping show': ['admin'],
  'mapping set': ['admin'],
  'mapping history': ['admin'],
  'mapping default': ['operator', 'agent', 'admin', 'auditor'],
  backfill: ['operator', 'admin'],
  'retention set': ['admin'],
  'retention show': ['admin'],
  'retention apply': ['operator'],
  'hold place': ['auditor'],
  'hold lift': ['auditor'],
  'hold list': ['auditor'],
  'audit list': ['auditor'],
  'audit verify': ['auditor'],
  'subject export': ['auditor'],
  'subject erase': ['admin'],
  'siem export': ['admin', 'auditor'],
  'siem loggly show': ['admin', 'auditor'],
  'siem loggly set': ['admin', 'auditor'],
  'alerts channels show': ['operator', 'admin'],
  'alerts channels set': ['operator', 'admin'],
  'alerts deliveries': ['operator', 'admin'],
};

/**
 * Every command that runs something: each leaf, and a command with an action of its own beside its subcommands
 * (`checkpoint`).
 */
function runnable(command: Command): Command[] {
  // commander has no public accessor for "has an action"; its handler field is stable across v9-v14.
  const own =
    command.commands.length === 0 || (command as unknown as { _actionHandler: unknown })._actionHandler
      ? [command]
      : [];
  return [...own, ...command.commands.flatMap(runnable)];
}

const principal = (who: Who, tenant = 'acme'): Principal =>
  who === 'operator'
    ? { type: 'operator' }
    : { type: 'api_key', tenant, role: who, key_id: '0123456789abcdef', name: 'test' };

describe('the CLI role check', () => {
  const registered = runnable(buildProgram(() => undefined))
    .map(commandPath)
    .sort();

  it('covers every registered command, and the expectations cover the table', () => {
    expect(registered).toEqual(Object.keys(CLI_PERMISSIONS).sort());
    expect(registered).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s: exactly %j, each on its own tenant only', (path, allowed) => {
    const need = CLI_PERMISSIONS[path];
    for (const who of WHO) {
      const may =
        need === null ||
        need === undefined ||
        refusal(principal(who), need.permission, need.tenant === 'none' ? null : 'acme') === null;
      expect(may, `${who} ${path}`).toBe(allowed.includes(who));
      // Another tenant's key never may (the operator is not a tenant's).
      if (need && need.tenant !== 'none' && who !== 'operator')
        expect(refusal(principal(who, 'other'), need.permission, 'acme'), `${who} of another tenant`).not.toBeNull();
    }
  });
});
