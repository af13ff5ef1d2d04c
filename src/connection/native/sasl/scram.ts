import { saslprep } from '../../../core/precis/saslprep.js';
import { AuthError } from '../errors.js';
import type { ChannelBindingType, SaslMechanism } from './mechanism.js';
import { randomBytes } from '../../ids.js';
import { bytesEqual, concat, fromBase64, fromUtf8, toBase64, utf8 } from './bytes.js';

/** Hash functions SCRAM is implemented for. */
export type ScramHash = 'SHA-1' | 'SHA-256' | 'SHA-512';

const HASH_BYTES: Record<ScramHash, number> = { 'SHA-1': 20, 'SHA-256': 32, 'SHA-512': 64 };

/** The most PBKDF2 iterations xmuc accepts from a server (a hostile server could stall the client). */
export const MAX_SCRAM_ITERATIONS = 1_000_000;

/** Options of {@link scramMechanism}. */
export interface ScramOptions {
  hash: ScramHash;
  username: string;
  password: string;
  /**
   * Channel binding: `plus` = the `-PLUS` mechanism with this binding (gs2 `p=type`);
   * `supported` = the client could bind but the server did not offer -PLUS (gs2 `y`);
   * `none` (default) = no binding (gs2 `n`).
   */
  binding?: { mode: 'plus'; type: ChannelBindingType; data: Uint8Array } | { mode: 'supported' } | { mode: 'none' } | undefined;
  /** The client nonce (tests only; default 24 random bytes, base64). */
  nonce?: string | undefined;
}

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new AuthError('SCRAM needs WebCrypto (globalThis.crypto.subtle)');
  return s;
}

/** WebCrypto's typings want ArrayBuffer-backed views; ours always are. */
const bs = (u: Uint8Array): Uint8Array<ArrayBuffer> => u as Uint8Array<ArrayBuffer>;

async function hmac(hash: ScramHash, key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const k = await subtle().importKey('raw', bs(key), { name: 'HMAC', hash }, false, ['sign']);
  return new Uint8Array(await subtle().sign('HMAC', k, bs(data)));
}

async function digest(hash: ScramHash, data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await subtle().digest(hash, bs(data)));
}

async function pbkdf2(hash: ScramHash, password: Uint8Array, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const k = await subtle().importKey('raw', bs(password), 'PBKDF2', false, ['deriveBits']);
  return new Uint8Array(await subtle().deriveBits({ name: 'PBKDF2', hash, salt: bs(salt), iterations }, k, HASH_BYTES[hash] * 8));
}

/** Escape a SCRAM `saslname` (RFC 5802 §5.1): `=` -> `=3D`, `,` -> `=2C`. */
function saslname(name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

/** Parse `k=v,k=v` (values may contain `=`). */
function parseAttributes(message: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of message.split(',')) {
    if (part.length < 2 || part[1] !== '=') throw new AuthError(`SCRAM: malformed server message ${JSON.stringify(message)}`);
    out.set(part[0]!, part.slice(2));
  }
  return out;
}

/**
 * SCRAM-SHA-1 / SCRAM-SHA-256 / SCRAM-SHA-512 (RFC 5802, RFC 7677), optionally -PLUS with channel binding,
 * over WebCrypto. The server signature in `<success/>` is verified: a server that does not
 * know the password fails with `AuthError`.
 */
