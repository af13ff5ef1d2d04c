import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, PayloadError } from '../core/errors.js';
import { JID } from '../core/jid.js';
import { canonical, x } from '../../test/support/xml.js';
import { ejabberdRoomconfig, ejabberdVoiceRequest, example2 } from '../../test/fixtures/xep0004/cases.js';
import { dataFormCodec } from './form.js';
import { defineForm } from './template.js';

const RoomConfig = defineForm('http://jabber.org/protocol/muc#roomconfig', {
  roomName: { var: 'muc#roomconfig_roomname', type: 'text-single' },
  persistent: { var: 'muc#roomconfig_persistentroom', type: 'boolean' },
  moderated: { var: 'muc#roomconfig_moderatedroom', type: 'boolean' },
  whois: { var: 'muc#roomconfig_whois', type: 'list-single' },
  presenceBroadcast: { var: 'muc#roomconfig_presencebroadcast', type: 'list-multi' },
  admins: { var: 'muc#roomconfig_roomadmins', type: 'jid-multi' },
});

const VoiceRequest = defineForm('http://jabber.org/protocol/muc#request', {
  jid: { var: 'muc#jid', type: 'jid-single' },
  nick: { var: 'muc#roomnick', type: 'text-single' },
  allow: { var: 'muc#request_allow', type: 'boolean' },
});

describe('defineForm', () => {
  it('reads typed values', () => {
    const config = RoomConfig.fromForm(ejabberdRoomconfig);
    expect(config.roomName).toBeUndefined();
    expect(config.persistent).toBe(false);
    expect(config.moderated).toBe(true);
    expect(config.whois).toBe('moderators');
    expect(config.presenceBroadcast).toEqual(['moderator', 'participant', 'visitor']);
    expect(config.admins).toBeUndefined();
    expect(config.has('admins')).toBe(false);
    expect(config.has('whois')).toBe(true);
    const voice = VoiceRequest.fromForm(ejabberdVoiceRequest);
    expect(voice.jid).toBeInstanceOf(JID);
    expect(voice.jid?.toString()).toBe('dave@localhost/probe');
    expect(voice.nick).toBe('dave');
    expect(voice.allow).toBe(false);
  });

  it('sets values with validation and renders the reply', () => {
    const config = RoomConfig.fromForm(ejabberdRoomconfig);
    config.persistent = true;
    config.roomName = 'Lobby';
    config.whois = 'anyone';
    config.presenceBroadcast = ['moderator'];
    expect(config.persistent).toBe(true);
    expect(() => (config.whois = 'everyone')).toThrow(InvalidArgumentError);
    expect(() => (config.presenceBroadcast = ['nobody'])).toThrow(InvalidArgumentError);
    expect(() => (config.roomName = 'two\nlines')).toThrow(InvalidArgumentError);
    expect(() => ((config as { persistent: unknown }).persistent = 'yes')).toThrow(InvalidArgumentError);
    expect(() => (config.admins = ['a@b'])).toThrow(/has no field 'muc#roomconfig_roomadmins'/);
    expect(config.form).toBe(ejabberdRoomconfig);
    expect(ejabberdRoomconfig.fields[4]?.values).toEqual(['0']);

    const reply = config.renderReply();
    expect(reply.type).toBe('submit');
    expect(reply.fields.map((f) => f.var)).toEqual(ejabberdRoomconfig.fields.map((f) => f.var));
    const el = config.render();
    expect(el.getChildren('field').length).toBe(ejabberdRoomconfig.fields.length);
    const byVar = (v: string) =>
      el
        .getChildren('field')
        .find((f) => f.attrs.var === v)!
        .toString();
    expect(byVar('FORM_TYPE')).toBe(
      '<field var="FORM_TYPE" type="hidden"><value>http://jabber.org/protocol/muc#roomconfig</value></field>',
    );
    expect(byVar('muc#roomconfig_persistentroom')).toBe('<field var="muc#roomconfig_persistentroom"><value>1</value></field>');
    expect(byVar('muc#roomconfig_roomname')).toBe('<field var="muc#roomconfig_roomname"><value>Lobby</value></field>');
    expect(byVar('muc#roomconfig_presencebroadcast')).toBe(
      '<field var="muc#roomconfig_presencebroadcast"><value>moderator</value></field>',
    );
    // unchanged fields keep their values, including ones the template does not name
    expect(byVar('mam')).toBe('<field var="mam"><value>1</value></field>');
    expect(byVar('muc#roomconfig_roomdesc')).toBe('<field var="muc#roomconfig_roomdesc"/>');
  });

  it('renders exactly the submit form for a small form', () => {
    const form = dataFormCodec.decode(x`
      <x xmlns="jabber:x:data" type="form">
        <field type="hidden" var="FORM_TYPE"><value>http://jabber.org/protocol/muc#request</value></field>
        <field type="fixed"><value>Section</value></field>
        <field type="jid-single" var="muc#jid"><value>dave@localhost/probe</value></field>
        <field type="boolean" var="muc#request_allow"><value>0</value></field>
      </x>`);
    const voice = VoiceRequest.fromForm(form);
    voice.allow = true;
    voice.jid = JID.parse('eve@localhost/x');
    expect(canonical(voice.render())).toBe(
      canonical(x`
      <x xmlns="jabber:x:data" type="submit">
        <field type="hidden" var="FORM_TYPE"><value>http://jabber.org/protocol/muc#request</value></field>
        <field var="muc#jid"><value>eve@localhost/x</value></field>
        <field var="muc#request_allow"><value>1</value></field>
      </x>`),
    );
    expect(() => (voice.jid = 'not a jid@' as unknown as JID)).toThrow(InvalidArgumentError);
    voice.allow = undefined;
    expect(voice.allow).toBe(false);
    expect(voice.rawValues('muc#request_allow')).toEqual([]);
  });

  it('decodes from an element and refuses reserved names', () => {
    const voice = VoiceRequest.fromElement(
      x`<x xmlns="jabber:x:data" type="form"><field var="muc#roomnick" type="text-single"><value>dave</value></field></x>`,
    );
    expect(voice.nick).toBe('dave');
    expect(() => VoiceRequest.fromElement(x`<x xmlns="jabber:x:data"/>`)).toThrow(PayloadError);
    expect(() => defineForm('urn:x', { render: { var: 'r', type: 'text-single' } })).toThrow(InvalidArgumentError);
  });

  it('refuses a form of another FORM_TYPE', () => {
    expect(() => RoomConfig.fromForm(example2)).toThrow(InvalidArgumentError);
    expect(() => RoomConfig.fromForm({ type: 'form', instructions: [], fields: [], items: [] })).not.toThrow();
  });

  it('types properties by field type', () => {
    const config = RoomConfig.fromForm(ejabberdRoomconfig);
    // @ts-expect-error -- boolean property
    expect(() => (config.persistent = 'yes')).toThrow(InvalidArgumentError);
    // @ts-expect-error -- list-multi is string[]
    expect(() => (config.presenceBroadcast = 'moderator')).toThrow(InvalidArgumentError);
    // @ts-expect-error -- unknown property
    expect(config.nope).toBeUndefined();
  });
});
