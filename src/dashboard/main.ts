/**
 * The dashboard page: every session, live, and the selected one's conversation, turn and model, all
 * through the public API (operations.ts, sent by api.ts). What the page knows lives in `list` and
 * `selected`; the DOM is updated in place, element by element, so that focus, text being typed and the
 * scroll position survive live updates.
 *
 * Resuming: the list keeps the cursor of the last change it applied and the selected session the `seq`
 * of its last stored event; a new connection subscribes with them as `after`, and the server sends what
 * was missed first. The status says "catching up" until the selected session has reached the newest
 * event the server reports for it.
 */
import { ApiError, LiveConnection, request, storedToken, Unauthenticated, Unreachable, type ApiErrorDetail, type Feed } from './api.js';
import type {
  DashboardMessageFragment,
  DashboardSessionEventsSubscription,
  DashboardSessionsChangedSubscription,
  DashboardSessionSummaryFragment,
  ResumeDecision,
  TurnEndReason,
  TurnState,
} from './graphql/graphql.js';
import {
  CancelTurnMutation,
  MessageQuery,
  ResumeTurnMutation,
  RunTurnMutation,
  SessionEventsSubscription,
  SessionHeadQuery,
  SessionQuery,
  SessionsChangedSubscription,
  SessionsQuery,
  SetModelMutation,
  StartSessionMutation,
  StopSessionMutation,
} from './operations.js';

type Summary = DashboardSessionSummaryFragment;
type Message = DashboardMessageFragment;
type SessionEvent = DashboardSessionEventsSubscription['sessionEvents'];
type SessionChange = DashboardSessionsChangedSubscription['sessionsChanged'];
type ConnectionState = 'live' | 'catching up' | 'reconnecting' | 'token required';

/** Sessions the list loads (newest first); later ones still arrive through the live feed. */
const LIST_SIZE = 100;
/** Entries kept in a session's event log. */
const EVENT_LOG_SIZE = 500;

// ---------------------------------------------------------------------------------------------- the page

function byTestId<T extends HTMLElement = HTMLElement>(testId: string): T {
  const element = document.querySelector<T>(`[data-testid="${testId}"]`);
  if (!element) throw new Error(`the page has no [data-testid="${testId}"]`);
  return element;
}

const view = {
  status: byTestId('connection-status'),
  tokenButton: byTestId<HTMLButtonElement>('token-button'),
  tokenForm: byTestId<HTMLFormElement>('token-form'),
  tokenReason: byTestId('token-reason'),
  tokenInput: byTestId<HTMLInputElement>('token-input'),
  tokenForget: byTestId<HTMLButtonElement>('token-forget'),
  notice: byTestId('notice'),
  list: byTestId<HTMLUListElement>('session-list'),
  count: byTestId('session-count'),
  listEmpty: byTestId('list-empty'),
  noSelection: byTestId('no-selection'),
  detail: byTestId('session-detail'),
  title: byTestId('detail-title'),
  running: byTestId('detail-running'),
  agent: byTestId('detail-agent'),
  team: byTestId('detail-team'),
  startStop: byTestId<HTMLButtonElement>('start-stop'),
  picker: byTestId<HTMLSelectElement>('model-picker'),
  modelRefForm: byTestId<HTMLFormElement>('model-ref-form'),
  modelRefInput: byTestId<HTMLInputElement>('model-ref-input'),
  modelRefApply: byTestId<HTMLButtonElement>('model-ref-apply'),
  modelError: byTestId('model-error'),
  gone: byTestId('session-gone'),
  conversation: byTestId<HTMLOListElement>('conversation'),
  turnState: byTestId('turn-state'),
  confirmation: byTestId('tool-confirmation'),
  confirmationTool: byTestId('confirmation-tool'),
  confirmationArguments: byTestId('confirmation-arguments'),
  rejectReason: byTestId<HTMLInputElement>('reject-reason'),
  iterationPrompt: byTestId('iteration-prompt'),
  iterationText: byTestId('iteration-text'),
  cancel: byTestId<HTMLButtonElement>('cancel-turn'),
  turnError: byTestId('turn-error'),
  messageForm: byTestId<HTMLFormElement>('message-form'),
  messageBox: byTestId<HTMLTextAreaElement>('message-box'),
  send: byTestId<HTMLButtonElement>('send'),
  eventLog: byTestId<HTMLOListElement>('event-log'),
};

