/** Shortcuts over the API for tests that need a session to work on. */
import { expect } from 'vitest';
import { eventually } from './faults.js';
import { CreateSession, SetModel } from './operations.js';
import type { TestServer } from './server.js';
import type { CreateSessionInput } from '../graphql/graphql.js';

export async function createSession(server: TestServer, input: Partial<CreateSessionInput> = {}) {
  const { createSession: result } = await server.data(CreateSession, { input: { title: 'test session', ...input } });
  if (result.__typename !== 'Session') throw new Error(`createSession failed: ${JSON.stringify(result)}`);
  return result;
}

/** Reads the stored state of a session straight from the database, past the API. */
export async function storedSession(server: TestServer, globalId: string) {
  const id = Buffer.from(globalId, 'base64').toString('utf8').replace(/^Session:/, '');
  const prisma = server.app.database.prisma;
  const [session, overrides, customs, events] = await Promise.all([
    prisma.session.findUnique({ where: { id } }),
    prisma.agentModelOverride.findMany({ where: { sessionId: id }, orderBy: { agentName: 'asc' } }),
    prisma.customModelUsed.findMany({ where: { sessionId: id }, orderBy: { position: 'asc' } }),
    prisma.sessionEvent.findMany({ where: { sessionId: id }, orderBy: { seq: 'asc' } }),
  ]);
  return {
    id,
    session,
    overrides: Object.fromEntries(overrides.map((row) => [row.agentName, row.modelRef])),
    customModelsUsed: customs.map((row) => row.modelRef),
    events: events.map((row) => ({ ...row, payload: JSON.parse(row.payload) as Record<string, unknown> })),
  };
}

/**
 * Polls until the session's turn is over with its end stored. The runtime lets go of a turn as its end
 * is applied, a moment before that end commits; the stored `activeTurnId` is cleared by the commit.
 */
export function turnEndStored(server: TestServer, globalId: string): Promise<true> {
  return eventually(async () => ((await storedSession(server, globalId)).session?.activeTurnId === null ? true : undefined), 'the turn to end');
}

export function expectTypename<T extends { __typename?: string }, N extends string>(
  value: T,
  typename: N,
): asserts value is Extract<T, { __typename?: N }> {
  expect(value.__typename, JSON.stringify(value)).toBe(typename);
}

/** setSessionAgentModel over HTTP; the result union as the API returned it. */
export async function setModel(server: TestServer, sessionId: string, modelRef: string) {
  const { setSessionAgentModel } = await server.data(SetModel, { input: { sessionId, modelRef } });
  return setSessionAgentModel;
}

/** setSessionAgentModel that must succeed; returns the payload. */
export async function switchModel(server: TestServer, sessionId: string, modelRef: string) {
  const result = await setModel(server, sessionId, modelRef);
  expectTypename(result, 'SetSessionAgentModelPayload');
  return result;
}
