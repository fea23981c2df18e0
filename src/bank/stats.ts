import type { Bank } from './bank.js';
import {
  ALWAYS_ENFORCED,
  type ItemRuleResult,
  judgeItemWriting,
  measureItemWriting,
} from './item-writing.js';
import { ageInDays, countPerObjective, MIN_PER_OBJECTIVE, STALE_AFTER_DAYS } from './rules.js';
import { DOMAINS, domainTitle, objectivesOf } from './schema.js';

export const MIN_PER_TOPIC = 5;

export interface BankStats {
  active: number;
  retired: number;
  byDomain: Array<{ domain: number; title: string; count: number; share: number; weight: number | null }>;
  byTopic: Array<{ slug: string; title: string; domain: number; count: number }>;
  byType: Record<string, number>;
  byDifficulty: Record<string, number>;
  thinTopics: string[];
  /** Coverage of the exam guide; absent when the bank has no guide. */
  guide?: GuideStats;
  /** Item-writing rules: the figures, whether each is met, and whether breaking it fails the check. */
  itemWriting: Array<ItemRuleResult & { fails: boolean }>;
}

export interface GuideStats {
  enforce: boolean;
  byObjective: Array<{ id: string; text: string; count: number }>;
  /** Objectives with fewer than MIN_PER_OBJECTIVE active questions. */
  thinObjectives: string[];
  /** Active questions that name no objective / carry no `verified` date. */
  untagged: number;
  unverified: number;
  /** Active questions verified more than STALE_AFTER_DAYS ago. */
  stale: number;
  /** The longest-unchecked active questions, oldest first. */
  oldest: Array<{ id: string; verified: string; days: number }>;
}

/** How many of the oldest verified questions `questions stats` lists. */
export const OLDEST_SHOWN = 10;

/** Counts the active questions of the bank against the exam's domain weights. */
export function computeStats(bank: Bank, now = new Date()): BankStats {
  const active = bank.questions.filter((q) => q.status === 'active');
  const total = active.length || 1;
  const count = <K extends string | number>(key: (q: (typeof active)[number]) => K) => {
    const counts = new Map<K, number>();
    for (const q of active) counts.set(key(q), (counts.get(key(q)) ?? 0) + 1);
    return counts;
  };
  const domainCounts = count((q) => q.domain);
  // The exam's weights apply to exam questions only: background questions are shared out of the whole bank.
  const examTotal = active.filter((q) => q.domain !== 0).length || 1;
  const topicCounts = count((q) => q.topic);
  const byTopic = [...bank.topics.values()]
    .map((t) => ({ slug: t.slug, title: t.title, domain: t.domain, count: topicCounts.get(t.slug) ?? 0 }))
    .sort((a, b) => a.domain - b.domain || a.slug.localeCompare(b.slug));
  const stats: BankStats = {
    active: active.length,
    retired: bank.questions.length - active.length,
    byDomain: [1, 2, 3, 4, 5, 0].map((domain) => ({
      domain,
      title: domainTitle(domain),
      count: domainCounts.get(domain as never) ?? 0,
      share: ((domainCounts.get(domain as never) ?? 0) / (domain === 0 ? total : examTotal)) * 100,
      weight: domain === 0 ? null : DOMAINS[domain as keyof typeof DOMAINS].weight,
    })),
    byTopic,
    byType: Object.fromEntries(
      ['single', 'multiple', 'ordering', 'matching'].map((t) => [
        t,
        count((q) => q.type).get(t as never) ?? 0,
      ]),
    ),
    byDifficulty: Object.fromEntries(
      [1, 2, 3].map((d) => [String(d), count((q) => q.difficulty).get(d as never) ?? 0]),
    ),
    thinTopics: byTopic.filter((t) => t.count < MIN_PER_TOPIC).map((t) => t.slug),
    itemWriting: judgeItemWriting(measureItemWriting(bank.questions)).map((r) => ({
      ...r,
      fails: bank.guide?.enforce === true || ALWAYS_ENFORCED.has(r.rule),
    })),
  };
  if (bank.guide) {
    const counts = countPerObjective(bank);
    const byObjective = [...bank.guide.objectives.values()].map((o) => ({
      id: o.id,
      text: o.text,
      count: counts.get(o.id) ?? 0,
    }));
    const dated = active
      .filter((q) => q.verified !== undefined)
      .map((q) => ({ id: q.id, verified: q.verified as string, days: ageInDays(q.verified, now) ?? 0 }))
      .sort((a, b) => b.days - a.days || a.id.localeCompare(b.id));
    stats.guide = {
      enforce: bank.guide.enforce,
      byObjective,
      thinObjectives: byObjective.filter((o) => o.count < MIN_PER_OBJECTIVE).map((o) => o.id),
      untagged: active.filter((q) => q.domain !== 0 && objectivesOf(q).length === 0).length,
      unverified: active.length - dated.length,
      stale: dated.filter((q) => q.days > STALE_AFTER_DAYS).length,
      oldest: dated.slice(0, OLDEST_SHOWN),
    };
  }
  return stats;
}

