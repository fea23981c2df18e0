import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createUploadPace } from '../../src/platforms/slack/chart-upload.js';

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-11-30T09:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("chart uploads keep to Slack's Tier 4 per workspace", () => {
  it('lets a burst through, then holds the next call of that method until the window has passed', async () => {
    const awaitTurn = createUploadPace(2);
    await awaitTurn('T1', 'files.getUploadURLExternal');
    await awaitTurn('T1', 'files.getUploadURLExternal');
    let third = false;
    void awaitTurn('T1', 'files.getUploadURLExternal').then(() => {
      third = true;
    });
    // Another method, and another workspace, are not held by it.
    await awaitTurn('T1', 'files.completeUploadExternal');
    await awaitTurn('T2', 'files.getUploadURLExternal');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(third).toBe(false);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(third).toBe(true);
  });
});

describe('stopping while a chart waits for its turn', () => {
  it('gives up the wait at once, but takes a turn that is free', async () => {
    const awaitTurn = createUploadPace(1);
    const stopping = new AbortController();
    await awaitTurn('T1', 'files.getUploadURLExternal', stopping.signal);
    const waiting = awaitTurn('T1', 'files.getUploadURLExternal', stopping.signal);
    stopping.abort(new Error('stopping'));
    await expect(waiting).rejects.toThrow('stopping');
    // An upload already under way still gets its free turn at the next step.
    await expect(awaitTurn('T1', 'files.completeUploadExternal', stopping.signal)).resolves.toBeUndefined();
    // The given-up wait took no place: once the window has passed, one call goes at once.
    await vi.advanceTimersByTimeAsync(61_000);
    await expect(awaitTurn('T1', 'files.getUploadURLExternal')).resolves.toBeUndefined();
  });
});
