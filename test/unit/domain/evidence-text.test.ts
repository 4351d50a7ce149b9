// Chargeback evidence as the owner reads and edits it, and the edit read back into the processor's fields: nothing
// the owner wrote is lost or lands in another field, and an edit that cannot be read is refused with the reason.
import { describe, expect, it } from 'vitest';
import {
  evidenceForOwner,
  evidenceFromOwnerText,
  evidenceFromOwnerTextAsFirstRead,
} from '../../../src/domain/evidence-text.js';

const drafted = {
  product_description: 'Annual retainer (invoice 1042)',
  customer_name: 'Contoso Ltd',
  uncategorized_text: 'The cardholder was invoiced $2,500.00.',
  customer_communication: '- Monday: We sent a receipt',
};
const shown = evidenceForOwner(drafted);
const fieldsOf = (text: string) => {
  const read = evidenceFromOwnerText(text, drafted);
  if ('problem' in read) throw new Error(`refused: ${read.problem}`);
  return read.fields;
};
const problemOf = (text: string) => {
  const read = evidenceFromOwnerText(text, drafted);
  if (!('problem' in read)) throw new Error(`read as ${JSON.stringify(read.fields)}`);
  return read.problem;
};

describe('chargeback evidence text', () => {
  it('reads back unchanged what the owner approves unedited', () => {
    expect(fieldsOf(shown)).toEqual(drafted);
  });

  it("submits the owner's edit: a changed section changes its field, a removed one is not submitted", () => {
    const edited = shown
      .replace('The cardholder was invoiced $2,500.00.', 'The cardholder signed off the work on May 2.')
      .replace('\n\nCorrespondence with the customer:\n- Monday: We sent a receipt', '');
    expect(fieldsOf(edited)).toEqual({
      product_description: 'Annual retainer (invoice 1042)',
      customer_name: 'Contoso Ltd',
      uncategorized_text: 'The cardholder signed off the work on May 2.',
    });
  });

  it("reads the customer the owner wrote on the heading's own line", () => {
    const edited = shown.replace('Customer:\nContoso Ltd', 'Customer: Jane Smith Ltd');
    expect(fieldsOf(edited)).toEqual({ ...drafted, customer_name: 'Jane Smith Ltd' });
  });

  it('reads a heading typed in another case or without its colon', () => {
    const edited = shown
      .replace('Customer:\nContoso Ltd', 'customer:\nJane Smith Ltd')
      .replace('Our account of the charge:', 'OUR ACCOUNT OF THE CHARGE')
      .concat('\n\nDate of service\n2026-05-02\n\ncustomer’s email: jane@smith.example');
    expect(fieldsOf(edited)).toEqual({
      ...drafted,
      customer_name: 'Jane Smith Ltd',
      service_date: '2026-05-02',
      customer_email_address: 'jane@smith.example',
    });
  });

  it('keeps a line that only begins with a heading’s words in the field it was written in', () => {
    const edited = shown.replace('$2,500.00.', '$2,500.00.\nCustomer was told of the terms in writing.');
    expect(fieldsOf(edited).uncategorized_text).toBe(
      'The cardholder was invoiced $2,500.00.\nCustomer was told of the terms in writing.',
    );
    expect(fieldsOf(edited).customer_name).toBe('Contoso Ltd');
  });

  it('keeps what the owner wrote before the first heading, with our account', () => {
    const edited = `The cardholder used the service for a year.\n\n${shown}`;
    expect(fieldsOf(edited)).toEqual({
      ...drafted,
      uncategorized_text: 'The cardholder used the service for a year.\n\nThe cardholder was invoiced $2,500.00.',
    });
  });

  it('adds to a field whose heading is written again instead of starting it over', () => {
    const edited = `${shown}\n\nOur account of the charge:\nThe work was signed off on May 2.`;
    expect(fieldsOf(edited)).toEqual({
      ...drafted,
      uncategorized_text: 'The cardholder was invoiced $2,500.00.\n\nThe work was signed off on May 2.',
    });
  });

  it('refuses a text with no heading left, saying why, rather than submit something else', () => {
    expect(problemOf('We delivered everything on time.')).toMatch(
      /none of its headings left .*“What was sold”.*keep the headings and write under them/,
    );
  });

  it('refuses an edit that empties our account or what was sold, naming it', () => {
    expect(problemOf(shown.replace('The cardholder was invoiced $2,500.00.', ''))).toMatch(
      /leaves “Our account of the charge” empty/,
    );
    expect(problemOf(shown.replace('What was sold:\nAnnual retainer (invoice 1042)\n\n', ''))).toMatch(
      /leaves “What was sold” empty/,
    );
  });

  it("reads an edit of a draft written with the processor's field names", () => {
    const old =
      'product_description:\nRetainer\n\nuncategorized_text:\nSigned off.\n\ncustomer_communication (uploaded as a file):\nNone so far';
    expect(fieldsOf(old)).toEqual({
      product_description: 'Retainer',
      uncategorized_text: 'Signed off.',
      customer_communication: 'None so far',
    });
  });

  it('reads an edit approved before edits were refused as it was read then (cases replay with it)', () => {
    expect(evidenceFromOwnerTextAsFirstRead('We delivered everything on time.', drafted)).toEqual({
      product_description: 'Annual retainer (invoice 1042)',
      customer_name: 'Contoso Ltd',
      uncategorized_text: 'We delivered everything on time.',
    });
  });
});