/** Shows `text` in `element`, or hides the element when there is none. */
function showText(element: HTMLElement, text: string | undefined): void {
  element.textContent = text ?? '';
  element.hidden = !text;
}

function span(testId: string, className?: string): HTMLSpanElement {
  const element = document.createElement('span');
  element.dataset.testid = testId;
  if (className) element.className = className;
  return element;
}

function setStatus(state: ConnectionState): void {
  view.status.dataset.state = state;
  view.status.textContent = state;
  if (state === 'live') showText(view.notice, undefined);
}

/** A failure in plain words; a refused token also brings up the token form. */
function describeFailure(error: unknown): string {
  if (error instanceof Unauthenticated) {
    askForToken('The server refused the API token: enter a valid one.');
    return 'The server refused the API token.';
  }
  if (error instanceof Unreachable) return 'The server could not be reached; the page reconnects by itself.';
  if (error instanceof ApiError) return `The server answered with an error: ${error.message}`;
  return `Something went wrong: ${String(error)}`;
}

function showFailure(error: unknown): void {
  showText(view.notice, describeFailure(error));
}

// --------------------------------------------------------------------------------------------- the list

const list = {
  sessions: new Map<string, Summary>(),
  /** Deleted sessions: a summary read before the deletion must not bring one back. */
  deleted: new Set<string>(),
  /** The cursor of the last change applied: the feed resumes after it. */
  cursor: undefined as string | undefined,
  totalCount: 0,
  loaded: false,
};

/** Keeps the newest of two summaries of a session (by its last event), whichever order they came in. */
function upsert(summary: Summary): void {
  if (list.deleted.has(summary.id)) return;
  const known = list.sessions.get(summary.id);
  if (known && known.lastEventSeq > summary.lastEventSeq) return;
  list.sessions.set(summary.id, summary);
}

const currentModel = (summary: Summary | undefined) => summary?.availableModels.find((model) => model.isCurrent)?.ref;

async function loadList(): Promise<void> {
  const { sessions } = await request(SessionsQuery, { first: LIST_SIZE });
  const present = new Set(sessions.edges.map(({ node }) => node.id));
  // Read afresh (no cursor to resume from): what is not there any more was deleted meanwhile.
  for (const id of list.sessions.keys()) if (!present.has(id) && id !== selected?.id) list.sessions.delete(id);
  for (const { node } of sessions.edges) upsert(node);
  list.totalCount = sessions.totalCount;
  list.loaded = true;
  renderList();
  renderHeader();
}

function applyChange(change: SessionChange): void {
  list.cursor = change.cursor;
  if (change.kind === 'GAP') {
    // Changes were missed for good: read the list again; the feed goes on after the gap.
    loadList().catch(showFailure);
    return;
  }
  const id = change.sessionId;
  if (!id) return;
  if (change.kind === 'DELETED') {
    if (list.sessions.delete(id)) list.totalCount -= 1;
    list.deleted.add(id);
    if (selected?.id === id) markGone(selected);
  } else if (change.session) {
    if (!list.sessions.has(id) && change.kind === 'CREATED') list.totalCount += 1;
    upsert(change.session);
  }
  renderList();
  if (selected?.id === id) renderHeader();
}

const listFeed: Feed<DashboardSessionsChangedSubscription> = {
  operation: () => ({ query: SessionsChangedSubscription.toString(), variables: { after: list.cursor ?? null } }),
  next: (data) => applyChange(data.sessionsChanged),
  failed: (errors) => {
    // A cursor this server cannot read (another database behind the same address): start afresh.
    if (errors.some((error) => error.extensions?.code === 'BAD_USER_INPUT')) list.cursor = undefined;
    return 'resume';
  },
  completed: () => 'resume',
};

const listItems = new Map<string, HTMLLIElement>();

/** Puts `items` (kept by key) into `parent` in this order, moving only what is out of place. */
function placeInOrder(parent: HTMLElement, items: readonly HTMLElement[]): void {
  let next = parent.firstElementChild;
  for (const item of items) {
    if (item !== next) parent.insertBefore(item, next);
    else next = next.nextElementSibling;
  }
}

