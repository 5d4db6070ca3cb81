/**
 * The fan-out baseline: graphql-ws over ws with graphql-js alone, no Yoga, no store, broadcasting events
 * of the same shape and size as sessionEvents'. POST /publish sends one ModelChangedEvent; POST
 * /publish-turn?deltas=N sends a turn's reply as the turn phase's server streams it: N AssistantDeltaEvents
 * (the fake provider's text, `d0 `, `d1 `, …), one per turn of the event loop as if each came from a socket
 * read, then a TurnEndedEvent.
 */
import { EventEmitter, on } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSchema, execute, subscribe } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';

const schema = buildSchema(`
  type Query { ok: Boolean }
  interface SessionEvent { seq: Int! at: String! agentName: String }
  type ModelChangedEvent implements SessionEvent {
    seq: Int! at: String! agentName: String modelRef: String previousModelRef: String
  }
  type AssistantDeltaEvent implements SessionEvent {
    seq: Int! at: String! agentName: String turnId: ID! index: Int! content: String!
  }
  type TurnEndedEvent implements SessionEvent { seq: Int! at: String! agentName: String turnId: ID! reason: String! }
  type TurnFailedEvent implements SessionEvent { seq: Int! at: String! agentName: String turnId: ID! code: String! message: String! }
  type Subscription { sessionEvents(sessionId: ID!): SessionEvent }
`);

const events = new EventEmitter();
events.setMaxListeners(0);
const field = schema.getSubscriptionType()!.getFields().sessionEvents!;
field.subscribe = async function* () {
  for await (const [event] of on(events, 'event')) yield event;
};
field.resolve = (event) => event;

let seq = 0;
const server = createServer((request, response) => {
  if (request.method === 'POST' && request.url === '/publish') {
    request.resume();
    seq += 1;
    events.emit('event', {
      __typename: 'ModelChangedEvent',
      seq,
      at: new Date().toISOString(),
      agentName: 'root',
      modelRef: seq % 2 ? 'echo/bench' : 'echo-short',
      previousModelRef: seq % 2 ? 'echo-short' : 'echo/bench',
    });
    response.writeHead(200).end('{}');
    return;
  }
  if (request.method === 'POST' && request.url?.startsWith('/publish-turn')) {
    request.resume();
    const deltas = Number(new URL(request.url, 'http://bare').searchParams.get('deltas') ?? 1);
    seq += 1;
    const turnSeq = seq;
    const turnId = `turn-${turnSeq}`;
    let index = 0;
    const next = () => {
      if (index < deltas) {
        events.emit('event', {
          __typename: 'AssistantDeltaEvent',
          seq: turnSeq,
          at: new Date().toISOString(),
          agentName: null,
          turnId,
          index,
          content: `d${index} `,
        });
        index += 1;
        setImmediate(next);
        return;
      }
      seq += 1;
      events.emit('event', { __typename: 'TurnEndedEvent', seq, at: new Date().toISOString(), agentName: 'root', turnId, reason: 'COMPLETED' });
    };
    setImmediate(next);
    response.writeHead(200).end(JSON.stringify({ turnId }));
    return;
  }
  response.writeHead(404).end();
});
useServer({ schema, execute, subscribe }, new WebSocketServer({ server, path: '/graphql' }));
server.listen(0, '127.0.0.1', () => {
  console.log(`listening http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`);
});
process.on('SIGTERM', () => process.exit(0));
