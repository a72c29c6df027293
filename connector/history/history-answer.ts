/**
 * What the history API (`GET /api/v1/history`) and the Zendesk app's sidebar do alike once they
 * know whose history to read: read the page (a cursor that is not ours is the caller's 400) and
 * the tenant's warning thresholds, record the read in the read audit before anything is served,
 * and add the warnings, so every client of the history shows the same ones.
 */
import type { Response } from 'express';
import type { Principal } from '../access/principal.ts';
import type { AccessAudit } from '../audit/access-audit.ts';
import { answerSubjectIds, recordReadOrRefuse } from '../audit/read-audit.ts';
import type { About, History, HistoryPage, WarningSettings } from '../contracts/index.ts';
import type { IdentityKind } from '../model/standing-event.ts';
import { standingWarnings } from './standing-warnings.ts';

export interface HistoryRead {
  tenant: string;
  principal: Principal;
  /** How the read-audit row names the route, e.g. `GET /api/v1/history`, `app sidebar`. */
  path: string;
  /** The kinds of identity the history was asked by (never their values: the audit holds no personal data). */
  identityKinds: readonly IdentityKind[];
  about: 'all' | About;
  /** The caller's cursor; only whether there is one is recorded. */
  cursor: string | undefined;
  /** Reads the page: from the standing log, or another history source. */
  read: () => Promise<History>;
  /** The tenant's warning thresholds. */
  settings: () => Promise<WarningSettings>;
}

/** The page to answer with; the read is recorded (or refused with a 503) before it returns. */
export async function answerHistory(audit: AccessAudit, res: Response, ask: HistoryRead): Promise<HistoryPage> {
  const [history, settings] = await Promise.all([
    // A cursor that is not ours throws a CursorError: toHttpError answers it 400 invalid_cursor.
    ask.read(),
    ask.settings(),
  ]);
  await recordReadOrRefuse(audit, res, {
    tenant: ask.tenant,
    principal: ask.principal,
    action: 'history.read',
    path: ask.path,
    subject_ids: answerSubjectIds(history),
    detail: {
      identity_kinds: [...ask.identityKinds],
      about: ask.about,
      page: ask.cursor ? 'next' : 'first',
      events: history.events.length,
    },
  });
  return { tenant: ask.tenant, ...history, warnings: standingWarnings(history.events, settings) };
}
