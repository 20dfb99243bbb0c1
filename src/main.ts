/** Entry point of `npm start`: loads the configuration, starts the platform, stops it on SIGTERM/SIGINT. */
import { ConfigError, loadConfig } from './shared-kernel/config/config.ts';
import { createPlatform, type Platform } from './app/platform.ts';

let config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(78); // EX_CONFIG
  }
  throw error;
}

let platform: Platform;
try {
  platform = await createPlatform({ config });
  await platform.start();
} catch (error) {
  // A start-up failure (data directory locked, database unreachable, port taken) is explained, not dumped.
  console.error(`The SAS platform could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    platform.logger.info({ signal }, 'shutting down');
    platform.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        platform.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
