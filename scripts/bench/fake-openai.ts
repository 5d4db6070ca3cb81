/**
 * The turn phase's model: a fake OpenAI chat completions server, run in a child process of its own so
 * that the load generator's work does not slow it. It answers every request, streamed as OpenAI streams
 * (the same chunks as test/support/fake-providers.ts: a role chunk, one chunk per delta, the finish
 * chunk, the usage chunk with `stream_options.include_usage`, `[DONE]`), with as many deltas as the last
 * user message asks for: "20 deltas" gives `d0 `, `d1 `, … `d19 ` (5 by default). The role chunk and the
 * first delta go out in one write, so the first chunk a client reads carries the first piece of text;
 * every other delta is a write of its own, sent as soon as the previous one is handed to the socket.
 * A message that carries a tag ("… [t17]") has its arrival time recorded (epoch ms, this process's clock):
 * GET /arrivals gives them, so the bench can tell how long a server took to call its model.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

/** The text of delta `index` of a reply; the bench checks what subscribers receive against it. */
export const deltaText = (index: number) => `d${index} `;

/** The user message that asks the fake for a reply of `count` deltas, tagged to have its arrival recorded. */
export const askFor = (count: number, tag?: string) => `Reply with ${count} deltas` + (tag ? ` [${tag}]` : '');

interface ChatRequest {
  model?: string;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  messages?: { role: string; content: unknown }[];
}

function lastUserText(body: ChatRequest): string {
  const last = [...(body.messages ?? [])].reverse().find((message) => message.role === 'user');
  return typeof last?.content === 'string' ? last.content : JSON.stringify(last?.content ?? '');
}

function deltasAskedFor(text: string): number {
  const count = Number(/(\d+) deltas/.exec(text)?.[1] ?? 5);
  return Math.max(1, Math.min(count, 1_000_000));
}

const sse = (data: unknown) => `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;

function serve(): void {
  const arrivals = new Map<string, number>();
  const server = createServer((request, response) => {
    const arrived = performance.timeOrigin + performance.now();
    if (request.method === 'GET' && request.url === '/arrivals') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(Object.fromEntries(arrivals)));
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || !/\/chat\/completions$/.test(request.url ?? '')) {
        response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found","type":"invalid_request_error"}}');
        return;
      }
      let body: ChatRequest;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatRequest;
      } catch {
        response.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"message":"not JSON","type":"invalid_request_error"}}');
        return;
      }
      const asked = lastUserText(body);
    const tag = /\[([\w-]+)\]/.exec(asked)?.[1];
    if (tag && arrivals.size < 100_000) arrivals.set(tag, arrived);
    const count = deltasAskedFor(asked);
      const text = Array.from({ length: count }, (_, index) => deltaText(index));
      const id = `chatcmpl-${randomUUID()}`;
      const created = Math.floor(Date.now() / 1000);
      const model = body.model ?? 'fake';
      const includeUsage = body.stream_options?.include_usage === true;
      const usage = { prompt_tokens: 10, completion_tokens: count, total_tokens: 10 + count };

      if (body.stream !== true) {
        response.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            id,
            object: 'chat.completion',
            created,
            model,
            choices: [{ index: 0, message: { role: 'assistant', content: text.join(''), refusal: null }, logprobs: null, finish_reason: 'stop' }],
            usage,
          }),
        );
        return;
      }

      const chunk = (choices: unknown[], chunkUsage: unknown = null) =>
        sse({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_fake', choices, ...(includeUsage ? { usage: chunkUsage } : {}) });
      const delta = (content: Record<string, unknown>, finishReason: string | null = null) =>
        chunk([{ index: 0, delta: content, logprobs: null, finish_reason: finishReason }]);
      response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
      const write = (data: string) =>
        new Promise<void>((resolve) => {
          if (response.destroyed) resolve();
          else response.write(data, () => resolve());
        });
      void (async () => {
        await write(delta({ role: 'assistant', content: '', refusal: null }) + delta({ content: text[0] }));
        for (let index = 1; index < count && !response.destroyed; index += 1) await write(delta({ content: text[index] }));
        await write(delta({}, 'stop') + (includeUsage ? chunk([], usage) : '') + sse('[DONE]'));
        if (!response.destroyed) response.end();
      })();
    });
  });

  server.listen(0, '127.0.0.1', () => {
    console.log(`listening http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`);
  });
  process.on('SIGTERM', () => process.exit(0));
}

// Served only when run as the child process; the bench imports deltaText and askFor from here.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) serve();
