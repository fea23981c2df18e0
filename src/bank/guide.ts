import type { BankGuide, BankProblem } from './bank.js';
import { displayPath, issueProblem, readYaml } from './files.js';
import {
  DOMAINS,
  type ExamDomain,
  examGuideSchema,
  type GuideObjective,
  objectivesOf,
  type QuestionSpec,
} from './schema.js';

/** Reads `exam-guide.yaml`; undefined (with its problems recorded) when it is broken. */
export async function readGuide(file: string, problems: BankProblem[]): Promise<BankGuide | undefined> {
  const shown = displayPath(file);
  const doc = await readYaml(file, problems);
  if (doc === undefined) return undefined;
  const parsed = examGuideSchema.safeParse(doc);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(issueProblem(shown, '-', issue));
    return undefined;
  }
  const before = problems.length;
  const add = (id: string, field: string, message: string) =>
    problems.push({ file: shown, questionId: id, field, message });
  const objectives = new Map<string, GuideObjective>();
  const seenTasks = new Set<string>();
  const seenDomains = new Set<number>();
  parsed.data.domains.forEach((domain, d) => {
    const at = `domains[${d}]`;
    if (seenDomains.has(domain.id)) add(String(domain.id), `${at}.id`, 'is listed twice');
    seenDomains.add(domain.id);
    const weight = DOMAINS[domain.id as ExamDomain].weight;
    if (domain.weight !== weight)
      add(
        String(domain.id),
        `${at}.weight`,
        `is ${domain.weight} but the bank weighs domain ${domain.id} at ${weight}`,
      );
    domain.tasks.forEach((task, t) => {
      const taskAt = `${at}.tasks[${t}]`;
      if (!task.id.startsWith(`${domain.id}.`))
        add(task.id, `${taskAt}.id`, `does not belong to domain ${domain.id}`);
      if (seenTasks.has(task.id)) add(task.id, `${taskAt}.id`, 'is listed twice');
      seenTasks.add(task.id);
      task.objectives.forEach((objective, o) => {
        const objectiveAt = `${taskAt}.objectives[${o}].id`;
        if (!objective.id.startsWith(`${task.id}.`))
          add(objective.id, objectiveAt, `does not belong to task statement ${task.id}`);
        if (objectives.has(objective.id)) add(objective.id, objectiveAt, 'is listed twice');
        objectives.set(objective.id, {
          id: objective.id,
          text: objective.text,
          covers: objective.covers,
          task: task.id,
          domain: domain.id,
        });
      });
    });
  });
  if (problems.length > before) return undefined;
  return { meta: parsed.data.guide, enforce: parsed.data.enforce, objectives };
}

/** Objective and freshness fields: ids that exist in the guide, dates that have happened. */
export function checkTags(
  question: QuestionSpec,
  context: { guide: BankGuide | undefined; guideMissing: boolean; guideFile: string; now: Date },
  add: (field: string, message: string) => void,
): void {
  const ids = objectivesOf(question);
  if (ids.length > 0 && context.guideMissing) {
    add('objective', `cannot be checked: there is no ${context.guideFile}`);
  } else if (context.guide) {
    for (const id of ids) {
      if (!context.guide.objectives.has(id))
        add('objective', `"${id}" is not an objective of the exam guide`);
    }
  }
  if (ids.length === 2 && ids[0] === ids[1]) add('objective', `names "${ids[0]}" twice`);
  if (question.verified && question.verified > context.now.toISOString().slice(0, 10)) {
    add('verified', `${question.verified} is in the future`);
  }
}
