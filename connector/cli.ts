/** The `standing` command line: see cli/program.ts for the commands and exit codes. */
import { MAPPING_KINDS } from './app/providers.ts';
import { runCli } from './cli/program.ts';

process.exitCode = await runCli(process.argv, {
  serve: () => import('./main.ts'),
  demo: () => import('../demo/run-demo.ts'),
  mappingKinds: MAPPING_KINDS,
});
