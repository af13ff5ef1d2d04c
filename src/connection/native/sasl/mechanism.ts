/**
 * A client SASL mechanism (RFC 4422) as xmuc runs it: an optional initial response, then
 * one response per server challenge, then verification of the data sent with `<success/>`.
 * Every method may throw `AuthError`.
 */
export interface SaslMechanism {
  /** The IANA name, e.g. `SCRAM-SHA-256-PLUS`. */
  readonly name: string;
  /** The initial response (`undefined` = none; an empty array is sent as `=`). */
  initial(): Promise<Uint8Array | undefined>;
  /** Answer a server challenge. */
  challenge(data: Uint8Array): Promise<Uint8Array>;
  /** Check the additional data of `<success/>` (SCRAM: the server signature). */
  success(data: Uint8Array | undefined): Promise<void>;
}

/** Channel binding data the transport can provide (RFC 9266 `tls-exporter`, RFC 5929 `tls-server-end-point`). */
export type ChannelBindingType = 'tls-exporter' | 'tls-server-end-point';
