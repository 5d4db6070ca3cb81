/** Team files (docker-agent's YAML shape) and the model refs they make valid; no server, no database. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ACCEPTED_MODEL_REF_FORMS,
  InvalidModelRefError,
  KNOWN_PROVIDERS,
  parseModelRef,
  type ParsedModelRef,
} from '../src/runtime/model-ref.js';
import { parseTeam, TeamCatalog, TeamConfigError, type Team } from '../src/runtime/team.js';

const BUNDLED_AGENTS = fileURLToPath(new URL('../agents', import.meta.url));
const FILE = 'team.yaml';

const parse = (yaml: string): Team => parseTeam('t', FILE, yaml);
/** A file with one agent on `model`, preceded by `rest` (models:, providers:…). */
const withRoot = (rest: string, model = 'm') => `${rest}\nagents:\n  root:\n    model: ${JSON.stringify(model)}\n`;
const rejection = (yaml: string): string => {
  try {
    parse(yaml);
  } catch (error) {
    expect(error).toBeInstanceOf(TeamConfigError);
    return (error as Error).message;
  }
  throw new Error('the team was accepted');
};
const refRejection = (team: Team, ref: string): string => {
  try {
    parseModelRef(team, ref);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidModelRefError);
    return (error as InvalidModelRefError).reason;
  }
  throw new Error(`the ref ${JSON.stringify(ref)} was accepted`);
};

describe('models', () => {
  it('reads every field of a model into its ModelConfig', () => {
    const team = parse(
      withRoot(`
models:
  m:
    provider: openai
    model: gpt-5
    base_url: https://proxy.example.com/v1
    max_tokens: 4096
    temperature: 0.7
    token_key: PROXY_OPENAI_KEY
    cost: { input: 1.25, output: 10, cache_read: 0.125 }
    fallback: [backup, anthropic/claude-sonnet-4-5]
  backup:
    provider: dmr
    model: ai/qwen3
    temperature: 0
`),
    );
    expect(team.models.get('m')).toEqual({
      name: 'm',
      provider: 'openai',
      model: 'gpt-5',
      baseUrl: 'https://proxy.example.com/v1',
      maxTokens: 4096,
      temperature: 0.7,
      tokenKey: 'PROXY_OPENAI_KEY',
      cost: { input: 1.25, output: 10, cacheRead: 0.125 },
      fallback: ['backup', 'anthropic/claude-sonnet-4-5'],
    });
    // Unset fields stay absent rather than undefined-but-present, and 0 is a temperature, not "unset".
    expect(team.models.get('backup')).toEqual({ name: 'backup', provider: 'dmr', model: 'ai/qwen3', temperature: 0 });
  });

  it.each([
    ['base_url: 42', /^team\.yaml: model "m": "base_url" must be a URL string; got 42$/],
    ['base_url: ftp://files.example.com', /model "m": "base_url" must be an http\(s\) URL; got "ftp:\/\/files.example.com"/],
    ['base_url: not a url', /model "m": "base_url" must be an http\(s\) URL/],
    ['max_tokens: -5', /^team\.yaml: model "m": "max_tokens" must be a positive integer; got -5$/],
    ['max_tokens: 0', /model "m": "max_tokens" must be a positive integer; got 0/],
    ['max_tokens: 1.5', /model "m": "max_tokens" must be a positive integer; got 1.5/],
    ['max_tokens: "100"', /model "m": "max_tokens" must be a positive integer; got "100"/],
    ['temperature: 2.5', /^team\.yaml: model "m": "temperature" must be a number from 0 to 2; got 2.5$/],
    ['temperature: -0.1', /model "m": "temperature" must be a number from 0 to 2; got -0.1/],
    ['temperature: hot', /model "m": "temperature" must be a number from 0 to 2; got "hot"/],
    ['token_key: my key', /model "m": "token_key" must be the name of an environment variable/],
    ['token_key: [A]', /model "m": "token_key" must be the name of an environment variable/],
    ['cost: 3', /model "m": "cost" must be a mapping like \{ input: 3, output: 15 \}/],
    ['cost: { input: 3 }', /model "m": "cost" needs both "input" and "output"/],
    ['cost: { input: -1, output: 2 }', /model "m": "cost" "input" must be a number of at least 0; got -1/],
    ['cost: { input: 1, output: 2, per_call: 3 }', /model "m": "cost" has an unknown price "per_call"/],
    ['fallback: backup', /model "m": "fallback" must be a list of model names or inline refs/],
    ['fallback: [nope]', /^team\.yaml: model "m": fallback "nope" is not a model of the team$/],
    ['fallback: [m]', /model "m": "fallback" lists the model itself/],
    ['fallback: [nope/x]', /model "m": fallback "nope\/x": unknown provider "nope"/],
  ])('rejects a model with %s', (field, message) => {
    expect(rejection(withRoot(`models:\n  m:\n    provider: openai\n    model: gpt-5\n    ${field}\n`))).toMatch(message);
  });

  it.each([
    ['an unknown provider', 'provider: acme\n    model: x', /model "m": unknown provider "acme" \(neither built in nor declared under "providers"\)/],
    ['no provider', 'model: x', /model "m" needs string fields "provider" and "model"/],
    ['a provider that is not a string', 'provider: 3\n    model: x', /model "m" needs string fields "provider" and "model"/],
    ['provider: alloy', 'provider: alloy\n    model: a,b', /model "m": an alloy has no "provider"/],
    ['a provider and a list of models', 'provider: openai\n    model: a,b', /model "m": "model" lists several models, which makes an alloy/],
  ])('rejects a model with %s', (_case, body, message) => {
    expect(rejection(withRoot(`models:\n  m:\n    ${body}\n`))).toMatch(message);
  });

  it('rejects a model whose name could never be referred to', () => {
    expect(rejection(withRoot(`models:\n  "a,b":\n    provider: openai\n    model: x\n  m: { provider: openai, model: x }\n`))).toMatch(
      /model "a,b": a model name may not be empty, contain ","/,
    );
  });

  it('accepts fallbacks that are inline refs of the built-in and the custom providers', () => {
    const team = parse(
      withRoot(`
providers:
  gw: { base_url: "http://gw.internal:8000/v1" }
models:
  m: { provider: openai, model: gpt-5, fallback: [gw/llama-3, openrouter/meta/llama-3] }
`),
    );
    expect(team.models.get('m')?.fallback).toEqual(['gw/llama-3', 'openrouter/meta/llama-3']);
  });
});

