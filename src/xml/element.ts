/**
 * {@link isElement}: whether a value is an ltx element, whichever copy of ltx built it; and
 * {@link textOf}, an element's text.
 * @module
 */
import { Element } from 'ltx';

/**
 * Whether `value` is an ltx element. An element built by another copy of ltx passes too:
 * xmpp.js builds its stanzas with `ltx/lib/Element.js` (the CommonJS build), a different
 * class from the `ltx` this package imports, so `instanceof Element` alone is false for
 * every stanza that reaches us through `fromXmppJs`. Use this, never `instanceof`, on
 * anything from the network or the application. @internal
 */
export function isElement(value: unknown): value is Element {
  if (value instanceof Element) return true;
  const v = value as { name?: unknown; attrs?: unknown; children?: unknown } | null;
  return typeof v === 'object' && v !== null && typeof v.name === 'string' && typeof v.attrs === 'object' && v.attrs !== null;
}

/**
 * The text of `el`: its text children joined, as ltx's `getText()`, but by index (ltx's
 * `for … of` is a large part of the compiled code of the hot readers that call it, and
 * allocates per child before they are optimised). @internal
 */
export function textOf(el: Element): string {
  const children = el.children as unknown[];
  let text = '';
  for (let i = 0; i < children.length; i++) {
    const c = children[i];
    if (typeof c === 'string') text += c;
    else if (typeof c === 'number') text += String(c);
  }
  return text;
}
