/**
 * nav_bar (Zendesk admins): Garden tabs, each tab's content in its own file (mapping, quarantine,
 * reconciliation, warning thresholds, alerts, API keys, insights); a new tab is one entry of TABS and one file.
 */
import { lazy, Suspense, useMemo, useState, type ReactNode } from 'react';
import { Dots } from '@zendeskgarden/react-loaders';
import styled from 'styled-components';
import { Tabs } from '@zendeskgarden/react-tabs';
import { useClient } from '../hooks/useClient';
import { settingsOf, type ConnectorSettings } from '../lib/api';
import { useI18n } from '../lib/i18n';
import type { ZafClient } from '../lib/zaf-client';
import { MappingTab } from './MappingTab';
import { QuarantineTab } from './QuarantineTab';
import { WarningSettingsTab } from './WarningSettingsTab';
import { ReconciliationTab } from './ReconciliationTab';
import { KeysTab } from './KeysTab';
import { AlertsTab } from './AlertsTab';

// Its own chunk, with the chart library: loaded when the tab is opened, never by the sidebar.
const InsightsTab = lazy(() => import('./InsightsTab').then((m) => ({ default: m.InsightsTab })));

const Page = styled.main`
  padding: 16px 24px;
  max-width: 1100px;
`;

type TabProps = { client: ZafClient; s: ConnectorSettings };
const TABS: { id: string; label: string; render: (p: TabProps) => ReactNode }[] = [
  { id: 'mapping', label: 'admin.tab_mapping', render: (p) => <MappingTab {...p} /> },
  { id: 'quarantine', label: 'admin.tab_quarantine', render: (p) => <QuarantineTab {...p} /> },
  { id: 'reconciliation', label: 'admin.tab_reconciliation', render: (p) => <ReconciliationTab {...p} /> },
  { id: 'warnings', label: 'admin.tab_warnings', render: (p) => <WarningSettingsTab {...p} /> },
  { id: 'alerts', label: 'alerts.tab', render: (p) => <AlertsTab {...p} /> },
  { id: 'keys', label: 'admin.tab_keys', render: (p) => <KeysTab {...p} /> },
  { id: 'insights', label: 'insights.tab', render: (p) => <InsightsPanel {...p} /> },
];

function InsightsPanel(p: TabProps) {
  const { t } = useI18n();
  return (
    <Suspense fallback={<Dots aria-label={t('insights.loading')} />}>
      <InsightsTab {...p} />
    </Suspense>
  );
}

export function NavBar() {
  const { client, metadata, currentUser } = useClient();
  const { t } = useI18n();
  const s = useMemo(() => settingsOf(metadata.settings, currentUser.id), [metadata, currentUser]);
  const [tab, setTab] = useState<string>('mapping');
  return (
    <Page data-testid="navbar">
      <h1 style={{ fontSize: 18, margin: 0 }}>{t('admin.title')}</h1>
      <Tabs selectedItem={tab} onChange={(item: string) => setTab(item)}>
        <Tabs.TabList aria-label={t('admin.title')}>
          {TABS.map((x) => (
            <Tabs.Tab key={x.id} item={x.id} data-testid={`tab-${x.id}`}>
              {t(x.label)}
            </Tabs.Tab>
          ))}
        </Tabs.TabList>
        {TABS.map((x) => (
          <Tabs.TabPanel key={x.id} item={x.id}>
            {tab === x.id ? x.render({ client, s }) : null}
          </Tabs.TabPanel>
        ))}
      </Tabs>
    </Page>
  );
}
