/**
 * `standing siem loggly show --tenant t` and `standing siem loggly set --tenant t [--token-file f]
 * [--tag x] [--enable | --disable] [--personal-data | --no-personal-data]`: the tenant's Loggly target,
 * as GET/PUT /api/v1/tenants/{tenant}/siem/loggly (docs/compliance.md). The token is read from a file
 * (never from the command line, where the shell's history and `ps` would keep it) and never printed.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { isAllowed } from '../access/permissions.ts';
import type { Principal } from '../access/principal.ts';
import { LogglyTargets } from '../siem/loggly-targets.ts';
import { InvalidSiemTargetError, UnknownTenantError } from '../siem/target-common.ts';
import { CliFailure, EXIT, tenantIdArgument, withSealingDatabase, type SetExitCode } from './common.ts';

export interface LogglyCommandOptions {
  tenant: string;
  /** A file holding the customer token (its first line). */
  tokenFile?: string;
  tag?: string;
  enable?: boolean;
  disable?: boolean;
  personalData?: boolean;
  /** Set by the role check (command-access.ts). @defaultValue the operator */
  principal?: Principal;
  /** Set by the role check: who the change is recorded as. @defaultValue `operator` */
  actor?: string;
}

async function withTargets<T>(fn: (t: LogglyTargets) => Promise<T>): Promise<T> {
  return withSealingDatabase((db, master) => fn(new LogglyTargets(db, master)));
}

export async function runLogglyShow(o: LogglyCommandOptions, out = process.stdout): Promise<number> {
  const tenant = tenantIdArgument(o.tenant, '--tenant');
  const target = await withTargets((t) => t.get(tenant));
  if (!target) throw new CliFailure(`tenant "${tenant}" has no Loggly target (set one)`, EXIT.failed);
  out.write(`${JSON.stringify(target, null, 2)}\n`);
  return EXIT.ok;
}

export async function runLogglySet(o: LogglyCommandOptions, out = process.stdout): Promise<number> {
  const tenant = tenantIdArgument(o.tenant, '--tenant');
  if (o.enable && o.disable) throw new CliFailure('--enable and --disable: choose one', EXIT.usage);
  const principal: Principal = o.principal ?? { type: 'operator' };
  if (o.personalData === true && !isAllowed(principal, 'personal_data.read', tenant))
    throw new CliFailure(
      '--personal-data: only an auditor key of the tenant may send personal data (personal_data.read)',
      EXIT.denied,
    );
  let token: string | undefined;
  if (o.tokenFile !== undefined) {
    try {
      token = readFileSync(o.tokenFile, 'utf8').split('\n')[0]!.trim();
    } catch (err) {
      throw new CliFailure(`--token-file: cannot read it (${(err as NodeJS.ErrnoException).code})`, EXIT.usage);
    }
  }
  const input = {
    ...(token !== undefined ? { token } : {}),
    ...(o.tag !== undefined ? { tag: o.tag } : {}),
    ...(o.enable || o.disable ? { enabled: o.enable === true } : {}),
    ...(o.personalData !== undefined ? { include_personal_data: o.personalData } : {}),
  };
  try {
    const saved = await withTargets((t) => t.put(tenant, input, o.actor ?? 'operator'));
    out.write(`${JSON.stringify(saved, null, 2)}\n`);
  } catch (err) {
    if (err instanceof InvalidSiemTargetError) throw new CliFailure(`Loggly target: ${err.message}`, EXIT.usage);
    if (err instanceof UnknownTenantError) throw new CliFailure(err.message, EXIT.failed);
    throw err;
  }
  return EXIT.ok;
}

export function registerLogglyCommands(siem: Command, setExitCode: SetExitCode): void {
  const loggly = siem.command('loggly').description("the tenant's Loggly target (see docs/compliance.md)");
  loggly
    .command('show')
    .description("print the tenant's Loggly target and its push cursor (never the token)")
    .requiredOption('--tenant <id>', 'the tenant')
    .action(async (options: LogglyCommandOptions) => setExitCode(await runLogglyShow(options)));
  loggly
    .command('set')
    .description("create or change the tenant's Loggly target; absent options keep their value")
    .requiredOption('--tenant <id>', 'the tenant')
    .option('--token-file <path>', 'a file whose first line is the Loggly customer token (required to create)')
    .option('--tag <tag>', 'the Loggly tag (default standing)')
    .option('--enable', 'push to it')
    .option('--disable', 'stop pushing to it (the cursor stays)')
    .option('--personal-data', 'include the personal part (an auditor key only)')
    .option('--no-personal-data', 'leave the personal part out')
    .action(async (options: LogglyCommandOptions) => setExitCode(await runLogglySet(options)));
}
