/**
 * How a change reaches a runtime. A session's runtime changes first and its store second, so each
 * runtime change comes as a pair: `apply` changes the live side and says what it did, in terms the
 * store records; `undo` puts it back if the store then rejects the change. The session writer calls
 * both under the session's lock; the runtime never learns whether, or how, anything was stored.
 */

import type { ToolCallRequest } from './model-client.js';
import type { ElicitationRequest } from './tools/tool.js';

/** How a turn ended; with a failure when it failed. */
export interface TurnEndFact {
  kind: 'turnEnded';
  turnId: string;
  agentName: string;
  /** INTERRUPTED: the server stopped while the turn ran; recorded when it next starts. */
  reason: 'COMPLETED' | 'CANCELLED' | 'FAILED' | 'MAX_ITERATIONS' | 'INTERRUPTED';
  failure?: { code: string; message: string; retryable: boolean };
}

/** Why a turn waits for the user. */
export type TurnPause =
  | { kind: 'confirmation'; toolCall: ToolCallRequest }
  | { kind: 'maxIterations'; maxIterations: number }
  | { kind: 'elicitation'; elicitationId: string; request: ElicitationRequest };

/** How a paused turn was resumed: resumeTurn's decisions, and answerElicitation's actions. */
export type ResumeDecision = 'APPROVE' | 'APPROVE_SESSION' | 'APPROVE_TOOL' | 'REJECT' | 'ACCEPT' | 'DECLINE' | 'CANCEL';

/** The user's answer to a pause; `content` is an accepted elicitation's answer. */
export interface TurnResume {
  decision: ResumeDecision;
  reason: string | null;
  content?: Record<string, unknown>;
}

/** What applying a change did to a runtime; the store records each fact with its event. */
export type RuntimeFact =
  | { kind: 'modelSet'; agentName: string; modelRef: string | null; previousModelRef: string | null }
  | { kind: 'agentSwitched'; agentName: string; previousAgentName: string }
  | { kind: 'started'; agentName: string }
  | { kind: 'stopped'; agentName: string; reason: 'STOPPED' | 'SERVER_STOPPED' }
  | {
      kind: 'turnStarted';
      turnId: string;
      agentName: string;
      startedAt: Date;
      model: string;
      /** The messages the turn answers, stored with its start. */
      userMessages: { id: string; role: string; content: string }[];
    }
  | { kind: 'turnPaused'; turnId: string; agentName: string; pause: TurnPause }
  | { kind: 'turnResumed'; turnId: string; agentName: string; pause: TurnPause; resume: TurnResume }
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
