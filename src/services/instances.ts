/**
 * Server instances and their leases on session runtimes.
 *
 * Each process registers itself (a ServerInstance row with a random id) and renews that row on a
 * heartbeat. A session's runtime is held by the instance that `Session.runtimeInstanceId` names, set in
 * the transaction that starts it, cleared in the one that stops it, and checked by the session writer on
 * every change the holder makes (see session-writer.ts): the lease is the pair of them.
 *
 * When an instance stops renewing (it crashed, or cannot reach the database), the others take it for
 * lost once they have watched its row stay unchanged for a whole lease time, by their own clocks: no
 * clock is compared with another's, and an instance that could not read the rows meanwhile starts
 * watching again, so a database outage that every instance shares steals no lease. Whichever instance
 * gets there first then releases each of its sessions (its turn ended INTERRUPTED, SessionStopped
 * OWNER_LOST), once: the release is conditional on the row still naming the lost instance, under the
 * row's lock. An instance that cannot renew for a lease time drops its runtimes itself, since the
 * others may release them from then on.
 *
 * A single instance (no Redis: nothing could share its database with it) that starts after a crash
 * releases at once, as SERVER_RESTARTED, what its predecessor held; so does an instance started under
 * the INSTANCE_NAME of one that crashed. Either first checks that the predecessor is really gone: a
 * row still being renewed means another live process, and the start is refused.
 */
import { randomUUID } from 'node:crypto';
import type { Store } from '../db/client.js';
import type { Logger } from '../log.js';
import type { RuntimeRegistry } from '../runtime/registry.js';
import type { RuntimeHolder, SessionWriter } from './session-writer.js';

export interface InstanceLeaseOptions {
  prisma: Store;
  runtimes: RuntimeRegistry;
  log: Logger;
  /** INSTANCE_NAME: a restart under the same name takes back at once what the crashed one held. */
  name: string | undefined;
  /** LEASE_TTL_MS: how long an instance that stops renewing keeps its sessions. */
  leaseTtlMs: number;
  /** No other instance can share the database (no Redis), so any other row is a crashed predecessor. */
  alone: boolean;
}

/** An instance's own lease time, as its row says (instances may be configured differently). */
const leaseTimeOf = (row: { heartbeatAt: Date; expiresAt: Date }) => row.expiresAt.getTime() - row.heartbeatAt.getTime();
const heartbeatOf = (row: { heartbeatAt: Date; expiresAt: Date }) => Math.max(10, Math.floor(leaseTimeOf(row) / BEATS_PER_LEASE));

/** An instance could not start: another live process holds what it would take back. */
export class InstanceConflictError extends Error {}

/** The heartbeat runs this many times per lease time: a lease survives a couple of missed renewals. */
const BEATS_PER_LEASE = 3;

export class InstanceLease implements RuntimeHolder {
  readonly instanceId = randomUUID();
  readonly #options: InstanceLeaseOptions;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | undefined;
  /** Checks, on its own, that the lease is still renewed: a renewal may hang on a dead connection. */
  #watchdog: NodeJS.Timeout | undefined;
  /** When the last renewal that succeeded was sent (this process's clock). */
  #renewedAt = 0;
  #beating: Promise<void> | undefined;
  #onBeat: (() => Promise<void>) | undefined;
  #closed = false;

  constructor(options: InstanceLeaseOptions) {
    this.#options = options;
    this.#log = options.log.child({ component: 'instances', instanceId: this.instanceId });
  }

