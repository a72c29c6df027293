/** The insights' numbers per bucket as rows (the table and the CSV download show the same ones). */
import type { Distribution, Insights } from '@standing/contracts';
import type { Translate } from './i18n';

const hours = (seconds: number | null) => (seconds === null ? null : Math.round((seconds / 3600) * 10) / 10);

export const INSIGHT_COLUMNS = [
  'bucket',
  'deactivations',
  'reinstatements',
  'ttr_count',
  'ttr_p50_h',
  'ttr_p90_h',
  'ttr_max_h',
  'ttd_count',
  'ttd_p50_h',
  'ttd_p90_h',
  'ttd_max_h',
  'unapproved',
  'fraud_window',
  'repeated_cycles',
] as const;

export type InsightRow = Record<(typeof INSIGHT_COLUMNS)[number], string | number | null>;

const dist = (d: Distribution) => [d.count, hours(d.p50_seconds), hours(d.p90_seconds), hours(d.max_seconds)];

/** One row per bucket, then the whole range (bucket `total`). Durations in hours, one decimal. */
export function insightRows(r: Insights, totalLabel: string): InsightRow[] {
  const figures = [...r.buckets.map((b) => ({ label: b.start, f: b })), { label: totalLabel, f: r.totals }];
  return figures.map(({ label, f }) => {
    const values = [
      label,
      f.deactivations.total,
      f.reinstatements.total,
      ...dist(f.time_to_reinstatement),
      ...dist(f.time_to_decision),
      f.warnings.reinstatement_without_approval,
      f.warnings.reactivation_after_fraud,
      f.warnings.repeated_cycles,
    ];
    return Object.fromEntries(INSIGHT_COLUMNS.map((c, i) => [c, values[i] ?? null])) as InsightRow;
  });
}

const cell = (v: string | number | null) => {
  const s = v === null ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** RFC 4180 CSV: a header of the translated column names, then `insightRows`. */
export function insightsCsv(r: Insights, t: Translate): string {
  const header = INSIGHT_COLUMNS.map((c) => cell(t(`insights.col_${c}`)));
  const rows = insightRows(r, t('insights.total')).map((row) => INSIGHT_COLUMNS.map((c) => cell(row[c])).join(','));
  return `${[header.join(','), ...rows].join('\r\n')}\r\n`;
}
