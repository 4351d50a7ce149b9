// createActivities(deps) merges every activity group; the worker registers the result.
export type ActivityDeps = Record<string, never>;

export function createActivities(_deps: ActivityDeps) {
  return {};
}

export type Activities = ReturnType<typeof createActivities>;
