/**
 * The fan-out baseline: graphql-ws over ws with graphql-js alone, no Yoga, no store, broadcasting an
 * event of the same shape and size as sessionEvents' ModelChangedEvent. POST /publish sends one.
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
  response.writeHead(404).end();
});
useServer({ schema, execute, subscribe }, new WebSocketServer({ server, path: '/graphql' }));
server.listen(0, '127.0.0.1', () => {
  console.log(`listening http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`);
});
process.on('SIGTERM', () => process.exit(0));
