// The workflowsPath entry: re-exports every workflow function the worker registers.
export { disputeCaseWorkflow } from './dispute-case/workflow.js';
export { connectionSyncWorkflow } from './connection-sync/workflow.js';
