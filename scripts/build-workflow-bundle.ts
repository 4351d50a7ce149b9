// Builds the Temporal workflow bundle ahead of time: `npm run build:workflows` (into dist/workflow-bundles), or
// with a directory argument (the worker's first start on new workflow code runs this as a child process).
import { buildWorkflowBundle, prebuiltBundleDir } from '../src/app/temporal/workflow-bundle.js';

const dir = process.argv[2] ?? prebuiltBundleDir;
const file = await buildWorkflowBundle(dir);
console.log(`workflow bundle: ${file}`);
