// QBO's error envelopes, byte for byte where it matters: most faults are `{"Fault":{"Error":[…],"type"}}`,
// authentication failures use lower-case keys inside a larger envelope, and throttling answers in XML even
// to a JSON request (routablehq/python-quickbooks#43).
export class QboFault extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly code: string,
    message: string,
    readonly detail: string = message,
    readonly element = '',
  ) {
    super(message);
  }

  body(time: string): object {
    return {
      Fault: {
        Error: [{ Message: this.message, Detail: this.detail, code: this.code, element: this.element }],
        type: this.type,
      },
      time,
    };
  }
}

export const validationFault = (code: string, message: string, detail?: string, element?: string) =>
  new QboFault(400, 'ValidationFault', code, message, detail, element);

export const objectNotFound = (entity: string, id: string) =>
  validationFault(
    '610',
    'Object Not Found',
    `Object Not Found : Something you're trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees. (${entity} ${id})`,
  );

export const invalidReference = (element: string, id: string) =>
  validationFault('2500', 'Invalid Reference Id', `Invalid Reference Id : ${element} ${id} does not exist`, element);

export const businessRule = (detail: string) =>
  validationFault(
    '6000',
    'A business validation error has occurred while processing your request',
    `Business Validation Error: ${detail}`,
  );

export const queryParserError = (detail: string) =>
  validationFault('4000', 'Error parsing query', `QueryParserError: ${detail}`);

export function authenticationFailure(detail: string, nowMs: number): object {
  return {
    warnings: null,
    intuitObject: null,
    fault: {
      error: [
        {
          message: 'message=AuthenticationFailed; errorCode=003200; statusCode=401',
          detail,
          code: '3200',
          element: null,
        },
      ],
      type: 'AUTHENTICATION',
    },
    report: null,
    queryResponse: null,
    batchItemResponse: [],
    attachableResponse: [],
    syncErrorResponse: null,
    requestId: null,
    time: nowMs,
    status: null,
    cdcresponse: [],
  };
}

export const authorizationFailure = (realmId: string) =>
  new QboFault(
    403,
    'AuthorizationFault',
    '3100',
    'message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403',
    `The token is not authorized for company ${realmId}`,
  );

export const throttledXml = (time: string) => `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<IntuitResponse xmlns="http://schema.intuit.com/finance/v3" time="${time}">
    <Fault type="SERVICE">
        <Error code="3001">
            <Message>message=ThrottleExceeded; errorCode=003001; statusCode=429</Message>
            <Detail>The request limit was reached.  Try again later</Detail>
        </Error>
    </Fault>
</IntuitResponse>`;
