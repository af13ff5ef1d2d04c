import { describe, expect, it } from 'vitest';
import { StanzaError, XmucError } from '../core/errors.js';
import { loadFixture } from '../../test/fixtures/xep0045/load.js';
import { MucJoinError, joinErrorReason } from './join-error.js';

describe('joinErrorReason', () => {
  // Every row of XEP-0045's "Error Conditions for Entering a Room" table, plus jid-malformed (§7.2.7).
  it.each([
    ['xep-enter-error-not-authorized', 'not-authorized', 'password-required'],
    ['xep-enter-error-forbidden', 'forbidden', 'banned'],
    ['xep-enter-error-item-not-found', 'item-not-found', 'not-found'],
    ['xep-enter-error-not-allowed', 'not-allowed', 'creation-restricted'],
    ['xep-enter-error-not-acceptable', 'not-acceptable', 'reserved-nick'],
    ['xep-enter-error-registration-required', 'registration-required', 'members-only'],
    ['xep-enter-error-conflict', 'conflict', 'nick-conflict'],
    ['xep-enter-error-service-unavailable', 'service-unavailable', 'max-occupants'],
    ['xep-enter-error-jid-malformed', 'jid-malformed', 'nick-required'],
  ])('%s: %s -> %s', (fixture, condition, reason) => {
    const cause = StanzaError.fromStanza(loadFixture(fixture));
    expect(cause.condition).toBe(condition);
    expect(joinErrorReason(cause.condition)).toBe(reason);
  });

  // The same conditions as the two servers send them (ejabberd adds <text/>, echoes the <x/>, omits `by`).
  it.each([
    ['prosody-enter-error-item-not-found-locked', 'item-not-found', 'not-found'],
    ['prosody-enter-error-conflict', 'conflict', 'nick-conflict'],
    ['prosody-enter-error-forbidden', 'forbidden', 'banned'],
    ['prosody-enter-error-not-authorized', 'not-authorized', 'password-required'],
    ['prosody-enter-error-registration-required', 'registration-required', 'members-only'],
    ['ejabberd-enter-error-conflict', 'conflict', 'nick-conflict'],
    ['ejabberd-enter-error-forbidden', 'forbidden', 'banned'],
    ['ejabberd-enter-error-not-authorized', 'not-authorized', 'password-required'],
    ['ejabberd-enter-error-not-authorized-wrong-password', 'not-authorized', 'password-required'],
    ['ejabberd-enter-error-registration-required', 'registration-required', 'members-only'],
    ['ejabberd-enter-error-resource-constraint-full', 'resource-constraint', 'max-occupants'],
  ])('captured %s: %s -> %s', (fixture, condition, reason) => {
    const cause = StanzaError.fromStanza(loadFixture(fixture));
    expect(cause.condition).toBe(condition);
    expect(new MucJoinError(cause).reason).toBe(reason);
  });

  it('keeps the server text in the cause (ejabberd)', () => {
    const err = new MucJoinError(StanzaError.fromStanza(loadFixture('ejabberd-enter-error-not-authorized-wrong-password')));
    expect(err.cause.text).toBe('Incorrect password');
    expect(err.cause.type).toBe('auth');
  });

  it('maps every other condition (and junk) to other', () => {
    for (const c of ['bad-request', 'undefined-condition', 'internal-server-error', 'gone', 'bogus', '', 'toString', '__proto__']) {
      expect(joinErrorReason(c)).toBe('other');
    }
  });
});

describe('MucJoinError', () => {
  it('carries the reason, the stanza error as cause, a literal name and code', () => {
    const cause = StanzaError.fromStanza(loadFixture('xep-enter-error-not-authorized'));
    const err = new MucJoinError(cause);
    expect(err).toBeInstanceOf(Error);
    expect(err).toBeInstanceOf(XmucError);
    expect(err.name).toBe('MucJoinError');
    expect(err.code).toBe('ERR_MUC_JOIN');
    expect(err.reason).toBe('password-required');
    expect(err.cause).toBe(cause);
    expect(err.cause.type).toBe('auth');
    expect(err.message).toBe('Cannot join: the room needs a password (or the password was wrong) (not-authorized)');
  });

  it('reports an unknown condition as other', () => {
    const cause = new StanzaError({ type: 'cancel', condition: 'internal-server-error', text: 'boom' });
    const err = MucJoinError.fromStanzaError(cause);
    expect(err.reason).toBe('other');
    expect(err.message).toBe('Cannot join: the room refused the join (internal-server-error: boom)');
  });
});