/** The report `aif-quiz questions stats` prints. */
export function formatStats(stats: BankStats): string {
  const pct = (n: number) => `${n.toFixed(1).padStart(5)}%`;
  const share = (n: number) => pct((n / (stats.active || 1)) * 100);
  const lines = [
    `${stats.active} active questions (${stats.retired} retired)`,
    '',
    'By exam domain        count  share  exam weight',
  ];
  for (const d of stats.byDomain) {
    const label = d.domain === 0 ? 'Background (0)' : `Domain ${d.domain}`;
    lines.push(
      `  ${label.padEnd(18)} ${String(d.count).padStart(5)} ${pct(d.share)}  ${d.weight === null ? '   -' : pct(d.weight)}  ${d.title}`,
    );
  }
  lines.push('', 'By type');
  for (const [type, n] of Object.entries(stats.byType))
    lines.push(`  ${type.padEnd(18)} ${String(n).padStart(5)} ${share(n)}`);
  lines.push('', 'By difficulty');
  for (const [d, n] of Object.entries(stats.byDifficulty))
    lines.push(`  ${`level ${d}`.padEnd(18)} ${String(n).padStart(5)} ${share(n)}`);
  lines.push('', 'By topic');
  for (const t of stats.byTopic) {
    const flag = t.count < MIN_PER_TOPIC ? `  <- fewer than ${MIN_PER_TOPIC}` : '';
    lines.push(`  D${t.domain} ${t.slug.padEnd(34)} ${String(t.count).padStart(4)}${flag}`);
  }
  if (stats.thinTopics.length > 0) {
    lines.push('', `${stats.thinTopics.length} topic(s) have fewer than ${MIN_PER_TOPIC} active questions.`);
  }
  lines.push('', 'Item writing (single and multiple-response questions, options in file order)');
  for (const r of stats.itemWriting) {
    const verdict = r.met ? 'ok' : r.fails ? 'FAILS' : 'warns';
    lines.push(`  ${r.rule.padEnd(22)} ${verdict.padEnd(6)} ${r.summary}`);
  }
  if (stats.guide) lines.push('', ...formatGuideStats(stats.guide));
  return lines.join('\n');
}

function formatGuideStats(guide: GuideStats): string[] {
  const lines = [
    `By exam-guide objective (coverage rules ${guide.enforce ? 'enforced' : 'not enforced yet'})`,
  ];
  for (const o of guide.byObjective) {
    const flag = o.count < MIN_PER_OBJECTIVE ? `  <- fewer than ${MIN_PER_OBJECTIVE}` : '';
    lines.push(`  ${o.id.padEnd(7)} ${String(o.count).padStart(4)}  ${o.text}${flag}`);
  }
  lines.push(
    '',
    `${guide.thinObjectives.length} of ${guide.byObjective.length} objective(s) have fewer than ${MIN_PER_OBJECTIVE} active questions${guide.thinObjectives.length > 0 ? `: ${guide.thinObjectives.join(', ')}` : ''}.`,
    `${guide.untagged} active question(s) name no objective; ${guide.unverified} have no verified date; ${guide.stale} were verified more than ${STALE_AFTER_DAYS} days ago.`,
  );
  if (guide.oldest.length > 0) {
    lines.push('', 'Oldest verified');
    for (const q of guide.oldest) lines.push(`  ${q.verified}  ${String(q.days).padStart(4)} days  ${q.id}`);
  }
  return lines;
}
