/**
 * `npm run token -- <command>`: API tokens, on the database the server uses (DATABASE_URL, as the
 * server reads it; migrations are applied first, as at the server's start).
 *
 *   create --name <name> [--admin]   prints a new token, once: store it now
 *   list                             id, name, admin, created, last used, revoked
 *   revoke <id>                      the token stops working within seconds
 *
 * A server started without any token listens on loopback only and needs none; restart it once the
 * first token exists, and every caller then needs one.
 */
import { parseArgs } from 'node:util';
import { ApiTokens, TokenError } from './auth/tokens.js';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './db/client.js';
import { createLogger } from './log.js';

const USAGE = 'usage: npm run token -- create --name <name> [--admin] | list | revoke <id>';

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { name: { type: 'string' }, admin: { type: 'boolean', default: false } },
  });
  const [command, ...rest] = positionals;
  if (!command || !['create', 'list', 'revoke'].includes(command)) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig();
  // Only warnings: the token is what this command prints on stdout.
  const log = createLogger({ level: 'warn', format: config.logFormat });
  const database = await openDatabase({ url: config.databaseUrl, log, sqliteBusyTimeoutMs: config.sqliteBusyTimeoutMs });
  const tokens = new ApiTokens(database.prisma);
  try {
    switch (command) {
      case 'create': {
        if (!values.name) {
          console.error(`create needs --name\n${USAGE}`);
          return 2;
        }
        const { token, info } = await tokens.create(values.name, { admin: values.admin });
        console.error(`created token ${info.id} for "${info.name}"${info.admin ? ' (admin: sees every session)' : ''}; it is shown only now:`);
        console.log(token);
        return 0;
      }
      case 'list': {
        const rows = await tokens.list();
        if (rows.length === 0) console.error('no tokens: the server runs without authentication, on loopback only');
        for (const row of rows) {
          const state = row.revokedAt ? `revoked ${row.revokedAt.toISOString()}` : 'active';
          const used = row.lastUsedAt ? row.lastUsedAt.toISOString() : 'never';
          console.log(`${row.id}  ${row.name}${row.admin ? ' (admin)' : ''}  created ${row.createdAt.toISOString()}  last used ${used}  ${state}`);
        }
        return 0;
      }
      default: {
        const [id] = rest;
        if (!id) {
          console.error(`revoke needs the token's id (see list)\n${USAGE}`);
          return 2;
        }
        if (!(await tokens.revoke(id))) {
          console.error(`no active token "${id}"`);
          return 1;
        }
        console.error(`revoked ${id}`);
        return 0;
      }
    }
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof TokenError) console.error(error.message);
    else console.error(`token: ${(error as Error).message}`);
    process.exit(error instanceof TokenError ? 2 : 1);
  },
);
