// Form values arrive as strings; these turn them into typed parameters the way Stripe reads them.
import { z } from 'zod';

export const int = z
  .string()
  .regex(/^-?\d+$/, 'expected an integer')
  .transform(Number);
export const positiveInt = int.refine((n) => n > 0, 'must be greater than 0');
export const bool = z.enum(['true', 'false']).transform((v) => v === 'true');
export const expand = z.array(z.string()).optional();
export const metadata = z.record(z.string(), z.string()).optional();

const range = z.strictObject({ gt: int.optional(), gte: int.optional(), lt: int.optional(), lte: int.optional() });
export const created = z.union([int, range]).optional();
export type CreatedFilter = z.infer<typeof created>;

export const listParams = {
  limit: int.refine((n) => n >= 1 && n <= 100, 'limit must be between 1 and 100').optional(),
  starting_after: z.string().optional(),
  ending_before: z.string().optional(),
  expand,
};

export function matchesCreated(created: number, f: CreatedFilter): boolean {
  if (f === undefined) return true;
  if (typeof f === 'number') return created === f;
  return (
    (f.gt === undefined || created > f.gt) &&
    (f.gte === undefined || created >= f.gte) &&
    (f.lt === undefined || created < f.lt) &&
    (f.lte === undefined || created <= f.lte)
  );
}
