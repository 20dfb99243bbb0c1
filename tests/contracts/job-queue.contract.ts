/**
 * The job-queue contract: ONE suite that every adapter of the JobQueue port must pass (in-process, BullMQ).
 * `open(onFailed)` returns a fresh, isolated, not yet started queue; the contract closes every queue it opened.
 * Timing assertions only bound from one side (never "ran within X ms" tightly), so that they hold on a loaded machine.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FailedJobListener, JobContext, JobQueue } from '../../src/shared-kernel/jobs/jobs.port.ts';

export type OpenJobQueue = (onFailed?: FailedJobListener) => Promise<JobQueue>;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function waitUntil(predicate: () => boolean | Promise<boolean>, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await sleep(10);
  }
}

interface FailedCall {
  readonly queue: string;
  readonly job: { id?: string; name?: string };
  readonly error: unknown;
}

const Q = 'contract.main';

export function jobQueueContract(name: string, open: OpenJobQueue) {
  describe(`JobQueue contract: ${name}`, () => {
    const opened: JobQueue[] = [];
    const failures: FailedCall[] = [];

    async function openQueue(): Promise<JobQueue> {
      const queue = await open((queueName, job, error) => failures.push({ queue: queueName, job, error }));
      opened.push(queue);
      return queue;
    }

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((queue) => queue.close({ timeoutMs: 1_000 })));
      failures.length = 0;
    });

    it('runs a registered handler with a copy of the data and a context', async () => {
      const runs: { data: unknown; context: JobContext }[] = [];
      const jobs = await openQueue();
      jobs.register<{ hello: string; list: number[] }>({
        queue: Q,
        name: 'greet',
        handler: async (data, context) => {
          runs.push({ data: structuredClone(data), context });
          data.hello = 'mutated by the handler';
        },
      });
      await jobs.start();
      const payload = { hello: 'world', list: [1, 2, 3], nested: { ok: true, nothing: null } };
      const id = await jobs.enqueue(Q, 'greet', payload);
      payload.list.push(4); // the caller's object is not shared with the job
      await waitUntil(() => runs.length === 1);
      expect(runs[0]!.data).toEqual({ hello: 'world', list: [1, 2, 3], nested: { ok: true, nothing: null } });
      expect(payload.hello).toBe('world');
      const { context } = runs[0]!;
      expect({ jobId: context.jobId, queue: context.queue, name: context.name, attempt: context.attempt }).toEqual({
        jobId: id,
        queue: Q,
        name: 'greet',
        attempt: 1,
      });
      expect(context.signal.aborted).toBe(false);
      expect((await jobs.health()).ok).toBe(true);
    });

    it('runs the jobs of a queue in FIFO order with concurrency 1', async () => {
      const order: number[] = [];
      const jobs = await openQueue();
      jobs.register<{ n: number }>({ queue: Q, name: 'step', handler: async ({ n }) => void order.push(n) });
      for (let n = 0; n < 6; n++) await jobs.enqueue(Q, 'step', { n });
      await jobs.start();
      await waitUntil(() => order.length === 6);
      expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    });

    it('retries with backoff until success, numbering the attempts, on fresh data each time', async () => {
      const attempts: { attempt: number; at: number; seen: string }[] = [];
      const jobs = await openQueue();
      jobs.register<{ value: string }>({
        queue: Q,
        name: 'flaky',
        attempts: 5,
        backoff: { type: 'exponential', delayMs: 50 },
        handler: async (data, { attempt }) => {
          attempts.push({ attempt, at: Date.now(), seen: data.value });
          data.value = 'changed by a failed attempt';
          if (attempt < 3) throw new Error(`failure ${attempt}`);
        },
      });
      await jobs.start();
      await jobs.enqueue(Q, 'flaky', { value: 'original' });
      await waitUntil(() => attempts.length === 3);
      await sleep(300);
      expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
      expect(attempts.map((a) => a.seen)).toEqual(['original', 'original', 'original']);
      // exponential: 50 ms before the first retry, 100 ms before the second (small tolerance for clock rounding)
      expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(45);
      expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(95);
      expect(failures).toEqual([]);
      await waitUntil(async () => (await jobs.stats()).find((s) => s.queue === Q)?.counts.completed === 1);
    });

    it('gives up after `attempts` and calls onFailed exactly once', async () => {
      let runs = 0;
      const jobs = await openQueue();
      jobs.register({
        queue: Q,
        name: 'doomed',
        attempts: 3,
        backoff: { type: 'fixed', delayMs: 20 },
        handler: async () => {
          runs++;
          throw new Error('boom');
        },
      });
      await jobs.start();
      const id = await jobs.enqueue(Q, 'doomed', {});
      await waitUntil(() => failures.length > 0);
      await sleep(400);
      expect(runs).toBe(3);
      expect(failures).toHaveLength(1);
      expect(failures[0]!.queue).toBe(Q);
      expect(failures[0]!.job).toEqual({ id, name: 'doomed' });
      expect((failures[0]!.error as Error).message).toBe('boom');
    });

    it('adds a job once per jobId', async () => {
      const seen: string[] = [];
      const jobs = await openQueue();
      jobs.register<{ n: number }>({ queue: Q, name: 'once', handler: async ({ n }, { jobId }) => void seen.push(`${jobId}/${n}`) });
      expect(await jobs.enqueue(Q, 'once', { n: 1 }, { jobId: 'invoice-42' })).toBe('invoice-42');
      expect(await jobs.enqueue(Q, 'once', { n: 2 }, { jobId: 'invoice-42' })).toBe('invoice-42');
      await jobs.start();
      await waitUntil(() => seen.length === 1);
      // still known once completed
      expect(await jobs.enqueue(Q, 'once', { n: 3 }, { jobId: 'invoice-42' })).toBe('invoice-42');
      await jobs.enqueue(Q, 'once', { n: 4 }, { jobId: 'invoice-43' });
      await waitUntil(() => seen.length === 2);
      await sleep(200);
      expect(seen).toEqual(['invoice-42/1', 'invoice-43/4']);
    });

    it('does not run a delayed job before its delay', async () => {
      let ranAt = 0;
      const jobs = await openQueue();
      jobs.register({ queue: Q, name: 'later', handler: async () => void (ranAt = Date.now()) });
      await jobs.start();
      const enqueuedAt = Date.now();
      await jobs.enqueue(Q, 'later', {}, { delayMs: 500 });
      await sleep(250);
      expect(ranAt).toBe(0);
      expect((await jobs.stats()).find((s) => s.queue === Q)?.counts.delayed).toBe(1);
      await waitUntil(() => ranAt > 0);
      expect(ranAt - enqueuedAt).toBeGreaterThanOrEqual(490);
    });

    it('keeps a job delayed by more than 24.8 days (the longest timer) delayed', async () => {
      let ran = false;
      const jobs = await openQueue();
      jobs.register({ queue: Q, name: 'much-later', handler: async () => void (ran = true) });
      await jobs.start();
      await jobs.enqueue(Q, 'much-later', {}, { delayMs: 30 * 24 * 3_600_000 });
      await sleep(300);
      expect(ran).toBe(false);
      expect((await jobs.stats()).find((s) => s.queue === Q)?.counts.delayed).toBe(1);
    });

    it('runs a repeatable job every `everyMs` until unscheduled, and replaces a schedule by key', async () => {
      const runs: { data: unknown; jobId: string; attempt: number }[] = [];
      const jobs = await openQueue();
      jobs.register({ queue: Q, name: 'tick', handler: async (data, { jobId, attempt }) => void runs.push({ data, jobId, attempt }) });
      await jobs.schedule(Q, 'tick', { v: 1 }, { everyMs: 60_000 }, 'ticker');
      await jobs.schedule(Q, 'tick', { v: 2 }, { everyMs: 150 }, 'ticker'); // replaces the first
      await jobs.start();
      await waitUntil(() => runs.length >= 3);
      await jobs.unschedule(Q, 'ticker');
      await sleep(300); // an occurrence already running may still finish
      const count = runs.length;
      await sleep(700);
      expect(runs.length).toBe(count);
      expect(runs.every((r) => (r.data as { v: number }).v === 2 && r.attempt === 1)).toBe(true);
      expect(new Set(runs.map((r) => r.jobId)).size).toBe(runs.length);
    });

    it('accepts a cron schedule in a time zone and refuses an invalid one', async () => {
      let runs = 0;
      const jobs = await openQueue();
      jobs.register({ queue: Q, name: 'nightly', handler: async () => void runs++ });
      await jobs.start();
      const minute = new Date().getUTCMinutes();
      // every minute except this one and the next: nothing is due now
      const notNow = [...Array(60).keys()].filter((m) => m !== minute && m !== (minute + 1) % 60).join(',');
      await jobs.schedule(Q, 'nightly', {}, { cron: `${notNow} * * * *`, tz: 'UTC' }, 'not-now');
      await jobs.schedule(Q, 'nightly', {}, { cron: '30 2 * * MON-FRI', tz: 'Europe/Paris' }, 'nightly');
      await jobs.schedule(Q, 'nightly', {}, { cron: '0 0 1 JAN *' }, 'yearly');
      await jobs.schedule(Q, 'nightly', {}, { cron: '*/15 8-18 1,15 * *' }, 'twice-a-month');
      await sleep(300);
      expect(runs).toBe(0);
      expect((await jobs.stats()).find((s) => s.queue === Q)?.counts.delayed).toBe(4);
      await expect(jobs.schedule(Q, 'nightly', {}, { cron: '61 * * * *' }, 'bad')).rejects.toThrow(/minute/);
      await expect(jobs.schedule(Q, 'nightly', {}, { cron: '* * * *' }, 'bad')).rejects.toThrow(/5 fields/);
      await expect(jobs.schedule(Q, 'nightly', {}, { cron: '0 0 * * *', tz: 'Mars/Olympus' }, 'bad')).rejects.toThrow(/time zone/);
      for (const key of ['not-now', 'nightly', 'yearly', 'twice-a-month']) await jobs.unschedule(Q, key);
      expect((await jobs.stats()).find((s) => s.queue === Q)?.counts.delayed).toBe(0);
    });

    it('never runs more than `concurrency` jobs of a queue in parallel', async () => {
      let current = 0;
      let max = 0;
      let done = 0;
      const jobs = await openQueue();
      jobs.register({
        queue: Q,
        name: 'work',
        concurrency: 2,
        handler: async () => {
          current++;
          max = Math.max(max, current);
          await sleep(100);
          current--;
          done++;
        },
      });
      for (let n = 0; n < 6; n++) await jobs.enqueue(Q, 'work', { n });
      await jobs.start();
      await waitUntil(() => done === 6);
      expect(max).toBe(2);
    });

    it('closes gracefully: waits for the job in flight and starts no other', async () => {
      const events: string[] = [];
      let signal: AbortSignal | undefined;
      const jobs = await openQueue();
      jobs.register<{ n: number }>({
        queue: Q,
        name: 'slow',
        handler: async ({ n }, context) => {
          signal = context.signal;
          events.push(`start ${n}`);
          await sleep(300);
          events.push(`end ${n}`);
        },
      });
      await jobs.enqueue(Q, 'slow', { n: 1 });
      await jobs.enqueue(Q, 'slow', { n: 2 });
      await jobs.start();
      await waitUntil(() => events.length === 1);
      await jobs.close({ timeoutMs: 10_000 });
      events.push('closed');
      await sleep(300);
      expect(events).toEqual(['start 1', 'end 1', 'closed']);
      expect(signal?.aborted).toBe(false);
      await expect(jobs.enqueue(Q, 'slow', { n: 3 })).rejects.toThrow(/closed/);
    });

    it('aborts the signal of a job still running when the close timeout is exceeded', async () => {
      let signal: AbortSignal | undefined;
      const jobs = await openQueue();
      jobs.register({
        queue: Q,
        name: 'stubborn',
        handler: async (_data, context) => {
          signal = context.signal;
          await new Promise<void>((resolve, reject) => {
            const timer = setTimeout(resolve, 20_000);
            context.signal.addEventListener('abort', () => {
              clearTimeout(timer);
              reject(new Error('aborted'));
            });
          });
        },
      });
      await jobs.start();
      await jobs.enqueue(Q, 'stubborn', {});
      await waitUntil(() => signal !== undefined);
      const before = Date.now();
      await jobs.close({ timeoutMs: 200 });
      const elapsed = Date.now() - before;
      expect(signal!.aborted).toBe(true);
      expect(elapsed).toBeGreaterThanOrEqual(190);
      expect(elapsed).toBeLessThan(5_000);
    });

    it('still closes when a handler ignores the abort', async () => {
      let finished = false;
      let started = false;
      const jobs = await openQueue();
      jobs.register({
        queue: Q,
        name: 'deaf',
        handler: async () => {
          started = true;
          await sleep(4_000);
          finished = true;
        },
      });
      await jobs.start();
      await jobs.enqueue(Q, 'deaf', {});
      await waitUntil(() => started);
      const before = Date.now();
      await jobs.close({ timeoutMs: 200 });
      expect(Date.now() - before).toBeLessThan(3_500);
      expect(finished).toBe(false);
      await waitUntil(() => finished, 10_000); // let the handler end inside this test
    });

    it('reports waiting, delayed, completed and failed jobs in its stats', async () => {
      const jobs = await openQueue();
      jobs.register({ queue: Q, name: 'ok', handler: async () => undefined });
      jobs.register({
        queue: Q,
        name: 'ko',
        attempts: 1,
        handler: async () => {
          throw new Error('ko');
        },
      });
      for (let n = 0; n < 3; n++) await jobs.enqueue(Q, 'ok', { n });
      for (let n = 0; n < 2; n++) await jobs.enqueue(Q, 'ko', { n });
      await jobs.enqueue(Q, 'ok', { late: true }, { delayMs: 60_000 });
      const counts = async () => (await jobs.stats()).find((s) => s.queue === Q)?.counts;
      expect(await counts()).toEqual({ waiting: 5, active: 0, delayed: 1, completed: 0, failed: 0 });
      await jobs.start();
      await waitUntil(async () => (await counts())?.failed === 2 && (await counts())?.completed === 3);
      expect(await counts()).toEqual({ waiting: 0, active: 0, delayed: 1, completed: 3, failed: 2 });
      expect(failures).toHaveLength(2);
    });

    it('refuses data that is not JSON, unregistered jobs, bad names and late registrations', async () => {
      const jobs = await openQueue();
      jobs.register({ queue: Q, name: 'strict', handler: async () => undefined });
      const notJson: unknown[] = [() => 1, 10n, { amount: 10n }, { nested: [{ fn: () => 1 }] }, Symbol('s'), undefined, Number.NaN, new Date(), new Map()];
      for (const data of notJson) {
        await expect(jobs.enqueue(Q, 'strict', data), String(typeof data)).rejects.toThrow(/not JSON-serialisable/);
      }
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      await expect(jobs.enqueue(Q, 'strict', cyclic)).rejects.toThrow(/cycle/);
      await expect(jobs.schedule(Q, 'strict', { big: 1n }, { everyMs: 1_000 }, 'k')).rejects.toThrow(/not JSON-serialisable/);
      await expect(jobs.enqueue(Q, 'unknown', {})).rejects.toThrow(/no job "unknown" is registered/);
      await expect(jobs.enqueue('contract.other', 'strict', {})).rejects.toThrow(/registered/);
      await expect(jobs.enqueue(Q, 'strict', {}, { jobId: 'a:b' })).rejects.toThrow(/invalid job id/);
      await expect(jobs.enqueue(Q, 'strict', {}, { jobId: '123' })).rejects.toThrow(/invalid job id/);
      await expect(jobs.enqueue(Q, 'strict', {}, { delayMs: -1 })).rejects.toThrow(/delayMs/);
      expect(() => jobs.register({ queue: 'Bad:Queue', name: 'x', handler: async () => undefined })).toThrow(/invalid queue name/);
      expect(() => jobs.register({ queue: Q, name: 'strict', handler: async () => undefined })).toThrow(/already registered/);
      expect(() => jobs.register({ queue: Q, name: 'zero', attempts: 0, handler: async () => undefined })).toThrow(/attempts/);
      await jobs.start();
      expect(() => jobs.register({ queue: Q, name: 'late', handler: async () => undefined })).toThrow(/before start/);
      expect(await jobs.stats()).toEqual([{ queue: Q, counts: { waiting: 0, active: 0, delayed: 0, completed: 0, failed: 0 } }]);
    });
  });
}
