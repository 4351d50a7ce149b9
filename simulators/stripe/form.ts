// Stripe's request encoding: form fields with bracket paths (`lines[0][amount]=5`, `expand[]=x`), in the
// query string for GET and in the body for POST. Indexed or empty segments make arrays.
export type FormValue = string | FormObject | FormValue[];
export interface FormObject {
  [key: string]: FormValue;
}

const forbidden = new Set(['__proto__', 'constructor', 'prototype']);

function decode(s: string): string {
  return decodeURIComponent(s.replace(/\+/g, ' '));
}

function pathOf(key: string): string[] | null {
  const m = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
  if (!m?.[1]) return null;
  const rest = [...(m[2] ?? '').matchAll(/\[([^[\]]*)\]/g)].map((x) => x[1] ?? '');
  return [m[1], ...rest];
}

type Tree = Map<string, Tree | string>;

function insert(tree: Tree, path: string[], value: string): void {
  let node = tree;
  path.forEach((raw, i) => {
    const seg = raw === '' ? String(node.size) : raw; // `a[]` appends
    if (i === path.length - 1) return void node.set(seg, value);
    const child = node.get(seg);
    const next: Tree = child instanceof Map ? child : new Map();
    node.set(seg, next);
    node = next;
  });
}

function toValue(node: Tree | string): FormValue {
  if (typeof node === 'string') return node;
  const keys = [...node.keys()];
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    return keys.sort((a, b) => Number(a) - Number(b)).map((k) => toValue(node.get(k) as Tree | string));
  }
  const obj: FormObject = {};
  for (const k of keys) obj[k] = toValue(node.get(k) as Tree | string);
  return obj;
}

export class FormParseError extends Error {
  override readonly name = 'FormParseError';
}

export function parseForm(text: string): FormObject {
  const tree: Tree = new Map();
  for (const pair of text.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const key = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    const path = pathOf(key);
    if (!path || path.some((p) => forbidden.has(p))) throw new FormParseError(`Invalid parameter name: ${key}`);
    insert(tree, path, value);
  }
  return toValue(tree) as FormObject;
}