describe('custom providers', () => {
  const providers = `
providers:
  gw:
    base_url: http://gw.internal:8000/v1
  responses:
    api_type: openai_responses
    base_url: https://responses.example.com/v1
    token_key: RESPONSES_KEY
  claude_proxy: { api_type: anthropic, base_url: "https://claude-proxy.example.com" }
  gemini_proxy: { api_type: google, base_url: "https://gemini-proxy.example.com" }
models:
  m: { provider: gw, model: llama-3 }
`;

  it('reads each provider, chat completions being the default api_type', () => {
    const team = parse(withRoot(providers));
    expect([...team.providers.values()]).toEqual([
      { name: 'gw', apiType: 'openai_chatcompletions', baseUrl: 'http://gw.internal:8000/v1' },
      { name: 'responses', apiType: 'openai_responses', baseUrl: 'https://responses.example.com/v1', tokenKey: 'RESPONSES_KEY' },
      { name: 'claude_proxy', apiType: 'anthropic', baseUrl: 'https://claude-proxy.example.com' },
      { name: 'gemini_proxy', apiType: 'google', baseUrl: 'https://gemini-proxy.example.com' },
    ]);
    expect(team.models.get('m')).toMatchObject({ provider: 'gw', model: 'llama-3' });
  });

  it('makes inline refs on the team\'s providers valid, in agents, switches and alloys', () => {
    const team = parse(withRoot(providers, 'responses/gpt-5'));
    expect(team.agents[0]?.model).toBe('responses/gpt-5');
    expect(parseModelRef(team, 'gw/meta/llama-3')).toEqual({ kind: 'inline', ref: 'gw/meta/llama-3', provider: 'gw', model: 'meta/llama-3' });
    expect(parseModelRef(team, 'gw/a,claude_proxy/b')).toEqual({
      kind: 'alloy',
      ref: 'gw/a,claude_proxy/b',
      parts: [
        { provider: 'gw', model: 'a' },
        { provider: 'claude_proxy', model: 'b' },
      ],
    });
    // Another team does not declare them.
    const other = parse(withRoot('models:\n  m: { provider: openai, model: x }\n'));
    expect(refRejection(other, 'gw/meta/llama-3')).toBe('unknown provider "gw"');
    expect(rejection(withRoot('models:\n  m: { provider: openai, model: x }\n', 'gw/llama'))).toMatch(
      /^team\.yaml: agent "root": model "gw\/llama": unknown provider "gw"$/,
    );
  });

  it.each([
    ['api_type: soap\n    base_url: https://x.example.com', /^team\.yaml: provider "p": unknown "api_type" "soap" \(known: openai_chatcompletions, openai_responses, anthropic, google\)$/],
    ['api_type: 1\n    base_url: https://x.example.com', /provider "p": unknown "api_type" 1/],
    ['token_key: X', /^team\.yaml: provider "p" needs a "base_url"$/],
    ['base_url: x.example.com', /provider "p": "base_url" must be an http\(s\) URL; got "x.example.com"/],
    ['base_url: https://x.example.com\n    token_key: "$KEY"', /provider "p": "token_key" must be the name of an environment variable/],
  ])('rejects a provider with %j', (body, message) => {
    expect(rejection(withRoot(`providers:\n  p:\n    ${body}\nmodels:\n  m: { provider: openai, model: x }\n`))).toMatch(message);
  });

  it.each(['openai', 'OpenAI', 'echo', 'openrouter', 'alloy'])('rejects a provider named %j, a built-in name', (providerName) => {
    expect(
      rejection(withRoot(`providers:\n  ${providerName}: { base_url: "https://x.example.com" }\nmodels:\n  m: { provider: openai, model: x }\n`)),
    ).toMatch(new RegExp(`^team\\.yaml: provider "${providerName}": the name is taken by a built-in provider; choose another$`));
  });

  it.each(['my/provider', 'a,b', '"-x"'])('rejects the provider name %s', (providerName) => {
    expect(rejection(withRoot(`providers:\n  ${providerName}: { base_url: "https://x.example.com" }\n`))).toMatch(
      /provider ".*": a provider name may use letters, digits/,
    );
  });

  it('rejects a "providers" that is not a mapping, or a provider that is not one', () => {
    expect(rejection(withRoot('providers: [gw]\n'))).toMatch(/"providers" must be a mapping/);
    expect(rejection(withRoot('providers:\n  gw: http://x\n'))).toMatch(/provider "gw" must be a mapping with "base_url"/);
  });
});

