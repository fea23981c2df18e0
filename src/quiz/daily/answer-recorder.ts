import { isRowError } from '../../db/errors.js';
import { isAppError } from '../../errors.js';
import type { UserRow } from '../people/people.repository.js';
import { type Choice, isCorrect, validateChoice } from '../question.js';
import { currentStreak, pointsFor } from '../scoring.js';
import type { Actor, AnswerResult } from '../types.js';
import type { Answered, AnswerRecorderDeps, Checked, Pending } from './answer-recorder.types.js';
import type { GroupContext } from './answers.repository.js';
import { dailyErrors } from './daily.errors.js';

export type { AnswerRecorderDeps, Checked } from './answer-recorder.types.js';

/** The most clicks written by one group; more wait for the next. */
const MAX_GROUP = 100;
/** Groups written at once, each on its own pool connections. */
const MAX_IN_FLIGHT = 2;
/** Results handed back between two turns of the event loop. */
const RELEASE_SLICE = 16;
/** What a post id looks like; anything else cannot name a post. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Records answers to questions of the day a group at a time. The first click after a quiet spell
 * is written at once; clicks that arrive while groups are being written join the next group, so a
 * burst of a hundred clicks costs a handful of statements instead of several each. Two groups may
 * be written at once, on separate connections, the second starting halfway through the first: a
 * click then waits about half a write for its group instead of a whole one. Every click still gets
 * its own result only after its row is committed, and nobody is told an answer counted when it did
 * not; one answer per person and post is the database's unique key, whichever group comes first.
 *
 * One click that cannot be stored (a name the database refuses, a row a trigger rejects) must not
 * take its group down with it: when a write fails unexpectedly, the clicks it failed are split in
 * two and written again, half by half, ahead of newer clicks, until the culprit fails on its own.
 * A hundred clicks with one bad apple cost about a dozen extra writes instead of ninety-nine
 * wrongly failed answers. Only errors that one row can cause (bad data, a constraint, a trigger)
 * are split up: a database that is down or timing out fails the whole group at once, because
 * trying each click apart would only make everyone wait longer for the same answer.
 */
