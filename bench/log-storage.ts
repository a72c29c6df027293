/**
 * Bytes per log row: `standing_events` with its indexes and TOAST, beside a plain table of the same
 * columns and rows (no index at all), so that what each index costs can be read off.
 */
import type { Database } from '../connector/store/database.ts';
import type { Figure } from './harness.ts';

export async function storageFigures(db: Database): Promise<Figure[]> {
  await db.exec('DROP TABLE IF EXISTS bench_plain_events');
  await db.exec('CREATE TABLE bench_plain_events (LIKE standing_events)');
  await db.exec('INSERT INTO bench_plain_events SELECT * FROM standing_events');
  await db.exec('VACUUM ANALYZE bench_plain_events');
  await db.exec('VACUUM ANALYZE standing_events');
  const [sizes] = await db.query<{ rows: number; total: number; heap: number; plain: number }>(
    `SELECT (SELECT count(*) FROM standing_events)::float8 AS rows,
            pg_total_relation_size('standing_events')::float8 AS total,
            pg_table_size('standing_events')::float8 AS heap,
            pg_total_relation_size('bench_plain_events')::float8 AS plain`,
  );
  const indexes = await db.query<{ name: string; bytes: number }>(
    `SELECT indexrelid::regclass::text AS name, pg_relation_size(indexrelid)::float8 AS bytes
       FROM pg_index WHERE indrelid = 'standing_events'::regclass ORDER BY 2 DESC`,
  );
  await db.exec('DROP TABLE bench_plain_events');
  const { rows, total, heap, plain } = sizes!;
  const plainRow = { name: 'plain row of the same columns, no index (same rows)', value: plain / rows };
  return [
    {
      name: 'log bytes per row, with indexes',
      value: total / rows,
      unit: 'bytes',
      better: 'lower',
      baseline: plainRow,
    },
    {
      name: 'log bytes per row, table and TOAST only',
      value: heap / rows,
      unit: 'bytes',
      better: 'lower',
      baseline: plainRow,
    },
    ...indexes.map((i) => ({
      name: `log bytes per row, index ${i.name}`,
      value: Number(i.bytes) / rows,
      unit: 'bytes',
      better: 'lower' as const,
    })),
  ];
}
