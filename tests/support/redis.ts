/** The test Redis started by the global set-up (tests/support/global-setup.ts), and key prefixes to isolate tests. */
import { randomUUID } from 'node:crypto';

export const testRedisUrl = process.env.TEST_REDIS_URL;
/** True when Redis is missing although CI requires it: the suites then fail instead of being skipped. */
export const requireRedis = !testRedisUrl && process.env.CI === 'true';

/** A fresh key prefix: tests sharing the one test Redis never see each other's keys. */
export function uniqueRedisPrefix(label = 't'): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}
