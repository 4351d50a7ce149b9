// Exact money: integer minor units plus ISO 4217 currency (helpers land with the domain core).
export interface Money {
  /** Integer amount in the currency's minor unit (cents, yen, fils). Always a safe integer. */
  readonly minor: number;
  /** ISO 4217 code, upper case. */
  readonly currency: string;
}
