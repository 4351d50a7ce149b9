// Reads the text of an uncompressed pdfkit PDF: each TJ array's hex strings are WinAnsi bytes.
export function pdfText(pdf: Buffer): string {
  const lines: string[] = [];
  for (const [, array] of pdf.toString('latin1').matchAll(/\[([^\]]*)\]\s*TJ/g)) {
    lines.push(
      [...array!.matchAll(/<([0-9a-fA-F]*)>/g)].map(([, hex]) => Buffer.from(hex!, 'hex').toString('latin1')).join(''),
    );
  }
  return lines.join('\n');
}