function listItem(summary: Summary): HTMLLIElement {
  let item = listItems.get(summary.id);
  if (!item) {
    item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'session';
    button.dataset.testid = 'session-item';
    button.dataset.sessionId = summary.id;
    button.addEventListener('click', () => select(summary.id));
    const fields = span('session-fields', 'fields');
    fields.append(span('session-running'), ' · ', span('session-agent'), ' · ', span('session-model'), ' · ', span('session-turn'));
    button.append(span('session-title', 'title'), fields);
    item.append(button);
    listItems.set(summary.id, item);
  }
  const button = item.firstElementChild as HTMLButtonElement;
  const field = (testId: string) => button.querySelector<HTMLElement>(`[data-testid="${testId}"]`)!;
  field('session-title').textContent = summary.title;
  field('session-running').textContent = summary.running ? 'running' : 'stopped';
  field('session-running').dataset.running = String(summary.running);
  field('session-agent').textContent = summary.currentAgent;
  field('session-model').textContent = currentModel(summary) ?? '(no model)';
  field('session-turn').textContent = summary.turn ? describeTurnState(summary.turn.state) : 'idle';
  field('session-turn').dataset.state = summary.turn?.state ?? 'NONE';
  button.setAttribute('aria-current', String(selected?.id === summary.id));
  return item;
}

function renderList(): void {
  const sessions = [...list.sessions.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id));
  for (const [id, item] of listItems) {
    if (!list.sessions.has(id)) {
      item.remove();
      listItems.delete(id);
    }
  }
  placeInOrder(view.list, sessions.map(listItem));
  const total = Math.max(list.totalCount, sessions.length);
  view.count.textContent = total > sessions.length ? `(newest ${sessions.length} of ${total})` : `(${total})`;
  view.listEmpty.hidden = !list.loaded || sessions.length > 0;
}

/** ↑ ↓ Home End move between sessions; Enter or Space opens one (they are buttons). */
view.list.addEventListener('keydown', (event) => {
  const buttons = [...view.list.querySelectorAll<HTMLButtonElement>('button.session')];
  const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
  const to = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: buttons.length - 1 }[event.key];
  if (to === undefined || buttons.length === 0) return;
  event.preventDefault();
  buttons[Math.max(0, Math.min(buttons.length - 1, to))]!.focus();
});

// ----------------------------------------------------------------------------- the selected session

interface TurnView {
  id: string;
  state: TurnState;
  maxIterations?: number | null;
  pendingToolCall?: { tool: string; arguments: string } | null;
  elicitation?: { server: string; message: string } | null;
}

/** A reply as it streams, until it is stored (then the stored message stands in its place). */
interface StreamingReply {
  key: string;
  turnId: string;
  text: string;
  /** The stored message that replaces it, once its MessageAddedEvent came. */
  storedAs?: string;
}

interface Selected {
  id: string;
  loading?: Promise<void>;
  loaded: boolean;
  /** The seq of the last stored event applied: the feed resumes after it. */
  lastSeq: number;
  messages: Map<string, Message>;
  /** Messages before the ones loaded (only the newest 100 are read). */
  olderMessages: number;
  replies: StreamingReply[];
  turn?: TurnView;
  lastEnd?: TurnEndReason;
  failure?: string;
  gone: boolean;
  removeFeed?: () => void;
  /** Catching up: who waits for `lastSeq` to reach a seq. */
  waiters: { seq: number; resolve: () => void }[];
}

let selected: Selected | undefined;

function select(id: string): void {
  if (selected?.id === id) return;
  selected?.removeFeed?.();
  for (const waiter of selected?.waiters ?? []) waiter.resolve();
  selected = { id, loaded: false, lastSeq: 0, messages: new Map(), olderMessages: 0, replies: [], gone: false, waiters: [] };
  history.replaceState(null, '', `#session=${encodeURIComponent(id)}`);
  view.eventLog.replaceChildren();
  showText(view.modelError, undefined);
  showText(view.turnError, undefined);
  view.rejectReason.value = '';
  renderAll();
  if (connection.connected) load(selected).catch(showFailure);
}

