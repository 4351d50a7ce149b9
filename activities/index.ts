// createActivities(deps) merges every activity group; the worker registers the result.
import { createCaseActivities, type CaseActivityDeps } from './cases.js';
import { createSyncActivities, type SyncActivityDeps } from './sync.js';

export interface ActivityDeps {
  readonly cases: CaseActivityDeps;
  readonly sync: SyncActivityDeps;
}

export function createActivities(d: ActivityDeps) {
  return { ...createCaseActivities(d.cases), ...createSyncActivities(d.sync) };
}

export type Activities = ReturnType<typeof createActivities>;
