import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { DatabaseHandle } from '../db/client.js';
import type { JobReport } from '../jobs/jobs.js';
import { onRateLimited } from './signals.js';

/** Where a send ended: delivered, refused for too many requests (after the client's own retries), or failed. */
export type SendOutcome = 'ok' | 'rate_limited' | 'error';

/**
 * The service's Prometheus metrics, in a registry of its own (not prom-client's global one), so two
 * services in one process, as in the tests, each count their own and never register a name twice.
 *
 * @example
 * const metrics = createServiceMetrics({ database });
 * metrics.answerRecorded('slack', 'daily');
 * const text = await metrics.registry.metrics();
 */
export function createServiceMetrics(options: { database: DatabaseHandle; sendQueueDepth?: () => number }) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const httpDuration = new Histogram({
    name: 'aifquiz_http_request_duration_seconds',
    help: 'HTTP requests by route, method and status, with how long each took to answer (its _count is the request count).',
    labelNames: ['route', 'method', 'status'] as const,
    // Slack wants an answer within 3 s: the buckets are dense below that.
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10],
    registers: [registry],
  });
  const answers = new Counter({
    name: 'aifquiz_answers_recorded_total',
    help: 'Answers stored, by platform and kind (daily: a scored answer to an open question of the day; practice: a practice or reminder answer, or a late answer to a question of the day, which is kept as practice).',
    labelNames: ['platform', 'kind'] as const,
    registers: [registry],
  });
  const jobRuns = new Counter({
    name: 'aifquiz_job_runs_total',
    help: 'Scheduled job runs by job and outcome (ok; failed: some of its work failed and a later tick retries it; crashed: the run itself threw).',
    labelNames: ['job', 'outcome'] as const,
    registers: [registry],
  });
  const jobDuration = new Histogram({
    name: 'aifquiz_job_run_duration_seconds',
    help: 'How long each scheduled job run took, sends included.',
    labelNames: ['job'] as const,
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 30, 60, 300],
    registers: [registry],
  });
  const jobWork = new Counter({
    name: 'aifquiz_job_work_total',
    help: 'What scheduled jobs did, item by item (posted, revealed, sent, pruned, skipped, failed).',
    labelNames: ['job', 'outcome'] as const,
    registers: [registry],
  });
  const sends = new Counter({
    name: 'aifquiz_sends_total',
    help: 'Messages sent to a chat platform (posts, updates, reveals, digests and their charts, reminders, private replies) by platform, operation and outcome.',
    labelNames: ['platform', 'operation', 'outcome'] as const,
    registers: [registry],
  });
  const rateLimited = new Counter({
    name: 'aifquiz_platform_rate_limited_total',
    help: "429 answers received from a chat platform, each waited out and retried by the platform's client (a send that still fails counts as outcome rate_limited in aifquiz_sends_total).",
    labelNames: ['platform'] as const,
    registers: [registry],
  });
  for (const platform of ['slack', 'teams']) rateLimited.inc({ platform }, 0);
  const stopRateLimited = onRateLimited(({ platform }) => rateLimited.inc({ platform }));

  new Gauge({
    name: 'aifquiz_send_queue_depth',
    help: 'Scheduled sends waiting for their turn or under way in the paced send queue.',
    registers: [registry],
    collect() {
      this.set(options.sendQueueDepth?.() ?? 0);
    },
  });
  const { database } = options;
  new Gauge({
    name: 'aifquiz_db_pool_connections',
    help: 'Database connections by state: total open, idle, and requests waiting for one. The embedded database has one connection, always open.',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const pool = database.poolStats();
      this.set({ state: 'total' }, pool.total);
      this.set({ state: 'idle' }, pool.idle);
      this.set({ state: 'waiting' }, pool.waiting);
    },
  });
  new Gauge({
    name: 'aifquiz_db_pool_max',
    help: 'Most connections the pool opens (DATABASE_POOL_SIZE; 1 for the embedded database).',
    registers: [registry],
    collect() {
      this.set(database.poolStats().max);
    },
  });
  if (database.kind === 'pglite')
    new Gauge({
      name: 'aifquiz_pglite_memory_bytes',
      help: 'Memory of the embedded database (its WebAssembly heap, which grows and never shrinks).',
      registers: [registry],
      collect() {
        this.set(database.poolStats().memoryBytes ?? 0);
      },
    });

  return {
    registry,
    /** Content type of the exposition format, for the /metrics answer. */
    contentType: registry.contentType,
    observeRequest(labels: { route: string; method: string; status: number }, seconds: number): void {
      httpDuration.observe({ ...labels, status: String(labels.status) }, seconds);
    },
    answerRecorded(platform: string, kind: 'daily' | 'practice'): void {
      answers.inc({ platform, kind });
    },
    jobRan(job: string, report: JobReport | undefined, seconds: number): void {
      const outcome = !report
        ? 'crashed'
        : report.outcomes.some((o) => o.outcome === 'failed')
          ? 'failed'
          : 'ok';
      jobRuns.inc({ job, outcome });
      jobDuration.observe({ job }, seconds);
      for (const item of report?.outcomes ?? []) jobWork.inc({ job, outcome: item.outcome });
    },
    sent(platform: string, operation: string, outcome: SendOutcome): void {
      sends.inc({ platform, operation, outcome });
    },
    /** Stops listening for process-wide signals; the registry stays readable. */
    close(): void {
      stopRateLimited();
    },
  };
}

export type ServiceMetrics = ReturnType<typeof createServiceMetrics>;
