// Request logs must never carry a credential: approval and client response tokens live in the path, magic-link tokens and OAuth
// codes and states in the query string.
const secretParams = new Set(['token', 'code', 'state', 'key']);

export function redactUrl(url: string): string {
  const [path = '', query] = url.split('?', 2);
  const safePath = path.replace(/^\/(approvals|respond|invitations)\/[^/]+/, '/$1/[redacted]');
  if (query === undefined) return safePath;
  const params = new URLSearchParams(query);
  for (const name of [...params.keys()]) if (secretParams.has(name)) params.set(name, '[redacted]');
  return `${safePath}?${params.toString()}`;
}

/** Fastify's request serializer with the URL redacted. */
export function requestSummary(req: {
  method: string;
  url: string;
  ip?: string;
  host?: string;
  socket?: { remotePort?: number };
}) {
  return {
    method: req.method,
    url: redactUrl(req.url),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}
