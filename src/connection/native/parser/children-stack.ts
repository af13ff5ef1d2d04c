/**
 * The children of the elements a stream parser has open, on one reused stack: an element's
 * `children` array is made at its end tag, as large as they are (pushing onto the `[]` that
 * ltx's constructor makes would give even a single text child room for 16). Browser-safe.
 */
import type { Element } from 'ltx';

/** A stack that grew past this many slots is dropped by {@link ChildrenStack.shrink}. */
const MAX_KEPT = 256;

/** The children of the open elements; an element's start at its open is {@link ChildrenStack.top}. */
export class ChildrenStack {
  private kids: (Element | string)[] = [];
  /** Where the next child goes (the innermost open element's children end here). */
  top = 0;

  /** Adds a child of the innermost open element. */
  push(kid: Element | string): void {
    if (this.top === this.kids.length) this.kids.push(kid);
    else this.kids[this.top] = kid;
    this.top++;
  }

  /** The children from `from` to the top as a new array, popped (their slots emptied: no element kept alive). */
  take(from: number): (Element | string)[] {
    const kids = this.kids;
    const top = this.top;
    const out = kids.slice(from, top);
    for (let i = from; i < top; i++) kids[i] = '';
    this.top = from;
    return out;
  }

  /** Forgets every child (the parser dropped its open elements). */
  clear(): void {
    this.kids.fill('');
    this.top = 0;
  }

  /** After a top-level element: a stack that very many children grew is not kept at that size. */
  shrink(): void {
    if (this.kids.length > MAX_KEPT) this.kids = [];
  }
}
