// `column in (…)` over a list passed as one parameter. Drizzle's inArray takes a placeholder per value and builds
// {sql, params} pieces for each: for the 1,000 ids of a sync page, each of the half-dozen queries that store and
// detect it made a few MB of garbage (bench/system/backfill.ts). Here the list travels as one JSON array that
// Postgres expands; the same on PGlite. An empty list matches nothing, as inArray's does.
import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';

export const inList = (column: SQLWrapper, values: readonly string[]): SQL =>
  sql`${column} in (select jsonb_array_elements_text(${JSON.stringify(values)}::jsonb))`;
