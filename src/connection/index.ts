/** xmuc's own XMPP client connection. */
export { connect } from './connect.js';
export { NativeConnection, type NativeConnectionEvents } from './native-connection.js';
export type { ConnectOptions, TlsOptions } from './options.js';
export { AuthError, StreamError } from './errors.js';
