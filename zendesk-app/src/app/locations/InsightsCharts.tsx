/**
 * The insights' charts, drawn with uPlot (https://github.com/leeoniya/uPlot): small and canvas
 * based. Loaded with the insights tab only (NavBar imports the tab lazily), so the sidebar's bundle
 * never carries it. Every number drawn here is also in the table below the charts.
 */
import { useEffect, useMemo, useRef } from 'react';
import uPlot, { type AlignedData, type Options } from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Insights } from '@standing/contracts';
import { useI18n } from '../lib/i18n';

const COLORS = ['#cd3642', '#038153', '#1f73b7', '#ed961c', '#5c6970'];
const HEIGHT = 220;

interface Series {
  label: string;
  values: (number | null)[];
}

function Chart({ title, x, series, testId }: { title: string; x: number[]; series: Series[]; testId: string }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const node = el.current;
    if (!node) return undefined;
    const opts: Options = {
      width: Math.max(320, node.clientWidth || 900),
      height: HEIGHT,
      // Buckets are UTC days: label them as such whatever the browser's time zone.
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      series: [
        {},
        ...series.map((s, i) => ({
          label: s.label,
          stroke: COLORS[i % COLORS.length],
          width: 2,
          points: { show: true, size: 5 },
          spanGaps: false,
        })),
      ],
      axes: [{}, { size: 48 }],
    };
    const data = [x, ...series.map((s) => s.values)] as AlignedData;
    const plot = new uPlot(opts, data, node);
    return () => plot.destroy();
  }, [x, series]);
  return (
    <figure style={{ margin: '8px 0 16px' }}>
      <figcaption style={{ fontWeight: 600, fontSize: 13, marginBottom: 4 }}>{title}</figcaption>
      <div ref={el} role="img" aria-label={title} data-testid={testId} />
    </figure>
  );
}

const hours = (s: number | null) => (s === null ? null : s / 3600);

export function InsightsCharts({ insights }: { insights: Insights }) {
  const { t } = useI18n();
  // Drawn again only when the figures change (a new uPlot per chart).
  const charts = useMemo(() => {
    const b = insights.buckets;
    const x = b.map((d) => Date.parse(`${d.start}T00:00:00Z`) / 1000);
    return [
      {
        id: 'chart-changes',
        title: t('insights.chart_changes'),
        x,
        series: [
          { label: t('insights.col_deactivations'), values: b.map((d) => d.deactivations.total) },
          { label: t('insights.col_reinstatements'), values: b.map((d) => d.reinstatements.total) },
        ],
      },
      {
        id: 'chart-durations',
        title: t('insights.chart_durations'),
        x,
        series: [
          { label: t('insights.series_ttr_p50'), values: b.map((d) => hours(d.time_to_reinstatement.p50_seconds)) },
          { label: t('insights.series_ttr_p90'), values: b.map((d) => hours(d.time_to_reinstatement.p90_seconds)) },
          { label: t('insights.series_ttd_p50'), values: b.map((d) => hours(d.time_to_decision.p50_seconds)) },
        ],
      },
      {
        id: 'chart-warnings',
        title: t('insights.chart_warnings'),
        x,
        series: [
          { label: t('insights.col_unapproved'), values: b.map((d) => d.warnings.reinstatement_without_approval) },
          { label: t('insights.col_fraud_window'), values: b.map((d) => d.warnings.reactivation_after_fraud) },
          { label: t('insights.col_repeated_cycles'), values: b.map((d) => d.warnings.repeated_cycles) },
        ],
      },
    ];
  }, [insights, t]);
  return (
    <div data-testid="insights-charts">
      {charts.map((c) => (
        <Chart key={c.id} testId={c.id} title={c.title} x={c.x} series={c.series} />
      ))}
    </div>
  );
}
