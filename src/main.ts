/** Command-line entry: configuration → store (migrations applied) → server on PORT. */
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './log.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger({ level: config.logLevel, format: config.logFormat });
  const app = await buildApp(config, { log });

  // Listening for signals before the port opens: a signal that arrives as the server comes up still
  // stops it cleanly instead of killing it mid-start.
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error('shutdown failed', { error: (error as Error).message });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  await app.start();
}

main().catch((error: unknown) => {
  console.error(`agent-session-graphql failed to start: ${(error as Error).message}`);
  process.exit(1);
});
