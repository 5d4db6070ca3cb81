/**
 * How a change reaches a runtime. A session's runtime changes first and its store second, so each
 * runtime change comes as a pair: `apply` changes the live side and says what it did, in terms the
 * store records; `undo` puts it back if the store then rejects the change. The session writer calls
 * both under the session's lock; the runtime never learns whether, or how, anything was stored.
 */

/** How a turn ended; with a failure when it failed. */
export interface TurnEndFact {
  kind: 'turnEnded';
  turnId: string;
  agentName: string;
  reason: 'COMPLETED' | 'CANCELLED' | 'FAILED' | 'MAX_ITERATIONS';
  failure?: { code: string; message: string; retryable: boolean };
}

/** What applying a change did to a runtime; the store records each fact with its event. */
export type RuntimeFact =
  | { kind: 'modelSet'; agentName: string; modelRef: string | null; previousModelRef: string | null }
  | { kind: 'agentSwitched'; agentName: string; previousAgentName: string }
  | { kind: 'started'; agentName: string }
  | { kind: 'stopped'; agentName: string }
  | {
      kind: 'turnStarted';
      turnId: string;
      agentName: string;
      model: string;
      /** The messages the turn answers, stored with its start. */
      userMessages: { id: string; role: string; content: string }[];
    }
  | TurnEndFact;

export interface RuntimeChange {
  /**
   * Applies the change and returns what it did: no facts when there was nothing to change (starting a
   * session that already runs). It may refuse with a domain error, having changed nothing.
   */
  apply(): RuntimeFact[];
  /** Reverses what `apply` did. Cannot fail: everything it needs was made before `apply` ran. */
  undo(): void;
}
