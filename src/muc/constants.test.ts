import { describe, expect, it } from 'vitest';
import { loadFixture } from '../../test/fixtures/xep0045/load.js';
import {
  AFFILIATIONS,
  Affiliation,
  LeaveMode,
  ROLES,
  Role,
  RoomState,
  StatusCode,
  isAffiliation,
  isRole,
  leaveModeFromStatusCodes,
} from './constants.js';
import { findUserExt } from './payloads/user.js';

const set = (...codes: number[]) => new Set(codes);

describe('StatusCode', () => {
  it('uses the XEP-0045 numbers under aioxmpp names', () => {
    expect(StatusCode).toEqual({
      NON_ANONYMOUS: 100,
      AFFILIATION_CHANGED_OFFLINE: 101,
      SHOWING_UNAVAILABLE: 102,
      NOT_SHOWING_UNAVAILABLE: 103,
      CONFIG_NON_PRIVACY_RELATED: 104,
      SELF: 110,
      CONFIG_ROOM_LOGGING: 170,
      CONFIG_NO_ROOM_LOGGING: 171,
      CONFIG_NON_ANONYMOUS: 172,
      CONFIG_SEMI_ANONYMOUS: 173,
      CREATED: 201,
      NICKNAME_MODIFIED: 210,
      REMOVED_BANNED: 301,
      NEW_NICKNAME: 303,
      REMOVED_KICKED: 307,
      REMOVED_AFFILIATION_CHANGE: 321,
      REMOVED_NONMEMBER_IN_MEMBERS_ONLY: 322,
      REMOVED_SERVICE_SHUTDOWN: 332,
      REMOVED_ERROR: 333,
    });
  });
});

describe('enumerations', () => {
  it('have the aioxmpp member names and string values', () => {
    expect(Object.keys(LeaveMode)).toEqual([
      'DISCONNECTED',
      'SYSTEM_SHUTDOWN',
      'NORMAL',
      'KICKED',
      'AFFILIATION_CHANGE',
      'MODERATION_CHANGE',
      'BANNED',
      'ERROR',
      'DESTROYED',
    ]);
    expect(LeaveMode.KICKED).toBe('kicked');
    expect(Object.keys(RoomState)).toEqual(['JOIN_PRESENCE', 'HISTORY', 'ACTIVE', 'DISCONNECTED']);
    expect(ROLES).toEqual(['none', 'visitor', 'participant', 'moderator']);
    expect(AFFILIATIONS).toEqual(['none', 'outcast', 'member', 'admin', 'owner']);
    expect(Role.MODERATOR).toBe('moderator');
    expect(Affiliation.OUTCAST).toBe('outcast');
  });

  it('isRole and isAffiliation accept only the known values', () => {
    expect(isRole('visitor')).toBe(true);
    expect(isRole('owner')).toBe(false);
    expect(isRole(undefined)).toBe(false);
    expect(isAffiliation('owner')).toBe(true);
    expect(isAffiliation('moderator')).toBe(false);
    expect(isAffiliation('toString')).toBe(false);
  });
});

describe('leaveModeFromStatusCodes', () => {
  it('maps each removal code to its mode', () => {
    expect(leaveModeFromStatusCodes(set(307), false)).toBe('kicked');
    expect(leaveModeFromStatusCodes(set(301), false)).toBe('banned');
    expect(leaveModeFromStatusCodes(set(321), false)).toBe('affiliation-change');
    expect(leaveModeFromStatusCodes(set(322), false)).toBe('moderation-change');
    expect(leaveModeFromStatusCodes(set(332), false)).toBe('system-shutdown');
    expect(leaveModeFromStatusCodes(set(333), false)).toBe('error');
  });

  it('is NORMAL without a removal code (self, unknown codes, none at all)', () => {
    expect(leaveModeFromStatusCodes(set(), false)).toBe('normal');
    expect(leaveModeFromStatusCodes(set(110), false)).toBe('normal');
    expect(leaveModeFromStatusCodes(set(110, 999, 100), false)).toBe('normal');
  });

  it('follows the precedence 333 > 307 > 301 > 321 > 322 > 332', () => {
    expect(leaveModeFromStatusCodes(set(307, 333), false)).toBe('error');
    expect(leaveModeFromStatusCodes(set(301, 307), false)).toBe('kicked');
    expect(leaveModeFromStatusCodes(set(321, 301), false)).toBe('banned');
    expect(leaveModeFromStatusCodes(set(322, 321), false)).toBe('affiliation-change');
    expect(leaveModeFromStatusCodes(set(332, 322), false)).toBe('moderation-change');
    expect(leaveModeFromStatusCodes(set(110, 332, 322, 321, 301, 307, 333), false)).toBe('error');
  });

  it('reports a destroyed room whatever the codes', () => {
    expect(leaveModeFromStatusCodes(set(), true)).toBe('destroyed');
    expect(leaveModeFromStatusCodes(set(110, 307), true)).toBe('destroyed');
  });

  it.each([
    ['prosody-kick-self', 'kicked'],
    ['ejabberd-kick-self', 'kicked'],
    ['prosody-kick-observer', 'kicked'],
    ['xep-ban', 'banned'],
    ['prosody-ban-self', 'banned'],
    ['prosody-ban-observer', 'banned'],
    ['ejabberd-ban-self', 'banned'],
    ['ejabberd-ban-observer', 'banned'],
    ['xep-removed-error', 'error'],
    ['xep-removed-shutdown', 'system-shutdown'],
    ['prosody-destroy-self', 'destroyed'],
    ['ejabberd-destroy-self', 'destroyed'],
    ['xep-destroy-occupant', 'destroyed'],
  ])('gives the right mode for fixture %s', (name, mode) => {
    const ext = findUserExt(loadFixture(name))!;
    expect(leaveModeFromStatusCodes(ext.statusCodes, ext.destroy !== undefined)).toBe(mode);
  });
});
