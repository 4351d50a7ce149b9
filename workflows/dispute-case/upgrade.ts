// Reads what was recorded under the old field names (persisted-names.ts, legacyFields): a running case's input, the
// state a continue-as-new carried, a recorded history. The workflow upgrades them once at start, the same way on
// every replay, and runs on the new names from then on (a continue-as-new records only the new ones).
import type { DisputeCaseInput } from './definitions.js';
import { legacyFields } from './persisted-names.js';
import type { CaseState } from './state.js';

type Loose = Record<string, unknown>;

function renamed(o: Loose, from: string, to: string): Loose {
  if (!(from in o)) return o;
  const { [from]: value, ...rest } = o;
  return to in rest || value === undefined ? rest : { ...rest, [to]: value };
}

export function upgradeInput(input: DisputeCaseInput): DisputeCaseInput {
  let o = input as unknown as Loose;
  o = renamed(o, legacyFields.chargeback, 'chargeback' satisfies keyof DisputeCaseInput);
  o = renamed(o, legacyFields.evidenceConnectionId, 'evidenceConnectionId' satisfies keyof DisputeCaseInput);
  return o as unknown as DisputeCaseInput;
}

export function upgradeCarried(carried: unknown): CaseState {
  let o = carried as Loose;
  o = renamed(o, legacyFields.disputeStatus, 'disputeStatus' satisfies keyof CaseState);
  o = renamed(o, legacyFields.evidenceSubmitted, 'evidenceSubmitted' satisfies keyof CaseState);
  return { ...o, input: upgradeInput(o['input'] as DisputeCaseInput) } as unknown as CaseState;
}
