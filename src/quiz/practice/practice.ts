import { randomUUID } from 'node:crypto';
import type { Clock } from '../../clock.js';
import type { LearningAnswer } from '../../learning/cards.repository.js';
import type { Learning } from '../../learning/learning.js';
import { describeReason, type NextQuestion } from '../../learning/next-question.js';
import { QUICK_SECONDS } from '../../learning/scheduler.js';
import { UUID } from '../daily/answer-recorder.js';
import type { PostsRepository } from '../daily/posts.repository.js';
import type { KnownPeople } from '../people/known-people.js';
import type { ProgressRepository } from '../progress/progress.repository.js';
import { type Choice, isCorrect, markChoice, type Question, validateChoice } from '../question.js';
import type { QuestionPool } from '../questions/question-pool.js';
import type { QuestionVersions } from '../questions/question-versions.js';
import type { PoolQuestion } from '../questions/questions.repository.js';
import type { ExamPlans } from '../study/exam-plans.js';
import type { TopicIndex } from '../topic-index.js';
import type { Actor, PracticeQuestion, PracticeResult, ReminderContent } from '../types.js';
import { topicFigures, weakestTopics } from '../weak-topics.js';
import type { HandoutsRepository } from './handouts.repository.js';
import { practiceErrors } from './practice.errors.js';
import type { PracticeAnswersRepository } from './practice-answers.repository.js';

export interface PracticeDeps {
  handouts: HandoutsRepository;
  posts: Pick<PostsRepository, 'openQuestionIdsOf'>;
  practiceAnswers: PracticeAnswersRepository;
  progress: ProgressRepository;
  people: KnownPeople;
  pool: QuestionPool;
  versions: QuestionVersions;
  topics: TopicIndex;
  learning: Learning;
  examPlans: ExamPlans;
  clock: Clock;
  random: () => number;
}

/** What to hand out, and why. */
export type ChosenQuestion = { id: string; reason: PracticeQuestion['reason']; why: string };

/** Questions nextQuestion names that the pool no longer draws (paused by reports) are skipped, this often. */
const MAX_SKIPS = 3;

