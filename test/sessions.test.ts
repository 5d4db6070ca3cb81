import type { ResultOf } from '@graphql-typed-document-node/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { graphql } from './graphql/index.js';
import { PROVIDERS } from './support/databases.js';
import { GetSession, SetModel, StartSession, StopSession } from './support/operations.js';
import { startTestServer, type TestServer } from './support/server.js';
import { createSession, expectTypename, storedSession } from './support/sessions.js';

const ListSessions = graphql(`
  query ListSessions($first: Int, $after: String) {
    sessions(first: $first, after: $after) {
      edges { cursor node { id title running } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

const Agents = graphql(`
  query Agents {
    agents { name modelSwitching agents { name model subAgents } models { name provider model } }
  }
`);

describe.each(PROVIDERS)('sessions on %s', (provider) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(provider);
  });

  it('creates a running session on the default team and reads it back', async () => {
    const created = await createSession(server, { title: '  Plan the release  ', workingDir: '/tmp/project' });
    expect(created).toMatchObject({ title: 'Plan the release', team: 'example', running: true, currentAgent: 'root' });
    const { session } = await server.data(GetSession, { id: created.id });
    expectTypename(session, 'Session');
    expect(session.availableModels).toEqual([
      { name: 'claude', ref: 'claude', provider: 'anthropic', model: 'claude-sonnet-4-5', isDefault: true, isCurrent: true, isCustom: false },
      { name: 'gpt', ref: 'gpt', provider: 'openai', model: 'gpt-5-mini', isDefault: false, isCurrent: false, isCustom: false },
      { name: 'local', ref: 'local', provider: 'dmr', model: 'ai/qwen3', isDefault: false, isCurrent: false, isCustom: false },
    ]);
    const stored = await storedSession(server, created.id);
    expect(stored.session).toMatchObject({ title: 'Plan the release', workingDir: '/tmp/project', teamName: 'example' });
    expect(stored.events.map((event) => event.kind)).toEqual(['SESSION_CREATED', 'SESSION_STARTED']);
  });

  it('switches to a team model, to inline refs, and clears back to the default', async () => {
    const created = await createSession(server);
    const switchTo = async (modelRef: string) => {
      const { setSessionAgentModel: result } = await server.data(SetModel, { input: { sessionId: created.id, modelRef } });
      expectTypename(result, 'SetSessionAgentModelPayload');
      return result;
    };

    const named = await switchTo('gpt');
    expect(named).toMatchObject({ agentName: 'root', modelRef: 'gpt', previousModelRef: null });
    expect(named.session.customModelsUsed).toEqual([]);

    const inline = await switchTo('openai/gpt-5');
    expect(inline).toMatchObject({ modelRef: 'openai/gpt-5', previousModelRef: 'gpt' });
    await switchTo('anthropic/claude-opus-4-1');
    const again = await switchTo('openai/gpt-5');
    // An inline ref is remembered once, in the order first used.
    expect(again.session.customModelsUsed).toEqual(['openai/gpt-5', 'anthropic/claude-opus-4-1']);
    expect(again.session.availableModels.filter((model) => model.isCurrent)).toEqual([
      { ref: 'openai/gpt-5', isCurrent: true },
    ]);

    const alloy = await switchTo('openai/gpt-5,anthropic/claude-sonnet-4-5');
    expect(alloy.session.customModelsUsed).toContain('openai/gpt-5,anthropic/claude-sonnet-4-5');

    const cleared = await switchTo('');
    expect(cleared).toMatchObject({ modelRef: null, previousModelRef: 'openai/gpt-5,anthropic/claude-sonnet-4-5' });
    const { session } = await server.data(GetSession, { id: created.id });
    expectTypename(session, 'Session');
    expect(session.agentModelOverrides).toEqual([]);
    expect(session.availableModels.find((model) => model.isCurrent)).toMatchObject({ ref: 'claude', isDefault: true });
    expect(session.availableModels.filter((model) => model.isCustom).map((model) => model.ref)).toEqual([
      'openai/gpt-5',
      'anthropic/claude-opus-4-1',
      'openai/gpt-5,anthropic/claude-sonnet-4-5',
    ]);

    const stored = await storedSession(server, created.id);
    expect(stored.overrides).toEqual({});
    const switches = stored.events.filter((event) => event.kind === 'MODEL_CHANGED');
    expect(switches.map((event) => event.payload.modelRef)).toEqual([
      'gpt',
      'openai/gpt-5',
      'anthropic/claude-opus-4-1',
      'openai/gpt-5',
      'openai/gpt-5,anthropic/claude-sonnet-4-5',
      null,
    ]);
    expect(stored.session?.version).toBe(switches.length);
  });

  it('keeps overrides given at creation and re-applies stored overrides when a session starts again', async () => {
    const created = await createSession(server, {
      agentModelOverrides: [
        { agentName: 'root', modelRef: 'local' },
        { agentName: 'researcher', modelRef: 'anthropic/claude-opus-4-1' },
      ],
      start: false,
    });
    expect(created.running).toBe(false);
    expect(created.agentModelOverrides).toEqual([
      { agentName: 'researcher', modelRef: 'anthropic/claude-opus-4-1' },
      { agentName: 'root', modelRef: 'local' },
    ]);
    const notRunning = await server.data(SetModel, { input: { sessionId: created.id, modelRef: 'gpt' } });
    expectTypename(notRunning.setSessionAgentModel, 'SessionNotRunning');

    const { startSession: started } = await server.data(StartSession, { id: created.id });
    expectTypename(started, 'Session');
    expect(started.running).toBe(true);
    expect(server.app.services.runtimes.get(await storedSession(server, created.id).then((s) => s.id))?.modelRefOf('researcher')).toBe(
      'anthropic/claude-opus-4-1',
    );
    expect(started.availableModels.find((model) => model.isCurrent)?.ref).toBe('local');

    const { stopSession: stopped } = await server.data(StopSession, { id: created.id });
    expectTypename(stopped, 'Session');
    expect(stopped.running).toBe(false);
    const stored = await storedSession(server, created.id);
    expect(stored.events.map((event) => event.kind)).toEqual(['SESSION_CREATED', 'SESSION_STARTED', 'SESSION_STOPPED']);
    // A stopped session still lists its models, from the stored override.
    const { session } = await server.data(GetSession, { id: created.id });
    expectTypename(session, 'Session');
    expect(session.availableModels.find((model) => model.isCurrent)?.ref).toBe('local');
  });

  it('starts a session whose stored override no longer resolves, on the default model', async () => {
    const created = await createSession(server, { start: false });
    const { id } = await storedSession(server, created.id);
    // A ref that was valid once (say, a model since removed from the team config).
    await server.app.database.prisma.agentModelOverride.create({
      data: { sessionId: id, agentName: 'root', modelRef: 'retired-model' },
    });
    const { startSession: started } = await server.data(StartSession, { id: created.id });
    expectTypename(started, 'Session');
    expect(started.running).toBe(true);
    expect(server.app.services.runtimes.get(id)?.overrideOf('root')).toBeUndefined();
    expect(server.app.services.runtimes.get(id)?.modelRefOf('root')).toBe('claude');
  });

  it('answers ModelSwitchingNotSupported for a team whose runtime cannot switch, and stores nothing', async () => {
    const created = await createSession(server, { team: 'pinned' });
    const { setSessionAgentModel: result } = await server.data(SetModel, {
      input: { sessionId: created.id, modelRef: 'openai/gpt-5' },
    });
    expectTypename(result, 'ModelSwitchingNotSupported');
    expect(result.message).toContain('cannot switch models');
    const stored = await storedSession(server, created.id);
    expect(stored.overrides).toEqual({});
    expect(stored.customModelsUsed).toEqual([]);
  });

  it('lists sessions newest first, page by page', async () => {
    const mine = [];
    for (let index = 0; index < 3; index += 1) mine.push(await createSession(server, { title: `page ${index}` }));
    const seen: string[] = [];
    let after: string | null | undefined = null;
    for (;;) {
      const page: ResultOf<typeof ListSessions> = await server.data(ListSessions, { first: 2, after });
      seen.push(...page.sessions.edges.map((edge) => edge.node.id));
      if (!page.sessions.pageInfo.hasNextPage) break;
      after = page.sessions.pageInfo.endCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    const positions = mine.map((session) => seen.indexOf(session.id));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect([...positions].sort((a, b) => b - a)).toEqual(positions);
  });

  it('lists the configured teams with their agents and models', async () => {
    const { agents } = await server.data(Agents);
    expect(agents.map((team) => [team.name, team.modelSwitching])).toEqual([
      ['demo', true],
      ['example', true],
      ['pinned', false],
    ]);
    expect(agents.find((team) => team.name === 'example')?.agents).toEqual([
      { name: 'root', model: 'claude', subAgents: ['researcher'] },
      { name: 'researcher', model: 'gpt', subAgents: [] },
    ]);
  });
});
