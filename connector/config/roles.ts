/**
 * Process roles (`STANDING_ROLE`): what one process of a deployment does. Every role listens on
 * `PORT` for `/healthz`, `/readyz` and `/metrics`; only `api` and `all` serve the webhooks, the
 * history API and the admin API.
 */
export const PROCESS_ROLES = ['all', 'api', 'worker', 'scheduler'] as const;
export type ProcessRole = (typeof PROCESS_ROLES)[number];

export interface RoleDuties {
  /** Webhooks, the history API, the admin API, bull-board. */
  httpApi: boolean;
  /** The intake queue's normalize-and-store worker. */
  worker: boolean;
  /** Periodic work: the intake sweeper (re-enqueues lost events, purges settled payloads). */
  scheduler: boolean;
}

const DUTIES: Readonly<Record<ProcessRole, RoleDuties>> = {
  all: { httpApi: true, worker: true, scheduler: true },
  api: { httpApi: true, worker: false, scheduler: false },
  worker: { httpApi: false, worker: true, scheduler: false },
  scheduler: { httpApi: false, worker: false, scheduler: true },
};

export function roleDuties(role: ProcessRole): RoleDuties {
  return DUTIES[role];
}
