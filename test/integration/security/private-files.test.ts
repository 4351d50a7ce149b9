// Data files are private to the service's user: new ones by the umask, old ones (an older version left PGlite's
// files 0666 and temporal.sqlite 0644) closed at start.
import { chmod, mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makePrivate } from '../../../src/services/security/private-files.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('private data files', () => {
  it('removes group and other permissions from every file and folder under the data directory', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'shortfall-private-'));
    dirs.push(root);
    const data = path.join(root, 'data');
    await mkdir(path.join(data, 'pglite', 'base'), { recursive: true });
    await writeFile(path.join(data, 'pglite', 'base', 'page'), 'x');
    await writeFile(path.join(data, 'temporal.sqlite'), 'y');
    await chmod(path.join(data, 'pglite', 'base', 'page'), 0o666);
    await chmod(path.join(data, 'temporal.sqlite'), 0o644);
    await chmod(path.join(data, 'pglite'), 0o777);
    await chmod(data, 0o755);
    const first = await makePrivate(data);
    expect(first.changed).toBeGreaterThanOrEqual(4);
    expect(first.exposed, 'the data directory let others in: all of it was exposed').toBe(first.changed);
    const mode = async (p: string) => (await stat(path.join(data, p))).mode & 0o777;
    expect(await mode('pglite/base/page')).toBe(0o600);
    expect(await mode('temporal.sqlite')).toBe(0o600);
    expect(await mode('pglite')).toBe(0o700);
    expect(await makePrivate(data)).toEqual({ changed: 0, exposed: 0 }); // nothing left to change
  });

  it('tightens a file left open inside a private folder without calling it exposed (PGlite does that at every start)', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'shortfall-private-'));
    dirs.push(root);
    const data = path.join(root, 'data');
    await mkdir(path.join(data, 'pglite', 'global'), { recursive: true });
    await chmod(data, 0o700);
    await chmod(path.join(data, 'pglite'), 0o700);
    await chmod(path.join(data, 'pglite', 'global'), 0o700);
    await writeFile(path.join(data, 'pglite', 'global', 'pg_internal.init'), 'x');
    await chmod(path.join(data, 'pglite', 'global', 'pg_internal.init'), 0o644);
    expect(await makePrivate(data)).toEqual({ changed: 1, exposed: 0 });
    expect((await stat(path.join(data, 'pglite', 'global', 'pg_internal.init'))).mode & 0o777).toBe(0o600);
    // A folder that let others through exposes what is under it.
    for (const folder of ['', 'pglite', 'pglite/global']) await chmod(path.join(data, folder), 0o711);
    await chmod(path.join(data, 'pglite', 'global', 'pg_internal.init'), 0o644);
    expect(await makePrivate(data)).toEqual({ changed: 4, exposed: 4 });
  });

  it('follows no link: a link to a parent or to a file outside the data directory is left alone', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'shortfall-private-'));
    dirs.push(root);
    const outside = path.join(root, 'outside.txt');
    await writeFile(outside, 'z');
    await chmod(outside, 0o644);
    const data = path.join(root, 'data');
    await mkdir(data);
    await symlink(outside, path.join(data, 'link-to-outside'));
    await symlink(root, path.join(data, 'link-to-parent'));
    await makePrivate(data);
    expect((await stat(outside)).mode & 0o777).toBe(0o644);
  });

  it('creates a missing data directory private', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'shortfall-private-'));
    dirs.push(root);
    await makePrivate(path.join(root, 'fresh'));
    expect((await stat(path.join(root, 'fresh'))).mode & 0o777).toBe(0o700);
  });
});
