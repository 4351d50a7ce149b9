// A case recorded before the core's neutral names: its input and carried state still open the same case.
import { describe, expect, it } from 'vitest';
import * as st from '../../../../workflows/dispute-case/state.js';
import { upgradeCarried, upgradeInput } from '../../../../workflows/dispute-case/upgrade.js';
import type { DisputeCaseInput } from '../../../../workflows/dispute-case/definitions.js';
import { chargebackInput } from '../../../helpers/case-fixtures.js';

const at = '2026-12-04T15:00:00.000Z';

/** The input as a worker of the previous version recorded it: the chargeback and its connection under old names. */
function recordedBeforeRename(input: DisputeCaseInput): DisputeCaseInput {
  const { chargeback, evidenceConnectionId, ...rest } = input;
  return {
    ...rest,
    stripeDispute: chargeback,
    stripeConnectionId: evidenceConnectionId,
  } as unknown as DisputeCaseInput;
}

describe('recorded names', () => {
  it('opens the same chargeback case from an input recorded under the old field names', () => {
    const input = chargebackInput({ evidenceConnectionId: 'conn-stripe' });
    const upgraded = upgradeInput(recordedBeforeRename(input));
    expect(upgraded).toEqual(input);
    expect(st.initialState(upgraded, at)).toEqual(st.initialState(input, at));
  });

  it('leaves an input with the new names as it is', () => {
    const input = chargebackInput();
    expect(upgradeInput(input)).toEqual(input);
  });

  it('carries on a state continued as new before the rename: its dispute status and submitted evidence', () => {
    const s = { ...st.initialState(chargebackInput(), at), disputeStatus: 'under_review', evidenceSubmitted: true };
    const { disputeStatus, evidenceSubmitted, input, ...rest } = s;
    const carried = {
      ...rest,
      input: recordedBeforeRename(input as DisputeCaseInput),
      stripeStatus: disputeStatus,
      stripeSubmitted: evidenceSubmitted,
    };
    expect(upgradeCarried(carried)).toEqual(s);
  });
});

describe("the processor's name in the case's texts", () => {
  it('comes from the chargeback, and is neutral for a case opened before the chargeback carried it', () => {
    const named = chargebackInput();
    const withName = { ...named, chargeback: { ...named.chargeback!, processorName: 'Stripe' } };
    expect(st.ProcessorName(st.initialState(withName, at))).toBe('Stripe');
    expect(st.processorName(st.initialState(named, at))).toBe('the card processor');
    expect(st.ProcessorName(st.initialState(named, at))).toBe('The card processor');
  });
});
