// The workflowsPath entry: re-exports every workflow function the worker registers.
export {};
