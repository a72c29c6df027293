import { pal } from '../lib/colors';
import { Tag } from '@zendeskgarden/react-tags';
import { useI18n } from '../lib/i18n';
import { codeText, exactTime, shortDate, who } from '../lib/timeline';
import type { AccountStatus, CurrentStanding, StandingEvent } from '@standing/contracts';
import styled from 'styled-components';
import { useCurrentName } from './WhoLine';

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

type Approval = NonNullable<StandingEvent['approvals']>[number];

/** The approval recorded as a step of this reinstatement (the same ticket, before it), with its step. */
function approvalStep(events: StandingEvent[], r: StandingEvent) {
  const tickets = new Set(r.related_ticket_ids);
  const step = events
    .filter((e) => e.kind === 'reinstatement_approved' && e.occurred_at <= r.occurred_at)
    .find((e) => e.related_ticket_ids.some((id) => tickets.has(id)));
  const approval = step?.approvals?.find((a) => a.decision === 'approved');
  return step && approval ? { approval, step } : undefined;
}

/** The approver, named by the step's attribution record when the step named them only by id. */
function approverOf(found: { approval: Approval; step: StandingEvent }): Approval['by'] {
  const by = found.approval.by;
  const attributed = found.step.attribution?.actor;
  return !by.name && by.id !== undefined && attributed?.id === by.id && attributed.name
    ? { ...by, name: attributed.name }
    : by;
}

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
    ? [codeText(t, 'reason', cause.reason.code), cause.reason.text].filter(Boolean).join(': ')
    : null;
  // By whom: the approver of a reinstatement, else whoever made the change (unknown said as such).
  const own = cause?.approvals?.find((a) => a.decision === 'approved');
  const found =
    cause && own
      ? { approval: own, step: cause }
      : cause?.kind === 'reinstatement'
        ? approvalStep(events, cause)
        : undefined;
  const approver = found ? approverOf(found) : undefined;
  // Who made the change: the event's own actor, or the one a source named later (its attribution record).
  const actor =
    cause?.attribution && cause.attribution.actor.type !== 'unknown' && !cause.actor.name
      ? cause.attribution.actor
      : cause?.actor;
  const by = cause
    ? cause.erased
      ? t('entry.erased')
      : approver
        ? { key: 'sidebar.approved_by', person: approver }
        : !actor || actor.type === 'unknown'
          ? t('sidebar.by_unknown')
          : { key: 'sidebar.changed_by', person: actor }
    : null;
  return (
    <Row data-testid={testId} data-status={current.status}>
      <Who>{label}</Who>
      <Tag size="small" hue={HUE[current.status]} isPill>
        {t(`status.${current.status}`)}
      </Tag>
      <time dateTime={current.since} title={exactTime(current.since, locale)}>
        {t('sidebar.since', { when: shortDate(current.since, locale) })}
      </time>
      {why ? <Why data-testid={`${testId}-why`}>{why}</Why> : null}
      {by ? (
        <Why data-testid={`${testId}-by`}>
          {typeof by === 'string' ? by : <ByWhom textKey={by.key} person={by.person} />}
        </Why>
      ) : null}
    </Row>
  );
}

type Person = { type: string; id?: string; name?: string };

/** "By <name>": a person known only by id is looked up live and labelled as the current name, never a bare number. */
function ByWhom({ textKey, person }: { textKey: string; person: Person }) {
  const { t } = useI18n();
  const idOnly = !person.name && person.id ? person.id : undefined;
  const live = useCurrentName(idOnly);
  const name = live
    ? t('attribution.current', { name: live })
    : idOnly
      ? t('attribution.user_id', { id: idOnly })
      : who(t, person);
  return <>{t(textKey, { who: name })}</>;
}
