import { AuthError } from '../errors.js';
import type { SaslMechanism } from './mechanism.js';

/** SASL ANONYMOUS (RFC 4505), with an empty trace. */
export function anonymousMechanism(): SaslMechanism {
  return {
    name: 'ANONYMOUS',
    async initial() {
      return new Uint8Array(0);
    },
    async challenge() {
      throw new AuthError('ANONYMOUS: unexpected challenge from the server');
    },
    async success() {},
  };
}
