// A simulator's state as JSON: Maps, Sets and bytes survive the round trip, functions and class identity do not
// (each simulator rebuilds its classes and hands them the plain data back).
type Tagged = { $map: [unknown, unknown][] } | { $set: unknown[] } | { $bytes: string };

export function encodeSnapshot(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, v: unknown) {
    const raw = this[key];
    if (raw instanceof Map) return { $map: [...raw.entries()] };
    if (raw instanceof Set) return { $set: [...raw.values()] };
    if (raw instanceof Uint8Array) return { $bytes: Buffer.from(raw).toString('base64') };
    return typeof v === 'function' ? undefined : v;
  });
}

export function decodeSnapshot(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const t = v as Partial<Record<'$map' | '$set' | '$bytes', unknown>>;
    const keys = Object.keys(v);
    if (keys.length !== 1) return v;
    if (Array.isArray(t.$map)) return new Map((t as Extract<Tagged, { $map: unknown }>).$map);
    if (Array.isArray(t.$set)) return new Set(t.$set);
    if (typeof t.$bytes === 'string') return Buffer.from(t.$bytes, 'base64');
    return v;
  });
}

/** Copies the saved fields onto a freshly built instance, so its functions and collaborators stay its own. */
export function restoreFields(target: object, saved: object, fields: readonly string[]): void {
  const t = target as Record<string, unknown>;
  const s = saved as Record<string, unknown>;
  for (const f of fields) {
    if (!(f in s)) continue;
    const current = t[f];
    const value = s[f];
    // Readonly collections are refilled in place: other objects may already hold them.
    if (current instanceof Map && value instanceof Map) {
      current.clear();
      for (const [k, v] of value) current.set(k, v);
    } else if (Array.isArray(current) && Array.isArray(value))
      current.splice(0, current.length, ...(value as unknown[]));
    else if (current instanceof Set && value instanceof Set) {
      current.clear();
      for (const v of value) current.add(v);
    } else if (
      current !== null &&
      typeof current === 'object' &&
      value !== null &&
      typeof value === 'object' &&
      !(value instanceof Map)
    )
      Object.assign(current, value);
    else t[f] = value;
  }
}
