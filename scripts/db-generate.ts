/**
 * `npm run db:generate` (also run after `npm install`): writes the per-provider schemas and generates
 * their Prisma clients and the Pothos types. Works offline: `prisma generate` needs no schema engine,
 * but the CLI insists on one existing, so any existing file is named for it.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DATABASE_PROVIDERS } from '../src/db/providers.js';
import { projectRoot, renderSchema, schemaPath } from './prisma-schemas.js';

const prismaCli = path.join(projectRoot, 'node_modules', 'prisma', 'build', 'index.js');

for (const provider of DATABASE_PROVIDERS) {
  const file = schemaPath(provider);
  const text = renderSchema(provider);
  mkdirSync(path.dirname(file), { recursive: true });
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    // first generation
  }
  if (current !== text) writeFileSync(file, text);

  const result = spawnSync(process.execPath, [prismaCli, 'generate', '--schema', file], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
      CHECKPOINT_DISABLE: '1',
    },
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    process.stderr.write(result.stdout + result.stderr);
    console.error(`db:generate: prisma generate failed for ${provider}`);
    process.exit(1);
  }
  console.log(`db:generate: ${provider} client generated from ${path.relative(projectRoot, file)}`);
}
