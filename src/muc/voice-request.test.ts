import { describe, expect, it } from 'vitest';
import { loadFixture } from '../../test/fixtures/xep0045/load.js';
import { canonical, x } from '../../test/support/xml.js';
import { InvalidArgumentError } from '../core/errors.js';
import { JID } from '../core/jid.js';
import { recordingLogger } from '../core/logger.js';
import { readVoiceRequest, voiceRequestAnswer, voiceRequestMessage } from './voice-request.js';

describe('voiceRequestMessage', () => {
  it('builds XEP-0045 Example 104', () => {
    expect(canonical(voiceRequestMessage('coven@chat.shakespeare.lit', { id: 'yd53c486' }))).toBe(
      canonical(x`<message id='yd53c486' to='coven@chat.shakespeare.lit'>
        <x xmlns='jabber:x:data' type='submit'>
          <field var='FORM_TYPE'><value>http://jabber.org/protocol/muc#request</value></field>
          <field var='muc#role' type='list-single' label='Requested role'><value>participant</value></field>
        </x></message>`),
    );
    expect(() => voiceRequestMessage('coven@chat.shakespeare.lit/nick')).toThrow(InvalidArgumentError);
  });
});

describe('readVoiceRequest / voiceRequestAnswer', () => {
  it('reads the request relayed to the moderator and answers it (both servers)', () => {
    for (const server of ['prosody', 'ejabberd']) {
      const stanza = loadFixture(`${server}-voice-request`);
      const request = readVoiceRequest(stanza);
      expect(request?.roomAddress, server).toStrictEqual(JID.parse('probe@conference.localhost'));
      expect(request?.form.roomnick).toBe('dave');
      expect(request?.form.jid?.toString()).toBe('dave@localhost/probe');
      const answer = voiceRequestAnswer(request!, true, { id: 'approve' });
      expect(answer.attrs).toStrictEqual({ to: 'probe@conference.localhost', id: 'approve' });
      const fields = answer
        .getChild('x', 'jabber:x:data')!
        .getChildren('field')
        .map((f) => [f.attrs.var, f.getChildText('value')]);
      expect(fields).toContainEqual(['muc#request_allow', '1']);
      expect(fields).toContainEqual(['muc#roomnick', 'dave']);
      expect(fields[0]).toEqual(['FORM_TYPE', 'http://jabber.org/protocol/muc#request']);
      expect(
        voiceRequestAnswer(request!, false)
          .getChild('x')!
          .getChildren('field')
          .find((f) => f.attrs.var === 'muc#request_allow')!
          .getChildText('value'),
      ).toBe('0');
      expect(() => voiceRequestAnswer(request!, 'yes' as never)).toThrow(InvalidArgumentError);
    }
  });

  it('ignores other forms, non-room senders, groupchat and error messages, and malformed forms (logged)', () => {
    const logger = recordingLogger();
    const form = `<x xmlns="jabber:x:data" type="form"><field var="FORM_TYPE" type="hidden"><value>http://jabber.org/protocol/muc#request</value></field></x>`;
    for (const xml of [
      `<message from="room@muc.example"><x xmlns="jabber:x:data" type="form"><field var="FORM_TYPE" type="hidden"><value>urn:other</value></field></x></message>`,
      `<message from="room@muc.example/nick">${form}</message>`,
      `<message from="muc.example">${form}</message>`,
      `<message from="room@muc.example" type="groupchat">${form}</message>`,
      `<message from="room@muc.example" type="error">${form}</message>`,
      `<message from="room@muc.example"><body>hi</body></message>`,
      `<message from="room@muc.example"><x xmlns="jabber:x:data"/></message>`,
    ]) {
      expect(readVoiceRequest(x(xml), { logger }), xml).toBeUndefined();
    }
    expect(logger.records.map((r) => r.message)).toEqual(['ignoring a malformed voice request form']);
    expect(readVoiceRequest(x(`<message from="room@muc.example">${form}</message>`))?.form.role).toBeUndefined();
  });
});
