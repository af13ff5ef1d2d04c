import { AuthError } from '../errors.js';
import { anonymousMechanism } from './anonymous.js';
import type { ChannelBindingType, SaslMechanism } from './mechanism.js';
import { plainMechanism } from './plain.js';
import { type ScramHash, scramMechanism } from './scram.js';

/** Default preference order of SASL mechanisms. */
export const DEFAULT_MECHANISMS: readonly string[] = [
  'SCRAM-SHA-512-PLUS',
  'SCRAM-SHA-256-PLUS',
  'SCRAM-SHA-1-PLUS',
  'SCRAM-SHA-512',
  'SCRAM-SHA-256',
  'SCRAM-SHA-1',
  'PLAIN',
];

/** What the mechanism choice depends on. @internal */
export interface SaslContext {
  /** Mechanisms the server offered. */
  offered: readonly string[];
  /** Channel binding types the server advertised (XEP-0440), or `undefined` when not advertised. */
  offeredBindings: readonly string[] | undefined;
  username: string | undefined;
  password: string | undefined;
  /** The stream is encrypted. */
  secure: boolean;
  allowPlainWithoutTls: boolean;
  /** Preference list from the options. */
  preference: readonly string[] | undefined;
  /** Channel binding data from the transport, when it can produce that type. */
  channelBinding(type: ChannelBindingType): Uint8Array | undefined;
}

const SCRAM: Record<string, ScramHash> = { 'SCRAM-SHA-1': 'SHA-1', 'SCRAM-SHA-256': 'SHA-256', 'SCRAM-SHA-512': 'SHA-512' };

function pickBinding(ctx: SaslContext): { type: ChannelBindingType; data: Uint8Array } | undefined {
  if (!ctx.secure) return undefined;
  const candidates: ChannelBindingType[] = ['tls-exporter', 'tls-server-end-point'];
  for (const type of candidates) {
    if (ctx.offeredBindings && !ctx.offeredBindings.includes(type)) continue;
    const data = ctx.channelBinding(type);
    if (data) return { type, data };
  }
  return undefined;
}

/**
 * Choose the SASL mechanism: ANONYMOUS without a username; otherwise the first mechanism of
 * the preference list that the server offers and that is allowed here (PLAIN only on an
 * encrypted stream or with `allowPlainWithoutTls`; -PLUS only with channel binding data).
 * Throws `AuthError` when nothing fits.
 */
export function selectMechanism(ctx: SaslContext): SaslMechanism {
  const offered = new Set(ctx.offered.map((m) => m.toUpperCase()));
  if (ctx.username === undefined) {
    if (!offered.has('ANONYMOUS'))
      throw new AuthError(`No username given and the server does not offer ANONYMOUS (offers ${ctx.offered.join(' ')})`);
    return anonymousMechanism();
  }
  const password = ctx.password ?? '';
  const binding = pickBinding(ctx);
  for (const raw of ctx.preference ?? DEFAULT_MECHANISMS) {
    const name = raw.toUpperCase();
    if (!offered.has(name)) continue;
    if (name === 'PLAIN') {
      if (!ctx.secure && !ctx.allowPlainWithoutTls) continue;
      return plainMechanism(ctx.username, password);
    }
    if (name === 'ANONYMOUS') return anonymousMechanism();
    const plus = name.endsWith('-PLUS');
    const hash = SCRAM[plus ? name.slice(0, -5) : name];
    if (!hash) continue;
    if (plus) {
      if (!binding) continue;
      return scramMechanism({ hash, username: ctx.username, password, binding: { mode: 'plus', ...binding } });
    }
    // Tell the server we could have bound the channel if it had offered -PLUS (downgrade detection).
    const serverOffersPlus = [...offered].some((m) => m.endsWith('-PLUS'));
    return scramMechanism({
      hash,
      username: ctx.username,
      password,
      binding: binding && !serverOffersPlus ? { mode: 'supported' } : { mode: 'none' },
    });
  }
  throw new AuthError(
    `No acceptable SASL mechanism: the server offers ${ctx.offered.join(' ') || 'none'}` +
      (!ctx.secure && offered.has('PLAIN') ? ' (PLAIN refused on an unencrypted stream; see allowPlainMechanismWithoutTls)' : ''),
  );
}
