/**
 * Prisma's schema engine as WebAssembly, for authoring and checking migrations with no native engine
 * and no download. It reaches the database through a driver adapter, so it diffs a live database (one
 * with the migrations applied) against the datamodel, exactly as `prisma migrate dev` would.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { bindMigrationAwareSqlAdapterFactory, type SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import * as engineBindings from '@prisma/schema-engine-wasm/schema_engine_bg';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import type { Migration } from '../src/db/migrations.js';
import { migratePostgres } from '../src/db/postgres.js';
import { migrateSqlite } from '../src/db/sqlite.js';
import type { DatabaseProvider } from '../src/db/providers.js';
import { createLogger } from '../src/log.js';

// Node has WebAssembly; TypeScript's ES libs do not describe it.
declare const WebAssembly: {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: object } }>;
};

let loaded: Promise<typeof engineBindings.SchemaEngine> | undefined;

/** The package's own entry imports the .wasm file as a module, which Node cannot; instantiate it by hand. */
function loadEngine(): Promise<typeof engineBindings.SchemaEngine> {
  loaded ??= (async () => {
    const bindingsUrl = import.meta.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const wasm = readFileSync(fileURLToPath(new URL('schema_engine_bg.wasm', bindingsUrl)));
    const { instance } = await WebAssembly.instantiate(wasm, { './schema_engine_bg.js': engineBindings });
    engineBindings.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start(): void }).__wbindgen_start();
    return engineBindings.SchemaEngine;
  })();
  return loaded;
}

const quiet = createLogger({ level: 'warn', format: 'pretty' });
const noFilters = { externalTables: [], externalEnums: [] };

/** PostgreSQL's internal type `"char"`, which the engine's catalog queries return. */
const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;

/**
 * adapter-pg maps no column type for `"char"`, so introspection through it fails. Its values are
 * single characters that read fine as text: report them as text.
 */
class CharAsTextPool extends pg.Pool {
  override query(...args: unknown[]): never {
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    if (result instanceof Promise) {
      return result.then((value: pg.QueryResult) => {
        for (const field of value.fields ?? []) {
          if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
        }
        return value;
      }) as never;
    }
    return result as never;
  }
}

/** A throwaway database holding exactly what the given migrations create. */
interface ScratchDatabase {
  adapter: SqlMigrationAwareDriverAdapterFactory;
  drop(): Promise<void>;
}

async function scratchDatabase(
  provider: DatabaseProvider,
  migrations: Migration[],
  postgresUrl: string,
): Promise<ScratchDatabase> {
  const suffix = randomBytes(6).toString('hex');
  if (provider === 'sqlite') {
    const file = path.join(tmpdir(), `schema-scratch-${suffix}.db`);
    const db = new BetterSqlite3(file);
    migrateSqlite(db, migrations, quiet);
    db.close();
    return {
      adapter: new PrismaBetterSqlite3({ url: file }),
      drop: async () => rmSync(file, { force: true }),
    };
  }
  const schema = `schema_scratch_${suffix}`;
  const options = `-c search_path=${schema}`;
  const client = new pg.Client({ connectionString: postgresUrl, options });
  await client.connect();
  await client.query(`CREATE SCHEMA ${schema}`);
  await migratePostgres(client, migrations, quiet);
  await client.end();
  return {
    adapter: new PrismaPg(new CharAsTextPool({ connectionString: postgresUrl, options }), { schema }),
    drop: async () => {
      const admin = new pg.Client({ connectionString: postgresUrl });
      await admin.connect();
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
}

/**
 * The SQL that takes a database migrated with `migrations` to `datamodel`; empty when they agree.
 * PostgreSQL needs a reachable server (`postgresUrl`) to hold the scratch schema.
 */
export async function pendingMigrationSql(
  provider: DatabaseProvider,
  datamodel: string,
  migrations: Migration[],
  postgresUrl: string,
): Promise<string> {
  const SchemaEngine = await loadEngine();
  const scratch = await scratchDatabase(provider, migrations, postgresUrl);
  try {
    const files = [{ path: 'schema.prisma', content: datamodel }];
    const engine = await SchemaEngine.new(
      { datamodels: [['schema.prisma', datamodel]] },
      () => {},
      bindMigrationAwareSqlAdapterFactory(scratch.adapter),
    );
    const result = await engine.diff({
      from: { tag: 'schemaDatasource', files, configDir: path.dirname(fileURLToPath(import.meta.url)) },
      to: { tag: 'schemaDatamodel', files },
      script: true,
      exitCode: null,
      filters: noFilters,
    });
    engine.free();
    const sql = result.stdout ?? '';
    return /^\s*(-- This is an empty migration\.)?\s*$/.test(sql) ? '' : sql;
  } finally {
    await scratch.drop();
  }
}
