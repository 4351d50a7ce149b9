import { describe, expect, it } from 'vitest';
import { advanceProgress } from '../../../src/domain/sync-progress.js';

const t0 = '2026-12-06T12:00:00.000Z';
const t1 = '2026-12-06T12:00:05.000Z';
const t2 = '2026-12-06T12:00:09.000Z';

describe('sync progress', () => {
  it('counts pages and records through a pass and keeps what the provider says is left until the last page', () => {
    const one = advanceProgress(
      undefined,
      { first: true, records: 100, last: false, remaining: { what: 'invoices', records: 250 } },
      t0,
    );
    expect(one).toEqual({ startedAt: t0, pages: 1, records: 100, remaining: { what: 'invoices', records: 250 } });
    const two = advanceProgress(one, { first: false, records: 100, last: false }, t1);
    expect(two).toEqual({ startedAt: t0, pages: 2, records: 200 });
    const done = advanceProgress(
      two,
      { first: false, records: 50, last: true, remaining: { what: 'payments', records: 1 } },
      t2,
    );
    expect(done).toEqual({ startedAt: t0, pages: 3, records: 250, finishedAt: t2 });
  });

  it('starts again at the first page of the next pass, or after a pass that ended', () => {
    const ended = { startedAt: t0, pages: 4, records: 400, finishedAt: t1 };
    expect(advanceProgress(ended, { first: false, records: 3, last: false }, t2)).toEqual({
      startedAt: t2,
      pages: 1,
      records: 3,
    });
    const running = { startedAt: t0, pages: 4, records: 400 };
    expect(advanceProgress(running, { first: true, records: 0, last: true }, t2)).toEqual({
      startedAt: t2,
      pages: 1,
      records: 0,
      finishedAt: t2,
    });
  });
});