describe('model refs', () => {
  const team = parse(
    withRoot(`
models:
  claude: { provider: anthropic, model: claude-sonnet-4-5, max_tokens: 8000 }
  m: { provider: openai, model: gpt-5-mini }
`),
  );

  it('knows openrouter and echo, and says so in the accepted forms', () => {
    expect(KNOWN_PROVIDERS).toEqual(expect.arrayContaining(['openrouter', 'echo']));
    expect(parseModelRef(team, 'openrouter/anthropic/claude-3.5')).toMatchObject({ kind: 'inline', provider: 'openrouter', model: 'anthropic/claude-3.5' });
    expect(parseModelRef(team, 'echo/demo')).toMatchObject({ kind: 'inline', provider: 'echo', model: 'demo' });
    for (const provider of KNOWN_PROVIDERS) expect(ACCEPTED_MODEL_REF_FORMS).toContain(provider);
    expect(ACCEPTED_MODEL_REF_FORMS).toMatch(/declares under "providers"/);
    expect(ACCEPTED_MODEL_REF_FORMS).toMatch(/named alloy/);
  });

  it('gives a named ref the team\'s config of the model', () => {
    const parsed = parseModelRef(team, 'claude');
    expect(parsed).toEqual({ kind: 'named', ref: 'claude', provider: 'anthropic', model: 'claude-sonnet-4-5', config: team.models.get('claude') });
    expect(parsed.kind === 'named' && parsed.config.maxTokens).toBe(8000);
    // Inline refs carry no config, even when they spell out a model of the team.
    expect(parseModelRef(team, 'anthropic/claude-sonnet-4-5')).not.toHaveProperty('config');
  });

  it('trims the parts of an inline alloy, and keeps the trimmed form as the ref', () => {
    const spaced = parseModelRef(team, 'openai/a, anthropic/b');
    expect(spaced).toEqual({
      kind: 'alloy',
      ref: 'openai/a,anthropic/b',
      parts: [
        { provider: 'openai', model: 'a' },
        { provider: 'anthropic', model: 'b' },
      ],
    });
    expect(parseModelRef(team, 'openai/a ,  anthropic/b')).toEqual(spaced);
    expect(parseModelRef(team, 'openai/a,anthropic/b')).toEqual(spaced);
  });

  it.each([
    ['openai/a, ,anthropic/b', /every part of an alloy/],
    ['openai/a,', /every part of an alloy/],
    ['openai/a, m', /every part of an alloy/],
    [' openai/a,anthropic/b', /leading or trailing spaces/],
    ['openai/a,nope/b', /unknown provider "nope"/],
    ['openai/a,openai/b c', /"b c" is not a model name/],
  ])('still rejects the alloy %j', (ref, reason) => {
    expect(refRejection(team, ref)).toMatch(reason);
  });
});

