import { describe, expect, it } from 'vitest';
import { createSendQueue, RateLimitedError } from '../../src/jobs/send-queue.js';

describe('the send queue', () => {
  it('sends to one channel one at a time, spaced by the per-channel interval', async () => {
    const queue = createSendQueue({ concurrency: 8, perKeyIntervalMs: 40 });
    const times: number[] = [];
    await Promise.all([1, 2, 3].map(() => queue.run('C1', async () => times.push(Date.now()))));
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(35);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(35);
  });

  it('paces a workspace or tenant across its channels', async () => {
    const queue = createSendQueue({ concurrency: 8, perKeyIntervalMs: 0, perGroupIntervalMs: 30 });
    const times: number[] = [];
    await Promise.all(
      ['C1', 'C2', 'C3', 'C4'].map((c) => queue.run(c, async () => times.push(Date.now()), 'T1')),
    );
    times.sort();
    expect(times[3]! - times[0]!).toBeGreaterThanOrEqual(80);
  });

  it('a rate-limit answer pauses only its own channel and the send is retried once', async () => {
    const queue = createSendQueue({ concurrency: 8, perKeyIntervalMs: 0 });
    let limited = true;
    const done: string[] = [];
    await Promise.all([
      queue.run('SLOW', async () => {
        if (limited) {
          limited = false;
          throw new RateLimitedError(100);
        }
        done.push('SLOW');
      }),
      queue.run('FAST', async () => {
        done.push('FAST');
      }),
    ]);
    expect(done).toEqual(['FAST', 'SLOW']);
    expect(queue.stats()).toEqual({ sent: 2, retries: 1 });
  });

  it('never has more sends in flight than its concurrency', async () => {
    const queue = createSendQueue({ concurrency: 3, perKeyIntervalMs: 0 });
    let inFlight = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        queue.run(`C${i}`, async () => {
          inFlight++;
          most = Math.max(most, inFlight);
          await new Promise((resolve) => setTimeout(resolve, 5));
          inFlight--;
        }),
      ),
    );
    expect(most).toBe(3);
  });
});
