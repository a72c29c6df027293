import { pal } from '../lib/colors';
import { Tag } from '@zendeskgarden/react-tags';
import { useI18n } from '../lib/i18n';
import { exactTime, relativeTime } from '../lib/timeline';
import type { AccountStatus, CurrentStanding, StandingEvent } from '@standing/contracts';
import styled from 'styled-components';

const HUE: Record<AccountStatus, string> = {
  active: 'green',
  suspended: 'yellow',
  deactivated: 'red',
  closed: 'grey',
  deleted: 'grey',
};

const Row = styled.div`
  display: flex;
  flex-wrap: wrap;
  align-items: baseline;
  gap: 4px 8px;
  margin-bottom: 6px;
  font-size: 12px;
  line-height: 16px;
`;
const Who = styled.span`
  min-width: 52px;
  font-weight: 600;
`;
const Why = styled.span`
  flex-basis: 100%;
  color: ${(p) => pal(p.theme, 'grey', 700)};
  overflow-wrap: anywhere;
`;

/** One subject's current standing: badge, since when, and why (the reason of the change that set it). */
export function StandingBadge({
  label,
  current,
  events,
  testId,
}: {
  label: string;
  current: CurrentStanding;
  events: StandingEvent[];
  testId: string;
}) {
  const { t, locale } = useI18n();
  if (!current) {
    return (
      <Row data-testid={testId}>
        <Who>{label}</Who>
        <Tag size="small" hue="grey">
          {t('sidebar.no_status')}
        </Tag>
      </Row>
    );
  }
  const cause =
    events.find((e) => e.status.after === current.status && e.occurred_at === current.since) ??
    events.find((e) => e.status.after === current.status);
  const why = cause?.reason
    ? [cause.reason.code.replace(/_/g, ' '), cause.reason.text].filter(Boolean).join(': ')
    : null;
  return (
    <Row data-testid={testId} data-status={current.status}>
      <Who>{label}</Who>
      <Tag size="small" hue={HUE[current.status]} isPill>
        {t(`status.${current.status}`)}
      </Tag>
      <time dateTime={current.since} title={exactTime(current.since, locale)}>
        {t('sidebar.since', { when: relativeTime(t, current.since) })}
      </time>
      {why && current.status !== 'active' ? <Why>{why}</Why> : null}
    </Row>
  );
}
