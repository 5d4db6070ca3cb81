/**
 * How a change reaches a runtime. A session's runtime changes first and its store second, so each
 * runtime change comes as a pair: `apply` changes the live side and says what it did, in terms the
 * store records; `undo` puts it back if the store then rejects the change. The session writer calls
 * both under the session's lock; the runtime never learns whether, or how, anything was stored.
 */

/** What applying a change did to a runtime; the store records each fact with its event. */
export type RuntimeFact =
  | { kind: 'modelSet'; agentName: string; modelRef: string | null; previousModelRef: string | null }
  | { kind: 'agentSwitched'; agentName: string; previousAgentName: string }
  | { kind: 'started'; agentName: string }
  | { kind: 'stopped'; agentName: string };

export interface RuntimeChange {
  /**
   * Applies the change and returns what it did: no facts when there was nothing to change (starting a
   * session that already runs). It may refuse with a domain error, having changed nothing.
   */
  apply(): RuntimeFact[];
  /** Reverses what `apply` did. Cannot fail: everything it needs was made before `apply` ran. */
  undo(): void;
}