export function createAnswerRecorder(deps: AnswerRecorderDeps) {
  const { postsRepo, progress } = deps;
  let queue: Pending[] = [];
  /** Halves of failed groups, written before anything newer. */
  const retries: Pending[][] = [];
  let inFlight = 0;
  /** Clicks in groups being written, by person: a person's next click waits for them. */
  const writing = new Map<string, number>();
  const personOf = ({ actor }: Pending) => `${actor.platform}:${actor.workspaceId}:${actor.userId}`;
  const mark = (group: Pending[], by: 1 | -1) => {
    for (const person of group.map(personOf)) {
      const n = (writing.get(person) ?? 0) + by;
      if (n > 0) writing.set(person, n);
      else writing.delete(person);
    }
  };
  /** When the newest group started, and how long a group takes to write (a moving average). */
  let lastStart = 0;
  let writeMs = 5;
  let waiting = false;

  function drain(): void {
    while (inFlight < MAX_IN_FLIGHT) {
      const group = retries.shift();
      // Next to a group being written, gather clicks for a share of a write first: groups then take
      // turns evenly instead of one click going alone beside a big group.
      const wait = lastStart + writeMs / MAX_IN_FLIGHT - performance.now();
      if (!group && inFlight > 0 && wait > 0 && queue.length < MAX_GROUP) {
        if (!waiting) {
          waiting = true;
          setTimeout(() => {
            waiting = false;
            drain();
          }, wait);
        }
        return;
      }
      const next = group ?? nextGroup();
      if (!next) return;
      start(next);
    }
  }

  /**
   * The oldest queued clicks whose people have nothing being written. Two groups written at once
   * each read totals and streaks without the other's rows, so one person's clicks go one group
   * after another, as with a single writer; only different people's clicks overlap.
   */
  function nextGroup(): Pending[] | undefined {
    const group: Pending[] = [];
    const rest: Pending[] = [];
    for (const item of queue)
      (group.length < MAX_GROUP && !writing.has(personOf(item)) ? group : rest).push(item);
    if (group.length === 0) return undefined;
    queue = rest;
    return group;
  }

  function start(group: Pending[]): void {
    inFlight++;
    const started = performance.now();
    lastStart = started;
    mark(group, 1);
    const failed: Array<{ item: Pending; error: unknown }> = [];
    const fail = (item: Pending, error: unknown) => {
      if (!item.settled) failed.push({ item, error });
    };
    writeGroup(group, fail)
      .catch((error: unknown) => {
        for (const item of group) fail(item, error);
        return [];
      })
      .then(async (outcomes) => {
        isolate(group.length, failed);
        inFlight--;
        writeMs = 0.8 * writeMs + 0.2 * (performance.now() - started);
        mark(group, -1);
        // This group's rows are committed, so a group may start now, while this group's people get
        // their results: its round trips overlap their replies.
        drain();
        await release(outcomes);
      });
  }

  /**
   * Whoever waits on a result sends a reply straight away; releasing a large group at once would
   * hold back new requests behind all those replies, so let the event loop in between slices.
   */
  async function release(outcomes: Array<[Pending, AnswerResult]>): Promise<void> {
    for (const [i, [item, outcome]] of outcomes.entries()) {
      item.resolve(outcome);
      if (i % RELEASE_SLICE === RELEASE_SLICE - 1 && i < outcomes.length - 1)
        await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** A click that failed alone has its answer; failures shared with others are tried again apart. */
  function isolate(groupSize: number, failed: Array<{ item: Pending; error: unknown }>): void {
    if (failed.length === 0) return;
    if (groupSize === 1 || !failed.some(({ error }) => isRowError(error))) {
      for (const { item, error } of failed) item.reject(error);
      return;
    }
    const items = failed.map((f) => f.item);
    const half = Math.ceil(items.length / 2);
    retries.unshift(...[items.slice(0, half), items.slice(half)].filter((g) => g.length > 0));
  }

  /** Writes a group and returns the results of the clicks it stored; the others it fails or rejects. */
  async function writeGroup(
    group: Pending[],
    fail: (item: Pending, error: unknown) => void,
  ): Promise<Array<[Pending, AnswerResult]>> {
    const now = deps.clock.now();
    // One round trip before the write: the people (created on first sight), the posts, what the
    // group needs to know about each click, and any erased answerers, all at once.
    const known = group.flatMap((item, i) => (UUID.test(item.postId) ? [{ item, index: i }] : []));
    const workspaces = await Promise.all(known.map((k) => deps.workspaceIdOf(k.item.actor)));
    const [people, posts, contexts, erased] = await Promise.all([
      deps.usersOf(group.map((g) => g.actor)),
      postsRepo.getPosts([...new Set(known.map((k) => k.item.postId))]),
      postsRepo.groupContext(
        known.map((k, i) => ({
          postId: k.item.postId,
          workspaceId: workspaces[i] as string,
          externalId: k.item.actor.userId,
        })),
        now,
      ),
      deps.answeredBeforeErasure(known.map((k) => ({ postId: k.item.postId, actor: k.item.actor }))),
    ]);
    const postById = new Map(posts.map((p) => [p.id, p]));
    const seen = new Map(known.map((k, i) => [k.index, { context: contexts[i], erased: erased[i] }]));

    const checked: Array<Checked & { context: GroupContext; erased: boolean }> = [];
    for (const [i, item] of group.entries()) {
      try {
        const post = postById.get(item.postId);
        const found = seen.get(i);
        if (!post || post.status === 'pending' || !found?.context) throw dailyErrors.unknownPost();
        const question = await deps.questionOf(post);
        const choice = validateChoice(question, item.rawChoice);
        const late = post.status === 'closed' || (post.closesAt !== null && now >= post.closesAt);
        checked.push({
          item,
          post,
          question,
          choice,
          user: people[i] as UserRow,
          late,
          context: found.context,
          erased: found.erased === true,
        });
      } catch (error) {
        // A coded error is this click's own answer; anything else may be shared and is tried apart.
        if (isAppError(error)) item.reject(error);
        else fail(item, error);
      }
    }
    if (checked.length === 0) return [];

    // Totals were read before this group's rows go in; this group's own rows are added below.
    const pointsBefore = new Map(checked.map((c) => [c.user.id, c.context.totalPoints]));
    const countsBefore = new Map(checked.map((c) => [c.post.id, c.context.answeredCount]));
    // The streak with this post answered (a late answer does not count toward it).
    const streaks = checked.map(({ context: { flags, newestStatus } }) =>
      currentStreak(
        [...flags].map((f, i) => ({
          answered: f === '1',
          status: i === 0 ? (newestStatus ?? 'closed') : 'closed',
        })),
      ),
    );

    const fresh: Array<Checked & { streak: number; correct: boolean; points: number }> = [];
    const late: Array<Checked & { streak: number; correct: boolean }> = [];
    const settled: Array<{ c: Checked; streak: number; answer: Answered }> = [];
    for (const [i, c] of checked.entries()) {
      const streak = streaks[i] ?? 0;
      const first = c.context.earlier;
      const correct = isCorrect(c.question, c.choice);
      if (first) settled.push({ c, streak, answer: first });
      else if (c.erased && !c.late)
        // The first answer was erased with the person; it still was the one that counted.
        c.item.reject(dailyErrors.answeredBeforeErasure());
      else if (c.late) late.push({ ...c, streak, correct });
      else
        fresh.push({
          ...c,
          streak,
          correct,
          points: pointsFor({ correct, difficulty: c.question.difficulty, streak }),
        });
    }

    // The new answers go in as one statement, all or none; each late answer on its own. A failure
    // fails only the clicks whose rows it concerns.
    const [written, ...lateWritten] = await Promise.allSettled([
      postsRepo.insertAnswers(
        fresh.map((f) => ({
          postId: f.post.id,
          userId: f.user.id,
          choice: f.choice,
          correct: f.correct,
          points: f.points,
          answeredAt: now,
        })),
      ),
      // One late answer per person and post: the issue key makes a second click a no-op.
      ...late.map((l) =>
        progress.insertPracticeAnswer({
          userId: l.user.id,
          questionId: l.question.id,
          questionVersion: l.question.version,
          kind: 'late',
          issueKey: `late:${l.post.id}`,
          postId: l.post.id,
          choice: l.choice,
          correct: l.correct,
          answeredAt: now,
        }),
      ),
    ]);
    if (written.status === 'rejected') {
      for (const f of fresh) fail(f.item, written.reason);
      fresh.length = 0;
    }
    const stored = written.status === 'fulfilled' ? written.value : [];
    for (const [i, outcome] of lateWritten.entries())
      if (outcome.status === 'rejected') {
        const item = late[i]?.item;
        if (item) fail(item, outcome.reason);
      }
    const lateRow = (i: number) =>
      lateWritten[i]?.status === 'fulfilled' ? lateWritten[i].value : undefined;
    const lateStored = late.filter((_, i) => lateRow(i));
    // A late click of someone who already answered late stored nothing: it is told the first one.
    for (const [i, l] of late.entries())
      if (lateWritten[i]?.status === 'fulfilled' && !lateRow(i)) {
        const first = await progress
          .findPracticeAnswer(l.user.id, `late:${l.post.id}`)
          .catch(() => undefined);
        if (first) settled.push({ c: l, streak: l.streak, answer: { ...first, points: 0 } });
        else l.item.reject(dailyErrors.alreadyAnswered(new Error('the first late answer was not found')));
      }
    const storedKeys = new Set(stored.map((a) => `${a.postId}:${a.userId}`));
    // Two clicks of one person in one group are one row: the first of them went in, the other lost.
    const taken = new Set<string>();
    const won = fresh.filter((f) => {
      const key = `${f.post.id}:${f.user.id}`;
      if (!storedKeys.has(key) || taken.has(key)) return false;
      taken.add(key);
      return true;
    });
    const points = new Map(pointsBefore);
    const counts = new Map(countsBefore);
    for (const f of won) {
      points.set(f.user.id, (points.get(f.user.id) ?? 0) + f.points);
      counts.set(f.post.id, (counts.get(f.post.id) ?? 0) + 1);
    }
    // A click that lost to the same person's other click (in this group or another process) gets
    // the answer that won. The rows are in: a failure from here on must not say that nothing was.
    const lost = fresh.filter((f) => !won.includes(f));
    try {
      const winners = await postsRepo.findAnswers(
        lost.map((l) => ({ postId: l.post.id, userId: l.user.id })),
      );
      const winnerOf = new Map(winners.map((a) => [`${a.postId}:${a.userId}`, a]));
      for (const l of lost) {
        const answer = winnerOf.get(`${l.post.id}:${l.user.id}`);
        if (answer) settled.push({ c: l, streak: l.streak, answer });
        else
          l.item.reject(new Error(`the answer of ${l.user.id} to ${l.post.id} was neither stored nor found`));
      }
    } catch (error) {
      const counted = dailyErrors.alreadyAnswered(error);
      for (const l of lost) l.item.reject(counted);
    }
    deps.onStored?.(now, [...won, ...lateStored]);
    const answered = (
      c: Checked,
      outcome: AnswerResult['outcome'],
      { choice, correct, points: scored }: { choice: unknown; correct: boolean; points: number },
      streak: number,
    ): [Pending, AnswerResult] => [
      c.item,
      {
        outcome,
        question: c.question,
        postId: c.post.id,
        choice: choice as Choice,
        correct,
        points: scored,
        streak,
        totalPoints: points.get(c.user.id) ?? 0,
        answeredCount: counts.get(c.post.id) ?? 0,
        ...(outcome === 'already_answered' ? {} : { answeredAt: now }),
      },
    ];
    return [
      ...won.map((f) => answered(f, 'recorded', f, f.streak)),
      ...lateStored.map((l) => answered(l, 'late', { ...l, points: 0 }, l.streak)),
      ...settled.map(({ c, streak, answer }) => answered(c, 'already_answered', answer, streak)),
    ];
  }

  return {
    /**
     * Records a person's answer. The first answer counts and scores; later ones return the first
     * with "already answered" and change nothing; an answer after the close is kept as practice.
     */
    record(actor: Actor, postId: string, rawChoice: unknown): Promise<AnswerResult> {
      return new Promise<AnswerResult>((resolve, reject) => {
        const item: Pending = {
          actor,
          postId,
          rawChoice,
          settled: false,
          resolve(result) {
            item.settled = true;
            resolve(result);
          },
          reject(error) {
            item.settled = true;
            reject(error);
          },
        };
        queue.push(item);
        drain();
      });
    },
  };
}
