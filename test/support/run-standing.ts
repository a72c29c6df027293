/**
 * Child-process entry for crash tests: runs the product with the environment it is given and
 * prints `ready <url>` once listening. Tests kill it with SIGKILL to simulate a crash.
 */
import { parseConfig } from '../../connector/config/config.ts';
import { startStanding } from '../../connector/app/standing.ts';

const parsed = parseConfig(process.env);
if (!parsed.ok) {
  console.error(JSON.stringify(parsed.problems));
  process.exit(2);
}
const handle = await startStanding(parsed.config);
console.log(`ready ${handle.url}`);
process.on('SIGTERM', () => void handle.close().then(() => process.exit(0)));
