import type { Element } from 'ltx';
import { describe, expect, it } from 'vitest';
import { PayloadError } from '../core/errors.js';
import type { JID } from '../core/jid.js';
import { LanguageMap } from '../core/language-map.js';
import { recordingLogger } from '../core/logger.js';
import { canonical, x } from '../../test/support/xml.js';
import { element, extra, optional, required } from './codec.js';
import {
  attr,
  boolAttr,
  child,
  childText,
  childTextList,
  children,
  dateAttr,
  enumAttr,
  flag,
  formatDateTime,
  intAttr,
  jidAttr,
  langMap,
  parseDateTime,
  optionalText,
  text,
} from './fields.js';

const NS = 'urn:test:0';
const OTHER = 'urn:test:other';

interface Inner {
  code: number;
  label?: string;
}
const innerCodec = element<Inner>(NS, 'inner', { code: required(intAttr('code')), label: optionalText() });

interface Note {
  body: string;
}
const noteCodec = element<Note>(OTHER, 'note', { body: text() });

type Role = 'moderator' | 'participant';
interface Payload {
  id: string;
  count?: number;
  open?: boolean;
  stamp?: Date;
  jid?: JID;
  role?: Role | (string & {});
  strictRole?: Role;
  subject?: string;
  tags: string[];
  locked: boolean;
  names: LanguageMap;
  inners: Inner[];
  note?: Note;
  extra?: Element[];
}

const payloadCodec = element<Payload>(NS, 'payload', {
  id: required(attr('id')),
  count: intAttr('count'),
  open: boolAttr('open'),
  stamp: dateAttr('stamp'),
  jid: jidAttr('jid'),
  role: enumAttr('role', ['moderator', 'participant']),
  strictRole: enumAttr('strict', ['moderator', 'participant'], { strict: true }),
  subject: childText('subject'),
  tags: childTextList('tag'),
  locked: flag('locked'),
  names: langMap('name'),
  inners: children(innerCodec),
  note: child(noteCodec),
  extra: extra(),
});

