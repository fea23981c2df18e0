import type { Clock } from '../../clock.js';
import type { KnownPeople } from '../../quiz/people/known-people.js';
import { type Choice, isCorrect, type Question, validateChoice } from '../../quiz/question.js';
import type { QuestionVersions } from '../../quiz/questions/question-versions.js';
import { versionKey } from '../../quiz/questions/questions.repository.js';
import type { Actor } from '../../quiz/types.js';
import type { LearningAnswer } from '../cards.repository.js';
import { scaledScore } from '../readiness.js';
import { drawMockExam } from './draw.js';
import { mockErrors } from './mock.errors.js';
import type { ItemChange, MockItemRow, MockRepository, MockRow } from './mock.repository.js';
import {
  DEFAULT_MOCK_SETTINGS,
  type MockReport,
  type MockSettings,
  type MockStatus,
  type MockView,
  PASS_SCORE,
} from './mock.types.js';
import { nextStop, reviewRound } from './progress.js';

export interface MockDeps {
  repository: MockRepository;
  people: KnownPeople;
  versions: QuestionVersions;
  /** The learning engine's `applyAnswers`: mock answers update the person's cards like any other. */
  applyAnswers(answers: LearningAnswer[]): Promise<unknown>;
  clock: Clock;
  random: () => number;
  settings?: Partial<MockSettings>;
}

/** What a click or a typed line says about the question in front of the person. */
export interface MockMove {
  mockId: string;
  position: number;
}

/**
 * Private timed mock exams: drawn at the exam's domain weights, one question at a time, skip and
 * flag, one more look at the skipped and flagged ones, a report at the end. State lives in the
 * database, so an exam survives a restart; time is checked on every interaction and by the
 * close-questions job.
 */
