/** Command-line entry: configuration → store (migrations applied) → server on PORT. */
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './log.js';

/** How long past SHUTDOWN_TIMEOUT_MS the process waits for stop() before it exits anyway. */
const HARD_EXIT_GRACE_MS = 5000;

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
    // A repeated signal changes nothing (under `npm start`, Ctrl-C may deliver SIGINT twice: from the
    // terminal and from npm); the stop is bounded anyway.
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal, timeoutMs: config.shutdownTimeoutMs });
    // stop() bounds each of its waits; this is the last resort should something it awaits never settle.
    setTimeout(() => {
      log.error('shutdown did not finish in time: exiting', { timeoutMs: config.shutdownTimeoutMs });
      process.exit(1);
    }, config.shutdownTimeoutMs + HARD_EXIT_GRACE_MS).unref();
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
