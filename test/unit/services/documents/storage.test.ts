// What the owner and the client read when an upload does not fit: sizes in the units a file manager shows.
import { describe, expect, it } from 'vitest';
import { documentIdFor, formatBytes, StorageQuotaExceeded } from '../../../../src/services/documents/storage.js';

describe('sizes in words', () => {
  it('counts bytes, then KB, MB and GB in steps of 1024, one decimal below ten', () => {
    expect(formatBytes(0)).toBe('0 bytes');
    expect(formatBytes(1)).toBe('1 byte');
    expect(formatBytes(1023)).toBe('1023 bytes');
    expect(formatBytes(1024)).toBe('1 KB');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(15 * 1024 * 1024)).toBe('15 MB');
    expect(formatBytes(1024 ** 3)).toBe('1 GB');
    expect(formatBytes(1024 ** 3 - 1)).toBe('1024 MB');
  });
});

describe('an upload over the storage allowance', () => {
  it('says what the upload needs, what is in use and what is left', () => {
    const err = new StorageQuotaExceeded(900 * 1024 * 1024, 1024 * 1024 * 1024, 200 * 1024 * 1024);
    expect(err.message).toBe(
      'This upload (200 MB) would exceed the storage allowance of 1 GB: 900 MB is in use, 124 MB is left.',
    );
    // Generated documents may already have taken an organisation past its allowance: nothing is left, never less.
    expect(new StorageQuotaExceeded(2048, 1024, 10).message).toContain('2 KB is in use, 0 bytes is left.');
  });
});

describe('document ids from idempotency keys', () => {
  it('are UUID-shaped, stable for one key and different for another', () => {
    const id = documentIdFor('evidence-pack:case-1');
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(documentIdFor('evidence-pack:case-1')).toBe(id);
    expect(documentIdFor('evidence-pack:case-2')).not.toBe(id);
  });
});
