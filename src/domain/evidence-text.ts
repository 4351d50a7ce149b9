// Chargeback evidence as the owner reads, edits and approves it: the processor's evidence fields under headings in
// words, and the owner's edited text read back into those fields, so what is submitted is what the owner approved.
// Pure: the letters render it, the case workflow reads an edit back.

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

/** Each field that holds something, under its heading, in a fixed order; empty fields are left out. */
export function evidenceForOwner(fields: Readonly<Record<string, string>>): string {
  return Object.keys(evidenceFieldLabels)
    .filter((name) => fields[name]?.trim())
    .map((name) => `${evidenceFieldLabels[name]}:\n${fields[name]!.trim()}`)
    .join('\n\n');
}

/**
 * The fields of an edited evidence text: each heading the owner kept starts its field, and a field whose heading was
 * removed or left empty is not submitted. A text with no heading left is the owner's own account: it replaces the
 * written fields (account and correspondence), the others (what was sold, the customer) stay as drafted.
 */
export function evidenceFromOwnerText(text: string, drafted: Readonly<Record<string, string>>): Record<string, string> {
  // Drafts written before the headings were in words showed the processor's field names: read those too.
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
