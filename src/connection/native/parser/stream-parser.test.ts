import { readFileSync } from 'node:fs';
import { type Element, parse as ltxParse } from 'ltx';
import { describe, expect, it } from 'vitest';
import { StreamParseError, StreamParser } from './stream-parser.js';
import { HEADER, parseSplit, recordingParser } from '../../../../test/support/stream-parser-recorder.js';

const STREAM_NS = 'http://etherx.jabber.org/streams';

function fixture(name: string): { stream: string; stanzas: string[] } {
  const raw = readFileSync(new URL(`../../../../test/fixtures/streams/${name}.xml`, import.meta.url), 'utf8');
  const stream = raw.slice(raw.indexOf('\n') + 1); // drop the source comment line
  // Stanzas of the fixture, as written: everything between the features line and the closing tag.
  const lines = stream.split('\n');
  const body = lines.slice(2, lines.indexOf('</stream:stream>')).join('\n');
  const stanzas = body.split(/\n(?=<(?:iq|message|presence)\b)/);
  return { stream, stanzas };
}

describe.each(['prosody-muc', 'ejabberd-muc'])('captured stream %s', (name) => {
  const { stream, stanzas } = fixture(name);
  const whole = parseSplit(stream);

  it('parses whole into the same stanzas ltx gives, plus features, start and end', () => {
    expect(whole.errors).toEqual([]);
    expect(whole.events[0]).toBe('start');
    expect(whole.events.at(-1)).toBe('end');
    expect(whole.starts[0]?.['xml:lang']).toBe('en');
    const features = whole.elements[0];
    expect(features?.is('features', STREAM_NS)).toBe(true);
    expect(features?.parent).toBeNull();
    expect(features?.getChild('bind', 'urn:ietf:params:xml:ns:xmpp-bind')).toBeDefined();
    const got = whole.elements.slice(1);
    expect(got.length).toBe(stanzas.length);
    expect(got.length).toBeGreaterThan(70);
    got.forEach((el, i) => {
      const ref = ltxParse(stanzas[i] as string);
      if (ref.attrs['xml:lang'] === undefined) ref.attrs['xml:lang'] = 'en';
      expect(el.getNS()).toBe('jabber:client');
      expect(el.toString()).toBe(ref.toString());
    });
  });

  it('gives identical events when split at a dense sample of byte offsets, and byte by byte', () => {
    const bytes = new TextEncoder().encode(stream);
    for (let cut = 1; cut < bytes.length; cut += 23) {
      expect(parseSplit(bytes, [cut]).events).toEqual(whole.events);
    }
    for (let cut = 1; cut < bytes.length; cut += 541) {
      expect(parseSplit(bytes, [cut, cut + 3, cut + 50, cut + 51]).events).toEqual(whole.events);
    }
    const rec = recordingParser();
    for (let i = 0; i < bytes.length; i++) rec.parser.write(bytes.subarray(i, i + 1));
    expect(rec.events).toEqual(whole.events);
  });
});

