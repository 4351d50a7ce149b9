// Security headers for server-rendered pages: scripts and styles only from our origin, no framing, forms
// only to us. Pages use no inline script or style, so nothing needs 'unsafe-inline' or nonces.
export function contentSecurityPolicy(secure: boolean) {
  return {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'"],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      // Only behind https: over plain http it would send the browser to a port nothing listens on.
      upgradeInsecureRequests: secure ? [] : null,
    },
  };
}
