/**
 * The insights tab of the admin page (docs/insights.md): deactivations and reinstatements per bucket,
 * time to reinstatement and to decision, and the warnings' counts, as charts, as a table and as a
 * CSV download. Counts only: the customers behind a count are for an auditor key (the API's drill-down).
 * NavBar loads this module lazily, with its chart library, when the tab is first opened.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import styled from 'styled-components';
import { Button } from '@zendeskgarden/react-buttons';
import { Dots } from '@zendeskgarden/react-loaders';
import { Table } from '@zendeskgarden/react-tables';
import type { ChangeCounts, Insights } from '@standing/contracts';
import { Segmented } from '../components/Segmented';
import { StateMessage } from '../components/StateMessage';
import { api, ApiError, type ConnectorSettings, type InsightsParams } from '../lib/api';
import { useI18n } from '../lib/i18n';
import { INSIGHT_COLUMNS, insightRows, insightsCsv } from '../lib/insights-csv';
import type { ZafClient } from '../lib/zaf-client';
import { ErrorState } from './admin-parts';
import { InsightsCharts } from './InsightsCharts';

type Range = '30' | '90' | '365';
type Bucket = InsightsParams['bucket'];
type Source = 'all' | 'zendesk' | 'salesforce';

const Controls = styled.div`
  display: flex;
  flex-wrap: wrap;
  gap: 16px;
  margin-bottom: 12px;
`;
const Breakdowns = styled.div`
  display: grid;
  grid-template-columns: repeat(auto-fit, minmax(240px, 1fr));
  gap: 16px;
  margin: 16px 0;
`;
const Scroll = styled.div`
  overflow-x: auto;
`;

const DAY_MS = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The last `days` UTC days, today included. */
export function rangeOf(days: number, now = Date.now()): { from: string; to: string } {
  return { from: isoDay(now - (days - 1) * DAY_MS), to: isoDay(now) };
}

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  URL.revokeObjectURL(url);
}

function Breakdown({ title, counts, testId }: { title: string; counts: ChangeCounts; testId: string }) {
  const { t } = useI18n();
  const rows = [
    ...counts.by_reason.map((r) => [t('insights.by_reason'), r.reason_code ?? t('insights.no_reason'), r.events]),
    ...counts.by_initiation.map((r) => [
      t('insights.by_initiation'),
      r.initiation === 'automatic' && r.by_reason.length > 0
        ? `${t(`insights.initiation_${r.initiation}`)} (${r.by_reason.map((x) => x.reason_code ?? '–').join(', ')})`
        : t(`insights.initiation_${r.initiation}`),
      r.events,
    ]),
    ...counts.by_source.map((r) => [t('insights.by_source'), r.source, r.events]),
  ] as const;
  return (
    <Table size="small" aria-label={title} data-testid={testId}>
      <Table.Head>
        <Table.HeaderRow>
          <Table.HeaderCell colSpan={2}>{title}</Table.HeaderCell>
          <Table.HeaderCell>{counts.total}</Table.HeaderCell>
        </Table.HeaderRow>
      </Table.Head>
      <Table.Body>
        {rows.map(([group, label, n]) => (
          <Table.Row key={`${group}:${label}`}>
            <Table.Cell>{group}</Table.Cell>
            <Table.Cell>{label}</Table.Cell>
            <Table.Cell>{n}</Table.Cell>
          </Table.Row>
        ))}
      </Table.Body>
    </Table>
  );
}

function FiguresTable({ insights }: { insights: Insights }) {
  const { t } = useI18n();
  const rows = insightRows(insights, t('insights.total'));
  return (
    <Scroll>
      <Table size="small" aria-label={t('insights.table')} data-testid="insights-table">
        <Table.Head>
          <Table.HeaderRow>
            {INSIGHT_COLUMNS.map((c) => (
              <Table.HeaderCell key={c}>{t(`insights.col_${c}`)}</Table.HeaderCell>
            ))}
          </Table.HeaderRow>
        </Table.Head>
        <Table.Body>
          {rows.map((r) => (
            <Table.Row key={String(r.bucket)} data-testid="insights-row">
              {INSIGHT_COLUMNS.map((c) => (
                <Table.Cell key={c}>{r[c] ?? '–'}</Table.Cell>
              ))}
            </Table.Row>
          ))}
        </Table.Body>
      </Table>
    </Scroll>
  );
}

export function InsightsTab({ client, s }: { client: ZafClient; s: ConnectorSettings }) {
  const { t } = useI18n();
  const [range, setRange] = useState<Range>('90');
  const [bucket, setBucket] = useState<Bucket>('week');
  const [source, setSource] = useState<Source>('all');
  const [insights, setInsights] = useState<Insights | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const params = useMemo(
    (): InsightsParams => ({
      ...rangeOf(Number(range)),
      bucket,
      ...(source === 'all' ? {} : { source }),
    }),
    [range, bucket, source],
  );
  const reload = useCallback(() => {
    setError(null);
    setInsights(null);
    api.insights(client, s, params).then(setInsights, (e: ApiError) => setError(e));
  }, [client, s, params]);
  useEffect(reload, [reload]);

  const controls = (
    <Controls>
      <Segmented<Range>
        label={t('insights.range')}
        value={range}
        options={(['30', '90', '365'] as const).map((v) => ({ value: v, label: t(`insights.range_${v}`) }))}
        onChange={setRange}
        testId="insights-range"
      />
      <Segmented<Bucket>
        label={t('insights.bucket')}
        value={params.bucket}
        options={(['day', 'week', 'month'] as const).map((v) => ({ value: v, label: t(`insights.bucket_${v}`) }))}
        onChange={setBucket}
        testId="insights-bucket"
      />
      <Segmented<Source>
        label={t('insights.source')}
        value={source}
        options={(['all', 'zendesk', 'salesforce'] as const).map((v) => ({
          value: v,
          label: t(`insights.source_${v}`),
        }))}
        onChange={setSource}
        testId="insights-source"
      />
    </Controls>
  );
  if (error) return <ErrorState error={error} retry={reload} />;
  if (!insights)
    return (
      <section>
        {controls}
        <Dots aria-label={t('insights.loading')} data-testid="insights-loading" />
      </section>
    );
  const tot = insights.totals;
  const empty = tot.deactivations.total === 0 && tot.reinstatements.total === 0 && tot.time_to_decision.count === 0;
  return (
    <section data-testid="insights" data-range={`${insights.from}/${insights.to}`}>
      <p style={{ marginTop: 0 }}>{t('insights.hint', { from: insights.from, to: insights.to })}</p>
      {controls}
      {empty ? (
        <StateMessage
          type="info"
          testId="insights-empty"
          title={t('insights.empty_title')}
          text={t('insights.empty')}
        />
      ) : (
        <>
          <InsightsCharts insights={insights} />
          <Breakdowns>
            <Breakdown title={t('insights.col_deactivations')} counts={tot.deactivations} testId="insights-deact" />
            <Breakdown title={t('insights.col_reinstatements')} counts={tot.reinstatements} testId="insights-reinst" />
          </Breakdowns>
          <FiguresTable insights={insights} />
          <Button
            size="small"
            style={{ marginTop: 12 }}
            data-testid="insights-csv"
            onClick={() => download(`standing-insights-${insights.from}-${insights.to}.csv`, insightsCsv(insights, t))}
          >
            {t('insights.download_csv')}
          </Button>
          <p style={{ fontSize: 12 }}>{t('insights.drilldown_hint')}</p>
        </>
      )}
    </section>
  );
}
