import { describe, expect, it } from 'vitest';
import { ejabberdRoomconfig, ejabberdVoiceRequest, prosodyRoomconfig, prosodyVoiceRequest } from '../../test/fixtures/xep0004/cases.js';
import { loadFixture } from '../../test/fixtures/xep0045/load.js';
import { canonical, x } from '../../test/support/xml.js';
import { InvalidArgumentError } from '../core/errors.js';
import { JID } from '../core/jid.js';
import { DataFormCodec } from '../forms/form.js';
import { ConfigurationForm, InfoForm, RegisterForm, VoiceRequestForm } from './forms.js';

/** Every field of aioxmpp's ConfigurationForm, by attribute name. */
const AIOXMPP_CONFIGURATION_FIELDS = {
  allowinvites: ['muc#roomconfig_allowinvites', 'boolean'],
  allowpm: ['muc#roomconfig_allowpm', 'list-single'],
  changesubject: ['muc#roomconfig_changesubject', 'boolean'],
  enablelogging: ['muc#roomconfig_enablelogging', 'boolean'],
  getmemberlist: ['muc#roomconfig_getmemberlist', 'list-multi'],
  lang: ['muc#roomconfig_lang', 'text-single'],
  maxhistoryfetch: ['muc#maxhistoryfetch', 'text-single'],
  maxusers: ['muc#roomconfig_maxusers', 'list-single'],
  membersonly: ['muc#roomconfig_membersonly', 'boolean'],
  moderatedroom: ['muc#roomconfig_moderatedroom', 'boolean'],
  passwordprotectedroom: ['muc#roomconfig_passwordprotectedroom', 'boolean'],
  persistentroom: ['muc#roomconfig_persistentroom', 'boolean'],
  presencebroadcast: ['muc#roomconfig_presencebroadcast', 'list-multi'],
  publicroom: ['muc#roomconfig_publicroom', 'boolean'],
  pubsub: ['muc#roomconfig_pubsub', 'text-single'],
  roomadmins: ['muc#roomconfig_roomadmins', 'jid-multi'],
  roomdesc: ['muc#roomconfig_roomdesc', 'text-single'],
  roomname: ['muc#roomconfig_roomname', 'text-single'],
  roomowners: ['muc#roomconfig_roomowners', 'jid-multi'],
  roomsecret: ['muc#roomconfig_roomsecret', 'text-private'],
  whois: ['muc#roomconfig_whois', 'list-single'],
};

describe('ConfigurationForm', () => {
  it('has every field of the aioxmpp page, with the same field types', () => {
    expect(Object.fromEntries(Object.entries(ConfigurationForm.spec).map(([k, f]) => [k, [f.var, f.type]]))).toStrictEqual(
      AIOXMPP_CONFIGURATION_FIELDS,
    );
    expect(ConfigurationForm.formType).toBe('http://jabber.org/protocol/muc#roomconfig');
  });

  it('reads the captured Prosody form', () => {
    const config = ConfigurationForm.fromForm(prosodyRoomconfig);
    expect(config.roomname).toBeUndefined();
    expect(config.roomdesc).toBe('');
    expect(config.persistentroom).toBe(false);
    expect(config.publicroom).toBe(false);
    expect(config.roomsecret).toBe('');
    expect(config.whois).toBe('moderators');
    expect(config.presencebroadcast).toEqual(['visitor', 'moderator', 'participant']);
    for (const missing of [
      'passwordprotectedroom',
      'maxusers',
      'allowinvites',
      'roomadmins',
      'roomowners',
      'enablelogging',
      'getmemberlist',
      'maxhistoryfetch',
      'allowpm',
    ] as const) {
      expect(config.has(missing), missing).toBe(false);
    }
  });

  it('reads the captured ejabberd form', () => {
    const config = ConfigurationForm.fromForm(ejabberdRoomconfig);
    expect(config.maxusers).toBe('5000');
    expect(config.moderatedroom).toBe(true);
    expect(config.passwordprotectedroom).toBe(false);
    expect(config.allowinvites).toBe(false);
    expect(config.changesubject).toBe(true);
    expect(config.pubsub).toBe('');
  });

  it('renders a submission that keeps the server fields the template does not know (Prosody)', () => {
    const config = ConfigurationForm.fromForm(prosodyRoomconfig);
    config.moderatedroom = true;
    config.membersonly = true;
    config.roomsecret = 'sesame';
    config.presencebroadcast = ['moderator', 'participant'];
    const el = config.render();
    expect(el.attrs.type).toBe('submit');
    const values = new Map(el.getChildren('field').map((f) => [f.attrs.var as string, f.getChildren('value').map((v) => v.getText())]));
    expect(values.get('muc#roomconfig_moderatedroom')).toEqual(['1']);
    expect(values.get('muc#roomconfig_membersonly')).toEqual(['1']);
    expect(values.get('muc#roomconfig_roomsecret')).toEqual(['sesame']);
    expect(values.get('muc#roomconfig_presencebroadcast')).toEqual(['moderator', 'participant']);
    expect(values.get('muc#roomconfig_historylength')).toEqual(['20']);
    expect(values.get('{http://prosody.im/protocol/muc}roomconfig_allowmemberinvites')).toEqual([]);
    expect(values.get('muc#roomconfig_enablearchiving')).toEqual(['1']);
    expect(() => (config.maxusers = '10')).toThrow(InvalidArgumentError);
    expect(() => (config.whois = 'nobody')).toThrow(InvalidArgumentError);
  });

  it('reads and writes JID lists', () => {
    const form = DataFormCodec.decode(loadFixture('xep-owner-config-form').getChild('query')!.getChild('x')!);
    const config = ConfigurationForm.fromForm(form);
    expect(config.has('roomadmins')).toBe(true);
    config.roomadmins = ['wiccarocks@shakespeare.lit', 'hecate@shakespeare.lit'];
    expect(config.roomadmins).toEqual(['wiccarocks@shakespeare.lit', 'hecate@shakespeare.lit']);
    expect(() => (config.roomowners = ['not a jid@@'])).toThrow(InvalidArgumentError);
    expect(config.getmemberlist).toBeDefined();
  });
});

