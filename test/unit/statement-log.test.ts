import { describe, expect, it } from 'vitest';
import { countStatements } from '../../bench/statement-log.js';

// Lines as PostgreSQL 15 writes them with Debian's log_line_prefix ('%m [%p] %q%u@%d ').
const LOG = [
  '2026-12-02 00:50:01.001 UTC [101] root@bench_db LOG:  statement: BEGIN',
  '2026-12-02 00:50:01.002 UTC [101] root@bench_db LOG:  execute stmtcache_1a2b: INSERT INTO "s"."t" (_jsonb) VALUES ($1)',
  '2026-12-02 00:50:01.002 UTC [101] root@bench_db DETAIL:  parameters: $1 = \'{"_id": "x"}\'',
  '2026-12-02 00:50:01.003 UTC [101] root@bench_db LOG:  statement: COMMIT',
  '2026-12-02 00:50:01.004 UTC [102] root@bench_db LOG:  execute <unnamed>: select _jsonb',
  '\tFROM "s"."t" WHERE _jsonb->\'_id\' @> $1',
  '2026-12-02 00:50:01.005 UTC [103] root@other_db LOG:  statement: SELECT 1',
  '2026-12-02 00:50:01.006 UTC [104] root@bench_db_2 LOG:  statement: SELECT 1',
  '2026-12-02 00:50:01.007 UTC [101] root@bench_db LOG:  statement: ROLLBACK',
  '2026-12-02 00:50:01.008 UTC [101] root@bench_db ERROR:  duplicate key value violates unique constraint',
].join('\n');

describe('countStatements', () => {
  it("counts the run's database's statements by kind, once per statement however many lines it spans", () => {
    const counts = countStatements(LOG, 'bench_db');
    expect(counts.total).toBe(5);
    expect(Object.fromEntries(counts.byKind)).toEqual({ BEGIN: 1, INSERT: 1, COMMIT: 1, SELECT: 1, ROLLBACK: 1 });
  });

  it('counts nothing of other databases, even one whose name starts the same', () => {
    expect(countStatements(LOG, 'other_db').total).toBe(1);
    expect(countStatements(LOG, 'bench').total).toBe(0);
  });
});
