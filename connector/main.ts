/**
 * Process entry point (`npm start`, `standing serve`). Exit codes: 0 after a clean shutdown,
 * 2 for a configuration error (nothing was started), 1 when starting or stopping failed.
 */
import { formatConfigProblems, parseConfig } from './config/config.ts';
import { createLogger } from './http/logging.ts';
import type { SecretOrigin } from './config/secrets.ts';
import { StartupError } from './app/service.ts';
import { startStanding } from './app/standing.ts';

const parsed = parseConfig();
if (!parsed.ok) {
  process.stderr.write(`standing: configuration error\n${formatConfigProblems(parsed.problems)}\n`);
  process.exit(2);
}
const config = parsed.config;
const logger = createLogger(config.logLevel);

const describeSource = (what: string, source: SecretOrigin) =>
  source.from === 'environment'
    ? `${what} from the environment`
    : `${what} ${source.created ? 'generated into' : 'read from'} ${source.path}`;

try {
  const handle = await startStanding(config, { logger });
  const { sources } = handle.resources.secrets;
  logger.info(
    {
      database: config.database.url ? 'postgres' : `embedded (${config.database.embeddedDataDir})`,
      schema: config.database.schema,
    },
    `${describeSource('operator token', sources.operatorToken)}; ${describeSource('master key', sources.masterKey)}`,
  );
  if (sources.masterKey.from === 'file' && sources.masterKey.created) {
    logger.warn(
      `new master key in ${sources.masterKey.path}: back it up; sealed customer data cannot be read without it`,
    );
  }
  if (process.env.STANDING_ADMIN_TOKEN?.trim())
    logger.warn('STANDING_ADMIN_TOKEN is the former name of STANDING_OPERATOR_TOKEN: rename it (it is still read)');
  logger.info(`listening on ${handle.url}`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    logger.info(`${signal}: shutting down (grace ${config.shutdownGraceMs} ms)`);
    handle.close().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} catch (err) {
  if (err instanceof StartupError) {
    process.stderr.write(`standing: configuration error\n${err.message}\n`);
    process.exit(2);
  }
  logger.fatal({ err }, 'startup failed');
  process.exit(1);
}
