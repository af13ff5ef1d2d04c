import { Element, parse } from 'ltx';
import { describe, expect, it } from 'vitest';
import { isElement, textOf } from './element.js';

describe('isElement', () => {
  it('accepts ltx elements and element-shaped objects of another ltx copy, and nothing else', () => {
    expect(isElement(new Element('a'))).toBe(true);
    expect(isElement({ name: 'a', attrs: {}, children: [] })).toBe(true);
    for (const v of [null, undefined, 'a', 1, {}, { name: 'a' }, { name: 1, attrs: {} }, { name: 'a', attrs: null }]) {
      expect(isElement(v)).toBe(false);
    }
  });
});

describe('textOf', () => {
  it('joins the text children as ltx getText() does, skipping elements', () => {
    const cases = ['<b/>', '<b>one</b>', '<b>a<i>x</i>b<i/>c</b>', '<b><i>only inside</i></b>', '<b>&amp;&lt;</b>'];
    for (const xml of cases) {
      const el = parse(xml);
      expect(textOf(el)).toBe(el.getText());
    }
    expect(textOf(parse('<b>a<i>x</i>b<i/>c</b>'))).toBe('abc');
  });

  it('takes numbers as ltx does (an element built with .t(42))', () => {
    const el = new Element('b').t('n=');
    el.children.push(42 as unknown as string);
    expect(textOf(el)).toBe('n=42');
    expect(textOf(el)).toBe(el.getText());
  });
});