function load(session: Selected): Promise<void> {
  session.loading ??= (async () => {
    try {
      const { session: result } = await request(SessionQuery, { id: session.id });
      if (selected !== session) return;
      if (result.__typename !== 'Session') {
        markGone(session);
        return;
      }
      upsert(result);
      session.lastSeq = result.lastEventSeq;
      session.messages = new Map(result.messages.edges.map(({ node }) => [node.id, node]));
      session.olderMessages = result.messages.totalCount - result.messages.edges.length;
      session.turn = result.turn ?? undefined;
      session.loaded = true;
      session.removeFeed = connection.add(sessionFeed(session));
      renderAll();
    } finally {
      session.loading = undefined;
    }
  })();
  return session.loading;
}

/** Reads the session afresh (after a GapEvent: events it needed are no longer kept). */
function reload(session: Selected): void {
  session.removeFeed?.();
  session.removeFeed = undefined;
  session.loaded = false;
  session.replies = [];
  load(session).catch(showFailure);
}

/** Resolves once the session's events have caught up with where the server says they stand now. */
async function reachLatest(session: Selected): Promise<void> {
  const { session: head } = await request(SessionHeadQuery, { id: session.id });
  if (head.__typename !== 'Session') {
    markGone(session);
    return;
  }
  upsert(head);
  renderList();
  renderHeader();
  if (session.lastSeq >= head.lastEventSeq || session.gone) return;
  await new Promise<void>((resolve) => session.waiters.push({ seq: head.lastEventSeq, resolve }));
}

function markGone(session: Selected): void {
  session.gone = true;
  session.turn = undefined;
  session.removeFeed?.();
  session.removeFeed = undefined;
  for (const waiter of session.waiters.splice(0)) waiter.resolve();
  if (selected === session) renderAll();
}

function sessionFeed(session: Selected): Feed<DashboardSessionEventsSubscription> {
  return {
    operation: () => ({
      query: SessionEventsSubscription.toString(),
      variables: { sessionId: session.id, after: session.lastSeq },
    }),
    next: (data) => applyEvent(session, data.sessionEvents),
    failed: (errors: readonly ApiErrorDetail[]) => {
      if (errors.some((error) => error.extensions?.code === 'SESSION_NOT_FOUND')) {
        markGone(session);
        return 'end';
      }
      return 'resume';
    },
    // The stream ends after SessionExitedEvent only.
    completed: () => 'end',
  };
}

/** Numbers the replies streamed since the page opened, to key their elements. */
let repliesStreamed = 0;

/** Live pieces of a reply: appended to the reply streaming for their turn. */
function appendDelta(session: Selected, turnId: string, content: string): void {
  let reply = session.replies.findLast((candidate) => candidate.turnId === turnId && !candidate.storedAs);
  if (!reply) {
    reply = { key: `reply:${(repliesStreamed += 1)}`, turnId, text: '' };
    session.replies.push(reply);
  }
  reply.text += content;
}

