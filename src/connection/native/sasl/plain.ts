import { saslprep } from '../../../core/precis/saslprep.js';
import { AuthError } from '../errors.js';
import { utf8 } from './bytes.js';
import type { SaslMechanism } from './mechanism.js';

/** SASL PLAIN (RFC 4616): `\0username\0password`, SASLprep'd. Use only over TLS. */
export function plainMechanism(username: string, password: string): SaslMechanism {
  return {
    name: 'PLAIN',
    async initial() {
      return utf8(`\0${saslprep(username)}\0${saslprep(password)}`);
    },
    async challenge() {
      throw new AuthError('PLAIN: unexpected challenge from the server');
    },
    async success() {},
  };
}
