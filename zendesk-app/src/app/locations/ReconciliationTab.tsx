/** The tenant's reconciliation and backfill runs (admin page): when, how far, what was found. */
import { useCallback, useEffect, useState } from 'react';
import { Dots } from '@zendeskgarden/react-loaders';
import { Table } from '@zendeskgarden/react-tables';
import { api, ApiError, type ConnectorSettings } from '../lib/api';
import { useI18n } from '../lib/i18n';
import type { ReconciliationRun } from '@standing/contracts';
import type { ZafClient } from '../lib/zaf-client';
import { ErrorState } from './admin-parts';

export function ReconciliationTab({ client, s }: { client: ZafClient; s: ConnectorSettings }) {
  const { t, locale } = useI18n();
  const [runs, setRuns] = useState<ReconciliationRun[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const reload = useCallback(() => {
    setError(null);
    api.reconciliation(client, s).then(
      (r) => setRuns(r.runs),
      (e: ApiError) => setError(e),
    );
  }, [client, s]);
  useEffect(reload, [reload]);
  if (error) return <ErrorState error={error} retry={reload} />;
  if (!runs) return <Dots aria-label="loading" />;
  if (runs.length === 0) return <p data-testid="reconciliation-empty">{t('admin.reconciliation_empty')}</p>;
  return (
    <Table size="small" aria-label={t('admin.tab_reconciliation')} data-testid="reconciliation-table">
      <Table.Head>
        <Table.HeaderRow>
          <Table.HeaderCell>{t('admin.col_run_started')}</Table.HeaderCell>
          <Table.HeaderCell>{t('admin.col_run_source')}</Table.HeaderCell>
          <Table.HeaderCell>{t('admin.col_run_state')}</Table.HeaderCell>
          <Table.HeaderCell>{t('admin.col_run_counts')}</Table.HeaderCell>
        </Table.HeaderRow>
      </Table.Head>
      <Table.Body>
        {runs.map((r) => (
          <Table.Row key={r.id} data-testid="reconciliation-run">
            <Table.Cell title={r.ended_at ? new Date(r.ended_at).toLocaleString(locale) : undefined}>
              {new Date(r.started_at).toLocaleString(locale)}
            </Table.Cell>
            <Table.Cell>
              {r.source}
              {r.trigger === 'backfill' ? ` (${t('admin.run_backfill')})` : ''}
            </Table.Cell>
            <Table.Cell>
              {t(`admin.run_state_${r.state}`)}
              {r.errors.length > 0 ? (
                <div data-testid="reconciliation-errors">
                  {r.errors.map((e) => `${e.stream}: ${e.message}`).join('; ')}
                </div>
              ) : null}
            </Table.Cell>
            <Table.Cell>
              {t('admin.run_counts', { records: r.records_read, drift: r.drift_found, appended: r.events_appended })}
            </Table.Cell>
          </Table.Row>
        ))}
      </Table.Body>
    </Table>
  );
}
