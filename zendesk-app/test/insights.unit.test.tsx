import { describe, expect, it } from 'vitest';
import type { Insights, InsightFigures } from '@standing/contracts';
import { translator } from '../src/app/lib/i18n';
import { insightsCsv } from '../src/app/lib/insights-csv';
import { rangeOf } from '../src/app/locations/InsightsTab';

const none = { total: 0, by_reason: [], by_initiation: [], by_source: [] };
const figures = (deactivations: number, p50: number | null): InsightFigures => ({
  deactivations: { ...none, total: deactivations },
  reinstatements: none,
  time_to_reinstatement: { count: p50 === null ? 0 : 1, p50_seconds: p50, p90_seconds: p50, max_seconds: p50 },
  time_to_decision: { count: 0, p50_seconds: null, p90_seconds: null, max_seconds: null },
  warnings: { reinstatement_without_approval: 1, reactivation_after_fraud: 0, repeated_cycles: 0 },
});
const answer: Insights = {
  tenant: 'acme',
  from: '2026-03-01',
  to: '2026-03-14',
  bucket: 'week',
  source: null,
  about: 'all',
  buckets: [
    { start: '2026-02-23', ...figures(0, null) },
    { start: '2026-03-02', ...figures(2, 5400) },
    { start: '2026-03-09', ...figures(1, 90_000) },
  ],
  totals: figures(3, 5400),
};

describe('the insights CSV', () => {
  it('has a translated header, a row per bucket and a total, durations in hours, empty cells for none', () => {
    const lines = insightsCsv(answer, translator('en')).split('\r\n');
    expect(lines[0]).toBe(
      'Period from,Deactivations,Reinstatements,Reinstatements measured,"To reinstatement, median (h)",' +
        '"To reinstatement, p90 (h)","To reinstatement, max (h)",Decisions measured,"To decision, median (h)",' +
        '"To decision, p90 (h)","To decision, max (h)",Reinstated without approval,Reactivated in fraud window,' +
        'Repeated cycles (customers)',
    );
    expect(lines.slice(1)).toEqual([
      '2026-02-23,0,0,0,,,,0,,,,1,0,0',
      '2026-03-02,2,0,1,1.5,1.5,1.5,0,,,,1,0,0',
      '2026-03-09,1,0,1,25,25,25,0,,,,1,0,0',
      'Total,3,0,1,1.5,1.5,1.5,0,,,,1,0,0',
      '',
    ]);
  });

  it('speaks German', () => {
    expect(insightsCsv(answer, translator('de')).split('\r\n').at(-2)).toMatch(/^Gesamt,3,/);
  });
});

describe('rangeOf', () => {
  it('is the last n UTC days, today included', () => {
    expect(rangeOf(90, Date.parse('2026-12-07T23:30:00Z'))).toEqual({ from: '2026-09-09', to: '2026-12-07' });
    expect(rangeOf(1, Date.parse('2026-12-07T00:00:00Z'))).toEqual({ from: '2026-12-07', to: '2026-12-07' });
  });
});
