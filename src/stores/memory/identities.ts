import type { Identity, IdentityReader } from '../../recovery/index.js';

/** The embedded store's identities: the demo one and those of EMBEDDED_IDENTITIES_FILE, fixed at start. */
export class MemoryIdentities implements IdentityReader {
  private readonly identities = new Map<string, Identity>();

  constructor(identities: Iterable<Identity>) {
    for (const identity of identities) this.identities.set(identity.id, Object.freeze({ ...identity }));
  }

  async findIdentity(id: string): Promise<Identity | null> {
    return this.identities.get(id) ?? null;
  }

  async findIdentities(ids: readonly string[]): Promise<Identity[]> {
    return [...new Set(ids)].flatMap((id) => this.identities.get(id) ?? []);
  }
}