describe('valid input', () => {
  it('accepts whitespace keepalives, both quote styles, spaces around =, and end tags with spaces', () => {
    const rec = parseSplit(`${HEADER} \n\t <message to = "a@b" id='x&apos;y'\n><body>hi</body ></message>  \n  `);
    expect(rec.events).toEqual(['start', `<message to="a@b" id="x&apos;y" xmlns="jabber:client"><body>hi</body></message>`]);
  });

  it('decodes the five entities and character references, including astral ones', () => {
    const rec = parseSplit(`${HEADER}<message><body a='&lt;&gt;&amp;&quot;&apos;'>&#65;&#x42;&#x1F600;&#128512;&amp;amp;</body></message>`);
    const body = rec.elements[0]?.getChild('body');
    expect(body?.attrs.a).toBe(`<>&"'`);
    expect(body?.getText()).toBe('AB😀😀&amp;');
  });

  it('normalises CRLF and CR in text and whitespace in attribute values, but keeps character references', () => {
    const rec = parseSplit(`${HEADER}<message a='x\ty\nz&#10;'><body>a\r\nb\rc&#13;</body></message>`);
    expect(rec.elements[0]?.attrs.a).toBe('x y z\n');
    expect(rec.elements[0]?.getChildText('body')).toBe('a\nb\nc\r');
    const split = parseSplit(`${HEADER}<message><body>a\r\nb</body></message>`, [HEADER.length + 16]);
    expect(split.elements[0]?.getChildText('body')).toBe('a\nb');
  });

  it('accepts CDATA sections inside elements as text (RFC 6120 does not restrict them)', () => {
    const rec = parseSplit(`${HEADER}<message><body>a<![CDATA[<b>&amp;]]]]>c</body></message>`, [HEADER.length + 20]);
    expect(rec.errors).toEqual([]);
    expect(rec.elements[0]?.getChildText('body')).toBe('a<b>&amp;]]c');
  });

  it('resolves default and prefixed namespaces per element and copies header prefixes it uses', () => {
    const rec = parseSplit(
      `${HEADER}<stream:error><conflict xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>` +
        `<message><x xmlns:p='urn:p' p:a='1'><p:y><z/></p:y></x></message>`,
    );
    const [error, message] = rec.elements;
    expect(error?.toString()).toBe(
      `<stream:error xmlns="jabber:client" xmlns:stream="${STREAM_NS}"><conflict xmlns="urn:ietf:params:xml:ns:xmpp-streams"/></stream:error>`,
    );
    expect(error?.is('error', STREAM_NS)).toBe(true);
    expect(message?.attrs['xmlns:stream']).toBeUndefined();
    const y = message?.getChild('x')?.getChild('y');
    expect(y?.getNS()).toBe('urn:p');
    expect(y?.getChild('z')?.getNS()).toBe('jabber:client');
  });

  it('copies xml:lang from the header onto top-level elements lacking it', () => {
    const header = HEADER.replace('>', " xml:lang='de'>");
    const rec = parseSplit(`${header}<message/><presence xml:lang='fr'/>`);
    expect(rec.starts[0]?.['xml:lang']).toBe('de');
    expect(rec.elements.map((e) => e.attrs['xml:lang'])).toEqual(['de', 'fr']);
  });

  it('accepts the XML declaration at the very start only', () => {
    expect(parseSplit(`<?xml version="1.0" encoding="UTF-8"?>${HEADER}<a/>`).events).toEqual(['start', '<a xmlns="jabber:client"/>']);
    expect(parseSplit(`${HEADER}<?xml version="1.0"?>`).events).toEqual(['start', 'error:restricted-xml']);
  });

  it('drops a byte order mark at the start of the stream only, U+FEFF elsewhere is text', () => {
    const start = new TextEncoder().encode(`\uFEFF${HEADER}<a/>`);
    expect(parseSplit(start, [1, 2]).events).toEqual(['start', '<a xmlns="jabber:client"/>']);
    // The first non-ASCII chunk, starting with U+FEFF, after ASCII ones (a ZWNBSP in a body).
    const body = new TextEncoder().encode(`${HEADER}<message><body>\uFEFFx</body></message>`);
    const cut = body.indexOf(0xef);
    for (const cuts of [[cut], [cut - 3, cut], [cut, cut + 1]]) {
      expect(parseSplit(body, cuts).elements[0]?.getChildText('body')).toBe('\uFEFFx');
    }
  });

  it('ends on </stream:stream> and ignores what follows', () => {
    expect(parseSplit(`${HEADER}<a/></stream:stream><b/>junk`).events).toEqual(['start', '<a xmlns="jabber:client"/>', 'end']);
  });

  it('fragments mode (RFC 7395) emits every top-level element, stanzas default to jabber:client', () => {
    const rec = parseSplit(
      `<open xmlns="urn:ietf:params:xml:ns:xmpp-framing" to="localhost" version="1.0" xml:lang="en"/>` +
        `<stream:features xmlns:stream="${STREAM_NS}"><bind xmlns="urn:ietf:params:xml:ns:xmpp-bind"/></stream:features>` +
        `<message><body>x</body></message><close xmlns="urn:ietf:params:xml:ns:xmpp-framing"/>`,
      [10, 100],
      { mode: 'fragments' },
    );
    expect(rec.errors).toEqual([]);
    expect(rec.elements.map((e) => [e.getName(), e.getNS()])).toEqual([
      ['open', 'urn:ietf:params:xml:ns:xmpp-framing'],
      ['features', STREAM_NS],
      ['message', 'jabber:client'],
      ['close', 'urn:ietf:params:xml:ns:xmpp-framing'],
    ]);
    expect(rec.elements[2]?.attrs['xml:lang']).toBe('en');
  });

  it('reset() starts a new stream and discards the rest of the chunk being parsed', () => {
    const rec = recordingParser();
    const p = new StreamParser({
      onElement: (el) => {
        rec.events.push(el.getName());
        if (el.getName() === 'proceed') p.reset();
      },
      onStreamStart: () => rec.events.push('start'),
      onError: (e) => rec.events.push(`error:${e.condition}`),
    });
    p.write(`${HEADER}<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/><injected/>`);
    p.write(`${HEADER}<message/>`);
    expect(rec.events).toEqual(['start', 'proceed', 'start', 'message']);
  });

  it('gives every element its own children, text and elements interleaved in document order', () => {
    const xml = `<message><body>a<b>b1<i/>b2</b><![CDATA[c]]>d&amp;e</body><x><y/><z>t</z></x><w/>tail</message>`;
    const rec = parseSplit(`${HEADER}${xml}<presence><a>1</a></presence>`);
    expect(rec.errors).toEqual([]);
    const [msg, pres] = rec.elements as [Element, Element];
    const shape = (el: Element): unknown[] => el.children.map((c) => (typeof c === 'string' ? c : [c.name, ...shape(c)]));
    expect(shape(msg)).toEqual([['body', 'a', ['b', 'b1', ['i'], 'b2'], 'cd&e'], ['x', ['y'], ['z', 't']], ['w'], 'tail']);
    expect(shape(pres)).toEqual([['a', '1']]);
    const whole = shape(msg);
    // Each element's array is its own: changing one changes no other, and parents are linked.
    const body = msg.children[0] as Element;
    const w = msg.children[2] as Element;
    expect(body.parent).toBe(msg);
    expect((body.children[1] as Element).parent).toBe(body);
    w.children.push('added');
    expect(shape(msg)).toEqual([['body', 'a', ['b', 'b1', ['i'], 'b2'], 'cd&e'], ['x', ['y'], ['z', 't']], ['w', 'added'], 'tail']);
    expect(shape(pres)).toEqual([['a', '1']]);
    // The same split anywhere.
    const bytes = new TextEncoder().encode(`${HEADER}${xml}`);
    for (let cut = HEADER.length + 1; cut < bytes.length; cut += 3) {
      expect(shape(parseSplit(bytes, [cut]).elements[0] as Element)).toEqual(whole);
    }
  });

  it('keeps the children of an element with hundreds of them, and of the elements after it', () => {
    const many = `<iq><query>${'<item/>x'.repeat(300)}</query></iq>`;
    const rec = parseSplit(`${HEADER}${many}<message><body>after</body></message>`, [HEADER.length + 2000]);
    expect(rec.errors).toEqual([]);
    const query = (rec.elements[0] as Element).children[0] as Element;
    expect(query.children).toHaveLength(600);
    expect(query.children.filter((c) => c === 'x')).toHaveLength(300);
    expect(rec.elements[1]?.toString()).toBe('<message xmlns="jabber:client"><body>after</body></message>');
  });

  it('starts the children of the first element after a reset, an error or a resumed stream from nothing', () => {
    const seen: string[] = [];
    const p = new StreamParser({ onElement: (el) => seen.push(el.toString()), onError: (e) => seen.push(`error:${e.condition}`) });
    // An element left open (with children) by a reset.
    p.write(`${HEADER}<message><body>lost</body><x><y/>`);
    p.reset();
    p.write(`${HEADER}<message><body>kept</body></message>`);
    // An element left open by an error, then a new stream.
    p.write(`<iq><query><item/><bad</iq>`);
    p.reset();
    p.write(`${HEADER}<presence><show>away</show></presence>`);
    expect(seen).toEqual([
      '<message xmlns="jabber:client"><body>kept</body></message>',
      'error:not-well-formed',
      '<presence xmlns="jabber:client"><show>away</show></presence>',
    ]);
  });

  it('catches exceptions thrown by callbacks and keeps parsing', () => {
    const seen: string[] = [];
    const thrown: unknown[] = [];
    const p = new StreamParser({
      onElement: (el) => {
        seen.push(el.getName());
        throw new Error('listener bug');
      },
      onError: () => seen.push('error'),
      onCallbackError: (e) => thrown.push(e),
    });
    expect(() => p.write(`${HEADER}<a/><b/>`)).not.toThrow();
    expect(seen).toEqual(['a', 'b']);
    expect(thrown).toHaveLength(2);
  });

  it('accepts a top-level element of exactly maxStanzaBytes characters', () => {
    const stanza = `<message><body>${'x'.repeat(200)}</body></message>`;
    const rec = parseSplit(`${HEADER}${stanza}`, [], { maxStanzaBytes: stanza.length });
    expect(rec.errors).toEqual([]);
    expect(rec.elements).toHaveLength(1);
    const over = parseSplit(`${HEADER}${stanza.replace('<body>', '<body>x')}`, [], { maxStanzaBytes: stanza.length });
    expect(over.events).toEqual(['start', 'error:policy-violation']);
  });
});

