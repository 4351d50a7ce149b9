// The workflow bundle, built ahead of time: webpack runs at build time (`npm run build:workflows`, the Dockerfile)
// or, the first time a worker starts on new workflow code, in a child process; the running worker only loads the
// finished file. That keeps webpack and its module graph (about 150 MB of a worker's idle RSS) out of the worker.
// Files are named by a hash of everything the bundle is made of, so changed workflow code never runs an old bundle.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../../../', import.meta.url));
export const workflowsPath = path.join(root, 'workflows', 'index.ts');
/**
 * Modules the workflow code uses that keep no per-workflow state, loaded once into the worker's reusable V8 context
 * and shared (frozen by the SDK) by every workflow. Anything else in the bundle is evaluated again for each workflow
 * started or replayed, and kept while it is cached. These are the domain rules the case runs (money, the case
 * account, business days and deadlines, Intl formatters), and with them the ES builds of luxon and decimal.js they
 * import. Named by their files, so they are the very modules the workflows import:
 * the earlier list named the packages, which webpack resolved to decimal.js's CommonJS build, a copy nothing used,
 * and to nothing for luxon, so every case evaluated and kept its own luxon, with its own zone and format caches
 * (issue 18: the workflow thread's CPU per case, and its heap per cached case). Absolute paths: a bundle of other
 * workflows (the test fixtures) resolves them too.
 */
export const sharedWorkflowModules: readonly string[] = [
  'currencies',
  'intl',
  // Deep-frozen with the rest: decimal.js's `Dec` then throws on what writes Ctor.precision (non-integer pow, ln,
  // log, exp); see src/domain/decimal.ts. Integer powers and arithmetic are safe.
  'decimal',
  'money',
  'calendar',
  'deadlines',
  'account',
].map((m) => path.join(root, 'src', 'domain', `${m}.ts`));
const bundleOptions = { workflowsPath, preloadModules: [...sharedWorkflowModules] };

/** Where `npm run build:workflows` puts the bundle (ignored by git, copied into the image). */
export const prebuiltBundleDir = path.join(root, 'dist', 'workflow-bundles');
// workflows/ may import src/domain only (ARCHITECTURE.md), so these two folders and the SDK are the bundle's inputs.
const sources = [path.join(root, 'workflows'), path.join(root, 'src', 'domain')];
const sdkPackage = path.join(root, 'node_modules', '@temporalio', 'workflow', 'package.json');
// The libraries the workflow code pulls in (luxon through src/domain, say): an upgrade changes the lockfile.
const lockfile = path.join(root, 'package-lock.json');

async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && /\.(ts|js|json)$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

/** A hash of the workflow sources, the domain code they import, the SDK version, the locked dependencies and the shared modules. */
export async function workflowSourceHash(): Promise<string> {
  const shared = bundleOptions.preloadModules.map((m) => path.relative(root, m));
  const hash = createHash('sha256').update(JSON.stringify(shared)).update('\0');
  for (const file of [...(await Promise.all(sources.map(files))).flat(), sdkPackage, lockfile]) {
    hash.update(path.relative(root, file)).update('\0');
    hash.update(await readFile(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 20);
}

const bundleFile = (dir: string, hash: string) => path.join(dir, `workflows-${hash}.js`);
const exists = (file: string) =>
  stat(file).then(
    (s) => s.isFile(),
    () => false,
  );

/** Bundles the workflows into `dir` (this process runs webpack: call it from a build step or a child process). */
export async function buildWorkflowBundle(dir: string): Promise<string> {
  const { bundleWorkflowCode } = await import('@temporalio/worker');
  const hash = await workflowSourceHash();
  const { code } = await bundleWorkflowCode(bundleOptions);
  await mkdir(dir, { recursive: true });
  const file = bundleFile(dir, hash);
  const partial = `${file}.${process.pid}.tmp`;
  await writeFile(partial, code);
  await rename(partial, file);
  return file;
}

const execFileAsync = promisify(execFile);
const buildScript = path.join(root, 'scripts', 'build-workflow-bundle.ts');

/**
 * The bundle for today's workflow code, for Worker.create's `workflowBundle`: the prebuilt one if it matches, else
 * one cached in `cacheDir` by an earlier start, else one built now by a child process into `cacheDir`.
 */
export async function workflowBundle(
  cacheDir: string,
  prebuiltDir = prebuiltBundleDir,
): Promise<{ codePath: string; builtNow: boolean }> {
  const hash = await workflowSourceHash();
  for (const dir of [prebuiltDir, cacheDir]) {
    const file = bundleFile(dir, hash);
    if (await exists(file)) return { codePath: file, builtNow: false };
  }
  await execFileAsync(process.execPath, ['--import', 'tsx', buildScript, cacheDir], { cwd: root });
  const file = bundleFile(cacheDir, hash);
  if (!(await exists(file))) throw new Error(`The workflow bundle was not built into ${cacheDir}`);
  return { codePath: file, builtNow: true };
}
