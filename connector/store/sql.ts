/** Loads the store's SQL files (`sql/*.sql`), each headed by a comment naming its parameters. */
import { readFileSync } from 'node:fs';

export function loadSql(name: string): string {
  return readFileSync(new URL(`./sql/${name}.sql`, import.meta.url), 'utf8');
}