export function scramMechanism(options: ScramOptions): SaslMechanism {
  const { hash } = options;
  const binding = options.binding ?? { mode: 'none' };
  const name = `SCRAM-${hash}${binding.mode === 'plus' ? '-PLUS' : ''}`;
  const gs2Header = binding.mode === 'plus' ? `p=${binding.type},,` : binding.mode === 'supported' ? 'y,,' : 'n,,';
  const clientNonce = options.nonce ?? toBase64(randomBytes(24));
  const clientFirstBare = `n=${saslname(saslprep(options.username))},r=${clientNonce}`;
  let serverSignature: Uint8Array | undefined;
  let step = 0;

  const verify = (data: Uint8Array | undefined): void => {
    if (!serverSignature) throw new AuthError('SCRAM: success before the exchange completed');
    if (!data || data.length === 0) throw new AuthError('SCRAM: success without server signature');
    let text: string;
    try {
      text = fromUtf8(data);
    } catch (cause) {
      throw new AuthError('SCRAM: server-final-message is not UTF-8', undefined, { cause });
    }
    const attrs = parseAttributes(text);
    const error = attrs.get('e');
    if (error !== undefined) throw new AuthError(`SCRAM: server error ${error}`, error);
    const v = attrs.get('v');
    let sig: Uint8Array | undefined;
    try {
      sig = v === undefined ? undefined : fromBase64(v);
    } catch {
      sig = undefined;
    }
    if (!sig || !bytesEqual(sig, serverSignature)) throw new AuthError('SCRAM: the server signature does not verify');
    verified = true;
  };
  let verified = false;

  return {
    name,
    async initial() {
      return utf8(gs2Header + clientFirstBare);
    },
    async challenge(data) {
      if (step === 1) {
        // Some servers send server-final-message as a challenge; answer it with an empty response.
        step++;
        verify(data);
        return new Uint8Array(0);
      }
      if (step++ !== 0) throw new AuthError('SCRAM: unexpected challenge');
      let serverFirst: string;
      try {
        serverFirst = fromUtf8(data);
      } catch (cause) {
        throw new AuthError('SCRAM: server-first-message is not UTF-8', undefined, { cause });
      }
      const attrs = parseAttributes(serverFirst);
      if (attrs.has('m')) throw new AuthError('SCRAM: unsupported mandatory extension');
      const nonce = attrs.get('r');
      const saltText = attrs.get('s');
      const iterText = attrs.get('i');
      if (!nonce || !saltText || !iterText) throw new AuthError('SCRAM: server-first-message lacks r, s or i');
      if (!nonce.startsWith(clientNonce) || nonce.length === clientNonce.length) {
        throw new AuthError('SCRAM: server nonce does not extend the client nonce');
      }
      if (!/^[1-9][0-9]{0,9}$/.test(iterText)) throw new AuthError(`SCRAM: bad iteration count ${JSON.stringify(iterText)}`);
      const iterations = Number(iterText);
      if (iterations > MAX_SCRAM_ITERATIONS) throw new AuthError(`SCRAM: iteration count ${iterations} exceeds ${MAX_SCRAM_ITERATIONS}`);
      let salt: Uint8Array;
      try {
        salt = fromBase64(saltText);
      } catch (cause) {
        throw new AuthError('SCRAM: salt is not base64', undefined, { cause });
      }
      const cbData = binding.mode === 'plus' ? binding.data : new Uint8Array(0);
      const channel = toBase64(concat(utf8(gs2Header), cbData));
      const clientFinalWithoutProof = `c=${channel},r=${nonce}`;
      const authMessage = utf8(`${clientFirstBare},${serverFirst},${clientFinalWithoutProof}`);
      const salted = await pbkdf2(hash, utf8(saslprep(options.password)), salt, iterations);
      const clientKey = await hmac(hash, salted, utf8('Client Key'));
      const storedKey = await digest(hash, clientKey);
      const clientSignature = await hmac(hash, storedKey, authMessage);
      const proof = new Uint8Array(clientKey.length);
      for (let i = 0; i < proof.length; i++) proof[i] = clientKey[i]! ^ clientSignature[i]!;
      const serverKey = await hmac(hash, salted, utf8('Server Key'));
      serverSignature = await hmac(hash, serverKey, authMessage);
      return utf8(`${clientFinalWithoutProof},p=${toBase64(proof)}`);
    },
    async success(data) {
      if (verified && (!data || data.length === 0)) return;
      verify(data);
    },
  };
}
