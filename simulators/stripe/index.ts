export {
  startStripeSimulator,
  type StripeSimulator,
  type StripeSimulatorOptions,
  type StripeSnapshot,
} from './server.js';
export type { StripeSimulatorAdmin, ChargebackScenario, PartialPaymentScenario } from './admin.js';
export { manualClock, systemClock, type Clock, type ManualClock } from './clock.js';
export { signPayload } from './signature.js';
export type { RequestLogEntry } from './pipeline.js';
