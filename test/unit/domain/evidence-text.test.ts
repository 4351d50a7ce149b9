// Chargeback evidence as the owner reads and edits it, and the edit read back into the processor's fields.
import { describe, expect, it } from 'vitest';
import { evidenceForOwner, evidenceFromOwnerText } from '../../../src/domain/evidence-text.js';

const drafted = {
  product_description: 'Annual retainer (invoice 1042)',
  customer_name: 'Contoso Ltd',
  uncategorized_text: 'The cardholder was invoiced $2,500.00.',
  customer_communication: '- Monday: We sent a receipt',
};

describe('chargeback evidence text', () => {
  it('reads back unchanged what the owner approves unedited', () => {
    expect(evidenceFromOwnerText(evidenceForOwner(drafted), drafted)).toEqual(drafted);
  });

  it("submits the owner's edit: a changed section changes its field, a removed one is not submitted", () => {
    const edited = evidenceForOwner(drafted)
      .replace('The cardholder was invoiced $2,500.00.', 'The cardholder signed off the work on May 2.')
      .replace('\n\nCorrespondence with the customer:\n- Monday: We sent a receipt', '');
    expect(evidenceFromOwnerText(edited, drafted)).toEqual({
      product_description: 'Annual retainer (invoice 1042)',
      customer_name: 'Contoso Ltd',
      uncategorized_text: 'The cardholder signed off the work on May 2.',
    });
  });

  it('takes a text with no heading left as our account, keeping what was sold and the customer', () => {
    expect(evidenceFromOwnerText('We delivered everything on time.', drafted)).toEqual({
      product_description: 'Annual retainer (invoice 1042)',
      customer_name: 'Contoso Ltd',
      uncategorized_text: 'We delivered everything on time.',
    });
  });

  it("reads an edit of a draft written with the processor's field names", () => {
    const old = 'product_description:\nRetainer\n\ncustomer_communication (uploaded as a file):\nNone so far';
    expect(evidenceFromOwnerText(old, drafted)).toEqual({
      product_description: 'Retainer',
      customer_communication: 'None so far',
    });
  });
});
