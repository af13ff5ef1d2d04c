import type { Element } from 'ltx';

/** The `xml:lang` attribute name. */
const XML_LANG = 'xml:lang';

/**
 * Texts keyed by language tag (`xml:lang`), with `null` for text that carries no language,
 * as aioxmpp's `LanguageMap`. Keys are kept as given; {@link LanguageMap.lookup} compares
 * them case-insensitively.
 *
 * @example
 * ```ts
 * const body = new LanguageMap([['en', 'Hello'], ['de', 'Hallo']]);
 * body.lookup(['de-AT', 'en']); // 'Hallo'
 * ```
 */
export class LanguageMap extends Map<string | null, string> {
  /**
   * The best text for a list of preferred language ranges, most preferred first (RFC 4647
   * §3.4 lookup over the tagged entries): for each range in turn, the first key (in sorted
   * order) equal to the range or starting with `range-` (`*` matches any key); failing
   * that, the range truncated by its rightmost subtag (and a singleton left before it),
   * until nothing is left. If no range matches, the `null` (no language) entry; failing
   * that, any entry (aioxmpp raises there instead). `undefined` only when the map is empty.
   */
  lookup(preferred: readonly string[]): string | undefined {
    const tagged: { key: string; lower: string }[] = [];
    for (const key of this.keys()) if (key !== null) tagged.push({ key, lower: key.toLowerCase() });
    tagged.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const range of preferred) {
      let current = range.toLowerCase();
      for (;;) {
        const hit = tagged.find((t) => current === '*' || t.lower === current || t.lower.startsWith(`${current}-`));
        if (hit) return this.get(hit.key);
        const truncated = truncateRange(current);
        if (truncated === undefined) break;
        current = truncated;
      }
    }
    if (this.has(null)) return this.get(null);
    return this.any();
  }

  /** Some value of the map (the `null` entry first, else the first inserted), or `undefined` when empty. */
  any(): string | undefined {
    if (this.has(null)) return this.get(null);
    for (const value of this.values()) return value;
    return undefined;
  }

  /**
   * The language of an element: its own `xml:lang`, else the nearest ancestor's (through
   * the `parent` chain), else `null`. An empty `xml:lang=""` means "no language" (`null`).
   */
  static langOf(el: Element): string | null {
    for (let cur: Element | null | undefined = el; cur; cur = cur.parent as Element | null | undefined) {
      const lang = cur.attrs[XML_LANG] as unknown;
      if (typeof lang === 'string') return lang === '' ? null : lang;
    }
    return null;
  }
}

/** Remove the rightmost subtag of a range, and a singleton (`x`, `u`...) left at the end. */
function truncateRange(range: string): string | undefined {
  if (range === '*') return undefined;
  let cut = range.lastIndexOf('-');
  if (cut <= 0) return undefined;
  let out = range.slice(0, cut);
  cut = out.lastIndexOf('-');
  if (cut > 0 && out.length - cut - 1 === 1) out = out.slice(0, cut);
  return out;
}
