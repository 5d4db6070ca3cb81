/**
 * Generated files that are committed must match their sources: schema.graphql (Pothos), the typed
 * documents (codegen), the per-provider Prisma schemas (models.prisma), and the migrations (the models).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import { migrationsDir, projectRoot, renderSchema, schemaPath } from '../scripts/prisma-schemas.js';
import { pendingMigrationSql } from '../scripts/schema-engine.js';
import { readMigrations } from '../src/db/migrations.js';
import { printSortedSchema } from '../src/schema/index.js';
import codegenConfig from '../codegen.js';
import { POSTGRES_URL, PROVIDERS } from './support/databases.js';

const read = (file: string) => readFileSync(path.join(projectRoot, file), 'utf8');

describe('committed generated files', () => {
  it('schema.graphql is the printed Pothos schema (run `npm run schema:print`)', () => {
    expect(read('schema.graphql')).toBe(printSortedSchema());
  });

  it('test/graphql/ is what codegen makes of the current documents (run `npm run codegen`)', async () => {
    const outputs = (await generate({ ...codegenConfig, cwd: projectRoot, silent: true }, false)) as {
      filename: string;
      content: string;
    }[];
    expect(outputs.length).toBeGreaterThan(0);
    for (const output of outputs) {
      expect(read(path.relative(projectRoot, path.resolve(projectRoot, output.filename))), output.filename).toBe(
        output.content,
      );
    }
  });

  it.each(PROVIDERS)('prisma/%s/schema.prisma is generated from models.prisma (run `npm run db:generate`)', (provider) => {
    expect(readFileSync(schemaPath(provider), 'utf8')).toBe(renderSchema(provider));
  });

  it.each(PROVIDERS)('the %s migrations create exactly the models (run `npm run db:migration -- <name>`)', async (provider) => {
    const sql = await pendingMigrationSql(provider, renderSchema(provider), readMigrations(migrationsDir(provider)), POSTGRES_URL);
    expect(sql).toBe('');
  });

  it.each(PROVIDERS)('a change to the models that no %s migration covers is detected', async (provider) => {
    const changed = renderSchema(provider).replace('  starred      Boolean  @default(false)', '  starred      Boolean  @default(false)\n  pinnedNote   String?');
    const sql = await pendingMigrationSql(provider, changed, readMigrations(migrationsDir(provider)), POSTGRES_URL);
    expect(sql).toMatch(/pinnedNote/);
  });
});