function applyEvent(session: Selected, event: SessionEvent): void {
  if (selected !== session) return;
  switch (event.__typename) {
    case 'AssistantDeltaEvent':
      appendDelta(session, event.turnId, event.content);
      renderConversation();
      return;
    case 'GapEvent':
      reload(session);
      return;
    case 'SessionExitedEvent':
      markGone(session);
      return;
  }
  // Live-only pieces (reasoning, tool-call arguments) carry their turn's seq and are not shown; a stored
  // event at or before the last one applied was read already.
  if (event.__typename === 'ReasoningDeltaEvent' || event.__typename === 'ToolCallDeltaEvent' || event.seq <= session.lastSeq) return;
  session.lastSeq = event.seq;
  logEvent(event);
  switch (event.__typename) {
    case 'MessageAddedEvent': {
      if (event.role === 'assistant') {
        const reply = session.replies.findLast((candidate) => !candidate.storedAs);
        if (reply) reply.storedAs = event.messageId;
      }
      fetchMessage(session, event.messageId);
      break;
    }
    case 'MessageUpdatedEvent':
      fetchMessage(session, event.messageId);
      break;
    case 'TurnStartedEvent':
      session.turn = { id: event.turnId, state: 'RUNNING' };
      session.lastEnd = undefined;
      session.failure = undefined;
      break;
    case 'ToolCallConfirmationEvent':
      session.turn = { id: event.turnId, state: 'AWAITING_CONFIRMATION', pendingToolCall: { tool: event.tool, arguments: event.arguments } };
      break;
    case 'MaxIterationsReachedEvent':
      session.turn = { id: event.turnId, state: 'AWAITING_ITERATION_APPROVAL', maxIterations: event.maxIterations };
      break;
    case 'ElicitationRequestEvent':
      session.turn = { id: event.turnId, state: 'AWAITING_ELICITATION', elicitation: { server: event.server, message: event.message } };
      break;
    case 'TurnResumedEvent':
      session.turn = { id: event.turnId, state: 'RUNNING' };
      break;
    case 'TurnFailedEvent':
      session.failure = event.message;
      break;
    case 'TurnEndedEvent':
      session.turn = undefined;
      session.lastEnd = event.endReason;
      // What streamed and was never stored (a failed call's text) is not part of the conversation.
      session.replies = session.replies.filter((reply) => reply.storedAs);
      break;
  }
  for (const waiter of [...session.waiters]) {
    if (session.lastSeq >= waiter.seq) {
      session.waiters.splice(session.waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }
  renderTurn();
  renderConversation();
}

function fetchMessage(session: Selected, id: string): void {
  request(MessageQuery, { id })
    .then(({ node }) => {
      if (selected !== session || node?.__typename !== 'Message') return;
      session.messages.set(node.id, node);
      // The reply it stands for streams no more.
      session.replies = session.replies.filter((reply) => reply.storedAs !== node.id);
      renderConversation();
    })
    .catch(showFailure);
}

/** A few words on what a stored event changed, for the event log. */
function summarize(event: SessionEvent): string | undefined {
  switch (event.__typename) {
    case 'MessageAddedEvent':
      return event.role;
    case 'TurnStartedEvent':
      return event.model;
    case 'TurnEndedEvent':
      return event.endReason;
    case 'TurnResumedEvent':
      return event.decision;
    case 'ToolCallConfirmationEvent':
    case 'ToolCallEvent':
      return event.tool;
    case 'ToolCallResultEvent':
      return `${event.tool}${event.isError ? ' (error)' : ''}`;
    case 'ModelChangedEvent':
      return `${event.previousModelRef ?? 'default'} → ${event.modelRef ?? 'default'}`;
    case 'ModelFallbackEvent':
      return `${event.fromModel} → ${event.toModel}`;
    case 'TitleChangedEvent':
      return event.title;
    case 'SessionStoppedEvent':
      return event.stopReason;
    case 'MaxIterationsReachedEvent':
      return `after ${event.maxIterations} calls`;
    default:
      return undefined;
  }
}

function logEvent(event: SessionEvent): void {
  const entry = document.createElement('li');
  entry.dataset.testid = 'event';
  entry.dataset.seq = String(event.seq);
  entry.dataset.type = event.__typename;
  const summary = summarize(event);
  entry.textContent = `#${event.seq} ${event.__typename.replace(/Event$/, '')}${summary ? `: ${summary}` : ''}`;
  view.eventLog.append(entry);
  while (view.eventLog.childElementCount > EVENT_LOG_SIZE) view.eventLog.firstElementChild?.remove();
}

// ------------------------------------------------------------------------------- the detail panel

function renderAll(): void {
  renderList();
  renderHeader();
  renderConversation();
  renderTurn();
}

let modelSwitching = false;

function renderHeader(): void {
  view.detail.hidden = !selected;
  view.noSelection.hidden = Boolean(selected);
  if (!selected) return;
  const summary = list.sessions.get(selected.id);
  view.gone.hidden = !selected.gone;
  view.title.textContent = summary?.title ?? (selected.gone ? 'Deleted session' : 'Loading…');
  view.running.textContent = summary ? (summary.running ? 'running' : 'stopped') : '';
  view.agent.textContent = summary?.currentAgent ?? '';
  view.team.textContent = summary?.team ?? '';
  view.startStop.textContent = summary?.running ? 'Stop the session' : 'Start the session';
  view.startStop.disabled = !summary || selected.gone;
  const models = summary?.availableModels ?? [];
  const options = models.map((model) => `${model.ref}${model.isDefault ? ' (default)' : ''}`);
  // Rebuilt only when the choice changes, so a keyboard user's place in the list is kept.
  if (options.join('\n') !== [...view.picker.options].map((option) => option.text).join('\n')) {
    view.picker.replaceChildren(
      ...models.map((model, index) => {
        const option = document.createElement('option');
        option.value = model.ref;
        option.text = options[index]!;
        return option;
      }),
    );
  }
  // The picker shows what is in use: after a refused switch, the model that was put back.
  if (!modelSwitching) view.picker.value = currentModel(summary) ?? '';
  view.picker.disabled = modelSwitching || !summary?.running || selected.gone;
  view.modelRefInput.disabled = view.modelRefApply.disabled = view.picker.disabled;
  view.messageBox.disabled = view.send.disabled = selected.gone;
}

function describeTurnState(state: TurnState): string {
  switch (state) {
    case 'RUNNING':
      return 'working';
    case 'AWAITING_CONFIRMATION':
      return 'waiting for a tool approval';
    case 'AWAITING_ITERATION_APPROVAL':
      return 'at its iteration limit';
    case 'AWAITING_ELICITATION':
      return 'waiting for an answer';
  }
}

function renderTurn(): void {
  const turn = selected?.turn;
  view.turnState.dataset.state = turn?.state ?? 'NONE';
  view.turnState.textContent = turn
    ? turn.elicitation && turn.state === 'AWAITING_ELICITATION'
      ? `The MCP server ${turn.elicitation.server} asks: "${turn.elicitation.message}". ` +
        'Answer it with answerElicitation (GraphiQL, say): this page does not answer questions yet.'
      : `The agent is ${describeTurnState(turn.state)}.`
    : selected?.lastEnd
      ? `The last turn ended: ${selected.lastEnd.toLowerCase().replace('_', ' ')}${selected.failure ? ` (${selected.failure})` : ''}.`
      : 'No turn is running.';
  const call = turn?.state === 'AWAITING_CONFIRMATION' ? turn.pendingToolCall : undefined;
  view.confirmation.hidden = !call;
  if (call) {
    view.confirmationTool.textContent = call.tool;
    view.confirmationArguments.textContent = prettyJson(call.arguments);
    view.confirmation.querySelector('[data-decision="APPROVE_TOOL"]')!.textContent = `Always allow ${call.tool}`;
  }
  const atLimit = turn?.state === 'AWAITING_ITERATION_APPROVAL';
  view.iterationPrompt.hidden = !atLimit;
  if (atLimit) {
    const limit = turn.maxIterations;
    view.iterationText.textContent =
      limit === undefined || limit === null
        ? 'The turn has reached its limit of model calls. Let it make 10 more?'
        : `The turn has reached its limit of ${limit} model call${limit === 1 ? '' : 's'}. Let it make 10 more?`;
  }
  view.cancel.hidden = !turn;
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

const conversationItems = new Map<string, HTMLLIElement>();
/** What each item shows now, so that only what changed is redrawn. */
const shown = new WeakMap<HTMLLIElement, unknown>();

function messageItem(key: string, content: Message | StreamingReply): HTMLLIElement {
  let item = conversationItems.get(key);
  if (!item) {
    item = document.createElement('li');
    item.className = 'message';
    item.dataset.testid = 'message';
    conversationItems.set(key, item);
  }
  const signature = 'position' in content ? content : content.text;
  if (shown.get(item) === signature) return item;
  shown.set(item, signature);
  const who = document.createElement('span');
  who.className = 'who';
  if ('position' in content) {
    item.dataset.role = content.role;
    item.dataset.streaming = 'false';
    item.dataset.cancelled = String(content.cancelled);
    item.dataset.messageId = content.id;
    who.textContent =
      content.role === 'user'
        ? 'you'
        : content.role === 'tool'
          ? `tool ${content.toolName ?? ''}${content.isError ? ' · error' : ''}`
          : content.role === 'assistant'
            ? content.agentName ?? 'assistant'
            : content.role;
    const parts: (Node | string)[] = [who, content.content];
    if (content.toolCalls.length > 0) {
      const calls = document.createElement('span');
      calls.className = 'calls';
      calls.textContent = content.toolCalls.map((call) => `calls ${call.name} ${call.arguments}`).join('\n');
      parts.push(calls);
    }
    item.replaceChildren(...parts);
  } else {
    item.dataset.role = 'assistant';
    item.dataset.streaming = 'true';
    item.dataset.cancelled = 'false';
    delete item.dataset.messageId;
    who.textContent = 'assistant · streaming';
    item.replaceChildren(who, content.text);
  }
  return item;
}

function renderConversation(): void {
  const session = selected;
  const items: HTMLLIElement[] = [];
  if (session) {
    const messages = [...session.messages.values()].sort((a, b) => a.position - b.position);
    items.push(...messages.map((message) => messageItem(`message:${message.id}`, message)));
    for (const reply of session.replies) {
      if (!(reply.storedAs && session.messages.has(reply.storedAs))) items.push(messageItem(reply.key, reply));
    }
  }
  const keep = new Set(items);
  for (const [key, item] of conversationItems) {
    if (!keep.has(item)) {
      item.remove();
      conversationItems.delete(key);
    }
  }
  const conversation = view.conversation;
  const atBottom = conversation.scrollHeight - conversation.scrollTop - conversation.clientHeight < 40;
  placeInOrder(conversation, items);
  conversation.dataset.older = String(session?.olderMessages ?? 0);
  if (atBottom) conversation.scrollTop = conversation.scrollHeight;
}

// ----------------------------------------------------------------------------------------- actions

async function switchModel(ref: string): Promise<void> {
  const session = selected;
  if (!session || modelSwitching) return;
  const previous = currentModel(list.sessions.get(session.id)) ?? 'its default';
  modelSwitching = true;
  renderHeader();
  let problem: string | undefined;
  try {
    const { setSessionAgentModel: result } = await request(SetModelMutation, { input: { sessionId: session.id, modelRef: ref } });
    switch (result.__typename) {
      case 'SetSessionAgentModelPayload':
        upsert(result.session);
        view.modelRefInput.value = '';
        break;
      case 'InvalidModelRef':
        problem = `"${result.rejectedRef}" cannot be used: ${result.reason}. The model is still ${previous}.`;
        break;
      case 'PersistenceFailed':
        problem =
          `The switch to ${ref} was not saved, the model was put back to ${previous}.` +
          `${result.retryable ? ' Try again.' : ''} (incident ${result.incidentId})`;
        break;
      case 'SessionNotRunning':
        problem = 'The session is stopped: start it to switch its model.';
        break;
      default:
        problem = result.message;
    }
  } catch (error) {
    problem = describeFailure(error);
  } finally {
    modelSwitching = false;
  }
  if (selected !== session) return;
  showText(view.modelError, problem);
  renderList();
  renderHeader();
}

view.picker.addEventListener('change', () => void switchModel(view.picker.value));
view.modelRefForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const ref = view.modelRefInput.value.trim();
  if (ref) void switchModel(ref);
});

/** Runs `action` for the selected session and shows its failure under the turn, in plain words. */
async function turnAction(action: (session: Selected) => Promise<string | undefined>, controls: HTMLButtonElement[]): Promise<void> {
  const session = selected;
  if (!session) return;
  for (const control of controls) control.disabled = true;
  let problem: string | undefined;
  try {
    problem = await action(session);
  } catch (error) {
    problem = describeFailure(error);
  } finally {
    for (const control of controls) control.disabled = false;
  }
  if (selected === session) showText(view.turnError, problem);
}

/** Plain words for the typed errors of turn operations. */
function turnProblem(result: { __typename: string; message?: string }): string | undefined {
  switch (result.__typename) {
    case 'TurnPayload':
      return undefined;
    case 'SessionBusy':
      return 'A turn is already running: wait for it to end, or cancel it.';
    case 'SessionNotRunning':
      return 'The session is stopped: start it first.';
    case 'TurnNotAwaiting':
      return 'The turn no longer waits for this answer (another client may have answered first).';
    case 'TurnNotRunning':
      return 'No turn is running.';
    default:
      return result.message ?? result.__typename;
  }
}

function sendMessage(): void {
  const content = view.messageBox.value.trim();
  if (!content) return;
  void turnAction(async (session) => {
    const { runTurn } = await request(RunTurnMutation, { input: { sessionId: session.id, messages: [{ role: 'user', content }] } });
    if (runTurn.__typename === 'TurnPayload' && view.messageBox.value.trim() === content) view.messageBox.value = '';
    return turnProblem(runTurn);
  }, [view.send]);
}

view.messageForm.addEventListener('submit', (event) => {
  event.preventDefault();
  sendMessage();
});
// Enter sends; Shift+Enter starts a new line (and Enter while composing text with an IME does not send).
view.messageBox.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey && !event.isComposing) {
    event.preventDefault();
    sendMessage();
  }
});

