import { describe, expect, it } from 'vitest';
import { loadMamFixture } from '../../../test/fixtures/xep0313/load.js';
import { canonical, x } from '../../../test/support/xml.js';
import { JID } from '../../core/jid.js';
import { recordingLogger } from '../../core/logger.js';
import { PayloadError } from '../../core/errors.js';
import { forwarded, mamFin, mamQuery, mamResult } from './mam.js';
import { rsmSet } from './rsm.js';

const j = (s: string) => JID.parse(s);

describe('mamResult on captured results', () => {
  it('reads a Prosody result: delay before the message, second-precision stamp, no stanza-id inside', () => {
    const result = mamResult.findIn(loadMamFixture('prosody-result'))!;
    expect(result.id).toBe('z01THQ1BFFku9JRZ5SsELo2V');
    expect(result.queryId).toBe('page1');
    expect(result.forwarded.delay).toStrictEqual({ stamp: new Date('2026-12-07T02:24:51Z') });
    const inner = result.forwarded.message!;
    expect(inner.attrs.from).toBe('capmam@conference.localhost/alice');
    expect(inner.getChildText('body')).toBe('message 1');
    expect(inner.getChild('stanza-id', 'urn:xmpp:sid:0')).toBeUndefined();
    expect(inner.parent).toBeNull();
    expect(inner.getNS()).toBe('jabber:client');
  });

  it('reads an ejabberd result: delay after the message, microsecond stamp, stanza-id and archived inside', () => {
    const result = mamResult.findIn(loadMamFixture('ejabberd-result'))!;
    expect(result.id).toBe('1796610326556063');
    expect(result.forwarded.delay).toStrictEqual({ stamp: new Date('2026-12-07T02:25:26.556Z'), from: j('conference.localhost') });
    expect(result.forwarded.message!.getChild('stanza-id', 'urn:xmpp:sid:0')!.attrs.id).toBe('1796610326556063');
  });

  it('reads an ejabberd archived subject change', () => {
    const result = mamResult.findIn(loadMamFixture('ejabberd-result-subject'))!;
    expect(result.forwarded.message!.getChildText('subject')).toBe('Archive subject');
  });

  it('reads the XEP MUC example', () => {
    const result = mamResult.findIn(loadMamFixture('xep-muc-result'))!;
    expect(result).toMatchObject({ id: '78527-06716-51603', queryId: 'g27' });
    expect(result.forwarded.message!.attrs.from).toBe('coven@chat.shakespeare.lit/firstwitch');
  });

  it('keeps a result whose archive withheld the message, and drops a malformed delay (logged)', () => {
    const logger = recordingLogger();
    const el = x`<result xmlns="urn:xmpp:mam:2" id="r1"><forwarded xmlns="urn:xmpp:forward:0"><delay xmlns="urn:xmpp:delay" stamp="yesterday"/></forwarded></result>`;
    expect(mamResult.decode(el, { logger })).toStrictEqual({ id: 'r1', forwarded: {} });
    expect(logger.records.map((r) => r.message)).toContain('dropping malformed child');
  });

  it('rejects a result without id or without forwarded', () => {
    expect(() => mamResult.decode(x`<result xmlns="urn:xmpp:mam:2"><forwarded xmlns="urn:xmpp:forward:0"/></result>`)).toThrow(
      PayloadError,
    );
    expect(() => mamResult.decode(x`<result xmlns="urn:xmpp:mam:2" id="r1"/>`)).toThrow(PayloadError);
  });

  it('ignores a forwarded message in another namespace', () => {
    const el = x`<forwarded xmlns="urn:xmpp:forward:0"><message xmlns="urn:example:other"/></forwarded>`;
    expect(forwarded.decode(el)).toStrictEqual({});
  });

  it('encodes a forwarded message in the jabber:client namespace', () => {
    const inner = x`<message from="r@c/n" type="groupchat"><body>hi</body></message>`;
    const el = forwarded.encode({ delay: { stamp: new Date('2020-01-01T00:00:00Z') }, message: inner });
    expect(canonical(el)).toBe(
      canonical(
        x`<forwarded xmlns="urn:xmpp:forward:0"><delay xmlns="urn:xmpp:delay" stamp="2020-01-01T00:00:00Z"/><message xmlns="jabber:client" from="r@c/n" type="groupchat"><body>hi</body></message></forwarded>`,
      ),
    );
  });
});

