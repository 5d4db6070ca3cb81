/** Teams (agent configs) and their agents, as loaded from the agents directory. */
import type { AgentConfig, ModelConfig, Team } from '../runtime/team.js';
import { builder } from './builder.js';

const AgentRef = builder.objectRef<AgentConfig>('Agent').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    description: t.exposeString('description'),
    model: t.exposeString('model', { description: 'The default model: a model name of the team or an inline ref.' }),
    subAgents: t.exposeStringList('subAgents'),
  }),
});

const TeamModelRef = builder.objectRef<ModelConfig>('TeamModel').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    provider: t.exposeString('provider'),
    model: t.exposeString('model'),
  }),
});

const TeamRef = builder.objectRef<Team>('Team').implement({
  description: 'A team of agents from an agent config file.',
  fields: (t) => ({
    name: t.exposeString('name'),
    description: t.exposeString('description'),
    modelSwitching: t.exposeBoolean('modelSwitching', { description: 'Whether its sessions can switch models.' }),
    agents: t.field({ type: [AgentRef], resolve: (team) => team.agents }),
    models: t.field({ type: [TeamModelRef], resolve: (team) => [...team.models.values()] }),
  }),
});

builder.queryField('agents', (t) =>
  t.field({
    type: [TeamRef],
    description: 'The configured teams.',
    resolve: (_root, _args, ctx) => ctx.services.reads.listTeams(),
  }),
);
