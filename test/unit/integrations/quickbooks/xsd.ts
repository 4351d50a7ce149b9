// Reads QBO's official Finance.xsd and checks that a JSON payload only uses names the schema declares for each
// type (elements, attributes, and `value` for simple content), following base types up the chain.
import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';

interface XsdType {
  readonly base?: string;
  readonly elements: ReadonlyMap<string, string>;
  readonly attributes: ReadonlySet<string>;
  /** Simple content: JSON carries the text as `value`. */
  readonly simple: boolean;
}

type Node = Record<string, unknown>;

export const financeXsdPath = new URL('../../../fixtures/specs/quickbooks/Finance.xsd', import.meta.url);

// Declared in IntuitBaseTypes.xsd (same Java SDK, not copied into test/fixtures/specs): the bases and reference
// types every Finance.xsd entity builds on.
const intuitBaseTypes: Record<string, XsdType> = {
  IntuitEntity: {
    elements: new Map([
      ['Id', 'id'],
      ['SyncToken', 'xs:string'],
      ['MetaData', 'ModificationMetaData'],
      ['CustomField', 'CustomField'],
      ['AttachableRef', 'AttachableRef'],
    ]),
    attributes: new Set(['domain', 'status', 'sparse']),
    simple: false,
  },
  ReferenceType: { elements: new Map(), attributes: new Set(['name', 'type']), simple: true },
  ModificationMetaData: {
    elements: new Map([
      ['CreatedByRef', 'ReferenceType'],
      ['CreateTime', 'xs:dateTime'],
      ['LastModifiedByRef', 'ReferenceType'],
      ['LastUpdatedTime', 'xs:dateTime'],
      ['LastChangedInQB', 'xs:dateTime'],
      ['Synchronized', 'xs:boolean'],
    ]),
    attributes: new Set(),
    simple: false,
  },
  EmailAddress: {
    elements: new Map(['Id', 'Address', 'Default', 'Tag'].map((n) => [n, 'xs:string'])),
    attributes: new Set(),
    simple: false,
  },
};

// How a JSON leaf must look for the XSD built-in types QBO uses; other simple types (enums, `id`) are strings.
const leafShapes: Record<string, (v: unknown) => boolean> = {
  'xs:decimal': (v) => typeof v === 'number' && Number.isFinite(v),
  'xs:int': Number.isInteger,
  'xs:integer': Number.isInteger,
  'xs:positiveInteger': (v) => Number.isInteger(v) && (v as number) > 0,
  'xs:boolean': (v) => typeof v === 'boolean',
  'xs:date': (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v),
  'xs:dateTime': (v) =>
    typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v),
};
const leafMatches = (typeName: string, v: unknown) =>
  (leafShapes[typeName] ?? ((x: unknown) => typeof x === 'string'))(v);

const list = (value: unknown): Node[] =>
  value === undefined ? [] : Array.isArray(value) ? (value as Node[]) : [value as Node];
const localName = (qname: string) => (qname.startsWith('xs:') ? qname : qname.replace(/^\w+:/, ''));

/** Every element and attribute declared in a type's content model, however deeply nested in sequences and choices. */
function collect(node: Node, elements: Map<string, string>, attributes: Set<string>): void {
  for (const el of list(node.element))
    if (typeof el.name === 'string')
      elements.set(el.name, typeof el.type === 'string' ? localName(el.type) : 'anonymous');
  for (const at of list(node.attribute)) if (typeof at.name === 'string') attributes.add(at.name);
  for (const key of ['sequence', 'choice', 'all'])
    for (const child of list(node[key])) collect(child, elements, attributes);
}

function readType(node: Node): XsdType {
  const elements = new Map<string, string>();
  const attributes = new Set<string>();
  collect(node, elements, attributes);
  const content = (node.complexContent ?? node.simpleContent) as Node | undefined;
  const extension = content && ((content.extension ?? content.restriction) as Node | undefined);
  if (extension) collect(extension, elements, attributes);
  const base = typeof extension?.base === 'string' ? localName(extension.base) : undefined;
  return {
    ...(base && !base.startsWith('xs:') && { base }),
    elements,
    attributes,
    simple: node.simpleContent !== undefined,
  };
}

export function loadFinanceSchema(): Map<string, XsdType> {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', removeNSPrefix: true });
  const doc = parser.parse(readFileSync(financeXsdPath, 'utf8')) as { schema: Node };
  const types = new Map<string, XsdType>(Object.entries(intuitBaseTypes));
  for (const node of list(doc.schema.complexType))
    if (typeof node.name === 'string') types.set(node.name, readType(node));
  return types;
}

function lookup(
  types: ReadonlyMap<string, XsdType>,
  typeName: string,
  key: string,
): { declared: boolean; type?: string } {
  for (let t = types.get(typeName); t; t = t.base ? types.get(t.base) : undefined) {
    const element = t.elements.get(key);
    if (element) return { declared: true, type: element };
    if (t.attributes.has(key) || (t.simple && key === 'value')) return { declared: true };
  }
  return { declared: false };
}

/**
 * Where `value` departs from `typeName`: keys the schema does not declare, and leaves whose JSON type does not
 * fit the declared XSD type. Empty when the payload conforms.
 */
export function schemaViolations(
  types: ReadonlyMap<string, XsdType>,
  value: unknown,
  typeName: string,
  path = typeName,
): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => schemaViolations(types, item, typeName, `${path}[${i}]`));
  if (value === null || typeof value !== 'object')
    return !types.has(typeName) && leafMatches(typeName, value)
      ? []
      : [`${path} is not ${typeName}: ${JSON.stringify(value)}`];
  if (!types.has(typeName)) return [`${path} (type ${typeName} is not declared)`];
  return Object.entries(value).flatMap(([key, child]) => {
    const found = lookup(types, typeName, key);
    if (!found.declared) return [`${path}.${key}`];
    return found.type ? schemaViolations(types, child, found.type, `${path}.${key}`) : [];
  });
}
