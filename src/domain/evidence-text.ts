// Chargeback evidence as the owner reads, edits and approves it: the processor's evidence fields under headings in
// words, and the owner's edited text read back into those fields, so what is submitted is what the owner approved.
// Pure: the letters render it, the case workflow reads an edit back (and refuses one it cannot read).

/** What each evidence field holds, in the owner's words, in the order the owner reads them. */
export const evidenceFieldLabels: Readonly<Record<string, string>> = {
  product_description: 'What was sold',
  customer_name: 'Customer',
  customer_email_address: "Customer's email",
  service_date: 'Date of service',
  uncategorized_text: 'Our account of the charge',
  refund_refusal_explanation: 'Why no refund was given',
  customer_communication: 'Correspondence with the customer',
};

/** Fields an edit may not leave empty when the draft had them: without them the evidence says nothing. */
const requiredFields = ['product_description', 'uncategorized_text'] as const;

/** Each field that holds something, under its heading, in a fixed order; empty fields are left out. */
export function evidenceForOwner(fields: Readonly<Record<string, string>>): string {
  return Object.keys(evidenceFieldLabels)
    .filter((name) => fields[name]?.trim())
    .map((name) => `${evidenceFieldLabels[name]}:\n${fields[name]!.trim()}`)
    .join('\n\n');
}

/** An edited evidence text read back: the fields to submit, or why it cannot be read (said to the owner). */
export type OwnerEvidence = { readonly fields: Record<string, string> } | { readonly problem: string };

// Every heading a line may start with: the words, and the processor's field names that drafts written before the
// headings were in words showed. Longest first, so "Customer's email" is not read as "Customer".
const headings: readonly (readonly [string, string])[] = [
  ...Object.entries(evidenceFieldLabels).map(([name, label]) => [label.toLowerCase(), name] as const),
  ...Object.keys(evidenceFieldLabels).map((name) => [name, name] as const),
  ['customer_communication (uploaded as a file)', 'customer_communication'] as const,
].sort(([a], [b]) => b.length - a.length);

/**
 * The heading a line starts, in any case, with or without its colon: alone on its line, or followed by a colon and
 * the field's value ("Customer: Jane Smith Ltd"). A line that only begins with a heading's words ("Customer was
 * invoiced …") is body text.
 */
function headingOf(line: string): { name: string; value: string } | undefined {
  const folded = line
    .trim()
    .replace(/[\u2018\u2019]/g, "'")
    .toLowerCase();
  for (const [label, name] of headings) {
    if (!folded.startsWith(label)) continue;
    const rest = line.trim().slice(label.length);
    if (rest.trim() === '') return { name, value: '' };
    const value = /^\s*:(.*)$/s.exec(rest);
    if (value) return { name, value: value[1]!.trim() };
  }
  return undefined;
}

/**
 * The fields of an edited evidence text. Each heading starts its field (a heading written again adds to it); text
 * before the first heading belongs with our account; a field whose heading was removed or left empty is not
 * submitted. An edit with no heading left, or one that empties what was sold or our account, is not read into
 * fields: the owner is told why, rather than the processor getting something the owner did not write.
 */
export function evidenceFromOwnerText(text: string, drafted: Readonly<Record<string, string>>): OwnerEvidence {
  // Each field's parts, one a time its heading was written, in the order written.
  const fields = new Map<string, string[][]>();
  const preamble: string[] = [];
  let current: string[] = preamble;
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    const heading = headingOf(line);
    if (!heading) {
      current.push(line);
      continue;
    }
    current = heading.value ? [heading.value] : [];
    fields.set(heading.name, [...(fields.get(heading.name) ?? []), current]);
  }
  const labels = Object.values(evidenceFieldLabels).map((l) => `“${l}”`);
  if (fields.size === 0)
    return {
      problem: `The edited evidence has none of its headings left (${labels.join(', ')}), so Shortfall cannot tell which part is which: keep the headings and write under them.`,
    };
  const joined = (parts: string[][]) =>
    parts
      .map((lines) => lines.join('\n').trim())
      .filter(Boolean)
      .join('\n\n');
  const read = new Map([...fields].map(([name, parts]) => [name, joined(parts)]));
  const before = preamble.join('\n').trim();
  if (before) {
    const account = read.get('uncategorized_text');
    read.set('uncategorized_text', account ? `${before}\n\n${account}` : before);
  }
  const emptied = requiredFields.filter((name) => drafted[name]?.trim() && !read.get(name));
  if (emptied.length > 0)
    return {
      problem: `The edited evidence leaves ${emptied.map((n) => `“${evidenceFieldLabels[n]}”`).join(' and ')} empty: write it under its heading, or reject the draft.`,
    };
  return { fields: Object.fromEntries([...read].filter(([, value]) => value !== '')) };
}

/**
 * How an edit was read before edits were refused (cases that approved an edit then replay with it): each heading
 * alone on its line, exactly as shown, and a text with no heading replacing the account and correspondence.
 */
export function evidenceFromOwnerTextAsFirstRead(
  text: string,
  drafted: Readonly<Record<string, string>>,
): Record<string, string> {
  const byLabel = new Map<string, string>([
    ...Object.entries(evidenceFieldLabels).map(([name, label]) => [`${label}:`, name] as const),
    ...Object.keys(evidenceFieldLabels).map((name) => [`${name}:`, name] as const),
    ['customer_communication (uploaded as a file):', 'customer_communication'] as const,
  ]);
  const fields: Record<string, string[]> = {};
  let current: string | undefined;
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    const heading = byLabel.get(line.trim());
    if (heading) {
      current = heading;
      fields[current] = [];
    } else if (current) fields[current]!.push(line);
  }
  if (current === undefined) {
    const { uncategorized_text: _u, customer_communication: _c, ...kept } = drafted;
    return text.trim() ? { ...kept, uncategorized_text: text.trim() } : kept;
  }
  return Object.fromEntries(
    Object.entries(fields)
      .map(([name, lines]) => [name, lines.join('\n').trim()] as const)
      .filter(([, value]) => value !== ''),
  );
}