describe('element codec', () => {
  const full = `<payload xmlns="urn:test:0" id="p1" count="42" open="true" stamp="2002-09-10T23:08:25Z" jid="room@conf.example/Nick" role="visitor" strict="participant">
      <subject></subject>
      <tag>a</tag><tag>b</tag>
      <locked/>
      <name>plain</name><name xml:lang="de">Name</name>
      <inner code="1"/>
      <inner code="2"/>
      <note xmlns="urn:test:other">hi</note>
      <foreign xmlns="urn:x:y"><deep/></foreign>
    </payload>`;

  it('decodes every kind of field', () => {
    const v = payloadCodec.decode(x(full));
    expect(v.id).toBe('p1');
    expect(v.count).toBe(42);
    expect(v.open).toBe(true);
    expect(v.stamp).toEqual(new Date(Date.UTC(2002, 8, 10, 23, 8, 25)));
    expect(v.jid?.toString()).toBe('room@conf.example/Nick');
    expect(v.role).toBe('visitor');
    expect(v.strictRole).toBe('participant');
    expect(v.subject).toBe('');
    expect(v.tags).toEqual(['a', 'b']);
    expect(v.locked).toBe(true);
    expect(v.names).toStrictEqual(
      new LanguageMap([
        [null, 'plain'],
        ['de', 'Name'],
      ]),
    );
    expect(v.inners).toStrictEqual([{ code: 1 }, { code: 2 }]);
    expect(v.note).toStrictEqual({ body: 'hi' });
    expect(v.extra?.map((e) => e.toString())).toEqual(['<foreign xmlns="urn:x:y"><deep/></foreign>']);
    expect(v.extra?.[0]?.parent).toBeNull();
  });

  it('round-trips to the same canonical XML', () => {
    const el = x(full);
    expect(canonical(payloadCodec.encode(payloadCodec.decode(el)))).toBe(canonical(el));
  });

  it('omits undefined and empty values when encoding', () => {
    const el = payloadCodec.encode({ id: 'z', tags: [], locked: false, names: new LanguageMap(), inners: [] });
    expect(el.toString()).toBe('<payload xmlns="urn:test:0" id="z"/>');
  });

  it('encodes dates in UTC with milliseconds only when needed', () => {
    expect(formatDateTime(new Date(Date.UTC(2020, 0, 2, 3, 4, 5)))).toBe('2020-01-02T03:04:05Z');
    expect(formatDateTime(new Date(Date.UTC(2020, 0, 2, 3, 4, 5, 120)))).toBe('2020-01-02T03:04:05.120Z');
  });

  it('leaves out absent optional values (no undefined keys)', () => {
    const v = payloadCodec.decode(x`<payload xmlns="urn:test:0" id="q"/>`);
    expect(v).toStrictEqual({ id: 'q', tags: [], locked: false, names: new LanguageMap(), inners: [] });
  });

  it('drops malformed optional values with a debug log', () => {
    const logger = recordingLogger();
    const v = payloadCodec.decode(
      x`<payload xmlns="urn:test:0" id="q" count="4x" open="maybe" stamp="yesterday" jid="@bad" strict="owner"><inner/><inner code="7"/></payload>`,
      { logger },
    );
    expect(v).toStrictEqual({ id: 'q', tags: [], locked: false, names: new LanguageMap(), inners: [{ code: 7 }] });
    expect(logger.records.map((r) => [r.level, r.message, r.context?.attribute ?? r.context?.element])).toEqual([
      ['debug', 'dropping malformed attribute', 'count'],
      ['debug', 'dropping malformed attribute', 'open'],
      ['debug', 'dropping malformed attribute', 'stamp'],
      ['debug', 'dropping malformed attribute', 'jid'],
      ['debug', 'dropping malformed attribute', 'strict'],
      ['debug', 'dropping malformed child', 'inner'],
    ]);
  });

  it('throws PayloadError for a missing required field or a wrong element', () => {
    expect(() => payloadCodec.decode(x`<payload xmlns="urn:test:0"/>`)).toThrow(PayloadError);
    expect(() => payloadCodec.decode(x`<payload xmlns="urn:test:0"/>`)).toThrow(/attribute 'id'/);
    expect(() => payloadCodec.decode(x`<payload xmlns="urn:test:1" id="a"/>`)).toThrow(PayloadError);
    expect(() => payloadCodec.decode(x`<other xmlns="urn:test:0" id="a"/>`)).toThrow(PayloadError);
  });

  it('matches by name and inherited namespace; findIn / findAllIn', () => {
    const parent = x`<wrap xmlns="urn:test:0"><inner code="1"/><inner xmlns="urn:elsewhere" code="9"/><inner code="2"/></wrap>`;
    expect(innerCodec.findIn(parent)).toStrictEqual({ code: 1 });
    expect(innerCodec.findAllIn(parent)).toStrictEqual([{ code: 1 }, { code: 2 }]);
    expect(innerCodec.findIn(x`<wrap xmlns="urn:test:0"/>`)).toBeUndefined();
    expect(innerCodec.matches(parent.getChildElements()[1]!)).toBe(false);
  });

  it('does not repeat the parent namespace on children of the same namespace', () => {
    const el = payloadCodec.encode({ id: 'a', tags: [], locked: true, names: new LanguageMap([['en', 'N']]), inners: [{ code: 3 }] });
    expect(el.toString()).toBe('<payload xmlns="urn:test:0" id="a"><locked/><name xml:lang="en">N</name><inner code="3"/></payload>');
  });

  it('decodes the first matching child with child()', () => {
    const Wrap = element<{ first?: Inner }>(NS, 'wrap', { first: child(innerCodec) });
    expect(Wrap.decode(x`<wrap xmlns="urn:test:0"><inner code="5"/><inner code="6"/></wrap>`)).toStrictEqual({ first: { code: 5 } });
    expect(Wrap.decode(x`<wrap xmlns="urn:test:0"/>`)).toStrictEqual({});
    expect(Wrap.encode({ first: { code: 5, label: 'L' } }).toString()).toBe('<wrap xmlns="urn:test:0"><inner code="5">L</inner></wrap>');
  });

  it('keeps foreign children only where declared', () => {
    const v = innerCodec.decode(x`<inner xmlns="urn:test:0" code="1"><foreign xmlns="urn:x"/></inner>`);
    expect(v).toStrictEqual({ code: 1 });
  });

  it('widens a field with optional()', () => {
    const C = element<{ muted?: boolean }>(NS, 'c', { muted: optional(flag('muted')) });
    expect(C.decode(x`<c xmlns="urn:test:0"><muted/></c>`)).toStrictEqual({ muted: true });
    expect(C.encode({}).toString()).toBe('<c xmlns="urn:test:0"/>');
    expect(C.encode({ muted: true }).toString()).toBe('<c xmlns="urn:test:0"><muted/></c>');
  });

  it('rejects missing or misspelled fields at compile time', () => {
    // @ts-expect-error -- `count` is missing from the field map
    element<{ id: string; count?: number }>(NS, 'a', { id: required(attr('id')) });
    // @ts-expect-error -- `idd` is not a property
    element<{ id: string }>(NS, 'a', { id: required(attr('id')), idd: attr('idd') });
    // @ts-expect-error -- a required property needs required()
    element<{ id: string }>(NS, 'a', { id: attr('id') });
    // @ts-expect-error -- an optional property needs a field that may yield undefined
    element<{ on?: boolean }>(NS, 'a', { on: flag('on') });
    expect(true).toBe(true);
  });
});

describe('parseDateTime', () => {
  it('parses XEP-0082 forms and the legacy XEP-0091 form', () => {
    expect(parseDateTime('1969-07-21T02:56:15Z')?.toISOString()).toBe('1969-07-21T02:56:15.000Z');
    expect(parseDateTime('1969-07-20T21:56:15-05:00')?.toISOString()).toBe('1969-07-21T02:56:15.000Z');
    expect(parseDateTime('1969-07-21T02:56:15.123Z')?.toISOString()).toBe('1969-07-21T02:56:15.123Z');
    expect(parseDateTime('20020910T23:41:07')?.toISOString()).toBe('2002-09-10T23:41:07.000Z');
    expect(parseDateTime('2002-13-10T23:41:07Z')).toBeUndefined();
    expect(parseDateTime('2001-02-29T00:00:00Z')).toBeUndefined();
    expect(parseDateTime('2004-02-29T00:00:00Z')?.toISOString()).toBe('2004-02-29T00:00:00.000Z');
    expect(parseDateTime('2002-09-10 23:41:07')).toBeUndefined();
  });
});
