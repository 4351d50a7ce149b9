// Public API of the domain core. Letters live behind their own barrel (./letters/index.js) so that workflow
// bundles that only need rules and deadlines do not pull in the template engine.
export * from './model.js';
export * from './money.js';
export { allocate } from './allocate.js';
export * from './case.js';
export * from './detection.js';
export * from './dispute-detection.js';
export * from './full-and-final.js';
export * from './calendar.js';
export * from './deadlines.js';
