// The PostgreSQL database `npm run db` keeps its data in: one per checkout, so two clones
// (or worktrees) on one machine never share development data. Named from a hash of the
// checkout's path, so a checkout finds its own database again on every start.
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';

export function devDatabaseName(checkoutPath) {
  const digest = createHash('sha256').update(resolve(checkoutPath)).digest('hex');
  return `recovery_link_dev_${digest.slice(0, 12)}`;
}
