/**
 * For Prisma's own CLI where its native engine can be installed (`npx prisma migrate deploy`,
 * `migrate status`, `studio`): picks the provider's schema and migrations from DATABASE_URL, as the
 * server does. The server itself needs none of this; see README.md, "Data model and migrations".
 */
import { defineConfig } from 'prisma/config';

const url = process.env.DATABASE_URL || 'file:./data/sessions.db';
const provider = /^postgres(ql)?:\/\//i.test(url) ? 'postgresql' : 'sqlite';

export default defineConfig({
  schema: `prisma/${provider}/schema.prisma`,
  migrations: { path: `prisma/${provider}/migrations` },
  datasource: { url },
});
