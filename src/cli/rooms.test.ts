import { describe, expect, it } from 'vitest';
import type { DataForm } from '../forms/index.js';
import { ConfigurationForm } from '../muc/forms.js';
import { colourLine, nickColour } from './chat-screen.js';
import { applySetting } from './rooms.js';
import { UsageError } from './usage-error.js';

const field = (v: string, type: string, values: string[]) => ({ var: v, type, values, required: false, options: [] });
const FORM: DataForm = {
  type: 'form',
  instructions: [],
  items: [],
  fields: [
    field('FORM_TYPE', 'hidden', ['http://jabber.org/protocol/muc#roomconfig']),
    field('muc#roomconfig_roomname', 'text-single', ['']),
    field('muc#roomconfig_moderatedroom', 'boolean', ['0']),
    field('muc#roomconfig_passwordprotectedroom', 'boolean', ['0']),
    field('muc#roomconfig_roomsecret', 'text-private', []),
    field('muc#roomconfig_getmemberlist', 'list-multi', ['moderator']),
  ],
};

describe('applySetting', () => {
  it('sets typed fields by short name, property or var; a password also protects the room', () => {
    const config = ConfigurationForm.fromForm(FORM);
    applySetting(config, 'name', 'Ops room');
    applySetting(config, 'moderated', 'yes');
    applySetting(config, 'password', 's3cret');
    applySetting(config, 'getmemberlist', 'moderator,participant');
    const reply = Object.fromEntries(config.renderReply().fields.map((f) => [f.var, f.values]));
    expect(reply).toMatchObject({
      'muc#roomconfig_roomname': ['Ops room'],
      'muc#roomconfig_moderatedroom': ['1'],
      'muc#roomconfig_passwordprotectedroom': ['1'],
      'muc#roomconfig_roomsecret': ['s3cret'],
      'muc#roomconfig_getmemberlist': ['moderator', 'participant'],
    });
  });

  it('refuses unknown keys and bad booleans (usage), and fields the form lacks (failure)', () => {
    const config = ConfigurationForm.fromForm(FORM);
    expect(() => applySetting(config, 'colour', 'blue')).toThrow(UsageError);
    expect(() => applySetting(config, 'moderated', 'maybe')).toThrow('moderated takes true or false, got "maybe"');
    const missing = (() => {
      try {
        applySetting(config, 'maxusers', '50');
      } catch (e) {
        return e;
      }
    })();
    expect(missing).not.toBeInstanceOf(UsageError);
    expect((missing as Error).message).toBe(
      "the room's configuration form has no maxusers field (muc#roomconfig_maxusers): this service does not offer it",
    );
  });
});

describe('chat colours', () => {
  it('gives a nick always the same colour and dims the timestamp', () => {
    expect(nickColour('alice')).toBe(nickColour('alice'));
    const c = nickColour('bob');
    const line = colourLine(
      { type: 'message', room: 'r@s', time: new Date(0), nick: 'bob', text: 'hi bob', history: false, self: false },
      '[00:00:00] <bob> hi bob',
    );
    expect(line).toBe(`\u001b[2m[00:00:00]\u001b[0m <\u001b[${c}mbob\u001b[0m> hi bob`);
  });
});
