// Queries and Updates on a case's workflow. A rejected Update (the workflow's validator said no) comes back
// as a message for the owner; an unreachable Temporal becomes a 503 page instead of a hung request.
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { caseViewQuery, type CaseView } from '../../../../workflows/dispute-case/definitions.js';
import type { WebDeps } from '../deps.js';
import { PageError } from '../page-error.js';

type Calls = Pick<WebDeps, 'workflows' | 'settings'>;

export type LiveView =
  { readonly ok: true; readonly view: CaseView } | { readonly ok: false; readonly message: string };

export async function liveView({ workflows, settings }: Calls, workflowId: string): Promise<LiveView> {
  try {
    const view = await workflows.withDeadline(Date.now() + settings.temporalTimeoutsMs.query, () =>
      workflows.getHandle(workflowId).query(caseViewQuery),
    );
    return { ok: true, view };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError)
      return { ok: false, message: 'The case workflow has not started yet, or no longer exists.' };
    return {
      ok: false,
      message: 'The live case details are unavailable right now. The figures below are from the last update.',
    };
  }
}

export type UpdateResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };

export async function runUpdate<T>({ workflows, settings }: Calls, call: () => Promise<T>): Promise<UpdateResult<T>> {
  try {
    return { ok: true, value: await workflows.withDeadline(Date.now() + settings.temporalTimeoutsMs.update, call) };
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) return { ok: false, message: err.cause?.message ?? err.message };
    if (err instanceof WorkflowNotFoundError)
      return { ok: false, message: 'This case has finished, so it can no longer be changed.' };
    throw new PageError(
      503,
      'temporal_unavailable',
      'Temporarily unavailable',
      'The case could not be reached just now, so nothing was changed. Try again in a minute.',
      { cause: err },
    );
  }
}