/** Private practice questions, handed to one person each, and the reminders built on them. */
export function createPractice(deps: PracticeDeps) {
  const { clock, topics, learning } = deps;

  /**
   * What the person may be handed privately now: the drawable questions less those open as a
   * question of the day in their workspace (the feedback would show the answer before the reveal).
   */
  async function practisable(userId: string) {
    const [rows, open] = await Promise.all([deps.pool.get(), deps.posts.openQuestionIdsOf(userId)]);
    return { rows: rows.filter((q) => !open.has(q.id)), open, all: rows };
  }

  /** On one topic: a question the person has not answered yet when there is one. */
  async function pickOnTopic(
    userId: string,
    topic: string,
    drawable: PoolQuestion[],
  ): Promise<ChosenQuestion | undefined> {
    const rows = drawable.filter((q) => q.topic === topic);
    const seen = new Set((await deps.progress.attempts(userId)).map((a) => a.questionId));
    const unseen = rows.filter((q) => !seen.has(q.id));
    const candidates = unseen.length > 0 ? unseen : rows;
    const picked = candidates[Math.floor(deps.random() * candidates.length)];
    return picked && { id: picked.id, reason: 'topic', why: unseen.length > 0 ? 'new' : 'seen before' };
  }

  /** The learning engine's choice (due → weak topic → new), else any question as extra practice. */
  async function pickNext(
    userId: string,
    choices: { rows: PoolQuestion[]; open: Set<string> },
  ): Promise<ChosenQuestion | undefined> {
    await learning.writer.settled();
    const drawable = new Set(choices.rows.map((q) => q.id));
    const exclude = [...choices.open];
    for (let skips = 0; skips <= MAX_SKIPS; skips++) {
      const next: NextQuestion | undefined = await learning.nextQuestion({
        userId,
        now: clock.now(),
        exclude,
      });
      if (!next) break;
      if (!drawable.has(next.questionId)) {
        exclude.push(next.questionId);
        continue;
      }
      const reason = next.reason.kind === 'due' ? 'due' : next.reason.kind === 'weak' ? 'weak-topic' : 'new';
      return { id: next.questionId, reason, why: describeReason(next.reason) };
    }
    const any = choices.rows[Math.floor(deps.random() * choices.rows.length)];
    return (
      any && { id: any.id, reason: 'extra', why: 'extra practice: nothing is due and every question is seen' }
    );
  }

  /** Stores the hand-out (it binds the answer to its person and version) and returns the question. */
  async function handOut(
    userId: string,
    pick: ChosenQuestion | undefined,
    kind: 'practice' | 'reminder',
  ): Promise<PracticeQuestion> {
    const row = pick && (await deps.pool.get()).find((q) => q.id === pick.id);
    if (!pick || !row) throw practiceErrors.noQuestions();
    const question = await deps.versions.get({ questionId: row.id, questionVersion: row.version });
    const issueKey = randomUUID();
    await deps.handouts.insert({
      issueKey,
      userId,
      questionId: question.id,
      questionVersion: question.version,
      kind,
      handedAt: clock.now(),
    });
    return {
      issueKey,
      question,
      reason: pick.reason,
      why: pick.why,
      topicTitle: topics.titleOf(question.topic),
    };
  }

  return {
    /** A practice question as it was handed out (its version), to read a submitted answer against. */
    practiceQuestion(questionId: string, version: number): Promise<Question | undefined> {
      return deps.versions.find({ questionId, questionVersion: version });
    },

    /** A private practice question for this person: on the topic asked for, else the learning engine's pick. */
    async practice(actor: Actor, topic?: string): Promise<PracticeQuestion> {
      if (topic !== undefined && !topics.has(topic))
        throw practiceErrors.unknownTopic(topic, topics.closeTo(topic));
      const user = await deps.people.userOf(actor);
      const choices = await practisable(user.id);
      const pick = topic ? await pickOnTopic(user.id, topic, choices.rows) : await pickNext(user.id, choices);
      if (!pick) {
        const held = choices.all.some((q) => choices.open.has(q.id) && (!topic || q.topic === topic));
        throw held ? practiceErrors.openNow(topic ? 'topic' : 'practice') : practiceErrors.noQuestions();
      }
      return handOut(user.id, pick, 'practice');
    },

    /**
     * Hands out a question the caller chose (a mistake to review), with its reason; refused with
     * `quiz.practice_question_open` while it is a question of the day open in the person's workspace.
     */
    async handOutChosen(userId: string, pick: ChosenQuestion): Promise<PracticeQuestion> {
      if ((await deps.posts.openQuestionIdsOf(userId)).has(pick.id)) throw practiceErrors.openNow('review');
      return handOut(userId, pick, 'practice');
    },

    async answerPractice(
      actor: Actor,
      input: { questionId: string; version: number; issueKey: string; choice: unknown },
    ): Promise<PracticeResult> {
      // The hand-out, not the card, says whose question this is and which version was shown: a card's
      // values come back through the person's client and can be changed there.
      const handout = UUID.test(input.issueKey) ? await deps.handouts.find(input.issueKey) : undefined;
      const user = handout && (await deps.people.knownUserOf(actor));
      if (
        !handout ||
        !user ||
        handout.userId !== user.id ||
        handout.questionId !== input.questionId ||
        handout.questionVersion !== input.version
      )
        throw practiceErrors.notYours({ issueKey: input.issueKey.slice(0, 64), known: Boolean(handout) });
      const question = await deps.versions.find(handout);
      if (!question) throw practiceErrors.unknownQuestion();
      const choice = validateChoice(question, input.choice);
      const correct = isCorrect(question, choice);
      const at = clock.now();
      const row = await deps.practiceAnswers.insertPracticeAnswer({
        userId: user.id,
        questionId: question.id,
        questionVersion: question.version,
        kind: handout.kind,
        issueKey: input.issueKey,
        choice,
        correct,
        answeredAt: at,
      });
      if (row) {
        learning.writer.record([learningAnswerOf(user.id, question, handout, { correct, at })]);
        return {
          outcome: 'recorded',
          question,
          choice,
          correct,
          rightParts: markChoice(question, choice),
          answeredAt: at,
        };
      }
      const first = await deps.practiceAnswers.findPracticeAnswer(user.id, input.issueKey);
      const firstChoice = (first?.choice as Choice) ?? choice;
      return {
        outcome: 'already_answered',
        question,
        choice: firstChoice,
        correct: first?.correct ?? correct,
        rightParts: markChoice(question, firstChoice),
      };
    },

    /**
     * A reminder for one person: the learning engine's next question (due → weak topic → new) with
     * its reason, and with an exam date, the pace it takes. Undefined when there is nothing to ask.
     */
    async reminderFor(
      userId: string,
      options: { timezone?: string | null; examDate?: string | null } = {},
    ): Promise<ReminderContent | undefined> {
      const pick = await pickNext(userId, await practisable(userId));
      if (!pick || pick.reason === 'extra') return undefined;
      const practice = await handOut(userId, pick, 'reminder');
      const now = clock.now();
      const [figures, plan] = await Promise.all([
        deps.progress.attempts(userId).then((a) => weakestTopics(topicFigures(a, now))),
        deps.examPlans.planFor(userId, now, options.timezone, options.examDate),
      ]);
      // A due question may sit in a weak topic too: the reminder says so.
      const weak = figures.find((f) => f.topic === practice.question.topic);
      return {
        userId,
        practice,
        ...(weak ? { topic: { ...weak, title: topics.titleOf(weak.topic) } } : {}),
        ...(plan && plan.pace.daysLeft > 0
          ? { exam: { date: plan.date, daysLeft: plan.pace.daysLeft, perDay: plan.pace.perDay } }
          : {}),
      };
    },
  };
}

/**
 * A practice answer as the learning engine takes it. Quick means answered within QUICK_SECONDS of
 * the hand-out (twice that for the types that take longer to fill in).
 */
function learningAnswerOf(
  userId: string,
  question: Question,
  handout: { kind: 'practice' | 'reminder' | 'late'; handedAt: Date },
  outcome: { correct: boolean; at: Date },
): LearningAnswer {
  const seconds = (outcome.at.getTime() - handout.handedAt.getTime()) / 1000;
  const limit = question.type === 'single' ? QUICK_SECONDS : 2 * QUICK_SECONDS;
  return {
    userId,
    question,
    source: handout.kind,
    correct: outcome.correct,
    quick: seconds >= 0 && seconds <= limit,
    at: outcome.at,
  };
}
