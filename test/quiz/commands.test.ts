import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../src/quiz/commands.js';

describe('the command language', () => {
  it.each([
    ['', { name: 'practice' }],
    ['/aif-quiz', { name: 'practice' }],
    ['help', { name: 'help' }],
    ['practice', { name: 'practice' }],
    ['topic RAG-Knowledge-Bases', { name: 'topic', slug: 'rag-knowledge-bases' }],
    ['topics', { name: 'topics' }],
    ['stats', { name: 'stats' }],
    ['leaderboard', { name: 'leaderboard', period: 'week', scope: 'channel' }],
    ['leaderboard month', { name: 'leaderboard', period: 'month', scope: 'channel' }],
    ['leaderboard all workspace', { name: 'leaderboard', period: 'all', scope: 'workspace' }],
    ['subscribe 09:00', { name: 'subscribe', time: '09:00' }],
    [
      'subscribe 9:30 Europe/Berlin weekdays',
      { name: 'subscribe', time: '9:30', timezone: 'Europe/Berlin', days: 'weekdays' },
    ],
    ['/aif-quiz subscribe 07:45 mon,wed,fri', { name: 'subscribe', time: '07:45', days: 'mon,wed,fri' }],
    ['unsubscribe', { name: 'unsubscribe' }],
    ['digest fri 16:00', { name: 'digest', day: 'fri', time: '16:00' }],
    ['settings', { name: 'settings' }],
    ['reminders daily', { name: 'reminders', value: 'daily' }],
    ['snooze 7', { name: 'snooze', days: 7 }],
    ['snooze 3days', { name: 'snooze', days: 3 }],
    ['optout', { name: 'optout' }],
    ['opt-in', { name: 'optin' }],
    ['timezone Asia/Kolkata', { name: 'timezone', timezone: 'Asia/Kolkata' }],
    ['forget-me', { name: 'forget-me', confirmed: false }],
    ['forget-me confirm', { name: 'forget-me', confirmed: true }],
  ])('reads %j', (input, expected) => {
    expect(parseCommand(input)).toEqual(expected);
  });

  it.each([
    ['leaderbord', 'leaderboard'],
    ['subscrib 09:00', 'subscribe'],
    ['stast', 'stats'],
    ['remnders on', 'reminders'],
  ])('suggests the command meant by %j', (input, suggestion) => {
    expect(parseCommand(input)).toMatchObject({ name: 'invalid', suggestion });
  });

  it.each([
    ['subscribe', /Say when to post/],
    ['subscribe noon', /not a time of day/],
    ['reminders sometimes', /reminders on/],
    ['snooze forever', /1 to 90 days/],
    ['leaderboard year', /not a period/],
    ['topic', /Name one topic/],
    ['stats now', /takes nothing after it/],
    ['dance', /I don't know "dance"/],
  ])('explains what is wrong with %j', (input, problem) => {
    const command = parseCommand(input);
    expect(command.name).toBe('invalid');
    expect(command.name === 'invalid' && command.problem).toMatch(problem);
  });

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc
            .array(fc.constantFrom('subscribe', 'topic', ' ', '09:00', '/', 'x', 'leaderboard', 'snooze'))
            .map((p) => p.join(' ')),
        ),
        (input) => {
          const command = parseCommand(input);
          expect(typeof command.name).toBe('string');
        },
      ),
      { numRuns: 2000 },
    );
  });
});