describe('named alloys (docker-agent: no provider, a model field listing models)', () => {
  const yaml = `
models:
  opus: { provider: anthropic, model: claude-opus-4-5 }
  gpt: { provider: openai, model: gpt-5.2, max_tokens: 2000 }
  duo:
    model: opus, gpt
  trio:
    model: duo,google/gemini-2.5-pro
`;

  it('reads an alloy model and resolves its parts, nested alloys flattened', () => {
    const team = parse(withRoot(yaml, 'trio'));
    expect(team.models.get('duo')).toEqual({ name: 'duo', provider: 'alloy', model: 'opus,gpt', alloy: ['opus', 'gpt'] });
    expect(team.agents[0]?.model).toBe('trio');
    const parsed: ParsedModelRef = parseModelRef(team, 'trio');
    expect(parsed).toEqual({
      kind: 'alloy',
      ref: 'trio',
      config: team.models.get('trio'),
      parts: [
        { provider: 'anthropic', model: 'claude-opus-4-5', config: team.models.get('opus') },
        { provider: 'openai', model: 'gpt-5.2', config: team.models.get('gpt') },
        { provider: 'google', model: 'gemini-2.5-pro' },
      ],
    });
  });

  it.each([
    ['an empty part', 'x:\n    model: "opus,,gpt"', /^team\.yaml: model "x": the alloy "opus,,gpt" has an empty part$/],
    ['an unknown part', 'x:\n    model: opus,ghost', /^team\.yaml: model "x": alloy "x" lists "ghost", which is neither a model of team "t" nor an inline/],
    ['a part of an unknown provider', 'x:\n    model: opus,nope/y', /model "x": unknown provider "nope"/],
    ['a loop', 'x:\n    model: opus,y\n  y:\n    model: gpt,x', /model "x": alloy "x" includes itself \(x → y → x\)/],
    ['its own max_tokens', 'x:\n    model: opus,gpt\n    max_tokens: 10', /model "x" is an alloy: "max_tokens" belongs on the models it lists/],
  ])('rejects an alloy with %s', (_case, body, message) => {
    expect(rejection(withRoot(`${yaml}  ${body}\n`))).toMatch(message);
  });

  it('is refused as a fallback, which must be one model', () => {
    expect(rejection(withRoot(`${yaml}  m: { provider: openai, model: x, fallback: [duo] }\n`))).toMatch(
      /model "m": fallback "duo" is an alloy; a fallback is one model/,
    );
  });

  it('stores an agent\'s inline alloy in its trimmed form', () => {
    const team = parse(withRoot('models:\n  m: { provider: openai, model: x }\n', 'openai/a , anthropic/b'));
    expect(team.agents[0]?.model).toBe('openai/a,anthropic/b');
  });
});

