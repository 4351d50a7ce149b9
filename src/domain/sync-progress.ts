// A sync pass's progress as the owner sees it: pages and records read so far, what the provider says is left of
// what it is reading now (when it says), and when the pass started and finished. Pure: the store applies it.

export interface SyncRemaining {
  /** What the provider is counting: 'invoices', 'payments', … */
  readonly what: string;
  readonly records: number;
}

export interface SyncProgress {
  readonly startedAt: string;
  readonly pages: number;
  readonly records: number;
  readonly remaining?: SyncRemaining;
  /** Absent while the pass runs. */
  readonly finishedAt?: string;
}

export interface PageRead {
  /** The first page of a pass: progress starts again from it. */
  readonly first: boolean;
  readonly records: number;
  readonly remaining?: SyncRemaining;
  /** No page follows: the pass is finished. */
  readonly last: boolean;
}

export function advanceProgress(prev: SyncProgress | null | undefined, page: PageRead, at: string): SyncProgress {
  const base = page.first || !prev || prev.finishedAt ? { startedAt: at, pages: 0, records: 0 } : prev;
  return {
    startedAt: base.startedAt,
    pages: base.pages + 1,
    records: base.records + page.records,
    ...(page.remaining && !page.last && { remaining: page.remaining }),
    ...(page.last && { finishedAt: at }),
  };
}
