// Enough multipart/form-data for Stripe's file upload: text fields and one or more file parts.
export interface MultipartFile {
  readonly field: string;
  readonly filename: string;
  readonly contentType: string;
  readonly data: Buffer;
}

export interface MultipartBody {
  readonly fields: Record<string, string>;
  readonly files: MultipartFile[];
}

export class MultipartError extends Error {
  override readonly name = 'MultipartError';
}

function boundaryOf(contentType: string): string {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const b = m?.[1] ?? m?.[2];
  if (!b) throw new MultipartError('multipart/form-data without a boundary');
  return b.trim();
}

function headerParam(header: string, name: string): string | undefined {
  return new RegExp(`${name}="([^"]*)"`, 'i').exec(header)?.[1];
}

// stripe-node writes a `"` inside a quoted name as %22.
const unquote = (s: string) => s.replace(/%22/g, '"');

function splitParts(body: Buffer, boundary: string): Buffer[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Buffer[] = [];
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const from = start + delimiter.length;
    if (body.subarray(from, from + 2).toString() === '--') break; // closing delimiter
    const end = body.indexOf(delimiter, from);
    if (end === -1) throw new MultipartError('multipart body is missing its closing boundary');
    parts.push(body.subarray(from + 2, end - 2)); // drop the CRLF after the delimiter and before the next
    start = end;
  }
  return parts;
}

export function parseMultipart(body: Buffer, contentType: string): MultipartBody {
  const fields: Record<string, string> = {};
  const files: MultipartFile[] = [];
  for (const part of splitParts(body, boundaryOf(contentType))) {
    const split = part.indexOf('\r\n\r\n');
    if (split === -1) throw new MultipartError('multipart part without headers');
    const headers = part.subarray(0, split).toString('utf8');
    const data = part.subarray(split + 4);
    const disposition = /content-disposition:([^\r\n]*)/i.exec(headers)?.[1] ?? '';
    const field = headerParam(disposition, 'name');
    if (!field) throw new MultipartError('multipart part without a name');
    const filename = headerParam(disposition, 'filename');
    if (filename === undefined) fields[unquote(field)] = data.toString('utf8');
    else
      files.push({
        field,
        filename: unquote(filename),
        contentType: /content-type:\s*([^\r\n]*)/i.exec(headers)?.[1]?.trim() ?? 'application/octet-stream',
        data,
      });
  }
  return { fields, files };
}
