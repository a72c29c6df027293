/**
 * bull-board, the BullMQ dashboard, at /admin/queues for the operator (`ops.read`: the operator token; it can
 * retry and remove jobs). Served by the `api` and `all` roles. Jobs carry only inbox keys (tenant,
 * source, event id): no personal data is shown.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import { Router, type RequestHandler } from 'express';
import type { MountedRouter } from '../http/app.ts';

export const BULL_BOARD_PATH = '/admin/queues';

export function bullBoardRouter(queues: readonly Queue[], authenticate: RequestHandler): MountedRouter {
  const serverAdapter = new ExpressAdapter().setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: queues.map((q) => new BullMQAdapter(q)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Standing queues' } },
  });
  const router = Router();
  router.use(authenticate, serverAdapter.getRouter() as RequestHandler);
  return { path: BULL_BOARD_PATH, router };
}