describe('agent fallback (docker-agent\'s shape: fallback on the agent)', () => {
  const team = (fallback: string) =>
    `models:\n  m: { provider: openai, model: gpt-5 }\n  backup: { provider: anthropic, model: claude-haiku-4-5 }\n` +
    `agents:\n  root:\n    model: m\n    fallback: ${fallback}\n`;

  it('reads models, retries and a cooldown', () => {
    expect(parse(team('{ models: [backup, google/gemini-2.5-flash], retries: -1, cooldown: 2m30s }')).agents[0]?.fallback).toEqual({
      models: ['backup', 'google/gemini-2.5-flash'],
      retries: -1,
      cooldownMs: 150_000,
    });
    expect(parse(team('{ models: [backup], cooldown: 45 }')).agents[0]?.fallback).toEqual({ models: ['backup'], cooldownMs: 45_000 });
    expect(parse(team('{ models: [backup], cooldown: 1.5s }')).agents[0]?.fallback?.cooldownMs).toBe(1500);
    expect(parse(team('{ models: [backup] }')).agents[0]).not.toHaveProperty('fallback.retries');
  });

  it.each([
    ['[backup]', /^team\.yaml: agent "root": "fallback" must be a mapping like \{ models: \[openai\/gpt-5\] \}$/],
    ['{ model: [backup] }', /agent "root": "fallback" has an unknown field "model"/],
    ['{ models: [ghost] }', /^team\.yaml: agent "root": fallback "ghost" is not a model of the team$/],
    ['{ models: backup }', /agent "root": fallback: "models" must be a list/],
    ['{ models: [backup], retries: -2 }', /agent "root": fallback: "retries" must be an integer of at least -1/],
    ['{ models: [backup], cooldown: soon }', /agent "root": fallback: "cooldown" must be a duration like "30s"/],
    ['{ models: [backup], cooldown: -1m }', /agent "root": fallback: "cooldown" must be a duration/],
  ])('rejects fallback: %s', (fallback, message) => {
    expect(rejection(team(fallback))).toMatch(message);
  });
});

