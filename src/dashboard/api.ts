/**
 * How the dashboard reaches the server: as any client of the public API. Queries and mutations are
 * JSON POSTs to /graphql (which the CSRF protection lets through), with `Authorization: Bearer` once a
 * token is given; subscriptions share one graphql-ws WebSocket on the same path, the token in its
 * `connectionParams`. The connection is remade after every loss, and each feed is subscribed again with
 * the variables it gives then, so it resumes (`after`) where it stopped.
 */
import { createClient, type Client } from 'graphql-ws/client';
import type { TypedDocumentString } from './graphql/graphql.js';

const TOKEN_KEY = 'agent-session-graphql.token';

/** The API token, entered once and kept for this tab (sessionStorage), or none. */
export const storedToken = {
  get: (): string | undefined => sessionStorage.getItem(TOKEN_KEY) || undefined,
  set: (token: string): void => sessionStorage.setItem(TOKEN_KEY, token),
  clear: (): void => sessionStorage.removeItem(TOKEN_KEY),
};

export interface ApiErrorDetail {
  message: string;
  extensions?: Record<string, unknown>;
}

/** The server refused the token, or none was given where one is required (HTTP 401, WebSocket 4403). */
export class Unauthenticated extends Error {}

/** The server could not be reached, or answered without a GraphQL result (it is restarting, say). */
export class Unreachable extends Error {}

/** A GraphQL error (not a typed result): a bug, or a limit, worth showing as it is. */
export class ApiError extends Error {
  constructor(readonly errors: readonly ApiErrorDetail[]) {
    super(errors.map((error) => error.message).join('; '));
  }
}

const endpoint = new URL('/graphql', location.href);

/** One query or mutation over HTTP; its `data`, or one of the errors above. */
export async function request<TResult, TVariables>(document: TypedDocumentString<TResult, TVariables>, variables: TVariables): Promise<TResult> {
  const token = storedToken.get();
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...(token && { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify({ query: document.toString(), variables }),
    });
  } catch {
    throw new Unreachable('the server did not answer');
  }
  if (response.status === 401) throw new Unauthenticated('the server refused the API token');
  const body = (await response.json().catch(() => undefined)) as { data?: TResult | null; errors?: ApiErrorDetail[] } | undefined;
  if (body?.errors?.length) throw new ApiError(body.errors);
  if (!body?.data) throw new Unreachable(`the server answered ${response.status} without a result`);
  return body.data;
}

/** A subscription the page keeps open across reconnections. */
export interface Feed<TResult> {
  /** The operation as it is to be sent now: called at every (re)subscription, so `after` is the latest. */
  operation(): { query: string; variables: Record<string, unknown> };
  next(data: TResult): void;
  /**
   * The server ended the subscription with errors. `resume`: drop the connection and subscribe again on
   * the next one (a server shutting down, a subscriber too slow); `end`: the feed is over.
   */
  failed(errors: readonly ApiErrorDetail[]): 'resume' | 'end';
  /** The server completed the subscription (a deleted session's events end so): over, or to resume. */
  completed(): 'resume' | 'end';
}

export interface ConnectionEvents {
  /** A connection was acknowledged and every feed subscribed on it. */
  connected(): void;
  /** The connection was lost; another is tried after a pause. */
  lost(): void;
  /** The server closed the socket as Forbidden (4403): a token is required, or the one given was refused. */
  forbidden(): void;
}

/** graphql-ws closes with 4403 when `onConnect` refuses the connection (no valid token). */
const FORBIDDEN = 4403;
/**
 * A connection that died without a word (a laptop that slept, a network that dropped) is noticed by
 * pinging: no pong within PONG_TIMEOUT_MS of a ping closes it, and a new one is made.
 */
const PING_EVERY_MS = 15_000;
const PONG_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT = 4408;

/** The pause before attempt `n` (from 0): short at first, at most 3 s, with jitter so clients spread out. */
const backoff = (attempt: number) => Math.min(3000, 200 * 2 ** attempt) + Math.random() * 200;

const isCloseEvent = (value: unknown): value is { code: number } =>
  typeof value === 'object' && value !== null && 'code' in value && 'reason' in value;

export class LiveConnection {
  #client: Client | undefined;
  /** Every feed, and how to end its subscription on the current connection (if it has one). */
  readonly #feeds = new Map<Feed<never>, (() => void) | undefined>();
  #attempt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #connected = false;

