import { describe, expect, it } from 'vitest';
import { answerAfter } from '../../../activities/evidence-pack.js';

// The pack's sentence on what the customer did after the first written response (section 5) follows the case's
// chronology: a customer who objected to specific items must not be described as never having answered.
describe('evidence pack: what the customer did after the first response', () => {
  const sentAt = '2026-06-05T15:00:00Z';
  const opened = { at: '2026-06-01T15:00:00Z', kind: 'opened', summary: 'Short payment detected' };

  it('says the customer did not answer when nothing came after the response', () => {
    expect(answerAfter([opened, { at: sentAt, kind: 'sent', summary: 'Invoice 1001 (v1) sent' }], sentAt)).toBe(
      'the customer did not answer it.',
    );
  });

  it('names the specific objections that came after it', () => {
    const timeline = [
      opened,
      // Before the response: not an answer to it.
      { at: '2026-06-02T10:00:00Z', kind: 'objection', summary: 'Specific objection registered by ana: Signage late' },
      { at: '2026-06-07T10:00:00Z', kind: 'client_reply', summary: 'Reply from client@example.com: Re: Invoice 1001' },
      { at: '2026-06-07T11:00:00Z', kind: 'objection', summary: 'Specific objection registered by ana: Logo wrong' },
    ];
    expect(answerAfter(timeline, sentAt)).toBe(
      'the customer then raised a specific objection, shown in the chronology with how it was decided and answered.',
    );
    const two = [
      ...timeline,
      { at: '2026-06-09T11:00:00Z', kind: 'objection', summary: 'Specific objection registered by ana: Fonts' },
    ];
    expect(answerAfter(two, sentAt)).toMatch(/^the customer then raised 2 specific objections/);
  });

  it('says a reply or a vague objection named no item, without claiming silence', () => {
    const timeline = [
      opened,
      { at: '2026-06-07T10:00:00Z', kind: 'objection', summary: 'Vague objection registered by ana: Not happy' },
    ];
    expect(answerAfter(timeline, sentAt)).toBe(
      'the customer replied (see the chronology), but no reply was recorded as a specific objection to an item or deliverable.',
    );
  });
});