function decide(decision: ResumeDecision, buttons: HTMLButtonElement[]): void {
  const reason = decision === 'REJECT' ? view.rejectReason.value.trim() || undefined : undefined;
  void turnAction(async (session) => {
    const { resumeTurn } = await request(ResumeTurnMutation, { input: { sessionId: session.id, decision, reason } });
    if (resumeTurn.__typename === 'TurnPayload') view.rejectReason.value = '';
    return turnProblem(resumeTurn);
  }, buttons);
}

for (const group of [view.confirmation, view.iterationPrompt]) {
  const buttons = [...group.querySelectorAll<HTMLButtonElement>('button[data-decision]')];
  for (const button of buttons) button.addEventListener('click', () => decide(button.dataset.decision as ResumeDecision, buttons));
}

view.cancel.addEventListener('click', () => {
  void turnAction(async (session) => turnProblem((await request(CancelTurnMutation, { sessionId: session.id })).cancelTurn), [view.cancel]);
});

view.startStop.addEventListener('click', () => {
  void turnAction(async (session) => {
    const running = list.sessions.get(session.id)?.running;
    const result = running
      ? (await request(StopSessionMutation, { id: session.id })).stopSession
      : (await request(StartSessionMutation, { id: session.id })).startSession;
    if (result.__typename !== 'Session') return result.message;
    upsert(result);
    renderList();
    renderHeader();
    return undefined;
  }, [view.startStop]);
});

