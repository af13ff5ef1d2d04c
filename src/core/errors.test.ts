import { describe, expect, it } from 'vitest';
import { x } from '../../test/support/xml.js';
import {
  AbortError,
  DisconnectedError,
  InvalidArgumentError,
  NotJoinedError,
  PayloadError,
  StanzaError,
  TimeoutError,
  XmucError,
  toError,
} from './errors.js';

describe('StanzaError.fromStanza', () => {
  it('finds the condition, text and application condition by namespace, not position', () => {
    const stanza = x`<iq type="error" id="1" from="room@conference.localhost">
      <error type="modify" by="conference.localhost">
        <text xmlns="urn:ietf:params:xml:ns:xmpp-stanzas">Nick taken</text>
        <too-many xmlns="urn:example:app"/>
        <conflict xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/>
      </error></iq>`;
    const e = StanzaError.fromStanza(stanza);
    expect(e).toBeInstanceOf(StanzaError);
    expect(e).toBeInstanceOf(XmucError);
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('StanzaError');
    expect(e.code).toBe('ERR_STANZA');
    expect(e.type).toBe('modify');
    expect(e.condition).toBe('conflict');
    expect(e.text).toBe('Nick taken');
    expect(e.by).toBe('conference.localhost');
    expect(e.applicationCondition?.name).toBe('too-many');
    expect(e.stanza).toBe(stanza);
    expect(e.message).toBe('conflict: Nick taken');
  });

  it('ignores a condition-named element in a foreign namespace', () => {
    const e = StanzaError.fromStanza(x`<message type="error"><error type="cancel"><forbidden xmlns="urn:other"/></error></message>`);
    expect(e.condition).toBe('undefined-condition');
    expect(e.applicationCondition?.name).toBe('forbidden');
  });

  it('never throws on a missing or malformed <error/>', () => {
    const a = StanzaError.fromStanza(x`<iq type="error" id="2"/>`);
    expect([a.type, a.condition, a.text]).toEqual(['cancel', 'undefined-condition', undefined]);
    const b = StanzaError.fromStanza(
      x`<iq type="error"><error type="bogus"><unknown-thing xmlns="urn:ietf:params:xml:ns:xmpp-stanzas"/></error></iq>`,
    );
    expect([b.type, b.condition]).toEqual(['cancel', 'undefined-condition']);
  });
});

describe('error classes', () => {
  it('each has a literal name and a stable code and keeps its cause', () => {
    const cause = new Error('root');
    const all = [
      [new TimeoutError(undefined, { cause }), 'TimeoutError', 'ERR_TIMEOUT'],
      [new AbortError(undefined, { cause }), 'AbortError', 'ERR_ABORTED'],
      [new DisconnectedError(undefined, { cause }), 'DisconnectedError', 'ERR_DISCONNECTED'],
      [new NotJoinedError(undefined, { cause }), 'NotJoinedError', 'ERR_NOT_JOINED'],
      [new InvalidArgumentError('bad', { cause }), 'InvalidArgumentError', 'ERR_INVALID_ARGUMENT'],
      [new PayloadError('bad', { cause }), 'PayloadError', 'ERR_PAYLOAD'],
    ] as const;
    for (const [e, name, code] of all) {
      expect(e.name).toBe(name);
      expect(e.code).toBe(code);
      expect(e.cause).toBe(cause);
      expect(e).toBeInstanceOf(XmucError);
    }
    expect(new TimeoutError()).not.toBeInstanceOf(AbortError);
  });

  it('XmucError instanceof works across copies of the package (symbol brand)', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('xmuc.error')]: true });
    expect(foreign instanceof XmucError).toBe(true);
    expect(new Error('plain') instanceof XmucError).toBe(false);
    expect((null as unknown as object) instanceof XmucError).toBe(false);
  });

  it('toError wraps non-errors', () => {
    const e = new Error('e');
    expect(toError(e)).toBe(e);
    expect(toError('boom').message).toBe('boom');
    expect(toError(42).message).toBe('Non-error thrown: 42');
  });
});