describe('mamQuery encoding', () => {
  it('writes FORM_TYPE first, then every filter field, the RSM set and flip-page', () => {
    const el = mamQuery.encode({
      queryId: 'q1',
      filter: {
        with: j('romeo@montague.lit'),
        start: new Date('2010-06-07T00:00:00Z'),
        end: new Date('2010-07-07T13:23:54.5Z'),
        afterId: 'a',
        beforeId: 'b',
        ids: ['i1', 'i2'],
      },
      rsm: { max: 25, after: 'a' },
      flipPage: true,
    });
    expect(canonical(el)).toBe(
      canonical(x`<query xmlns="urn:xmpp:mam:2" queryid="q1">
        <x xmlns="jabber:x:data" type="submit">
          <field var="FORM_TYPE" type="hidden"><value>urn:xmpp:mam:2</value></field>
          <field var="with"><value>romeo@montague.lit</value></field>
          <field var="start"><value>2010-06-07T00:00:00Z</value></field>
          <field var="end"><value>2010-07-07T13:23:54.500Z</value></field>
          <field var="after-id"><value>a</value></field>
          <field var="before-id"><value>b</value></field>
          <field var="ids"><value>i1</value><value>i2</value></field>
        </x>
        <set xmlns="http://jabber.org/protocol/rsm"><max>25</max><after>a</after></set>
        <flip-page/>
      </query>`),
    );
  });

  it('reads back what it writes', () => {
    const value = { queryId: 'q', filter: { with: j('a@b'), ids: ['1'] }, rsm: { max: 1, before: '' }, flipPage: false };
    expect(mamQuery.decode(mamQuery.encode(value))).toStrictEqual(value);
  });

  it('drops the filter of a form of another FORM_TYPE and malformed values', () => {
    const other = x`<query xmlns="urn:xmpp:mam:2"><x xmlns="jabber:x:data" type="submit"><field var="FORM_TYPE" type="hidden"><value>urn:xmpp:mam:1</value></field></x></query>`;
    expect(mamQuery.decode(other)).toStrictEqual({ flipPage: false });
    const bad = x`<query xmlns="urn:xmpp:mam:2"><x xmlns="jabber:x:data" type="submit"><field var="start"><value>soon</value></field><field var="with"><value>@@</value></field></x></query>`;
    expect(mamQuery.decode(bad)).toStrictEqual({ filter: {}, flipPage: false });
    const broken = x`<query xmlns="urn:xmpp:mam:2"><x xmlns="jabber:x:data"/></query>`;
    expect(mamQuery.decode(broken)).toStrictEqual({ flipPage: false });
  });
});

describe('rsmSet and mamFin', () => {
  it('drops malformed and negative numbers (logged)', () => {
    const logger = recordingLogger();
    const el = x`<set xmlns="http://jabber.org/protocol/rsm"><max>ten</max><count>-1</count><first index="x">a</first><last>b</last></set>`;
    expect(rsmSet.decode(el, { logger })).toStrictEqual({ first: { id: 'a' }, last: 'b' });
    expect(logger.records.filter((r) => r.message === 'dropping malformed RSM number')).toHaveLength(2);
  });

  it('writes an empty <before/> for the last page', () => {
    expect(canonical(rsmSet.encode({ max: 5, before: '' }))).toBe(
      canonical(x`<set xmlns="http://jabber.org/protocol/rsm"><max>5</max><before/></set>`),
    );
  });

  it('reads complete and stable as booleans ("1" included), absent when absent', () => {
    expect(mamFin.decode(x`<fin xmlns="urn:xmpp:mam:2" complete="1" stable="false"/>`)).toStrictEqual({ complete: true, stable: false });
    expect(mamFin.decode(x`<fin xmlns="urn:xmpp:mam:2"/>`)).toStrictEqual({});
    expect(mamFin.decode(x`<fin xmlns="urn:xmpp:mam:2" complete="maybe"/>`)).toStrictEqual({});
  });
});
