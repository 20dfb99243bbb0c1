/** Starts the whole platform on a fresh PostgreSQL database (or PGlite) on a loopback port, for HTTP tests. */
import { loadConfig } from '../../src/shared-kernel/config/config.ts';
import { createPlatform, type Platform } from '../../src/app/platform.ts';
import type { Logger } from '../../src/shared-kernel/logging/logger.ts';
import type { PlatformModule } from '../../src/shared-kernel/platform-module.ts';
import { freshPgDatabase } from './databases.ts';

export interface TestPlatform {
  readonly platform: Platform;
  readonly url: string;
  stop(): Promise<void>;
}

export async function startTestPlatform(
  options: { env?: Record<string, string>; modules?: readonly PlatformModule[]; clock?: () => Date; logger?: Logger } = {},
): Promise<TestPlatform> {
  const env: Record<string, string> = { PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', DEMO_DATA: 'false', DEMO_DIRECTORY: 'none', ...options.env };
  if (!env.DATABASE_URL && !env.DATA_DIR) {
    const db = await freshPgDatabase();
    env.DATABASE_URL = (db.pool.options as { connectionString: string }).connectionString;
    await db.close();
  }
  const platform = await createPlatform({
    config: loadConfig(env),
    ...(options.modules ? { modules: options.modules } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const url = await platform.start();
  if (!url) throw new Error('the platform did not start an HTTP server');
  return { platform, url, stop: () => platform.stop() };
}

/** Polls `check` until it returns true, for eventual consistency; fails after `timeoutMs`. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 10_000, intervalMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
