// The seed's evidence checklist: signed estimate or SOW, scope or rate confirmation, delivery proof, project records.
import { describe, expect, it } from 'vitest';
import { evidenceChecklist } from '../../../src/domain/evidence.js';

describe('evidence checklist', () => {
  it('says per item whether the letter attaches it, the case holds it, or it is missing', () => {
    const docs = [
      { id: 'a', kind: 'sow' as const, name: 'SOW.pdf' },
      { id: 'b', kind: 'photo' as const, name: 'Signage installed.jpg' },
      { id: 'c', kind: 'invoice' as const, name: 'Invoice 1001.pdf' },
    ];
    const list = evidenceChecklist(docs, ['a', 'c']);
    expect(list.map((i) => [i.key, i.state])).toEqual([
      ['agreement', 'attached'],
      ['confirmation', 'missing'],
      ['delivery', 'on_case'],
      ['records', 'missing'],
    ]);
    expect(list[0]!.attached).toEqual(['SOW.pdf']);
    expect(list[2]!.onCase).toEqual(['Signage installed.jpg']);
    expect(list[1]!.kinds[0]).toBe('scope_confirmation');
  });
});
