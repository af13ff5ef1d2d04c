/** XML helpers of the test kit: parse test input, compare elements exactly. */
import { type Element, parse } from 'ltx';

/** Parse one XML element from a string (test input). Whitespace between tags is dropped. */
export function x(strings: TemplateStringsArray | string, ...values: unknown[]): Element {
  const src = typeof strings === 'string' ? strings : String.raw({ raw: strings }, ...values);
  return stripWhitespace(parse(src.trim()) as Element);
}

/** Remove whitespace-only text nodes (indentation) from an element tree, in place. */
export function stripWhitespace(el: Element): Element {
  el.children = el.children.filter((c) => typeof c !== 'string' || c.trim() !== '');
  for (const c of el.children) if (typeof c !== 'string') stripWhitespace(c);
  return el;
}

/**
 * A canonical string of an element for exact comparison: attributes sorted, whitespace-only
 * text dropped. An attribute whose EXPECTED value is `*` matches any value (random ids).
 */
export function canonical(el: Element, pattern?: Element): string {
  const keys = Object.keys(el.attrs)
    .filter((k) => el.attrs[k] !== undefined)
    .sort();
  const attrs = keys
    .map((k) => {
      const v = pattern?.attrs[k] === '*' ? '*' : String(el.attrs[k]);
      return ` ${k}=${JSON.stringify(v)}`;
    })
    .join('');
  const elementChildren = el.children.filter((c) => typeof c !== 'string' || c.trim() !== '');
  const patternChildren = pattern?.children.filter((c) => typeof c !== 'string' || c.trim() !== '');
  const inner = elementChildren
    .map((c, i) => {
      if (typeof c === 'string') return JSON.stringify(c);
      const p = patternChildren?.[i];
      return canonical(c, typeof p === 'object' ? p : undefined);
    })
    .join('');
  return `<${el.name}${attrs}>${inner}</${el.name}>`;
}
