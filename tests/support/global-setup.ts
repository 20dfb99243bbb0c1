/**
 * vitest global set-up: starts a throwaway PostgreSQL and Redis on loopback (unless TEST_DATABASE_URL /
 * TEST_REDIS_URL point at servers already running) and passes their URLs to the tests through the environment.
 * With CI=true a service that cannot start fails the run; elsewhere the tests that need it are skipped.
 */
import { buildWeb } from '../../web/build.ts';
import { postgresAvailable, redisAvailable, startPostgres, startRedis, type RunningService } from './services.ts';

const running: RunningService[] = [];

export async function setup(): Promise<void> {
  // The platform serves the built web shell: build it once for the whole run (about a second).
  await buildWeb();
  const strict = process.env.CI === 'true';
  if (!process.env.TEST_DATABASE_URL) {
    if (postgresAvailable() || strict) {
      const pg = await startPostgres();
      running.push(pg);
      process.env.TEST_DATABASE_URL = pg.url;
    } else {
      console.warn('PostgreSQL is not installed: the PostgreSQL tests are skipped (they fail when CI=true).');
    }
  }
  if (!process.env.TEST_REDIS_URL) {
    if (redisAvailable() || strict) {
      const redis = await startRedis();
      running.push(redis);
      process.env.TEST_REDIS_URL = redis.url;
    } else {
      console.warn('redis-server is not installed: the Redis tests are skipped (they fail when CI=true).');
    }
  }
}

export async function teardown(): Promise<void> {
  await Promise.all(running.splice(0).map((service) => service.stop()));
}