  get heartbeatMs(): number {
    return Math.max(10, Math.floor(this.#options.leaseTtlMs / BEATS_PER_LEASE));
  }

  holds(sessionId: string): boolean {
    return this.#options.runtimes.isRunning(sessionId);
  }

  lost(sessionId: string): void {
    void this.#options.runtimes.forget(sessionId)?.close();
    this.#log.warn('runtime dropped: the store names another holder (this instance was taken for lost)', { sessionId });
  }

  /**
   * Registers this instance and returns the ids of crashed predecessors whose sessions it takes back
   * (as SERVER_RESTARTED). Throws InstanceConflictError when a predecessor turns out to be alive.
   */
  async register(): Promise<string[]> {
    const { prisma, name, alone } = this.#options;
    const others = await prisma.serverInstance.findMany();
    const predecessors = others.filter((other) => alone || (name !== undefined && other.name === name));
    const recent = predecessors.filter((other) => other.expiresAt.getTime() > Date.now());
    if (recent.length > 0) {
      // Its lease has not run out: it crashed a moment ago, or it is alive. Watch it renew, or not, for
      // two of its own heartbeats (its lease time may not be this instance's).
      const waitMs = Math.max(...recent.map((other) => heartbeatOf(other) * 2));
      this.#log.info('a previous instance\'s lease has not run out: waiting two of its heartbeats to see whether it is alive', {
        instances: recent.map((other) => other.id).join(','),
        waitMs,
      });
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      const again = await prisma.serverInstance.findMany({ where: { id: { in: recent.map((other) => other.id) } } });
      const alive = again.find((row) => row.heartbeatAt.getTime() !== recent.find((other) => other.id === row.id)!.heartbeatAt.getTime());
      if (alive) {
        throw new InstanceConflictError(
          alone
            ? `another server instance (${alive.id}, started ${alive.startedAt.toISOString()}) is running on this database; ` +
                'several instances must share one Redis (REDIS_URL) and PostgreSQL'
            : `an instance named "${name}" (${alive.id}) is running; each instance needs its own INSTANCE_NAME`,
        );
      }
    }
    const now = Date.now();
    await prisma.serverInstance.create({
      data: { id: this.instanceId, name: name ?? null, heartbeatAt: new Date(now), expiresAt: new Date(now + this.#options.leaseTtlMs) },
    });
    this.#renewedAt = now;
    this.#log.info('instance registered', { name, leaseTtlMs: this.#options.leaseTtlMs, heartbeatMs: this.heartbeatMs });
    return predecessors.map((other) => other.id);
  }

  /** Starts the heartbeat; `onBeat` runs after each renewal that succeeded (the sweep for lost instances). */
  start(onBeat: () => Promise<void>): void {
    this.#onBeat = onBeat;
    const tick = () => {
      this.#beating = this.#beat().finally(() => {
        this.#beating = undefined;
        if (!this.#closed) this.#timer = setTimeout(tick, this.heartbeatMs).unref();
      });
    };
    this.#timer = setTimeout(tick, this.heartbeatMs).unref();
    this.#watchdog = setInterval(() => this.#dropIfExpired(), this.heartbeatMs).unref();
  }

  /** From a lease time after the last renewal, the others may release this instance's sessions: it must not go on with them. */
  #dropIfExpired(): void {
    if (Date.now() - this.#renewedAt > this.#options.leaseTtlMs) {
      this.#dropAll(`the lease could not be renewed for ${this.#options.leaseTtlMs} ms`);
    }
  }

