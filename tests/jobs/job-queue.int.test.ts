import { describe, expect, it } from 'vitest';
import { BullMqJobQueue } from '../../src/shared-kernel/jobs/bullmq-job-queue.ts';
import { InProcessJobQueue, nextCronTime, parseCron } from '../../src/shared-kernel/jobs/in-process-job-queue.ts';
import { jobQueueContract, sleep, waitUntil } from '../contracts/job-queue.contract.ts';
import { requireRedis, testRedisUrl, uniqueRedisPrefix } from '../support/redis.ts';

jobQueueContract('in-process', async (onFailed) => new InProcessJobQueue({ onFailed }));

if (testRedisUrl) {
  const redisUrl = testRedisUrl;
  jobQueueContract('BullMQ', async (onFailed) => new BullMqJobQueue({ redisUrl, onFailed, prefix: uniqueRedisPrefix('contract') }));

  describe('BullMQ: two processes on one queue', () => {
    it('share the work and run every job exactly once', async () => {
      const prefix = uniqueRedisPrefix('shared');
      const runs = new Map<number, string[]>();
      const open = (label: string) => {
        const jobs = new BullMqJobQueue({ redisUrl, prefix });
        jobs.register<{ n: number }>({
          queue: 'shared.work',
          name: 'item',
          concurrency: 2,
          handler: async ({ n }) => {
            runs.set(n, [...(runs.get(n) ?? []), label]);
            await sleep(5 + (n % 3) * 5);
          },
        });
        return jobs;
      };
      const first = open('first');
      const second = open('second');
      try {
        await Promise.all([first.start(), second.start()]);
        const total = 60;
        for (let n = 0; n < total; n++) await (n % 2 ? first : second).enqueue('shared.work', 'item', { n });
        await waitUntil(() => runs.size === total, 30_000, 'all jobs run');
        await sleep(300);
        expect([...runs.values()].every((labels) => labels.length === 1)).toBe(true);
        const byProcess = [...runs.values()].flat().reduce<Record<string, number>>((acc, label) => ({ ...acc, [label]: (acc[label] ?? 0) + 1 }), {});
        expect(byProcess.first ?? 0).toBeGreaterThan(0);
        expect(byProcess.second ?? 0).toBeGreaterThan(0);
        expect((await first.stats())[0]!.counts).toEqual({ waiting: 0, active: 0, delayed: 0, completed: total, failed: 0 });
      } finally {
        await Promise.all([first.close({ timeoutMs: 2_000 }), second.close({ timeoutMs: 2_000 })]);
      }
    });
  });

  describe('BullMQ: health', () => {
    it('reports an unreachable Redis as unhealthy, and still closes', async () => {
      const jobs = new BullMqJobQueue({ redisUrl: 'redis://127.0.0.1:1', healthTimeoutMs: 300, onError: () => undefined });
      try {
        expect((await jobs.health()).ok).toBe(false);
      } finally {
        await jobs.close({ timeoutMs: 100 });
      }
    });
  });
} else {
  it.runIf(requireRedis)('Redis is available in CI', () => {
    expect.fail('TEST_REDIS_URL is not set while CI=true');
  });
}

describe('cron schedules of the in-process adapter', () => {
  const at = (iso: string) => new Date(iso).getTime();
  const next = (cron: string, tz: string, after: string) => new Date(nextCronTime(parseCron(cron, tz), at(after))).toISOString();

  it('finds the next matching minute in the time zone', () => {
    expect(next('30 2 * * *', 'Europe/Paris', '2025-01-10T12:00:00Z')).toBe('2025-01-11T01:30:00.000Z'); // UTC+1
    expect(next('30 2 * * *', 'Europe/Paris', '2025-07-10T12:00:00Z')).toBe('2025-07-11T00:30:00.000Z'); // UTC+2
    expect(next('*/15 * * * *', 'UTC', '2025-01-10T12:07:59Z')).toBe('2025-01-10T12:15:00.000Z');
    expect(next('0 9 * * MON-FRI', 'UTC', '2025-01-10T10:00:00Z')).toBe('2025-01-13T09:00:00.000Z'); // Friday → Monday
    expect(next('0 0 1 JAN *', 'UTC', '2025-01-01T00:00:00Z')).toBe('2026-01-01T00:00:00.000Z'); // strictly after
    expect(next('0 0 29 2 *', 'UTC', '2025-03-01T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
    expect(next('5 4 * * 7', 'UTC', '2025-01-10T00:00:00Z')).toBe('2025-01-12T04:05:00.000Z'); // 7 is Sunday
    expect(next('0 12 1-10/3,20 * *', 'UTC', '2025-01-05T00:00:00Z')).toBe('2025-01-07T12:00:00.000Z');
  });

  it('matches either day field when both are restricted, as cron does', () => {
    // the 15th, or any Monday
    expect(next('0 8 15 * MON', 'UTC', '2025-01-07T00:00:00Z')).toBe('2025-01-13T08:00:00.000Z');
    expect(next('0 8 15 * MON', 'UTC', '2025-01-13T09:00:00Z')).toBe('2025-01-15T08:00:00.000Z');
  });

  it('skips the hour that does not exist when clocks go forward', () => {
    // Paris, 30 March 2025: 02:00 → 03:00; 02:30 does not exist that day
    expect(next('30 2 * * *', 'Europe/Paris', '2025-03-29T12:00:00Z')).toBe('2025-03-31T00:30:00.000Z');
    expect(next('0 * * * *', 'Europe/Paris', '2025-03-30T00:30:00Z')).toBe('2025-03-30T01:00:00.000Z'); // 03:00 CEST
  });

  it('refuses invalid expressions and ones that never match', () => {
    expect(() => parseCron('0 0 31 2 *', 'UTC')).toThrow(/never matches/);
    expect(() => parseCron('0 24 * * *', 'UTC')).toThrow(/hour/);
    expect(() => parseCron('0 0 * * 8', 'UTC')).toThrow(/day-of-week/);
    expect(() => parseCron('*/0 * * * *', 'UTC')).toThrow(/step/);
    expect(() => parseCron('5-1 * * * *', 'UTC')).toThrow(/empty range/);
    expect(() => parseCron('0 0 0 * * *', 'UTC')).toThrow(/5 fields/);
    expect(() => parseCron('L * * * *', 'UTC')).toThrow(/minute/);
  });
});
