import type { AuditStore, NewRecoveryLink, RecoveryEvent, RetentionPolicy } from '../../recovery/index.js';
import { FAILURE_WINDOW_MILLISECONDS, failureKey, newestFirst } from '../audit-trail.js';
import { MEMORY_STORE_CAPS } from './caps.js';
import type { MemoryLinksAndClaims } from './links-and-claims.js';
import { deleteDue, type Purgeable } from './maintenance.js';
import { OldestFirst } from './oldest-first.js';

/** The embedded store's failures, and its audit trail read from the flows and their claims. */
export class MemoryAudit implements AuditStore, Purgeable {
  private readonly failures = new Map<string, RecoveryEvent & { purgeAt: number }>();
  private readonly failuresByAge = new OldestFirst<string>((key) => this.failures.has(key), MEMORY_STORE_CAPS.failures);

  constructor(
    private readonly flows: Pick<MemoryLinksAndClaims, 'flowsOf'>,
    private readonly retention: RetentionPolicy,
  ) {}

  async recordFailure(event: RecoveryEvent): Promise<void> {
    const { key, windowStart } = failureKey(event);
    const existing = this.failures.get(key);
    if (existing !== undefined) {
      this.failures.set(key, { ...existing, count: existing.count + 1 });
      return;
    }
    if (this.failures.size >= MEMORY_STORE_CAPS.failures) {
      this.failures.delete(this.failuresByAge.takeOldest()!);
    }
    this.failuresByAge.added(key);
    const purgeAt = windowStart + FAILURE_WINDOW_MILLISECONDS + this.retention.eventMilliseconds;
    this.failures.set(key, { ...event, count: 1, purgeAt });
  }

  async listEvents(identityId: string, limit: number): Promise<RecoveryEvent[]> {
    const events: RecoveryEvent[] = [];
    for (const { link, claim } of this.flows.flowsOf(identityId)) {
      events.push(auditEntry('created', link, link, link.createdAt));
      if (claim !== null)
        events.push(auditEntry(claim.outcome, { ...link, identityId: claim.identityId }, claim, claim.at));
    }
    for (const { purgeAt: _purgeAt, ...failure } of this.failures.values()) {
      if (failure.identityId === identityId) events.push(failure);
    }
    return events.sort(newestFirst).slice(0, limit);
  }

  /** Failure entries whose retention ended, up to `batchSize`. */
  purgeExpired(due: number, batchSize: number): number {
    return deleteDue(this.failures, due, batchSize);
  }
}

function auditEntry(
  type: RecoveryEvent['type'],
  flow: Pick<NewRecoveryLink, 'identityId' | 'flowId' | 'method'>,
  origin: { requestId: string; actor: string | null; clientAddress: string | null },
  at: Date,
): RecoveryEvent {
  const { requestId, actor, clientAddress } = origin;
  const { identityId, flowId, method } = flow;
  return { type, method, identityId, flowId, errorId: null, actor, requestId, clientAddress, at, count: 1 };
}