// ------------------------------------------------------------------------------ token and connection

function askForToken(reason: string): void {
  setStatus('token required');
  view.tokenReason.textContent = reason;
  view.tokenForm.hidden = false;
  view.tokenInput.focus();
}

/** Another token is another principal: what the page knew belongs to the previous one. */
function useToken(token: string | undefined): void {
  if (token) storedToken.set(token);
  else storedToken.clear();
  view.tokenInput.value = '';
  view.tokenForm.hidden = true;
  list.sessions.clear();
  list.deleted.clear();
  list.cursor = undefined;
  list.loaded = false;
  const id = selected?.id;
  selected?.removeFeed?.();
  selected = undefined;
  if (id) select(id);
  renderAll();
  setStatus('catching up');
  connection.restart();
}

view.tokenForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const token = view.tokenInput.value.trim();
  if (token) useToken(token);
});
view.tokenForget.addEventListener('click', () => useToken(undefined));
view.tokenButton.addEventListener('click', () => {
  if (view.tokenForm.hidden) {
    view.tokenReason.textContent = storedToken.get() ? 'A token is in use: enter another to replace it.' : 'Enter the API token to use.';
    view.tokenForm.hidden = false;
    view.tokenInput.focus();
  } else {
    view.tokenForm.hidden = true;
  }
});

/** Each connection's catch-up; a later connection's makes an earlier one's moot. */
let catchUps = 0;

async function catchUp(): Promise<void> {
  const mine = ++catchUps;
  setStatus('catching up');
  const session = selected;
  try {
    await Promise.all([
      // Without a cursor there is nothing to resume from: read the list (the feed carries on from now).
      list.cursor ? undefined : loadList(),
      session ? (session.loaded ? reachLatest(session) : load(session)) : undefined,
    ]);
    if (mine === catchUps && connection.connected) setStatus('live');
  } catch (error) {
    if (mine === catchUps) showFailure(error);
  }
}

const connection = new LiveConnection({
  connected: () => void catchUp(),
  lost: () => {
    catchUps += 1;
    setStatus('reconnecting');
  },
  forbidden: () =>
    askForToken(storedToken.get() ? 'The server refused this API token: enter a valid one.' : 'This server requires an API token.'),
});

connection.add(listFeed);
const linked = /^#session=(.+)$/.exec(location.hash);
if (linked) select(decodeURIComponent(linked[1]!));
window.addEventListener('hashchange', () => {
  const id = /^#session=(.+)$/.exec(location.hash)?.[1];
  if (id) select(decodeURIComponent(id));
});
renderAll();
connection.restart();
