/**
 * The tenant's API keys created and revoked (admin page), from the read audit's key records: who
 * was given which key, and by whom. An auditor key reads every customer's history, so a Zendesk
 * admin sees each one issued, by the operator or by the tenant's auditors.
 */
import { useCallback, useEffect, useState } from 'react';
import { Dots } from '@zendeskgarden/react-loaders';
import { Table } from '@zendeskgarden/react-tables';
import { api, ApiError, type ConnectorSettings } from '../lib/api';
import { useI18n } from '../lib/i18n';
import type { KeyRecord } from '@standing/contracts';
import type { ZafClient } from '../lib/zaf-client';
import { ErrorState } from './admin-parts';

/** `operator`, `api-key:<id> (auditor)`, `zendesk-app:user:<id>`: who did it, as recorded. */
const who = (r: KeyRecord) =>
  r.principal.type === 'api_key' && r.principal.role ? `${r.principal.label} (${r.principal.role})` : r.principal.label;

export function KeysTab({ client, s }: { client: ZafClient; s: ConnectorSettings }) {
  const { t, locale } = useI18n();
  const [records, setRecords] = useState<KeyRecord[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const reload = useCallback(() => {
    setError(null);
    api.keyRecords(client, s).then(
      (p) => setRecords([...p.entries].reverse()),
      (e: ApiError) => setError(e),
    );
  }, [client, s]);
  useEffect(reload, [reload]);
  if (error) return <ErrorState error={error} retry={reload} />;
  if (!records) return <Dots aria-label="loading" />;
  return (
    <section aria-label={t('admin.tab_keys')} data-testid="keys-tab">
      <p>{t('admin.keys_intro')}</p>
      {records.length === 0 ? (
        <p data-testid="keys-empty">{t('admin.keys_empty')}</p>
      ) : (
        <Table size="small" aria-label={t('admin.tab_keys')} data-testid="keys-table">
          <Table.Head>
            <Table.HeaderRow>
              <Table.HeaderCell>{t('admin.col_key_when')}</Table.HeaderCell>
              <Table.HeaderCell>{t('admin.col_key_action')}</Table.HeaderCell>
              <Table.HeaderCell>{t('admin.col_key')}</Table.HeaderCell>
              <Table.HeaderCell>{t('admin.col_key_by')}</Table.HeaderCell>
            </Table.HeaderRow>
          </Table.Head>
          <Table.Body>
            {records.map((r) => (
              <Table.Row key={r.seq} data-testid="key-record">
                <Table.Cell>{new Date(r.at).toLocaleString(locale)}</Table.Cell>
                <Table.Cell>{t(r.action === 'key.create' ? 'admin.key_created' : 'admin.key_revoked')}</Table.Cell>
                <Table.Cell>
                  {t('admin.key_summary', {
                    role: t(`admin.key_role_${r.detail.role}`),
                    name: r.detail.name,
                    id: r.detail.key_id,
                  })}
                </Table.Cell>
                <Table.Cell>{who(r)}</Table.Cell>
              </Table.Row>
            ))}
          </Table.Body>
        </Table>
      )}
    </section>
  );
}
