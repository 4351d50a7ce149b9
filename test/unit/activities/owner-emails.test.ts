// The owner's emails read times as every page does: in the organisation's time zone, never UTC.
import { describe, expect, it } from 'vitest';
import { approvalEmail } from '../../../activities/owner-emails.js';
import type { ApprovalRequest } from '../../../workflows/dispute-case/activities.js';

const request = (timeZone: string): ApprovalRequest => ({
  key: 'k',
  caseId: 'c',
  workflowId: 'w',
  version: 1,
  kind: 'first_response',
  draft: { subject: 'Invoice 1001', text: 'Dear client', html: '<p>Dear client</p>', attachments: [] },
  organisation: {
    id: 'o',
    name: 'Brightside Design',
    ownerEmail: 'ana@brightside.example',
    timeZone,
    locale: 'en-US',
    signature: 'Ana',
    holidays: [],
  },
  respondBy: '2026-12-09T22:00:00.000Z',
});

describe('approval email', () => {
  it("says when the letter should go out in the organisation's zone", () => {
    const ny = approvalEmail(request('America/New_York'), 'https://app.example/approvals/t');
    expect(ny.text).toContain('It should go out by Wednesday, December 9, 2026 at 5:00 PM (America/New_York).');
    expect(ny.text).not.toContain('UTC');
    const sydney = approvalEmail(request('Australia/Sydney'), 'https://app.example/approvals/t');
    expect(sydney.text).toContain('It should go out by Thursday, December 10, 2026 at 9:00 AM (Australia/Sydney).');
    expect(sydney.html).toContain('Thursday, December 10, 2026 at 9:00 AM (Australia/Sydney)');
  });
});