describe('rejections', () => {
  const cases: [string, string, string][] = [
    ['DOCTYPE', `<!DOCTYPE foo [<!ENTITY x "y">]>`, 'restricted-xml'],
    ['comment at stream level', `<!-- hi -->`, 'restricted-xml'],
    ['comment in a stanza', `<message><!-- hi --></message>`, 'restricted-xml'],
    ['processing instruction', `<message><?php x ?></message>`, 'restricted-xml'],
    ['unknown entity', `<message><body>&foo;</body></message>`, 'not-well-formed'],
    ['&nbsp;', `<message><body>&nbsp;</body></message>`, 'not-well-formed'],
    ['unknown entity in attribute', `<message a='&foo;'/>`, 'not-well-formed'],
    ['bare &', `<message><body>a & b</body></message>`, 'not-well-formed'],
    ['&#0;', `<message><body>&#0;</body></message>`, 'not-well-formed'],
    ['&#xD800;', `<message><body>&#xD800;</body></message>`, 'not-well-formed'],
    ['&#xFFFE;', `<message><body>&#xFFFE;</body></message>`, 'not-well-formed'],
    ['&#x110000;', `<message><body>&#x110000;</body></message>`, 'not-well-formed'],
    ['empty reference', `<message><body>&#;</body></message>`, 'not-well-formed'],
    ['unquoted attribute', `<message type=chat/>`, 'not-well-formed'],
    ['attribute without value', `<message disabled/>`, 'not-well-formed'],
    ['duplicate attribute', `<message id='a' id='b'/>`, 'not-well-formed'],
    [
      'duplicate among many attributes',
      `<message ${Array.from({ length: 40 }, (_, i) => `a${i}='1'`).join(' ')} a39='2'/>`,
      'not-well-formed',
    ],
    ['< in attribute value', `<message id='a<b'/>`, 'not-well-formed'],
    ['missing space between attributes', `<message a='1'b='2'/>`, 'not-well-formed'],
    ['mismatched end tag', `<message><body></message></body>`, 'not-well-formed'],
    ['stray end tag at stream level', `</message>`, 'not-well-formed'],
    ['text at stream level', `hello<message/>`, 'not-well-formed'],
    ['entity at stream level', `&amp;`, 'not-well-formed'],
    ['CDATA at stream level', `<![CDATA[x]]>`, 'not-well-formed'],
    [']]> in text', `<message><body>a]]>b</body></message>`, 'not-well-formed'],
    ['undeclared element prefix', `<message><foo:bar/></message>`, 'not-well-formed'],
    ['undeclared attribute prefix', `<message foo:a='1'/>`, 'not-well-formed'],
    ['invalid element name', `<1message/>`, 'not-well-formed'],
    ['control character', `<message><body>\u0001</body></message>`, 'not-well-formed'],
    ['xmlns:xmlns declaration', `<message xmlns:xmlns='urn:x'/>`, 'not-well-formed'],
    ['empty prefix declaration', `<message xmlns:p=''/>`, 'not-well-formed'],
    ['bad empty-element tag', `<message / >`, 'not-well-formed'],
  ];
  it.each(cases)('%s', (_name, bad, condition) => {
    const rec = parseSplit(`${HEADER}<ok/>${bad}<after/>`, [HEADER.length + 5]);
    expect(rec.events).toEqual(['start', '<ok xmlns="jabber:client"/>', `error:${condition}`]);
    expect(rec.errors[0]).toBeInstanceOf(StreamParseError);
    expect(rec.errors[0]?.name).toBe('StreamParseError');
  });

  it.each([
    ['0xFF byte', [0xff]],
    ['overlong encoding', [0xc0, 0x80]],
    ['truncated sequence before ASCII', [0xe2, 0x82, 0x41]],
    ['UTF-16 surrogate encoded in UTF-8', [0xed, 0xa0, 0x80]],
  ])('invalid UTF-8: %s', (_name, bad) => {
    const head = new TextEncoder().encode(`${HEADER}<message><body>`);
    const rec = parseSplit(new Uint8Array([...head, ...bad, ...new TextEncoder().encode('</body></message>')]), [head.length]);
    expect(rec.events).toEqual(['start', 'error:not-well-formed']);
  });

  it('lone surrogates in string input', () => {
    const rec = recordingParser();
    rec.parser.write(HEADER);
    rec.parser.write(`<message><body>\uDC00</body></message>`);
    expect(rec.events).toEqual(['start', 'error:not-well-formed']);
  });

  it('wrong stream namespace, unsupported content namespace, non-stream root', () => {
    expect(parseSplit(`<stream:stream xmlns='jabber:client' xmlns:stream='urn:wrong'>`).events).toEqual(['error:invalid-namespace']);
    expect(parseSplit(`<stream:stream xmlns='urn:x' xmlns:stream='${STREAM_NS}'>`).events).toEqual(['error:invalid-namespace']);
    expect(parseSplit(`<message xmlns='jabber:client'/>`).events).toEqual(['error:bad-format']);
  });

  it('oversized stanza -> policy-violation, also while still incomplete (no unbounded buffering)', () => {
    const big = `<message><body>${'x'.repeat(2000)}</body></message>`;
    expect(parseSplit(`${HEADER}${big}`, [], { maxStanzaBytes: 1000 }).events).toEqual(['start', 'error:policy-violation']);
    const rec = recordingParser({ maxStanzaBytes: 1000 });
    rec.parser.write(`${HEADER}<message><body>`);
    for (let i = 0; i < 30 && rec.errors.length === 0; i++) rec.parser.write('y'.repeat(50));
    expect(rec.events).toEqual(['start', 'error:policy-violation']);
    const tag = recordingParser({ maxStanzaBytes: 1000 });
    tag.parser.write(`${HEADER}<message a='`);
    for (let i = 0; i < 30 && tag.errors.length === 0; i++) tag.parser.write('z'.repeat(50));
    expect(tag.events).toEqual(['start', 'error:policy-violation']);
  });

  it('bounds a stream header that never ends', () => {
    const rec = recordingParser({ maxStanzaBytes: 1000 });
    rec.parser.write(`<stream:stream xmlns='jabber:client' xmlns:stream='${STREAM_NS}'`);
    for (let i = 0; i < 100 && rec.errors.length === 0; i++) rec.parser.write(` a${i}='${'v'.repeat(20)}'`);
    expect(rec.events).toEqual(['error:policy-violation']);
  });

  it('stays linear for a huge attribute value and many attributes fed in tiny chunks', () => {
    const value = 'v'.repeat(300_000);
    const attrs = Array.from({ length: 5000 }, (_, i) => ` a${i}='x'`).join('');
    const input = new TextEncoder().encode(`${HEADER}<message big='${value}'${attrs}/>`);
    const rec = recordingParser({ maxStanzaBytes: 400_000 });
    const started = performance.now();
    for (let i = 0; i < input.length; i += 3) rec.parser.write(input.subarray(i, i + 3));
    expect(rec.errors).toEqual([]);
    expect(rec.elements[0]?.attrs.big).toBe(value);
    expect(rec.elements[0]?.attrs.a4999).toBe('x');
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('is dead after an error: further writes are ignored and onError fires once', () => {
    const rec = parseSplit(`${HEADER}<a b=c/>`);
    rec.parser.write('<message/>');
    rec.parser.write(new Uint8Array([0xff]));
    expect(rec.events).toEqual(['start', 'error:not-well-formed']);
  });
});

describe('hardening', () => {
  it.each(['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'valueOf', '__defineGetter__'])(
    'drops an attribute named %s (an Object.prototype key) and keeps the stanza and the stream',
    (name) => {
      const rec = parseSplit(`${HEADER}<message id='m1'><body ${name}='x' lang='en'>hi</body></message><after/>`);
      expect(rec.errors).toEqual([]);
      expect(rec.events).toEqual([
        'start',
        '<message id="m1" xmlns="jabber:client"><body lang="en">hi</body></message>',
        '<after xmlns="jabber:client"/>',
      ]);
      const body = rec.elements[0]?.getChild('body');
      expect(Object.hasOwn(body!.attrs, name)).toBe(false);
      expect(Object.getPrototypeOf(body?.attrs)).toBe(Object.prototype);
      expect(body?.getText()).toBe('hi');
    },
  );

  it('accepts such names as element names and prefixed attribute names, with plain attrs objects', () => {
    const rec = parseSplit(`${HEADER}<message xmlns:p='urn:p' p:constructor='1' p:__proto__='2'><constructor toStrin='3'/></message>`);
    expect(rec.errors).toEqual([]);
    const el = rec.elements[0];
    expect(Object.getPrototypeOf(el?.attrs)).toBe(Object.prototype);
    expect(Object.keys(el?.attrs ?? {})).toEqual(['xmlns:p', 'p:constructor', 'p:__proto__', 'xmlns']);
    expect(el?.getChild('constructor')?.attrs.toStrin).toBe('3');
    expect(String(el?.attrs)).toBe('[object Object]');
  });

  it('rejects two attributes with the same local name in one namespace through two prefixes', () => {
    const bad = parseSplit(`${HEADER}<message xmlns:a='urn:x' xmlns:b='urn:x' a:k='1' b:k='2'/>`);
    expect(bad.events).toEqual(['start', 'error:not-well-formed']);
    const inherited = parseSplit(`${HEADER}<message xmlns:a='urn:x'><c xmlns:b='urn:x' b:k='2' a:k='1'/></message>`);
    expect(inherited.events).toEqual(['start', 'error:not-well-formed']);
    const ok = parseSplit(`${HEADER}<message xmlns:a='urn:x' xmlns:b='urn:y' a:k='1' b:k='2' k='3'/>`);
    expect(ok.errors).toEqual([]);
    expect(ok.elements[0]?.attrs).toMatchObject({ 'a:k': '1', 'b:k': '2', k: '3' });
  });

  it.each([
    ['<<<', '<<<'],
    ['< at stream level after whitespace', ' <<'],
    ['name followed by <', '<message<'],
    ['attribute name followed by <', '<message a<'],
    ['stray end tag start', '<message></body'],
    ['end tag with junk after the name', '<message></message x'],
  ])('reports %s as not-well-formed without waiting for more input', (_name, input) => {
    const rec = recordingParser();
    rec.parser.write(HEADER);
    rec.parser.write(input);
    expect(rec.events).toEqual(['start', 'error:not-well-formed']);
  });

  it('still waits for the rest of a valid split end tag', () => {
    const rec = recordingParser();
    rec.parser.write(`${HEADER}<message><body>x</bo`);
    rec.parser.write('dy \n');
    expect(rec.events).toEqual(['start']);
    rec.parser.write('></message>');
    expect(rec.events).toEqual(['start', '<message xmlns="jabber:client"><body>x</body></message>']);
  });

  it('waits at every split point inside a matching end tag, and fails a mismatching one as soon as it differs', () => {
    const close = '</message>';
    for (let cut = 2; cut < close.length; cut++) {
      const ok = recordingParser();
      ok.parser.write(`${HEADER}<message>${close.slice(0, cut)}`);
      expect(ok.events).toEqual(['start']);
      ok.parser.write(close.slice(cut));
      expect(ok.events).toEqual(['start', '<message xmlns="jabber:client"/>']);
    }
    const wrong = '</messaxe'; // differs from `</message>` at its 8th character
    for (let cut = 2; cut <= wrong.length; cut++) {
      const bad = recordingParser();
      bad.parser.write(`${HEADER}<message>${wrong.slice(0, cut)}`);
      expect(bad.events).toEqual(cut < 8 ? ['start'] : ['start', 'error:not-well-formed']);
    }
  });

  it('finds a forbidden control byte at any alignment of a byte chunk', () => {
    const clean = new TextEncoder().encode(`${HEADER}<message><body>${'a'.repeat(40)}</body></message>`);
    const at = HEADER.length + 20;
    for (let shift = 0; shift < 4; shift++) {
      for (const bad of [0x00, 0x01, 0x0b, 0x1f]) {
        const backing = new Uint8Array(clean.length + 4);
        backing.set(clean, shift);
        backing[shift + at + (shift % 3)] = bad;
        const rec = parseSplit(backing.subarray(shift, shift + clean.length));
        expect(rec.events).toEqual(['error:not-well-formed']);
      }
      const backing = new Uint8Array(clean.length + 4);
      backing.set(clean, shift);
      expect(parseSplit(backing.subarray(shift, shift + clean.length)).elements).toHaveLength(1);
    }
  });

  it('rejects U+FFFE/U+FFFF in UTF-8 byte input and keeps ASCII and non-ASCII chunks consistent', () => {
    const bytes = new TextEncoder().encode(`${HEADER}<message><body>é\uFFFF</body></message>`);
    expect(parseSplit(bytes).events).toEqual(['error:not-well-formed']);
    const mixed = new TextEncoder().encode(`${HEADER}<message><body>aé€😀b</body></message>`);
    const body = HEADER.length + 15;
    for (let cut = body; cut < body + 11; cut++) {
      const rec = parseSplit(mixed, [cut, cut + 1, cut + 2]);
      expect(rec.errors).toEqual([]);
      expect(rec.elements[0]?.getChildText('body')).toBe('aé€😀b');
    }
  });

  it('gives the same elements with copyStrings on and off, for stanzas crossing chunk borders', () => {
    const long = 'v'.repeat(3000);
    const stream = `${HEADER}<message id='${long}'><body>${long}&amp;${long}</body></message><presence from='room@muc.example/${long}'/>`;
    const bytes = new TextEncoder().encode(stream);
    const cuts = [HEADER.length + 500, HEADER.length + 3100, HEADER.length + 7000];
    const on = parseSplit(bytes, cuts);
    const off = parseSplit(bytes, cuts, { copyStrings: false });
    expect(on.errors).toEqual([]);
    expect(on.events).toEqual(off.events);
    expect(on.elements[0]?.getChildText('body')).toBe(`${long}&${long}`);
  });

  it('keeps non-ASCII text whole across reads, whether the unparsed tail is short or long', () => {
    // A 30 000-character attribute value outgrows the tail that is decoded again with the next
    // read (16 384 characters) and is joined instead; the body's tails stay short.
    const mixed = 'é€😀a\r\n'.repeat(5000);
    const normalised = mixed.replaceAll('\r\n', '\n');
    const bytes = new TextEncoder().encode(`${HEADER}<message v='${mixed.replaceAll('\r\n', '&#10;')}'><body>${mixed}</body></message>`);
    for (const size of [7, 1000, 65536]) {
      const rec = recordingParser({ maxStanzaBytes: 1_000_000 });
      for (let i = 0; i < bytes.length; i += size) rec.parser.write(bytes.subarray(i, i + size));
      expect(rec.errors).toEqual([]);
      expect(rec.elements[0]?.attrs.v).toBe(normalised);
      expect(rec.elements[0]?.getChildText('body')).toBe(normalised);
    }
  });
});

describe('start-tag fast paths', () => {
  /** Events of `input` parsed whole must equal those at every single split offset. */
  function expectSplitStable(input: string, expected: string[]): void {
    const bytes = new TextEncoder().encode(input);
    expect(parseSplit(bytes).events).toEqual(expected);
    for (let cut = 1; cut < bytes.length; cut++) expect(parseSplit(bytes, [cut]).events, `cut at ${cut}`).toEqual(expected);
  }

  it('reads a name seen before when it is followed by whitespace before =, and with runs of whitespace', () => {
    expectSplitStable(`${HEADER}<message to='a' id='1'/><message to = 'b'\tid\n=\n"2" /><message  to='c'  id='3'  ></message>`, [
      'start',
      '<message to="a" id="1" xmlns="jabber:client"/>',
      '<message to="b" id="2" xmlns="jabber:client"/>',
      '<message to="c" id="3" xmlns="jabber:client"/>',
    ]);
  });

  it('keeps names that share their first three characters apart (xmlns/xml:lang, status/stanza-id)', () => {
    const stanza =
      "<presence xml:lang='de' xmlns='jabber:client'><status>s</status><stanza-id xmlns='urn:xmpp:sid:0' id='i' by='r'/><status xml:lang='fr'>t</status></presence>";
    const expected =
      '<presence xml:lang="de" xmlns="jabber:client"><status>s</status><stanza-id xmlns="urn:xmpp:sid:0" id="i" by="r"/><status xml:lang="fr">t</status></presence>';
    expectSplitStable(`${HEADER}${stanza}${stanza}`, ['start', expected, expected]);
  });

  it('decodes and normalises values after a buffer whose first & or TAB lies earlier, split anywhere', () => {
    expectSplitStable(`${HEADER}<message><body>a &amp; b\tc</body><x a='1 &lt; 2' b='p\tq\nr' c='Grüße 😀 &#x263A;'/></message>`, [
      'start',
      '<message xmlns="jabber:client"><body>a &amp; b\tc</body><x a="1 &lt; 2" b="p q r" c="Grüße 😀 ☺"/></message>',
    ]);
  });

  it('finds a duplicate attribute among more than 16 and after a dropped prototype key', () => {
    const many = Array.from({ length: 20 }, (_, i) => `k${i}='${i}'`).join(' ');
    expect(parseSplit(`${HEADER}<a ${many} toString='x' k3='again'/>`).events).toEqual(['start', 'error:not-well-formed']);
    expect(parseSplit(`${HEADER}<a ${many} toString='x' k20='new'/>`).elements[0]?.attrs.k20).toBe('new');
  });

  it('relies on every Object.prototype key having at least 7 characters (the cheap pre-check)', () => {
    expect(Object.getOwnPropertyNames(Object.prototype).filter((k) => k.length < 7)).toEqual([]);
  });
});
