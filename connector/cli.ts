/** The `standing` command line: see cli/program.ts for the commands and exit codes. */
import { runCli } from './cli/program.ts';

process.exitCode = await runCli(process.argv);
