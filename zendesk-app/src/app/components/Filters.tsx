/** The timeline's filters on one row, whatever the language: two labelled compact selects. */
import styled from 'styled-components';
import { Field, Select } from '@zendeskgarden/react-forms';
import { useI18n } from '../lib/i18n';

export type KindFilter = 'all' | 'deactivations' | 'reinstatements';
export type AboutFilter = 'all' | 'person' | 'account';

const Row = styled.div`
  display: flex;
  gap: 8px;
  margin: 8px 0;
  & > * {
    flex: 1 1 0;
    min-width: 0;
  }
`;

export function Filters(props: {
  kind: KindFilter;
  about: AboutFilter;
  /** "About" only when the ticket's requester has an organization: otherwise there is nothing to choose. */
  showAbout: boolean;
  onKind: (k: KindFilter) => void;
  onAbout: (a: AboutFilter) => void;
}) {
  const { t } = useI18n();
  return (
    <Row role="group" aria-label={t('sidebar.filters')}>
      <Field>
        <Field.Label>{t('sidebar.filter_kind')}</Field.Label>
        <Select
          isCompact
          value={props.kind}
          onChange={(e) => props.onKind(e.target.value as KindFilter)}
          data-testid="filter-kind"
        >
          <option value="all">{t('sidebar.kind_all')}</option>
          <option value="deactivations">{t('sidebar.kind_deactivations')}</option>
          <option value="reinstatements">{t('sidebar.kind_reinstatements')}</option>
        </Select>
      </Field>
      {props.showAbout ? (
        <Field>
          <Field.Label>{t('sidebar.filter_about')}</Field.Label>
          <Select
            isCompact
            value={props.about}
            onChange={(e) => props.onAbout(e.target.value as AboutFilter)}
            data-testid="filter-about"
          >
            <option value="all">{t('sidebar.about_all')}</option>
            <option value="person">{t('sidebar.about_person')}</option>
            <option value="account">{t('sidebar.about_account')}</option>
          </Select>
        </Field>
      ) : null}
    </Row>
  );
}
