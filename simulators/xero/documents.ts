// Line items and totals for invoices and credit notes, computed the way Xero does: each line rounded to
// cents, tax per line, then summed.
import { decimalText, lineCents, taxCents, toCents } from './amounts.js';
import { SimValidationError } from './errors.js';

export const lineAmountTypes = ['Exclusive', 'Inclusive', 'NoTax'] as const;
export type LineAmountType = (typeof lineAmountTypes)[number];

export interface LineInput {
  readonly lineItemId?: string;
  readonly description?: string;
  readonly quantity?: number | string;
  readonly unitAmount?: number | string;
  readonly lineAmount?: number | string;
  readonly accountCode?: string;
  readonly taxType?: string;
}

export interface SimLine {
  readonly id: string;
  readonly description: string;
  readonly quantity: string;
  readonly unitAmount: string;
  readonly lineAmount: number;
  readonly taxAmount: number;
  readonly accountCode?: string;
  readonly taxType: string;
}

export interface Totals {
  readonly subTotal: number;
  readonly totalTax: number;
  readonly total: number;
}

export interface Ledger {
  taxRate(taxType: string): string | undefined;
  hasAccount(code: string): boolean;
}

function buildLine(
  input: LineInput,
  index: number,
  type: LineAmountType,
  ledger: Ledger,
  id: () => string,
  approved: boolean,
): SimLine {
  const where = `Line ${index + 1}`;
  const description = input.description ?? '';
  if (!description && input.unitAmount === undefined && input.lineAmount === undefined)
    throw new SimValidationError(`${where}: Description needs to be at least 1 char long`);
  const quantity = decimalText(input.quantity ?? 1);
  const unitAmount =
    input.unitAmount !== undefined
      ? decimalText(input.unitAmount)
      : input.lineAmount !== undefined
        ? decimalText(input.lineAmount)
        : '0';
  const lineAmount =
    input.lineAmount !== undefined && input.unitAmount === undefined
      ? toCents(input.lineAmount, `${where} LineAmount`)
      : lineCents(quantity, unitAmount);
  const taxType = type === 'NoTax' ? 'NONE' : (input.taxType ?? 'NONE');
  const rate = ledger.taxRate(taxType);
  if (rate === undefined)
    throw new SimValidationError(
      `${where}: The TaxType code '${taxType}' does not exist or cannot be used for this type of transaction`,
    );
  if (input.accountCode !== undefined && !ledger.hasAccount(input.accountCode))
    throw new SimValidationError(`${where}: Account code '${input.accountCode}' is not a valid code for this document`);
  if (approved && input.accountCode === undefined)
    throw new SimValidationError(`${where}: Account code must be specified`);
  return {
    id: input.lineItemId ?? id(),
    description,
    quantity,
    unitAmount,
    lineAmount,
    taxAmount: type === 'NoTax' ? 0 : taxCents(lineAmount, rate, type === 'Inclusive'),
    ...(input.accountCode !== undefined && { accountCode: input.accountCode }),
    taxType,
  };
}

export function buildLines(
  inputs: readonly LineInput[],
  type: LineAmountType,
  ledger: Ledger,
  id: () => string,
  approved: boolean,
): { lines: SimLine[]; totals: Totals } {
  if (inputs.length === 0) throw new SimValidationError('At least one line item is required');
  const lines = inputs.map((input, i) => buildLine(input, i, type, ledger, id, approved));
  const net = lines.reduce((n, l) => n + l.lineAmount, 0);
  const totalTax = lines.reduce((n, l) => n + l.taxAmount, 0);
  const subTotal = type === 'Inclusive' ? net - totalTax : net;
  return { lines, totals: { subTotal, totalTax, total: subTotal + totalTax } };
}