describe('InfoForm', () => {
  it('reads the captured room info forms and the XEP example', () => {
    const prosody = InfoForm.fromElement(loadFixture('prosody-room-info-public').getChild('query')!.getChild('x')!);
    expect(prosody.roomname).toBe('Admin capture');
    expect(prosody.occupants).toBe('1');
    expect(prosody.allowinvites).toBe(true);
    const ejabberd = InfoForm.fromElement(loadFixture('ejabberd-room-info-public').getChild('query')!.getChild('x')!);
    expect(ejabberd.lang).toBe('en');
    expect(ejabberd.roomname).toBe('Admin capture');
    const xep = InfoForm.fromElement(x`<x xmlns='jabber:x:data' type='result'>
      <field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/muc#roominfo</value></field>
      <field var='muc#roominfo_description'><value>The place for all good witches!</value></field>
      <field var='muc#roominfo_contactjid'><value>crone1@shakespeare.lit</value></field>
      <field var='muc#roominfo_subject'><value>Spells</value></field>
      <field var='muc#roominfo_subjectmod'><value>true</value></field>
      <field var='muc#roominfo_occupants'><value>3</value></field>
      <field var='muc#roominfo_ldapgroup'><value>cn=witches,dc=shakespeare,dc=lit</value></field>
      <field var='muc#roominfo_logs'><value>http://www.shakespeare.lit/chatlogs/coven/</value></field>
      <field var='muc#maxhistoryfetch'><value>50</value></field>
    </x>`);
    expect({ ...xep }).toMatchObject({
      description: 'The place for all good witches!',
      contactjid: ['crone1@shakespeare.lit'],
      subject: 'Spells',
      subjectmod: true,
      occupants: '3',
      ldapgroup: 'cn=witches,dc=shakespeare,dc=lit',
      logs: 'http://www.shakespeare.lit/chatlogs/coven/',
      maxhistoryfetch: '50',
    });
  });
});

describe('VoiceRequestForm', () => {
  it('reads the captured voice requests of both servers', () => {
    for (const form of [prosodyVoiceRequest, ejabberdVoiceRequest]) {
      const request = VoiceRequestForm.fromForm(form);
      expect(request.role).toBe('participant');
      expect(request.jid).toStrictEqual(JID.parse('dave@localhost/probe'));
      expect(request.roomnick).toBe('dave');
      expect(request.request_allow).toBe(false);
    }
  });

  it('renders the approval with every field (XEP-0045 Example 110 shape)', () => {
    const request = VoiceRequestForm.fromForm(ejabberdVoiceRequest);
    request.request_allow = true;
    expect(canonical(request.render())).toBe(
      canonical(x`<x xmlns="jabber:x:data" type="submit">
        <field var="FORM_TYPE" type="hidden"><value>http://jabber.org/protocol/muc#request</value></field>
        <field var="muc#role"><value>participant</value></field>
        <field var="muc#jid"><value>dave@localhost/probe</value></field>
        <field var="muc#roomnick"><value>dave</value></field>
        <field var="muc#request_allow"><value>1</value></field>
      </x>`),
    );
  });
});

describe('RegisterForm', () => {
  it('reads the captured registration forms and renders the nick', () => {
    const form = RegisterForm.fromElement(loadFixture('ejabberd-register-form').getChild('query')!.getChild('x')!);
    expect(form.roomnick).toBeUndefined();
    form.roomnick = 'caro';
    const values = form
      .render()
      .getChildren('field')
      .map((f) => [f.attrs.var, f.getChildText('value')]);
    expect(values).toEqual([
      ['FORM_TYPE', 'http://jabber.org/protocol/muc#register'],
      ['muc#register_roomnick', 'caro'],
    ]);
    expect(() => (form.first = 'Carol')).toThrow(InvalidArgumentError);
  });
});
