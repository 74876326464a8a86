import { UUID, type Collection } from 'mongodb';
import type { Identity, IdentityReader } from '../../recovery/index.js';
import { toIdentity, type IdentityDocument } from './documents.js';
import type { UnlessUnreachable } from './errors.js';

/** The MongoDB store's identities, read from the deployment's own collection, never written. */
export class MongoIdentities implements IdentityReader {
  /** Which form the deployment's identity ids take, learned from the last one found. */
  private identityIdsAreUuids = false;

  constructor(
    private readonly identities: Collection<IdentityDocument>,
    private readonly unlessUnreachable: UnlessUnreachable,
  ) {}

  findIdentity(id: string): Promise<Identity | null> {
    return this.unlessUnreachable(async () => {
      // Deployments store `_id` either as a BSON UUID (binary subtype 4) or as the
      // canonical string. `$in` with both would be one command, but FerretDB scans for
      // `$in`; asking in the form last seen first makes it one lookup in the steady state.
      const forms: [UUID | string, UUID | string] = this.identityIdsAreUuids ? [new UUID(id), id] : [id, new UUID(id)];
      for (const _id of forms) {
        const document = await this.identities.findOne({ _id });
        if (document !== null) {
          this.identityIdsAreUuids = typeof document._id !== 'string';
          return toIdentity(id, document);
        }
      }
      return null;
    });
  }

  async findIdentities(ids: readonly string[]): Promise<Identity[]> {
    // One lookup per id, in parallel: each is served by the primary key on every server.
    const found = await Promise.all([...new Set(ids)].map((id) => this.findIdentity(id)));
    return found.filter((identity) => identity !== null);
  }
}