  async #beat(): Promise<void> {
    const { prisma, leaseTtlMs } = this.#options;
    const sentAt = Date.now();
    let renewed = false;
    try {
      const data = { heartbeatAt: new Date(sentAt), expiresAt: new Date(sentAt + leaseTtlMs) };
      const { count } = await prisma.serverInstance.updateMany({ where: { id: this.instanceId }, data });
      if (count === 0) {
        // The others took this instance for lost and released its sessions: it holds nothing any more.
        this.#dropAll('the other instances took this instance for lost');
        await prisma.serverInstance.create({ data: { id: this.instanceId, name: this.#options.name ?? null, ...data } });
      }
      if (this.#renewedAt < sentAt - leaseTtlMs) this.#log.info('lease renewed again: the database answers');
      this.#renewedAt = sentAt;
      renewed = true;
    } catch (error) {
      this.#log.warn('lease renewal failed', { error: (error as Error).message, sinceLastRenewalMs: Date.now() - this.#renewedAt });
    }
    if (!renewed) this.#dropIfExpired();
    else if (!this.#closed) await this.#onBeat?.();
  }

  #dropAll(why: string): void {
    const { runtimes } = this.#options;
    const ids = runtimes.ids();
    if (ids.length === 0) return;
    this.#log.error('runtimes dropped: this instance no longer holds their leases', { why, sessions: ids.length });
    for (const sessionId of ids) void runtimes.forget(sessionId)?.close();
  }

  /** Stops the heartbeat; removes the row once no session names this instance (a clean stop). */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    clearInterval(this.#watchdog);
    await this.#beating;
    const { prisma } = this.#options;
    const held = await prisma.session.count({ where: { runtimeInstanceId: this.instanceId } });
    // Sessions still naming it are released by the others once the lease runs out.
    if (held === 0) await prisma.serverInstance.deleteMany({ where: { id: this.instanceId } });
    else this.#log.warn('instance stopped with sessions it could not stop; the others release them once its lease runs out', { held });
  }
}

export interface LostRuntimesOptions {
  prisma: Store;
  writer: SessionWriter;
  lease: InstanceLease;
  log: Logger;
  /** RESTART_LOST_SESSIONS: start each released session again, here. */
  restart?: (sessionId: string) => Promise<void>;
}

/** Finds instances that stopped renewing, and sessions whose holder is gone, and releases them. */
export class LostRuntimes {
  readonly #options: LostRuntimesOptions;
  readonly #log: Logger;
  /** Each other instance's heartbeat as last seen, and since when (this clock) it has not changed. */
  readonly #watched = new Map<string, { heartbeatAt: number; since: number }>();

  constructor(options: LostRuntimesOptions) {
    this.#options = options;
    this.#log = options.log.child({ component: 'instances' });
  }

  /** At start: takes back what crashed predecessors held, as SERVER_RESTARTED. */
  async takeBack(predecessorIds: string[]): Promise<void> {
    const { prisma } = this.#options;
    for (const instanceId of predecessorIds) {
      await this.#release(instanceId, 'SERVER_RESTARTED');
      await prisma.serverInstance.deleteMany({ where: { id: instanceId } });
    }
  }

  /** One pass: run after each renewal of this instance's own lease. */
  async sweep(): Promise<void> {
    const { prisma, lease } = this.#options;
    try {
      // Sessions first, instances second: an instance registers before it takes any lease, so a
      // session naming an instance missing from the later read names one that is gone for good.
      const held = await prisma.session.findMany({
        where: { runtimeInstanceId: { not: null } },
        select: { id: true, runtimeInstanceId: true },
      });
      const instances = await prisma.serverInstance.findMany();
      const now = Date.now();
      const known = new Set(instances.map((instance) => instance.id));
      const lost: typeof instances = [];
      for (const instance of instances) {
        if (instance.id === lease.instanceId) continue;
        const heartbeatAt = instance.heartbeatAt.getTime();
        const watched = this.#watched.get(instance.id);
        // Judged by its own lease time, which it wrote with its last renewal.
        if (!watched || watched.heartbeatAt !== heartbeatAt) this.#watched.set(instance.id, { heartbeatAt, since: now });
        else if (now - watched.since >= leaseTimeOf(instance)) lost.push(instance);
      }
      for (const id of this.#watched.keys()) if (!known.has(id)) this.#watched.delete(id);

      for (const instance of lost) {
        this.#log.warn('instance lost: its lease was not renewed', {
          lostInstanceId: instance.id,
          lastHeartbeat: instance.heartbeatAt.toISOString(),
        });
        await this.#release(instance.id, 'OWNER_LOST');
        // Unless it came back meanwhile (its heartbeat moved): then it finds its row and goes on.
        await prisma.serverInstance.deleteMany({ where: { id: instance.id, heartbeatAt: instance.heartbeatAt } });
        this.#watched.delete(instance.id);
      }
      const orphans = new Set(
        held
          .filter((session) => !known.has(session.runtimeInstanceId!) || (session.runtimeInstanceId === lease.instanceId && !lease.holds(session.id)))
          .map((session) => session.runtimeInstanceId!),
      );
      // Holders with no row any more, and sessions the store says are held here that have no runtime here.
      for (const instanceId of orphans) await this.#release(instanceId, 'OWNER_LOST');
    } catch (error) {
      // Watching must be continuous: what was seen before the failure no longer counts.
      this.#watched.clear();
      this.#log.warn('sweep for lost instances failed', { error: (error as Error).message });
    }
  }

  /** Releases every session `instanceId` holds; each once, whoever else tries at the same time. */
  async #release(instanceId: string, reason: 'OWNER_LOST' | 'SERVER_RESTARTED'): Promise<void> {
    const { prisma, writer, restart } = this.#options;
    const sessions = await prisma.session.findMany({ where: { runtimeInstanceId: instanceId }, select: { id: true } });
    let released = 0;
    for (const { id: sessionId } of sessions) {
      let events;
      try {
        events = await writer.change({ operation: 'releaseLostRuntime', sessionId, writes: [{ kind: 'releaseLostRuntime', instanceId, reason }] });
      } catch (error) {
        // Deleted meanwhile, or the store failed: the next sweep tries again.
        this.#log.warn('lost session could not be released', { sessionId, error: (error as Error).message });
        continue;
      }
      if (events.length === 0) continue;
      released += 1;
      if (!restart) continue;
      await restart(sessionId).catch((error: unknown) =>
        this.#log.warn('lost session could not be restarted', { sessionId, error: (error as Error).message }),
      );
    }
    if (released > 0) this.#log.warn('sessions released: their instance was lost', { lostInstanceId: instanceId, reason, released });
  }
}
