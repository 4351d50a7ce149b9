// Intl formatters, made once per locale and options: constructing one costs far more than formatting with it
// (ICU loads its locale data), and a letter or a case's texts format a dozen amounts and dates. Pure: a formatter
// holds no clock, so the cache is safe in the workflow sandbox too.
const limit = 256; // locales × currencies or zones in use; the cache starts over rather than grow without end

function cached<T>(cache: Map<string, T>, make: (locale: string, options: object) => T) {
  return (locale: string, options: object): T => {
    const key = `${locale}\u0000${JSON.stringify(options)}`;
    let found = cache.get(key);
    if (!found) {
      if (cache.size >= limit) cache.clear();
      found = make(locale, options);
      cache.set(key, found);
    }
    return found;
  };
}

export const numberFormat: (locale: string, options: Intl.NumberFormatOptions) => Intl.NumberFormat = cached(
  new Map(),
  (locale, options) => new Intl.NumberFormat(locale, options),
);

export const dateTimeFormat: (locale: string, options: Intl.DateTimeFormatOptions) => Intl.DateTimeFormat = cached(
  new Map(),
  (locale, options) => new Intl.DateTimeFormat(locale, options),
);
