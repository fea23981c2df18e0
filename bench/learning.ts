/**
 * The learning engine at the size of a large organisation: how fast one person's next practice
 * question and readiness are worked out.
 *
 *   npm run bench:learning               10,000 people; the one measured has a year of history
 *   PEOPLE=1000 npm run bench:learning   fewer people around them
 *   REPS=300 npm run bench:learning      timed runs per read (after 20 untimed)
 *   KEEP=1 npm run bench:learning        keep the database afterwards (prints its URL), to explain plans
 *
 * On a throwaway database of the Postgres server (DATABASE_URL, or the local one): the real bank is
 * synced, every other person gets 100 cards and their reviews (set-based SQL), and the measured
 * person answers ~2,000 times over a year through `applyAnswers`, so every question of the bank has
 * their card. Prints p50/p95 per read and whether p50 stays under 10 ms, then drops the database.
 */
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { loadBank } from '../src/bank/load.js';
import { syncBank } from '../src/bank/sync.js';
import { DATABASE_DEFAULTS } from '../src/config.js';
import { openDatabase, queryRows } from '../src/db/client.js';
import { migrateDatabase } from '../src/db/migrate.js';
import { createCardsRepository, type LearningAnswer } from '../src/learning/cards.repository.js';
import { createNextQuestion } from '../src/learning/next-question.js';
import { createReviewsRepository } from '../src/learning/reviews.repository.js';
import { createStudyPosition } from '../src/learning/study-position.js';
import { seededRandom } from '../test/support/quiz.js';
import { benchDatabase, summarise } from './support.js';

const PEOPLE = Number(process.env.PEOPLE ?? 10_000);
const REPS = Number(process.env.REPS ?? 200);
const WARM_UP = 20;
const CARDS_PER_OTHER = 100;
const ANSWERS = 2_000;
const TARGET_P50_MS = 10;
const now = new Date('2026-12-04T12:00:00Z');
const DAY = 86_400_000;

async function layDownOthers(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Foreign keys hold by construction; checking millions of them would double the load time.
    await client.query('set session_replication_role = replica');
    await client.query(`
      insert into workspaces (platform, external_id, name) values ('slack', 'TLEARN', 'Learning bench');
      insert into users (workspace_id, external_id)
        select (select id from workspaces where external_id = 'TLEARN'), 'U' || n from generate_series(1, ${PEOPLE}) n;`);
    // Each other person has a window of 100 questions, shifted per person, answered once each.
    await client.query(`
      create temp table picks as
        with qs as (select id, current_version, topic, domain, row_number() over (order by id) - 1 as n,
                           count(*) over () as total from questions where active),
             us as (select id, row_number() over (order by id) as n from users where external_id <> 'U1')
        select us.id as user_id, qs.id as question_id, qs.current_version, qs.topic, qs.domain,
               timestamptz '${now.toISOString()}' - (((us.n * 13 + qs.n) % 365) || ' days')::interval as at,
               (us.n + qs.n) % 4 <> 0 as correct
        from us join qs on (qs.n - us.n * 7 + qs.total * 1000) % qs.total < ${CARDS_PER_OTHER};
      insert into learning_cards (user_id, question_id, answer_key, due, stability, difficulty, state, reps,
                                  lapses, scheduled_days, learning_steps, last_review, revision)
        select user_id, question_id, 'bench', at + interval '10 days', 10, 5, 2, 1, 0, 10, 0, at, 1 from picks;
      insert into learning_reviews (user_id, question_id, question_version, topic, domain, source, correct,
                                    sure, quick, rating, reviewed_at)
        select user_id, question_id, current_version, topic, domain, 'practice', correct, null, false,
               case when correct then 3 else 1 end, at from picks;`);
    await client.query('vacuum analyze');
  } finally {
    await client.end();
  }
}

/** The measured person's year: about 5.5 answers a day, every question of the bank at least once. */
function yearOfAnswers(userId: string, bank: Awaited<ReturnType<typeof loadBank>>): LearningAnswer[] {
  const random = seededRandom(2026);
  const questions = bank.questions.filter((q) => q.status === 'active');
  return Array.from({ length: ANSWERS }, (_, i) => {
    const q = questions[i < questions.length ? i : Math.floor(random() * questions.length)];
    if (!q) throw new Error('empty bank');
    const sure = random();
    return {
      userId,
      question: { ...q, version: 1 },
      source: random() < 0.05 ? 'mock' : 'practice',
      correct: random() < 0.78,
      quick: random() < 0.5,
      ...(sure < 0.3 ? { sure: true } : sure < 0.4 ? { sure: false } : {}),
      at: new Date(now.getTime() - 365 * DAY + (i / ANSWERS) * 365 * DAY),
    };
  });
}

