import { access, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { type BankProblem, GUIDE_FILE } from './bank.js';

export async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** The question files under the bank folder (not topics.yaml nor the guide), sorted. */
export async function listQuestionFiles(dir: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(dir, { recursive: true });
  } catch {
    return [];
  }
  return entries
    .filter(
      (entry) => /\.ya?ml$/.test(entry) && path.basename(entry) !== 'topics.yaml' && entry !== GUIDE_FILE,
    )
    .sort()
    .map((entry) => path.join(dir, entry));
}

/** A YAML file as plain data; undefined (with its problems recorded) when it cannot be read or parsed. */
export async function readYaml(file: string, problems: BankProblem[]): Promise<unknown> {
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (error) {
    problems.push({
      file: displayPath(file),
      questionId: '-',
      field: 'file',
      message: `cannot be read (${(error as Error).message})`,
    });
    return undefined;
  }
  const doc = parseDocument(source, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const where = error.linePos?.[0] ? `line ${error.linePos[0].line}` : 'yaml';
      const message = (error.message.split('\n')[0] ?? 'invalid YAML').replace(
        / at line \d+, column \d+:?$/,
        '',
      );
      problems.push({ file: displayPath(file), questionId: '-', field: where, message });
    }
    return undefined;
  }
  return doc.toJS();
}

/** A zod issue as a bank problem, naming the field as the file spells it. */
export function issueProblem(file: string, questionId: string, issue: z.core.$ZodIssue): BankProblem {
  if (issue.code === 'unrecognized_keys') {
    const at = formatPath(issue.path);
    return {
      file,
      questionId,
      field: issue.keys.map((key) => (at ? `${at}.${key}` : key)).join(', '),
      message: 'is not a known field',
    };
  }
  return { file, questionId, field: formatPath(issue.path) || '-', message: issue.message };
}

function formatPath(parts: PropertyKey[]): string {
  return parts
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
}

/** A path relative to the working directory when it is under it, for messages. */
export function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}
