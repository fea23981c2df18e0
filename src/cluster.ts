import cluster, { type Worker } from 'node:cluster';
import type { Logger } from './logger.js';

/** A worker that dies sooner than this after starting counts as a failed start. */
const HEALTHY_AFTER_MS = 10_000;
/** Failed starts in a row before giving up: something is wrong with the settings or the database. */
const MAX_FAILED_STARTS = 5;

/**
 * Runs `count` worker processes of this same command, which share the HTTP port (Node's cluster
 * module hands each new connection to the next worker), and keeps them running: a worker that
 * dies is replaced, unless workers keep dying right after starting. Only the first worker runs the
 * scheduler; the others get SCHEDULER=off, since one scheduler is enough and each job is safe to
 * run twice anyway. SIGINT and SIGTERM stop the workers gracefully, then this process.
 *
 * Resolves when every worker has stopped after a signal; rejects when workers keep failing to start.
 */
export function runWorkers(options: { count: number; logger: Logger; scheduler: boolean }): Promise<void> {
  const { count, logger } = options;
  let stopping = false;
  let failedStarts = 0;
  const roles = new Map<Worker, { index: number; startedAt: number }>();

  return new Promise((resolve, reject) => {
    const fork = (index: number) => {
      const worker = cluster.fork({
        ...(index === 0 || !options.scheduler ? {} : { SCHEDULER: 'off' }),
      });
      roles.set(worker, { index, startedAt: Date.now() });
    };

    cluster.on('exit', (worker, code, signal) => {
      const role = roles.get(worker);
      roles.delete(worker);
      if (stopping) {
        if (roles.size === 0) {
          logger.info('all workers stopped');
          resolve();
        }
        return;
      }
      if (!role) return;
      const ranFor = Date.now() - role.startedAt;
      failedStarts = ranFor < HEALTHY_AFTER_MS ? failedStarts + 1 : 0;
      if (failedStarts >= MAX_FAILED_STARTS) {
        stopping = true;
        for (const other of roles.keys()) other.kill('SIGTERM');
        reject(
          new Error(
            `workers keep stopping right after they start (${failedStarts} in a row, the last with ${signal ?? `exit code ${code}`}); see their log lines above`,
          ),
        );
        return;
      }
      logger.warn(
        { worker: role.index, code, signal, ranForMs: ranFor },
        'a worker stopped; starting another',
      );
      setTimeout(() => fork(role.index), Math.min(1000 * failedStarts, 5000));
    });

    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        logger.info({ signal }, 'stopping the workers');
        stopping = true;
        if (roles.size === 0) resolve();
        for (const worker of roles.keys()) worker.kill('SIGTERM');
      });
    }

    logger.info({ workers: count }, 'starting workers');
    for (let index = 0; index < count; index++) fork(index);
  });
}
