/**
 * The database providers this server runs on. Each has its own generated Prisma schema, client and
 * migrations folder, all derived from `prisma/models.prisma`.
 */
export type DatabaseProvider = 'sqlite' | 'postgresql';

export const DATABASE_PROVIDERS: readonly DatabaseProvider[] = ['sqlite', 'postgresql'];

/** Which provider a `DATABASE_URL` selects: `postgres://` / `postgresql://` or SQLite's `file:`. */
export function providerOfUrl(url: string): DatabaseProvider {
  if (/^postgres(ql)?:\/\//i.test(url)) return 'postgresql';
  if (url.startsWith('file:')) return 'sqlite';
  throw new Error(
    `DATABASE_URL must start with "file:" (SQLite) or "postgresql://" (PostgreSQL); got "${redactUrl(url)}"`,
  );
}

/** A URL safe to print in logs and errors: the password is replaced. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):([^@]*)@/, '//$1:***@');
}
