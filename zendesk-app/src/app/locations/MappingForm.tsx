/**
 * The mapping document as a form: for each custom field of users and organizations, which value
 * means which status (a select of the known statuses) and with which reason code; and what a
 * deleted user becomes. Edits the document in place: every part the form does not show is kept.
 */
import { useState } from 'react';
import styled from 'styled-components';
import { Button } from '@zendeskgarden/react-buttons';
import { Field, Input, Select } from '@zendeskgarden/react-forms';
import { Table } from '@zendeskgarden/react-tables';
import { useI18n } from '../lib/i18n';

const STATUSES = ['active', 'suspended', 'deactivated', 'closed', 'deleted'] as const;
type Target = string | { status: string; reason_code?: string };
type FieldMap = { field?: { key?: string; id?: string | number; title?: string }; values?: Record<string, Target> };
type Doc = Record<string, unknown> & {
  user?: { fields?: FieldMap[]; active_changed?: { deactivated_status?: string } };
  organization?: { fields?: FieldMap[] };
};

const Section = styled.section`
  margin: 12px 0 20px;
`;

const statusOf = (t: Target) => (typeof t === 'string' ? t : t.status);
const reasonOf = (t: Target) => (typeof t === 'string' ? '' : (t.reason_code ?? ''));
const target = (status: string, reason: string): Target => (reason ? { status, reason_code: reason } : status);

function ValuesTable(p: { map: FieldMap; onChange: (values: Record<string, Target>) => void; testId: string }) {
  const { t } = useI18n();
  const [added, setAdded] = useState('');
  const values = p.map.values ?? {};
  const put = (value: string, next: Target | null) => {
    const copy = { ...values };
    if (next === null) delete copy[value];
    else copy[value] = next;
    p.onChange(copy);
  };
  return (
    <Table size="small" data-testid={p.testId}>
      <Table.Head>
        <Table.HeaderRow>
          <Table.HeaderCell>{t('admin.m_value')}</Table.HeaderCell>
          <Table.HeaderCell>{t('admin.m_status')}</Table.HeaderCell>
          <Table.HeaderCell>{t('admin.m_reason_code')}</Table.HeaderCell>
          <Table.HeaderCell>{t('admin.col_actions')}</Table.HeaderCell>
        </Table.HeaderRow>
      </Table.Head>
      <Table.Body>
        {Object.entries(values).map(([value, to]) => (
          <Table.Row key={value} data-testid="m-row" data-value={value}>
            <Table.Cell>
              <code>{value}</code>
            </Table.Cell>
            <Table.Cell>
              <Select
                isCompact
                aria-label={t('admin.m_status_of', { value })}
                value={statusOf(to)}
                onChange={(e) => put(value, target(e.target.value, reasonOf(to)))}
              >
                {STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {t(`status.${s}`)}
                  </option>
                ))}
              </Select>
            </Table.Cell>
            <Table.Cell>
              <Input
                isCompact
                aria-label={t('admin.m_reason_of', { value })}
                value={reasonOf(to)}
                onChange={(e) => put(value, target(statusOf(to), e.target.value.trim()))}
              />
            </Table.Cell>
            <Table.Cell>
              <Button size="small" isBasic isDanger onClick={() => put(value, null)}>
                {t('admin.m_remove')}
              </Button>
            </Table.Cell>
          </Table.Row>
        ))}
        <Table.Row>
          <Table.Cell colSpan={3}>
            <Input
              isCompact
              aria-label={t('admin.m_new_value')}
              placeholder={t('admin.m_new_value')}
              value={added}
              onChange={(e) => setAdded(e.target.value)}
              data-testid="m-new-value"
            />
          </Table.Cell>
          <Table.Cell>
            <Button
              size="small"
              disabled={!added.trim() || added.trim() in values}
              onClick={() => {
                put(added.trim(), 'suspended');
                setAdded('');
              }}
              data-testid="m-add"
            >
              {t('admin.m_add')}
            </Button>
          </Table.Cell>
        </Table.Row>
      </Table.Body>
    </Table>
  );
}

export function MappingForm({ doc, onChange }: { doc: Doc; onChange: (d: Doc) => void }) {
  const { t } = useI18n();
  const setFields = (section: 'user' | 'organization', i: number, values: Record<string, Target>) => {
    const fields = [...(doc[section]?.fields ?? [])];
    fields[i] = { ...fields[i], values };
    onChange({ ...doc, [section]: { ...doc[section], fields } });
  };
  const deleted = doc.user?.active_changed?.deactivated_status;
  return (
    <div data-testid="mapping-form">
      {(['user', 'organization'] as const).map((section) =>
        (doc[section]?.fields ?? []).map((m, i) => (
          <Section key={`${section}-${i}`}>
            <h2 style={{ fontSize: 14 }}>
              {t(`admin.m_section_${section}`, {
                field: m.field?.title ?? String(m.field?.key ?? m.field?.id ?? ''),
              })}
            </h2>
            <ValuesTable map={m} onChange={(v) => setFields(section, i, v)} testId={`m-${section}-${i}`} />
          </Section>
        )),
      )}
      {deleted !== undefined ? (
        <Field>
          <Field.Label>{t('admin.m_deleted_user')}</Field.Label>
          <Select
            isCompact
            value={deleted}
            onChange={(e) =>
              onChange({
                ...doc,
                user: {
                  ...doc.user,
                  active_changed: { ...doc.user?.active_changed, deactivated_status: e.target.value },
                },
              })
            }
          >
            {STATUSES.filter((s) => s !== 'active').map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </Select>
        </Field>
      ) : null}
    </div>
  );
}