  constructor(private readonly events: ConnectionEvents) {}

  get connected(): boolean {
    return this.#connected;
  }

  /** Connects (again, at once): after a token was given, say. */
  restart(): void {
    this.#drop();
    this.#attempt = 0;
    this.#connect();
  }

  /** Keeps `feed` subscribed on this connection and every later one, until the returned function is called. */
  add<TResult>(feed: Feed<TResult>): () => void {
    const key = feed as Feed<never>;
    this.#feeds.set(key, undefined);
    if (this.#connected && this.#client) this.#subscribe(this.#client, key);
    return () => {
      this.#feeds.get(key)?.();
      this.#feeds.delete(key);
    };
  }

  #connect(): void {
    clearTimeout(this.#retryTimer);
    const url = new URL(endpoint);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    let socket: WebSocket | undefined;
    let pongDue: ReturnType<typeof setTimeout> | undefined;
    const client: Client = createClient({
      url: url.href,
      keepAlive: PING_EVERY_MS,
      // One attempt per client: a lost connection is remade here, with every feed's latest position.
      lazy: false,
      retryAttempts: 0,
      // The loss is handled through `closed` below; graphql-ws would also print it to the console.
      onNonLazyError: () => {},
      connectionParams: () => {
        const token = storedToken.get();
        return token ? { authorization: `Bearer ${token}` } : {};
      },
      on: {
        opened: (opened) => {
          socket = opened as WebSocket;
        },
        ping: (received) => {
          if (received) return;
          pongDue = setTimeout(() => {
            if (socket?.readyState === WebSocket.OPEN) socket.close(REQUEST_TIMEOUT, 'no pong from the server');
          }, PONG_TIMEOUT_MS);
        },
        pong: (received) => {
          if (received) clearTimeout(pongDue);
        },
        connected: () => {
          if (client !== this.#client) return;
          this.#connected = true;
          for (const feed of this.#feeds.keys()) this.#subscribe(client, feed);
          this.events.connected();
        },
        closed: (event) => {
          clearTimeout(pongDue);
          if (client !== this.#client) return;
          this.#lose(isCloseEvent(event) ? event.code : undefined);
        },
      },
    });
    this.#client = client;
  }

  #subscribe(client: Client, feed: Feed<never>): void {
    let active = true;
    const unsubscribe = client.subscribe<never>(feed.operation(), {
      next: (result) => {
        if (!active) return;
        if (result.errors?.length) {
          this.#failed(feed, result.errors);
        } else if (result.data) {
          // The connection works, not only opens: the next loss starts again from the shortest pause.
          this.#attempt = 0;
          feed.next(result.data);
        }
      },
      error: (error) => {
        if (!active) return;
        active = false;
        // A closed socket is the connection's business (`closed` above); anything else is the server's answer.
        if (isCloseEvent(error)) return;
        this.#failed(feed, Array.isArray(error) ? (error as ApiErrorDetail[]) : [{ message: String(error) }]);
      },
      complete: () => {
        if (!active) return;
        active = false;
        if (feed.completed() === 'end') this.#feeds.delete(feed);
        else if (this.#client) this.#lose(undefined);
      },
    });
    this.#feeds.set(feed, () => {
      active = false;
      unsubscribe();
    });
  }

  #failed(feed: Feed<never>, errors: readonly ApiErrorDetail[]): void {
    if (feed.failed(errors) === 'end') {
      this.#feeds.get(feed)?.();
      this.#feeds.delete(feed);
      return;
    }
    // Resumed on a fresh connection: a server shutting down refuses new subscriptions on this one.
    if (this.#client) this.#lose(undefined);
  }

  /** The connection is gone (or given up): forget it, and try again after a pause unless the token was refused. */
  #lose(code: number | undefined): void {
    this.#drop();
    if (code === FORBIDDEN) {
      this.events.forbidden();
      return;
    }
    this.events.lost();
    this.#retryTimer = setTimeout(() => this.#connect(), backoff(this.#attempt++));
  }

  #drop(): void {
    clearTimeout(this.#retryTimer);
    const client = this.#client;
    this.#client = undefined;
    this.#connected = false;
    for (const feed of this.#feeds.keys()) {
      this.#feeds.get(feed)?.();
      this.#feeds.set(feed, undefined);
    }
    // A client whose connection never opened rejects its dispose: nothing is left to close then.
    if (client) Promise.resolve(client.dispose()).catch(() => {});
  }
}
