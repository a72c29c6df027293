/**
 * `standing mapping show|set|history|default`: a tenant's versioned mapping documents, straight on
 * the database. Every `set` is a new version recorded with who made it; earlier ones stay readable.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { z } from 'zod';
import type { MappingVersion, TenantRegistry } from '../tenants/tenant-registry.ts';
import type { SourceName } from '../model/standing-event.ts';
import type { MappingKind } from '../intake/intake-source.ts';
import {
  CliFailure,
  EXIT,
  readOptionFile,
  tenantIdArgument,
  validationFailure,
  withTenantRegistry,
  writeJson,
  writeTable,
  type SetExitCode,
} from './common.ts';

const Actor = z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters');

/** Options of the `mapping` commands, as commander parses them. */
interface MappingOptions {
  /** @defaultValue `zendesk` (set by commander) */
  source: SourceName;
  version?: number;
  file?: string;
  actor?: string;
  json?: boolean;
}

function positiveInteger(value: string): number {
  if (!/^\d{1,9}$/.test(value) || Number(value) < 1)
    throw new InvalidArgumentError('must be a version number (1, 2, ...)');
  return Number(value);
}

async function requireTenant(tenants: TenantRegistry, idArg: string): Promise<string> {
  const id = tenantIdArgument(idArg, '<tenant>');
  if (!(await tenants.get(id))) throw new CliFailure(`no tenant "${id}"`, EXIT.usage);
  return id;
}

const summary = (v: Pick<MappingVersion, 'version' | 'changed_by' | 'changed_at'>) => ({
  version: v.version,
  changed_by: v.changed_by,
  changed_at: v.changed_at,
});

async function showMapping(idArg: string, o: MappingOptions, kind: MappingKind): Promise<number> {
  const shown = await withTenantRegistry(async (tenants) => {
    const id = await requireTenant(tenants, idArg);
    if (o.version === undefined) return { id, current: await tenants.currentMapping(id, o.source) };
    const wanted = (await tenants.mappingHistory(id, o.source)).find((v) => v.version === o.version);
    if (!wanted)
      throw new CliFailure(`--version: tenant "${id}" has no ${o.source} mapping version ${o.version}`, EXIT.usage);
    return { id, current: wanted };
  });
  const { id, current } = shown;
  if (o.json) {
    writeJson(
      current
        ? { ...current, is_default: false }
        : { version: 0, document: kind.defaultMappingDocument, changed_by: null, changed_at: null, is_default: true },
    );
    return EXIT.ok;
  }
  if (current)
    process.stderr.write(
      `tenant ${id}: ${o.source} mapping version ${current.version}, changed by ${current.changed_by} at ` +
        `${current.changed_at}\n`,
    );
  else
    process.stderr.write(
      `tenant ${id} has no ${o.source} mapping set: showing the built-in default, which is in force\n`,
    );
  writeJson(current ? current.document : kind.defaultMappingDocument);
  return EXIT.ok;
}

async function setMapping(idArg: string, o: MappingOptions, kind: MappingKind): Promise<number> {
  // Set by the role check (command-access.ts) from the authenticated key: never from an argument.
  const actor = Actor.safeParse(o.actor ?? '');
  if (!actor.success) throw new Error('mapping set ran without the role check (no actor)');
  const path = o.file ?? '';
  const text = await readOptionFile('--file', path);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    throw new CliFailure(`--file: ${path} is not valid JSON (${(err as Error).message})`, EXIT.usage);
  }
  const parsed = kind.parseMapping(document);
  if (!parsed.ok) throw validationFailure(`invalid ${o.source} mapping document ${path}`, parsed.problems);

  const recorded = await withTenantRegistry(async (tenants) => {
    const id = await requireTenant(tenants, idArg);
    const r = await tenants.setMapping(id, o.source, document, actor.data);
    if (!r.ok) throw new CliFailure(r.message, EXIT.usage);
    return { id, version: r.value };
  });
  if (o.json) writeJson(summary(recorded.version));
  else
    process.stdout.write(
      `tenant ${recorded.id}: ${o.source} mapping version ${recorded.version.version} recorded (changed by ` +
        `${recorded.version.changed_by})\n`,
    );
  return EXIT.ok;
}

async function mappingHistory(idArg: string, o: MappingOptions): Promise<number> {
  const { id, versions } = await withTenantRegistry(async (tenants) => {
    const tenantId = await requireTenant(tenants, idArg);
    return { id: tenantId, versions: await tenants.mappingHistory(tenantId, o.source) };
  });
  if (o.json) writeJson({ versions: versions.map(summary) });
  else if (versions.length === 0)
    process.stdout.write(`tenant ${id} has no ${o.source} mapping versions: the built-in default is in force\n`);
  else
    writeTable([
      ['VERSION', 'CHANGED_BY', 'CHANGED_AT'],
      ...versions.map((v) => [String(v.version), v.changed_by, v.changed_at]),
    ]);
  return EXIT.ok;
}

/** `kinds`: the providers' mapping documents (connector/app/providers.ts), handed in by the CLI's entry. */
export function registerMappingCommands(
  program: Command,
  setExitCode: SetExitCode,
  kinds: readonly MappingKind[],
): void {
  const sourceOption = () =>
    new Option('--source <source>', 'which provider the mapping is for')
      .choices(kinds.map((k) => k.name))
      .default('zendesk');
  const kindOf = (source: SourceName): MappingKind => {
    const kind = kinds.find((k) => k.name === source);
    if (!kind) throw new CliFailure(`no mapping source "${source}"`, EXIT.usage);
    return kind;
  };
  const mapping = program
    .command('mapping')
    .description("read and change tenants' mapping documents (versioned), on the database directly");

  mapping
    .command('show')
    .description('print the mapping document in force (or an earlier version) as JSON')
    .argument('<tenant>', 'tenant id')
    .addOption(sourceOption())
    .addOption(new Option('--version <n>', 'an earlier version (see mapping history)').argParser(positiveInteger))
    .option('--json', 'the version record (version, changed_by, changed_at, is_default, document)')
    .action(async (tenant: string, o: MappingOptions) => setExitCode(await showMapping(tenant, o, kindOf(o.source))));

  mapping
    .command('set')
    .description('validate a mapping document and record it as the next version')
    .argument('<tenant>', 'tenant id')
    .requiredOption('--file <path>', 'the JSON mapping document (start from `standing mapping default`)')
    .addOption(sourceOption())
    .option('--json', 'machine-readable output')
    .addHelpText('after', '\nThe running service applies the new version within a few seconds (its mapping cache).')
    .action(async (tenant: string, o: MappingOptions) => setExitCode(await setMapping(tenant, o, kindOf(o.source))));

  mapping
    .command('history')
    .description("list the versions of a tenant's mapping: who changed it, and when")
    .argument('<tenant>', 'tenant id')
    .addOption(sourceOption())
    .option('--json', 'machine-readable output')
    .action(async (tenant: string, o: MappingOptions) => setExitCode(await mappingHistory(tenant, o)));

  mapping
    .command('default')
    .description('print the built-in default mapping document, a starting point to edit')
    .addOption(sourceOption())
    .action((o: { source: SourceName }) => {
      writeJson(kindOf(o.source).defaultMappingDocument);
      setExitCode(EXIT.ok);
    });
}
