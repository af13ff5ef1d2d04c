import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from './errors.js';
import { JID, JID_CACHE_SIZE, clearJidCache, nicknameKey, parseJid, prepareNickname, tryParseOnce } from './jid.js';
import { nicknameComparisonForm } from './precis/profiles.js';

function parseError(input: string): string {
  try {
    JID.parse(input);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidArgumentError);
    return (e as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
}

beforeEach(() => clearJidCache());

describe('RFC 7622 §3.5.1 valid examples', () => {
  it.each([
    ['juliet@example.com', 'juliet', 'example.com', undefined],
    ['juliet@example.com/foo', 'juliet', 'example.com', 'foo'],
    ['juliet@example.com/foo bar', 'juliet', 'example.com', 'foo bar'],
    ['juliet@example.com/foo@bar', 'juliet', 'example.com', 'foo@bar'],
    ['foo\\20bar@example.com', 'foo\\20bar', 'example.com', undefined],
    ['fussball@example.com', 'fussball', 'example.com', undefined],
    ['fußball@example.com', 'fußball', 'example.com', undefined],
    ['π@example.com', 'π', 'example.com', undefined],
    ['Σ@example.com/foo', 'σ', 'example.com', 'foo'],
    ['σ@example.com/foo', 'σ', 'example.com', 'foo'],
    ['ς@example.com/foo', 'ς', 'example.com', 'foo'],
    ['king@example.com/♚', 'king', 'example.com', '♚'],
    ['example.com', undefined, 'example.com', undefined],
    ['example.com/foobar', undefined, 'example.com', 'foobar'],
    ['a.example.com/b@example.net', undefined, 'a.example.com', 'b@example.net'],
  ])('%j', (input, local, domain, resource) => {
    const jid = JID.parse(input);
    expect([jid.local, jid.domain, jid.resource]).toEqual([local, domain, resource]);
  });

  it('keeps σ and ς distinct (no case folding of final sigma)', () => {
    expect(JID.parse('σ@example.com').equals('ς@example.com')).toBe(false);
    expect(JID.parse('Σ@example.com').equals('σ@example.com')).toBe(true);
  });
});

describe('RFC 7622 §3.5.2 invalid examples', () => {
  it.each([
    ['"juliet"@example.com', 'JID localpart "\\"juliet\\"" contains "\\""'],
    ['foo bar@example.com', 'Invalid username "foo bar": U+0020 is disallowed'],
    ['@example.com/', 'JID localpart is empty'],
    ['henryⅣ@example.com', 'Invalid username "henryⅣ": U+2173 is disallowed'],
    ['♚@example.com', 'Invalid username "♚": U+265A is disallowed'],
    ['juliet@', 'JID domainpart is empty'],
    ['/foobar', 'JID domainpart is empty'],
  ])('%j', (input, message) => {
    expect(parseError(input)).toBe(message);
  });

  it('maps (rather than rejects) a leading space in the resource: resources use the Nickname profile', () => {
    // RFC 7622 lists "juliet@example.com/ foo" as invalid under OpaqueString; like aioxmpp we
    // enforce resources as RFC 8266 nicknames, which trim outer spaces.
    expect(JID.parse('juliet@example.com/ foo').toString()).toBe('juliet@example.com/foo');
  });
});

describe('JID parsing of hostile input', () => {
  it.each([
    ['a@b@c', 'Malformed JID "a@b@c": more than one \'@\' before the resource'],
    ['a@b@c/d', 'Malformed JID "a@b@c/d": more than one \'@\' before the resource'],
    ['a@b/', 'JID resourcepart is empty'],
    ['a@b/   ', 'Invalid nickname "   ": empty'],
    ['@b', 'JID localpart is empty'],
    ['', 'JID domainpart is empty'],
    ['a\u200bb@example.com', 'Invalid username "a\u200bb": U+200B is disallowed'],
    ['room@example.com/a\u200bb', 'Invalid nickname "a\u200bb": U+200B is disallowed'],
    ['a\u0000@example.com', 'Invalid username "a\\u0000": U+0000 is disallowed'],
    ['a@example.com/x\u0007', 'Invalid nickname "x\\u0007": U+0007 is disallowed'],
    ['a@example.com/x\ny', 'Invalid nickname "x\\ny": U+000A is disallowed'],
    ['a\ud800@example.com', 'Invalid username "a\\ud800": U+D800 is disallowed'],
    ['a@example.com/\udc00', 'Invalid nickname "\\udc00": U+DC00 is disallowed'],
    ['a@ex\ud800ample.com', 'Invalid JID domainpart "ex\\ud800ample.com": unpaired surrogate'],
    ['\u05d0a@example.com', 'Invalid username "\u05d0a": violates the Bidi Rule (RFC 5893): right-to-left string holds bidi class L'],
    ['\ufb00@example.com', 'Invalid username "\ufb00": U+FB00 is disallowed'],
    ['ＡＢ＠x@example.com', 'JID localpart "ＡＢ＠x" contains "@"'], // fullwidth @ width-maps to @
    ['ＡＢ＠example.com', 'Invalid JID domainpart "ＡＢ＠example.com": disallowed character'],
    ['a@b:5222', 'Invalid JID domainpart "b:5222": disallowed character'],
    ['a@exa mple.com', 'Invalid JID domainpart "exa mple.com": disallowed character'],
    ['a@b..c', 'Invalid JID domainpart "b..c": not a valid internationalised domain name (UTS #46)'],
  ])('rejects %j', (input, message) => {
    expect(parseError(input)).toBe(message);
  });

  it('limits each part to 1023 octets of UTF-8', () => {
    expect(JID.parse(`${'a'.repeat(1023)}@example.com`).local).toHaveLength(1023);
    expect(parseError(`${'a'.repeat(1024)}@example.com`)).toBe(
      `JID localpart is longer than 1023 octets (${JSON.stringify('a'.repeat(32))}…)`,
    );
    expect(JID.parse(`${'é'.repeat(511)}@example.com`).local).toHaveLength(511); // 1022 octets
    expect(parseError(`${'é'.repeat(512)}@example.com`)).toContain('JID localpart is longer than 1023 octets');
    expect(JID.parse(`r@example.com/${'€'.repeat(341)}`).resource).toHaveLength(341); // 1023 octets
    expect(parseError(`r@example.com/${'€'.repeat(342)}`)).toContain('JID resourcepart is longer than 1023 octets');
    expect(parseError(`r@${'a'.repeat(2000)}`)).toBe(`Invalid JID domainpart ${JSON.stringify(`${'a'.repeat(64)}…`)}: too long`);
    expect(parseError(`r@example.com/${'x'.repeat(5000)}`)).toBe('JID resourcepart is too long (5000 characters)');
    expect(parseError('x'.repeat(20_000))).toBe('Malformed JID: too long (20000 characters)');
  });

  it('maps fullwidth letters to ASCII in every part', () => {
    const jid = JID.parse('ＪＵＬＩＥＴ@ＥＸＡＭＰＬＥ．ｃｏｍ/ＮＩＣＫ');
    expect(jid.toString()).toBe('juliet@example.com/NICK');
  });

  it('lower-cases the Turkish dotted capital I without locale (İ -> i + U+0307)', () => {
    const jid = JID.parse('İstanbul@example.com');
    expect(jid.local).toBe('i\u0307stanbul');
    expect(jid.equals('istanbul@example.com')).toBe(false);
  });

  it('keeps a ligature in a resource as its NFKC expansion', () => {
    expect(JID.parse('room@muc.example/\ufb00').resource).toBe('ff');
  });

  it('trims and collapses spaces in the resource', () => {
    expect(JID.parse('room@muc.example/Nick Name ').resource).toBe('Nick Name');
    expect(JID.parse('room@muc.example/\u00a0Nick \u2003 Name').resource).toBe('Nick Name');
  });

  it('accepts IDN, IPv4 and IPv6 domains and strips one trailing dot', () => {
    expect(JID.parse('x@BÜCHER.de.').domain).toBe('bücher.de');
    expect(JID.parse('x@xn--bcher-kva.de').equals('x@bücher.de')).toBe(true);
    expect(JID.parse('x@127.0.0.1/r').domain).toBe('127.0.0.1');
    expect(JID.parse('x@[2001:DB8::1]/r').toString()).toBe('x@[2001:db8::1]/r');
  });
});

describe('JID API', () => {
  it('builds and normalises from parts', () => {
    const jid = JID.of('Juliet', 'Example.COM', ' Balcony ');
    expect(jid.toString()).toBe('juliet@example.com/Balcony');
    expect(JID.of(undefined, 'example.com').toString()).toBe('example.com');
    expect(() => JID.of('', 'example.com')).toThrow('JID localpart is empty');
    expect(() => JID.of('a', '')).toThrow('JID domainpart is empty');
    expect(() => JID.of('a', 'b', '')).toThrow('JID resourcepart is empty');
    expect(() => JID.of('a@b', 'c')).toThrow('JID localpart "a@b" contains "@"');
  });

  it('derives bare and full JIDs', () => {
    const full = JID.parse('room@conference.localhost/Nick');
    expect(full.isBare).toBe(false);
    const bare = full.bare();
    expect(bare.toString()).toBe('room@conference.localhost');
    expect(bare.isBare).toBe(true);
    expect(bare.bare()).toBe(bare);
    expect(full.bare()).toBe(bare);
    const other = bare.withResource('ＮＩＣＫ２ ');
    expect(other.toString()).toBe('room@conference.localhost/NICK2');
    expect(() => bare.withResource(' ')).toThrow(InvalidArgumentError);
    expect(JSON.stringify({ j: full })).toBe('{"j":"room@conference.localhost/Nick"}');
  });

  it('compares local and domain exactly and resources case-insensitively', () => {
    const a = JID.parse('room@conference.localhost/ＮＩＣＫ');
    expect(a.toString()).toBe('room@conference.localhost/NICK');
    expect(a.equals('room@conference.localhost/nick')).toBe(true);
    expect(a.equals(JID.parse('ROOM@Conference.Localhost/Nick'))).toBe(true);
    expect(a.equals('room@conference.localhost/nick2')).toBe(false);
    expect(a.equals('room@conference.localhost')).toBe(false);
    expect(a.bare().equals('room@conference.localhost/nick')).toBe(false);
    expect(a.equals('room2@conference.localhost/nick')).toBe(false);
    expect(a.equals('not a jid@x')).toBe(false);
    expect(a.equals(undefined)).toBe(false);
    expect(a.key).toBe('room@conference.localhost/nick');
    expect(JID.parse('room@conference.localhost/Nick').key).toBe(a.key);
    expect(a.bare().key).toBe('room@conference.localhost');
  });

  it('tryParse returns undefined for malformed or missing input', () => {
    expect(JID.tryParse(undefined)).toBeUndefined();
    expect(JID.tryParse(null)).toBeUndefined();
    expect(JID.tryParse('a@b@c')).toBeUndefined();
    expect(JID.tryParse('a@b')?.toString()).toBe('a@b');
  });
});

describe('parseJid cache', () => {
  it('returns the identical object for the same string', () => {
    const a = parseJid('room@conference.localhost/Nick');
    expect(parseJid('room@conference.localhost/Nick')).toBe(a);
    expect(JID.parse('room@conference.localhost/Nick')).toBe(a);
    expect(JID.tryParse('room@conference.localhost/Nick')).toBe(a);
    expect(parseJid('room@conference.localhost/nick')).not.toBe(a);
  });

  it('remembers malformed strings and throws the same error again', () => {
    const first = parseError('a@b@c');
    expect(parseError('a@b@c')).toBe(first);
    expect(JID.tryParse('a@b@c')).toBeUndefined();
  });

  it('is bounded: a string in use stays cached, one not used for a while is evicted', () => {
    const first = parseJid('first@example.com');
    const second = parseJid('second@example.com');
    for (let i = 0; i < 2 * JID_CACHE_SIZE; i++) {
      parseJid(`u${i}@example.com`);
      if (i % 100 === 0) expect(parseJid('first@example.com')).toBe(first);
    }
    expect(parseJid('first@example.com')).toBe(first);
    const again = parseJid('second@example.com');
    expect(again).not.toBe(second);
    expect(again.equals(second)).toBe(true);
  });
});

describe('prepareNickname and nicknameKey', () => {
  it('enforces RFC 8266 and keeps case', () => {
    expect(prepareNickname('Nick Name ')).toBe('Nick Name');
    expect(prepareNickname('ＮＩＣＫ')).toBe('NICK');
    expect(prepareNickname('\ufb00')).toBe('ff');
    expect(() => prepareNickname('')).toThrow(new InvalidArgumentError('Invalid nickname "": empty'));
    expect(() => prepareNickname('  ')).toThrow(InvalidArgumentError);
    expect(() => prepareNickname('a\u200bb')).toThrow(new InvalidArgumentError('Invalid nickname "a\u200bb": U+200B is disallowed'));
    expect(() => prepareNickname('x'.repeat(1024))).toThrow('Nickname is longer than 1023 octets');
  });

  it('returns the comparison form; an invalid nick gets a key that equals only itself', () => {
    expect(nicknameKey(undefined)).toBeUndefined();
    expect(nicknameKey('ＮＩＣＫ')).toBe('nick');
    expect(nicknameKey(' Nick ')).toBe('nick');
    expect(nicknameKey('Richard \u2163')).toBe('richard iv');
    expect(nicknameKey('a\u200bb')).toBe('\u0000a\u200bb');
    expect(nicknameKey('a\u200bb')).not.toBe(nicknameKey('a\u200cb'));
    expect(nicknameKey('')).toBe('\u0000');
  });
});

describe('shortcuts and caches agree with the full preparation', () => {
  /** RFC 8266 comparison of a nick, or the key of an invalid one, without any shortcut or cache. */
  function referenceKey(nick: string): string {
    try {
      return nicknameComparisonForm(nick);
    } catch {
      return `\u0000${nick}`;
    }
  }
  const asciiNick = fc.string({ unit: fc.constantFrom(...'aZ9 ._-@/~!"'), maxLength: 8 });
  const anyNick = fc.string({ unit: fc.constantFrom(...'aZ9 .-é\u00a0ＡΣσ\u05d0\u2163\ufb00\u200b\u0007'), maxLength: 6 });

  it('nicknameKey: printable ASCII keyed directly, the rest through its cache, each time the same', () => {
    fc.assert(
      fc.property(fc.oneof(asciiNick, anyNick), (nick) => {
        expect(nicknameKey(nick)).toBe(referenceKey(nick));
        expect(nicknameKey(nick)).toBe(referenceKey(nick)); // cached for non-ASCII
      }),
      { numRuns: 1000 },
    );
  });

  it('withResource prepares the nick as parsing room@service/nick does, errors included (cached or not)', () => {
    const room = JID.parse('room@conference.example.org');
    fc.assert(
      fc.property(fc.oneof(asciiNick, anyNick), (nick) => {
        for (let round = 0; round < 2; round++) {
          let parsed: JID | string;
          let made: JID | string;
          try {
            parsed = JID.of('room', 'conference.example.org', nick);
          } catch (e) {
            parsed = (e as Error).message;
          }
          try {
            made = room.withResource(nick);
          } catch (e) {
            made = (e as Error).message;
          }
          if (typeof parsed === 'string') expect(made).toBe(parsed);
          else {
            expect(typeof made).not.toBe('string');
            expect((made as JID).toString()).toBe(parsed.toString());
            expect((made as JID).resource).toBe(parsed.resource);
            expect((made as JID).equals(parsed)).toBe(true);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('tryParseOnce gives what JID.tryParse gives', () => {
    const text = fc.string({ unit: fc.constantFrom(...'aZ9 .-_@/é"[]:Σ\u0007'), maxLength: 12 });
    fc.assert(
      fc.property(text, (input) => {
        const once = tryParseOnce(input);
        const cached = JID.tryParse(input);
        if (cached === undefined) expect(once).toBeUndefined();
        else
          expect([once?.local, once?.domain, once?.resource, once?.toString()]).toEqual([
            cached.local,
            cached.domain,
            cached.resource,
            cached.toString(),
          ]);
      }),
      { numRuns: 2000 },
    );
    expect(tryParseOnce(`a@b/${'x'.repeat(5000)}`)).toBeUndefined();
  });

  it('rejects an over-long ASCII resource by its UTF-8 length, as before', () => {
    expect(() => JID.parse('room@example.org').withResource('x'.repeat(1024))).toThrow('JID resourcepart is longer than 1023 octets');
    expect(() => JID.parse(`room@example.org/${'x'.repeat(1024)}`)).toThrow('JID resourcepart is longer than 1023 octets');
  });

  it('prepares a domain once per spelling and keeps rejecting a malformed one', () => {
    expect(JID.parse('a@EXAMPLE.org').domain).toBe('example.org');
    expect(JID.parse('b@EXAMPLE.org').domain).toBe('example.org');
    expect(JID.parse('c@example.org.').domain).toBe('example.org');
    expect(JID.parse('d@Bücher.DE').domain).toBe('bücher.de');
    expect(JID.parse('e@xn--bcher-kva.de').domain).toBe('bücher.de');
    for (let i = 0; i < 2; i++) {
      expect(JID.tryParse(`f${i}@exa mple.org`)).toBeUndefined();
      expect(JID.tryParse(`g${i}@`)).toBeUndefined();
    }
  });

  it('builds the string form on first use, from the normalised parts', () => {
    const full = JID.of('Juliet', 'Example.COM', ' balcony ');
    expect(full.toString()).toBe('juliet@example.com/balcony');
    expect(full.toJSON()).toBe('juliet@example.com/balcony');
    expect(JSON.stringify({ full })).toBe('{"full":"juliet@example.com/balcony"}');
    const bare = full.bare();
    expect(bare.toString()).toBe('juliet@example.com');
    expect(bare.withResource('x').toString()).toBe('juliet@example.com/x');
    expect(JID.of(undefined, 'example.com', 'r').toString()).toBe('example.com/r');
    expect(`${JID.of(undefined, 'example.com')}`).toBe('example.com');
  });
});

describe('round trip', () => {
  const part = fc.string({ unit: fc.constantFrom(...'aZ9 .-_é\u00a0ＡΣσ\u05d0\u2163\ufb00@/'), minLength: 1, maxLength: 6 });
  it('parses its own string form back to an equal JID with the same string', () => {
    fc.assert(
      fc.property(
        fc.option(part, { nil: undefined }),
        fc.constantFrom('example.com', 'Bücher.de', '[::1]'),
        fc.option(part, { nil: undefined }),
        (l, d, r) => {
          let jid: JID;
          try {
            jid = JID.of(l, d, r);
          } catch (e) {
            expect(e).toBeInstanceOf(InvalidArgumentError);
            return;
          }
          const again = JID.parse(jid.toString());
          expect(again.toString()).toBe(jid.toString());
          expect(again.equals(jid)).toBe(true);
          expect(again.key).toBe(jid.key);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