describe('toolsets and permissions (docker-agent: toolsets on the agent, permissions on the team)', () => {
  const withTools = (toolsets: string, rest = '') =>
    `models:\n  m: { provider: openai, model: gpt }\nagents:\n  root:\n    model: m\n    toolsets: ${toolsets}\n${rest}`;

  it('reads every kind of toolset, with the shell defaults and MCP names', () => {
    const team = parse(
      withTools(
        '[{ type: filesystem }, { type: shell, timeout: 5, env: { A: b } }, { type: think }, { type: todo, tools: [list_todos] },' +
          ' { type: mcp, command: npx, args: [-y, srv] }, { type: mcp, name: remote, remote: { url: "https://mcp.example.com/mcp", headers: { X: y } } }]',
        'permissions: { allow: [read_*], deny: ["shell:cmd=rm *"] }',
      ),
    );
    expect(team.agents[0]!.toolsets).toEqual([
      { type: 'filesystem' },
      { type: 'shell', timeoutMs: 5000, maxOutputBytes: 65536, env: { A: 'b' } },
      { type: 'think' },
      { type: 'todo', tools: ['list_todos'] },
      { type: 'mcp', name: 'npx', command: 'npx', args: ['-y', 'srv'], env: {} },
      { type: 'mcp', name: 'remote', remote: { url: 'https://mcp.example.com/mcp', headers: { X: 'y' } } },
    ]);
    expect(team.permissions).toEqual({ allow: ['read_*'], ask: [], deny: ['shell:cmd=rm *'] });
    expect(parse(withRoot('models:\n  m: { provider: openai, model: gpt }')).agents[0]!.toolsets).toEqual([]);
  });

  it.each([
    ['{ type: browser }', /unknown toolset type "browser"/],
    ['{ kind: shell }', /needs a "type"/],
    ['{ type: shell, timeout: 0 }', /"timeout" must be a positive integer/],
    ['{ type: shell, max_output_bytes: "lots" }', /"max_output_bytes" must be a positive integer/],
    ['{ type: shell, env: { "1X": y } }', /invalid variable name/],
    ['{ type: filesystem, root: / }', /unknown field "root"/],
    ['{ type: mcp }', /needs "command".*or "remote/],
    ['{ type: mcp, command: a, remote: { url: "http://x" } }', /either "command" or "remote"/],
    ['{ type: mcp, remote: { url: "ftp://x" } }', /"remote.url" must be an http\(s\) URL/],
    ['{ type: mcp, command: srv }, { type: mcp, command: srv }', /two MCP servers are named "srv"/],
  ])('rejects the toolset %s, naming the agent and the entry', (toolset, problem) => {
    const message = rejection(withTools(`[${toolset}]`));
    expect(message).toMatch(/agent "root": toolsets\[\d\]/);
    expect(message).toMatch(problem);
  });

  it('rejects permissions that are not three lists of patterns', () => {
    expect(rejection(withTools('[]', 'permissions: [read_*]'))).toMatch(/"permissions" must be a mapping/);
    expect(rejection(withTools('[]', 'permissions: { allow: read_* }'))).toMatch(/"allow" must be a list of strings/);
    expect(rejection(withTools('[]', 'permissions: { maybe: [x] }'))).toMatch(/unknown field "maybe"/);
  });
});

describe('the catalog', () => {
  it('loads the bundled agents folder with no problems', async () => {
    const catalog = await TeamCatalog.load(BUNDLED_AGENTS);
    expect(catalog.problems).toEqual([]);
    expect(catalog.list().map((team) => team.name)).toEqual(['demo', 'example', 'pinned']);
    for (const team of catalog.list()) {
      for (const agent of team.agents) expect(() => parseModelRef(team, agent.model)).not.toThrow();
    }
  });

  it('bundles a demo team that runs offline on the echo provider and says it is a demo', async () => {
    const demo = (await TeamCatalog.load(BUNDLED_AGENTS)).get('demo')!;
    expect(demo.description).toMatch(/demo/i);
    expect(demo.description).toMatch(/echo/i);
    expect(demo.description).toMatch(/no real language model/i);
    expect(demo.agents.map((agent) => [agent.name, agent.model, agent.subAgents])).toEqual([
      ['root', 'echo', ['helper']],
      ['helper', 'echo-short', []],
    ]);
    expect(demo.models.get('echo')).toMatchObject({ provider: 'echo', model: 'demo' });
    expect(demo.models.get('echo-short')).toMatchObject({ provider: 'echo', maxTokens: 16 });
    // Every model it can switch to, alloys expanded, is an echo model: nothing dials out.
    for (const name of demo.models.keys()) {
      const parsed = parseModelRef(demo, name);
      const parts = parsed.kind === 'alloy' ? parsed.parts : [parsed];
      expect(parts.map((part) => part.provider)).toEqual(parts.map(() => 'echo'));
    }
    expect(demo.providers.size).toBe(0);
  });

  it('keeps the example team on real models, and pinned without switching', async () => {
    const catalog = await TeamCatalog.load(BUNDLED_AGENTS);
    const example = catalog.get('example')!;
    expect([...example.models.values()].map((model) => [model.name, model.provider, model.model])).toEqual([
      ['claude', 'anthropic', 'claude-sonnet-4-5'],
      ['gpt', 'openai', 'gpt-5-mini'],
      ['local', 'dmr', 'ai/qwen3'],
    ]);
    expect(catalog.get('pinned')?.modelSwitching).toBe(false);
  });

  it('reports a bad file and leaves it out, keeping the good ones', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'asg-teams-'));
    try {
      await writeFile(path.join(dir, 'good.yaml'), withRoot('models:\n  m: { provider: echo, model: demo }\n'));
      await writeFile(path.join(dir, 'bad.yaml'), withRoot('models:\n  m: { provider: openai, model: x, temperature: 3 }\n'));
      const catalog = await TeamCatalog.load(dir);
      expect(catalog.list().map((team) => team.name)).toEqual(['good']);
      expect(catalog.problems).toEqual(['bad.yaml: model "m": "temperature" must be a number from 0 to 2; got 3']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