async function time(label: string, run: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < WARM_UP; i++) await run();
  const ms: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t0 = performance.now();
    await run();
    ms.push(performance.now() - t0);
  }
  const s = summarise(ms);
  const f = (v: number) => v.toFixed(2).padStart(6);
  console.log(`${label.padEnd(34)} p50 ${f(s.p50)} ms  p95 ${f(s.p95)}  min ${f(s.min)}  max ${f(s.max)}`);
  return s.p50;
}

async function main(): Promise<void> {
  const { url, drop } = await benchDatabase();
  // No statement timeout: laying down a million rows on a busy machine may take longer than 5 s.
  const limits = { ...DATABASE_DEFAULTS, statementTimeoutMs: 0, connectTimeoutMs: 60_000 };
  const handle = await openDatabase({ kind: 'postgres', url, limits });
  try {
    const t0 = performance.now();
    await migrateDatabase(handle);
    const bank = await loadBank('questions');
    await syncBank(handle, bank, now);
    await layDownOthers(url);
    const [me] = await queryRows<{ id: string }>(
      handle.db,
      sql`select id from users where external_id = 'U1'`,
    );
    if (!me) throw new Error('the measured person is missing');
    const userId = me.id;
    const cards = createCardsRepository(handle.db);
    const answers = yearOfAnswers(userId, bank);
    const batch: number[] = [];
    for (let i = 0; i < answers.length; i += 50) {
      const t = performance.now();
      await cards.applyAnswers(answers.slice(i, i + 50));
      batch.push(performance.now() - t);
    }
    await handle.db.execute(sql`analyze`);
    const seeded = (performance.now() - t0) / 1000;
    const [counts] = await queryRows(
      handle.db,
      sql`select (select count(*) from users)::int as people, (select count(*) from learning_cards)::int as cards,
                 (select count(*) from learning_reviews)::int as reviews,
                 (select count(*) from learning_cards where user_id = ${userId})::int as theirs,
                 (select count(*) from questions where active)::int as bank`,
    );
    console.log(`seeded in ${seeded.toFixed(0)} s:`, counts);
    const b = summarise(batch);
    console.log(
      `applyAnswers, 50 answers a batch      p50 ${b.p50.toFixed(2)} ms  p95 ${b.p95.toFixed(2)}  (${batch.length} batches)`,
    );

    const next = createNextQuestion(handle.db);
    const reviews = createReviewsRepository(handle.db);
    const position = createStudyPosition(handle.db);
    const later = new Date(now.getTime() + 3 * DAY);
    const p50s = [
      await time('next question (a review due)', () => next({ userId, now: later })),
      await time('next question (none due: weak/new)', () =>
        next({ userId, now: later, kinds: ['weak', 'new'] }),
      ),
      await time('next question (unseen only)', () => next({ userId, now: later, kinds: ['new'] })),
      await time('readiness (2,000 answers)', () => reviews.readiness(userId, later)),
      await time('next question + readiness', () =>
        Promise.all([next({ userId, now: later }), reviews.readiness(userId, later)]),
      ),
    ];
    await time('study position (stats, pacing)', () => position(userId, later));
    console.log(
      'next:',
      await next({ userId, now: later }),
      await next({ userId, now: later, kinds: ['weak', 'new'] }),
    );
    const r = await reviews.readiness(userId, later);
    console.log(`readiness: ${r.score} (${r.low}–${r.high}), ${r.verdict}, from ${r.answers} answers`);
    const ok = p50s.every((p) => p < TARGET_P50_MS);
    console.log(
      ok ? `OK: every p50 under ${TARGET_P50_MS} ms` : `SLOW: a p50 is ${TARGET_P50_MS} ms or more`,
    );
    process.exitCode = ok ? 0 : 1;
  } finally {
    await handle.close();
    if (process.env.KEEP) console.log(`kept ${url}`);
    else await drop();
  }
}

await main();
