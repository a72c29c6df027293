/**
 * `standing backfill`'s options. The command itself (reconcilers, jsforce) is loaded only when it
 * runs: every other command starts faster without them.
 */
import { Option, type Command } from 'commander';
import type { SourceName } from '../model/standing-event.ts';
import type { SetExitCode } from './common.ts';

export function registerBackfillCommand(program: Command, setExitCode: SetExitCode): void {
  program
    .command('backfill')
    .description("import a tenant's history from a date (resumable: run it again after Ctrl-C or a crash)")
    .requiredOption('--tenant <id>', 'the tenant')
    .addOption(
      new Option('--source <source>', 'which provider').choices(['zendesk', 'salesforce']).makeOptionMandatory(),
    )
    .requiredOption('--since <date>', 'from this date (ISO-8601, e.g. 2025-01-01)')
    .option('--no-progress', 'plain progress lines instead of a progress bar')
    .action(async (o: { tenant: string; source: SourceName; since: string; progress: boolean }) =>
      setExitCode(await (await import('./backfill-command.ts')).backfillAction(o)),
    );
}
