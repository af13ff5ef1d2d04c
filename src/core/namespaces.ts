/** XML namespaces used by xmuc. */
export const NS = {
  /** Default namespace of client stanzas (RFC 6120 §4.8.3). */
  CLIENT: 'jabber:client',
  /** The `<stream:stream/>` and `<stream:features/>` namespace (RFC 6120 §4.8.1). */
  STREAM: 'http://etherx.jabber.org/streams',
  /** Stream error conditions (RFC 6120 §4.9.3). */
  STREAMS: 'urn:ietf:params:xml:ns:xmpp-streams',
  /** Stanza error conditions and `<text/>` (RFC 6120 §8.3.3). */
  STANZAS: 'urn:ietf:params:xml:ns:xmpp-stanzas',
  /** STARTTLS negotiation (RFC 6120 §5). */
  TLS: 'urn:ietf:params:xml:ns:xmpp-tls',
  /** SASL authentication (RFC 6120 §6). */
  SASL: 'urn:ietf:params:xml:ns:xmpp-sasl',
  /** Resource binding (RFC 6120 §7). */
  BIND: 'urn:ietf:params:xml:ns:xmpp-bind',
  /** Legacy session establishment (RFC 3921 §3, optional in RFC 6121). */
  SESSION: 'urn:ietf:params:xml:ns:xmpp-session',
  /** WebSocket framing: `<open/>`/`<close/>` (RFC 7395). */
  FRAMING: 'urn:ietf:params:xml:ns:xmpp-framing',
  /** Stream Management (XEP-0198). */
  SM: 'urn:xmpp:sm:3',
  /** The MUC join `<x/>` element (XEP-0045). */
  MUC: 'http://jabber.org/protocol/muc',
  /** MUC user `<x/>`: items, status codes, invites, destroy (XEP-0045). */
  MUC_USER: 'http://jabber.org/protocol/muc#user',
  /** MUC admin `<query/>`: role and affiliation changes and lists (XEP-0045 §8–§10). */
  MUC_ADMIN: 'http://jabber.org/protocol/muc#admin',
  /** MUC owner `<query/>`: room configuration and destruction (XEP-0045 §10). */
  MUC_OWNER: 'http://jabber.org/protocol/muc#owner',
  /** Data-form `FORM_TYPE` of a voice request (XEP-0045 §7.13). */
  MUC_REQUEST: 'http://jabber.org/protocol/muc#request',
  /** Data-form `FORM_TYPE` of room configuration (XEP-0045 §10.2). */
  MUC_ROOMCONFIG: 'http://jabber.org/protocol/muc#roomconfig',
  /** Data-form `FORM_TYPE` of extended room disco#info (XEP-0045 §6.4). */
  MUC_ROOMINFO: 'http://jabber.org/protocol/muc#roominfo',
  /** Disco feature: the room answers an occupant's self-ping itself (XEP-0410). */
  MUC_SELF_PING: 'http://jabber.org/protocol/muc#self-ping-optimization',
  /** Disco feature: the room reflects groupchat messages with the sender's `id` (XEP-0045 §7.4). */
  MUC_STABLE_ID: 'http://jabber.org/protocol/muc#stable_id',
  /** Data forms `<x/>` (XEP-0004). */
  DATA_FORMS: 'jabber:x:data',
  /** Service discovery info `<query/>` (XEP-0030). */
  DISCO_INFO: 'http://jabber.org/protocol/disco#info',
  /** Service discovery items `<query/>` (XEP-0030). */
  DISCO_ITEMS: 'http://jabber.org/protocol/disco#items',
  /** XMPP Ping `<ping/>` (XEP-0199). */
  PING: 'urn:xmpp:ping',
  /** Delayed delivery `<delay/>` (XEP-0203). */
  DELAY: 'urn:xmpp:delay',
  /** Unique and stable stanza ids: `<stanza-id/>`, `<origin-id/>` (XEP-0359). */
  SID: 'urn:xmpp:sid:0',
  /** Anonymous unique occupant identifiers `<occupant-id/>` (XEP-0421). */
  OCCUPANT_ID: 'urn:xmpp:occupant-id:0',
  /** Direct MUC invitations `<x/>` (XEP-0249). */
  CONFERENCE: 'jabber:x:conference',
  /** Message Archive Management, version 2 (XEP-0313). */
  MAM: 'urn:xmpp:mam:2',
  /** Result Set Management `<set/>` (XEP-0059). */
  RSM: 'http://jabber.org/protocol/rsm',
  /** Stanza forwarding `<forwarded/>` (XEP-0297). */
  FORWARD: 'urn:xmpp:forward:0',
  /** Entity capabilities `<c/>` (XEP-0115). */
  CAPS: 'http://jabber.org/protocol/caps',
  /** The reserved `xml:` prefix namespace (`xml:lang`). */
  XML: 'http://www.w3.org/XML/1998/namespace',
} as const;

/** One of the namespaces in {@link NS}. */
export type Namespace = (typeof NS)[keyof typeof NS];
