/** Server instances and the runtimes they hold: what an operator of several instances looks at. */
import { AdminOnlyError } from '../services/errors.js';
import type { RuntimeView, ServerInstanceView } from '../services/session-reads.js';
import { builder } from './builder.js';
import { globalId } from './ids.js';
import { TurnStateEnum } from './turn.js';

const RuntimeOverrideRef = builder.objectRef<RuntimeView['overrides'][number]>('RuntimeModelOverride').implement({
  fields: (t) => ({
    agentName: t.exposeString('agentName'),
    modelRef: t.exposeString('modelRef'),
  }),
});

const SessionRuntimeRef = builder.objectRef<RuntimeView>('SessionRuntime').implement({
  description: "A session's runtime as the instance holding it has it in memory (the store should say the same).",
  fields: (t) => ({
    sessionId: t.id({ resolve: (runtime) => globalId('Session', runtime.sessionId) }),
    currentAgent: t.exposeString('currentAgent'),
    modelOverrides: t.field({ type: [RuntimeOverrideRef], resolve: (runtime) => runtime.overrides }),
    turnId: t.id({ nullable: true, resolve: (runtime) => runtime.turnId }),
    turnState: t.field({ type: TurnStateEnum, nullable: true, resolve: (runtime) => runtime.turnState }),
  }),
});

const ServerInstanceRef = builder.objectRef<ServerInstanceView>('ServerInstance').implement({
  description: 'A server process using this database, and its lease on the session runtimes it holds.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name', { nullable: true, description: 'INSTANCE_NAME, when set.' }),
    startedAt: t.expose('startedAt', { type: 'DateTime' }),
    heartbeatAt: t.expose('heartbeatAt', { type: 'DateTime', description: 'Its last lease renewal.' }),
    leaseExpiresAt: t.expose('expiresAt', {
      type: 'DateTime',
      description: 'When its lease runs out if it is not renewed; the others release its sessions after that.',
    }),
    sessions: t.exposeInt('sessions', { description: 'Sessions the store says it holds.' }),
    self: t.exposeBoolean('self', { description: 'The instance answering this request.' }),
    runtimes: t.field({
      type: [SessionRuntimeRef],
      nullable: true,
      description: 'For the instance answering: the runtimes it holds, as they are in memory; null for the others.',
      resolve: (instance, _args, ctx) => (instance.self ? ctx.services.reads.runtimesHere() : null),
    }),
  }),
});

builder.queryField('serverInstances', (t) =>
  t.field({
    type: [ServerInstanceRef],
    description: 'The server instances sharing this database (admin tokens only).',
    resolve: (_root, _args, ctx) => {
      if (!ctx.principal.admin) throw new AdminOnlyError('serverInstances');
      return ctx.services.reads.instances();
    },
  }),
);