export function createMockExams(deps: MockDeps) {
  const { repository, clock } = deps;
  const settings = { ...DEFAULT_MOCK_SETTINGS, ...deps.settings };
  const minutesLeft = (mock: MockRow, now: Date) =>
    Math.max(0, Math.ceil((mock.endsAt.getTime() - now.getTime()) / 60_000));
  const expired = (mock: MockRow, now: Date) => mock.status === 'running' && now >= mock.endsAt;

  async function questionsOf(items: MockItemRow[]): Promise<Map<string, Question>> {
    return deps.versions.getMany(
      items.map((i) => ({ questionId: i.questionId, questionVersion: i.questionVersion })),
    );
  }
  const questionOf = (questions: Map<string, Question>, item: MockItemRow) => {
    const question = questions.get(versionKey(item));
    if (!question) throw new Error(`question ${item.questionId} v${item.questionVersion} is missing`);
    return question;
  };

  async function questionView(mock: MockRow, note?: string): Promise<MockView> {
    const items = await repository.items(mock.id);
    const item = items[mock.position];
    if (!item) throw new Error(`mock ${mock.id} has no question ${mock.position}`);
    const question = await deps.versions.get(item);
    const round = reviewRound(items);
    return {
      kind: 'question',
      mockId: mock.id,
      position: mock.position,
      total: mock.size,
      minutesLeft: minutesLeft(mock, clock.now()),
      phase: mock.phase,
      ...(mock.phase === 'review'
        ? { review: { index: items.filter((i) => i.revisited).length + 1, count: round.length } }
        : {}),
      flagged: item.flagged,
      ...(mock.phase === 'review' && item.choice ? { answered: item.choice } : {}),
      question,
      ...(note ? { note } : {}),
    };
  }

  async function report(mock: MockRow, items: MockItemRow[]): Promise<MockReport> {
    const questions = await questionsOf(items);
    const open = await repository.openQuestionIds(mock.userId);
    const correct = items.filter((i) => i.correct === true).length;
    const score = mock.score ?? scaledScore(correct / Math.max(items.length, 1));
    const domains = new Map<number, { correct: number; total: number }>();
    for (const item of items) {
      const d = domains.get(item.domain) ?? { correct: 0, total: 0 };
      d.total++;
      if (item.correct) d.correct++;
      domains.set(item.domain, d);
    }
    return {
      mockId: mock.id,
      endedBy: mock.status === 'timed_out' ? 'timed_out' : 'finished',
      total: items.length,
      answered: items.filter((i) => i.choice !== null).length,
      correct,
      score,
      passed: score >= PASS_SCORE,
      domains: [...domains].sort(([a], [b]) => a - b).map(([domain, d]) => ({ domain, ...d })),
      mistakes: items
        .filter((i) => i.correct !== true)
        .map((i) => ({
          position: i.position,
          question: questionOf(questions, i),
          choice: (i.choice as Choice | null) ?? null,
          hidden: open.has(i.questionId),
        })),
    };
  }

  /**
   * Ends a running exam: the score counts unanswered questions as wrong; the answered ones go to
   * the learning engine as mock reviews (only by whoever ends it, so once).
   */
  async function end(mock: MockRow, status: 'finished' | 'timed_out', seen: boolean): Promise<MockReport> {
    const items = await repository.items(mock.id);
    const correct = items.filter((i) => i.correct === true).length;
    const score = scaledScore(correct / Math.max(items.length, 1));
    const at = status === 'timed_out' ? mock.endsAt : clock.now();
    if (await repository.end(mock.id, { status, at, score, reportSeen: seen })) {
      const questions = await questionsOf(items);
      await deps.applyAnswers(
        items.flatMap((i) =>
          i.choice !== null && i.correct !== null && i.answeredAt
            ? [
                {
                  userId: mock.userId,
                  question: questionOf(questions, i),
                  source: 'mock' as const,
                  correct: i.correct,
                  at: i.answeredAt,
                },
              ]
            : [],
        ),
      );
      return report({ ...mock, status, score }, items);
    }
    const now = (await repository.find(mock.id)) ?? mock;
    if (seen) await repository.markReportSeen(mock.id);
    return report(now, items);
  }

  const timeUpView = async (mock: MockRow, note: string): Promise<MockView> => ({
    kind: 'report',
    report: await end(mock, 'timed_out', true),
    note,
  });

  /** The exam a click names, if it is the person's own; refused otherwise. */
  async function ownMock(actor: Actor, mockId: string): Promise<MockRow> {
    const mock = /^[0-9a-f-]{36}$/i.test(mockId) ? await repository.find(mockId) : undefined;
    const user = mock && (await deps.people.knownUserOf(actor));
    if (!mock || !user || mock.userId !== user.id)
      throw mockErrors.notYours({ mockId: mockId.slice(0, 64), known: Boolean(mock) });
    return mock;
  }

  /**
   * Applies one move to the question in front of the person. A late click (the exam has moved on,
   * or another click won) changes nothing and shows where the exam stands now.
   */
  async function act(
    actor: Actor,
    move: MockMove,
    change: (question: Question, item: MockItemRow) => { change: ItemChange; stay?: boolean; note?: string },
  ): Promise<MockView> {
    const mock = await ownMock(actor, move.mockId);
    if (mock.status !== 'running') throw mockErrors.ended(mock.status);
    if (expired(mock, clock.now()))
      return timeUpView(mock, 'Time ran out before that, so it was not counted. Here is how the exam went.');
    if (move.position !== mock.position)
      return questionView(mock, 'That question is behind you; here is the one you are on.');
    const items = await repository.items(mock.id);
    const item = items[mock.position] as MockItemRow;
    const decided = change(await deps.versions.get(item), item);
    const inReview = mock.phase === 'review';
    const changed = { ...decided.change, ...(inReview && !decided.stay ? { revisited: true } : {}) };
    const after = items.map((i) => (i.position === item.position ? { ...i, ...changed } : i));
    const next = decided.stay ? { phase: mock.phase, position: mock.position } : nextStop(after, mock);
    const moved = await repository.move({
      mockId: mock.id,
      revision: mock.revision,
      position: mock.position,
      change: changed,
      next: next ?? { phase: mock.phase, position: mock.position },
    });
    const fresh = (await repository.find(mock.id)) ?? mock;
    if (!moved) return questionView(fresh, 'That question is behind you; here is the one you are on.');
    if (!next) return { kind: 'report', report: await end(fresh, 'finished', true) };
    const note =
      decided.note ??
      (mock.phase === 'first' && next.phase === 'review'
        ? 'That was the last question. Now the ones you skipped or flagged come back once; answer them, or press "Keep" to leave them as they are.'
        : undefined);
    return questionView(fresh, note);
  }

  return {
    /**
     * `mock`: the running exam where the person left it (or its report, if time ran out meanwhile),
     * else the report of an exam the time-out closed that they have not seen, else a new exam.
     * `fresh` (`mock new`) refuses while one is running.
     */
    async startMock(actor: Actor, options: { fresh?: boolean } = {}): Promise<MockView> {
      const user = await deps.people.userOf(actor);
      const now = clock.now();
      const running = await repository.running(user.id);
      if (running && expired(running, now))
        return timeUpView(running, 'Time ran out on your mock exam. Here is how it went.');
      if (running && options.fresh)
        throw mockErrors.alreadyRunning(running.position, running.size, minutesLeft(running, now));
      if (running) return questionView(running, 'Welcome back: your mock exam carries on where you left it.');
      const unseen = options.fresh ? undefined : await repository.unseenReport(user.id);
      if (unseen) {
        await repository.markReportSeen(unseen.id);
        return {
          kind: 'report',
          report: await report(unseen, await repository.items(unseen.id)),
          note: 'Time ran out on your last mock exam. Here is how it went; send "mock" again for a new one.',
        };
      }
      const drawn = drawMockExam(await repository.candidates(user.id), settings.questions, deps.random);
      if (drawn.length === 0) throw mockErrors.noQuestions();
      const mock = await repository.insertMock(
        { userId: user.id, startedAt: now, endsAt: new Date(now.getTime() + settings.minutes * 60_000) },
        drawn.map((c) => ({ questionId: c.id, questionVersion: c.version, domain: c.domain })),
      );
      if (!mock) {
        // Another start won the race (two clicks on "Start"): the exam is the same one.
        const other = await repository.running(user.id);
        if (!other) throw mockErrors.noneRunning();
        throw mockErrors.alreadyRunning(other.position, other.size, minutesLeft(other, now));
      }
      return questionView(
        mock,
        `Mock exam: ${mock.size} questions, ${settings.minutes} minutes. No feedback until the end; skip or flag what you want to come back to.`,
      );
    },

    async answerMock(
      actor: Actor,
      input: MockMove & { choice?: unknown; readChoice?(question: Question): unknown },
    ): Promise<MockView> {
      return act(actor, input, (question) => {
        const choice = validateChoice(question, input.readChoice ? input.readChoice(question) : input.choice);
        return { change: { choice, correct: isCorrect(question, choice), answeredAt: clock.now() } };
      });
    },

    /** Passes over the question: it comes back once after the last one. In the review round, keeps it as it is. */
    async skipMock(actor: Actor, move: MockMove): Promise<MockView> {
      return act(actor, move, (_question, item) => ({
        change: item.choice === null ? { skipped: true } : {},
      }));
    },

    /** Flags (or unflags) the question in front of the person; it stays in front of them. */
    async flagMock(actor: Actor, move: MockMove & { flagged: boolean }): Promise<MockView> {
      return act(actor, move, () => ({
        change: { flagged: move.flagged },
        stay: true,
        note: move.flagged
          ? 'Flagged: it comes back once after the last question. Answer it now or later.'
          : 'Flag taken off.',
      }));
    },

    /** `mock abandon`: ends the running exam without a score. */
    async abandonMock(actor: Actor): Promise<{ answered: number; total: number }> {
      const user = await deps.people.userOf(actor);
      const running = await repository.running(user.id);
      if (
        !running ||
        !(await repository.end(running.id, { status: 'abandoned', at: clock.now(), reportSeen: true }))
      )
        throw mockErrors.noneRunning();
      const items = await repository.items(running.id);
      return { answered: items.filter((i) => i.choice !== null).length, total: running.size };
    },

    /** The person's running exam, for App Home; undefined when none (or its time is up). */
    async mockStatus(actor: Actor): Promise<MockStatus | undefined> {
      const user = await deps.people.knownUserOf(actor);
      const running = user && (await repository.running(user.id));
      const now = clock.now();
      if (!running || expired(running, now)) return undefined;
      return { position: running.position, total: running.size, minutesLeft: minutesLeft(running, now) };
    },

    /** Ends every exam whose time is up (for the close-questions job); returns how many it ended. */
    async closeExpiredMocks(): Promise<number> {
      let ended = 0;
      for (const mock of await repository.expired(clock.now())) {
        await end(mock, 'timed_out', false);
        ended++;
      }
      return ended;
    },
  };
}

export type MockExams = ReturnType<typeof createMockExams>;
