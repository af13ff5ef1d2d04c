/** xmuc's own XMPP client connection. */
export { connect } from './native/connect.js';
export { NativeConnection, type NativeConnectionEvents } from './native/native-connection.js';
export type { ConnectOptions, TlsOptions } from './native/options.js';
export { AuthError, StreamError } from './native/errors.js';
