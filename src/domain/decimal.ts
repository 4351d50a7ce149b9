// decimal.js ships an ESM build but CommonJS-flavoured typings: under `nodenext` TypeScript types the default
// import as the module namespace, while at run time (Node, vitest, the workflow bundler) it is the class itself.
import DecimalModule from 'decimal.js';
import type { Decimal as DecimalInstance } from 'decimal.js';

const DecimalClass = DecimalModule as unknown as typeof DecimalModule.Decimal;

// A private clone: the global Decimal config is shared with other code, and its default 20-digit precision
// would round before we do.
// Inside workflows this module is shared and deep-frozen by the Temporal SDK (sharedWorkflowModules in
// src/app/temporal/workflow-bundle.ts), and `Dec` with it: decimal.js methods that write the constructor's settings
// while they compute (non-integer `pow`, `ln`, `log`, `exp`, and so `sqrt`/trigonometry paths that raise precision
// through `Ctor.precision = …`) throw a TypeError there. Integer powers (`pow(n)` for whole n, as money uses) and the
// arithmetic do not write it. Never call `Dec.set`/`Dec.config` at run time either; clone instead.
export const Dec = DecimalClass.clone({ precision: 60, rounding: DecimalClass.ROUND_HALF_EVEN });
export type Dec = DecimalInstance;
export const { ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_HALF_DOWN, ROUND_UP, ROUND_DOWN, ROUND_CEIL, ROUND_FLOOR } =
  DecimalClass;
export type Rounding = DecimalInstance.Rounding;
