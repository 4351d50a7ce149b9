/** An error whose message is written for the person reading the page (and for API clients, in the envelope). */
export class PageError extends Error {
  override readonly name = 'PageError';
  constructor(
    readonly statusCode: number,
    readonly code: string,
    readonly heading: string,
    message: string,
    options?: ErrorOptions,
    /** Where the page sends the reader next; absent, it offers their cases when signed in, else sign-in. */
    readonly links?: readonly { href: string; text: string }[],
  ) {
    super(message, options);
  }
}

export const csrfRejected = () =>
  new PageError(
    403,
    'csrf_rejected',
    'This form has expired',
    'For your security the form was not accepted. Go back, reload the page and try again. Shortfall needs cookies to be allowed for this site.',
  );
