/**
 * Finding MUC services and rooms, and reading a room's information before joining it
 * (XEP-0045 §6, XEP-0030, XEP-0059 paging, XEP-0307 unique room names).
 */
import { Element } from 'ltx';
import type { XmppConnection } from '../core/connection.js';
import { AbortError, InvalidArgumentError, PayloadError } from '../core/errors.js';
import { JID } from '../core/jid.js';
import { silentLogger } from '../core/logger.js';
import { NS } from '../core/namespaces.js';
import { type DiscoIdentity, discoItemsCodec, discoInfo, discoItems } from '../disco/disco.js';
import { type DataForm, formType } from '../forms/form.js';
import { InfoForm, type InfoFormInstance } from './forms.js';
import { type RsmSet, rsmSet } from './payloads/rsm.js';
import { NS_MUC_UNIQUE, uniqueCodec } from './payloads/unique.js';
import { type MucRequestOptions, checkOptions, iqRequest, toDomainJid, toRoomJid } from './requests.js';

/** The room's features as booleans (XEP-0045 §15.5.4 `muc_*` features and the extensions rooms advertise). */
export interface RoomFeatures {
  /** `muc_passwordprotected`: a password is needed to enter. */
  passwordProtected: boolean;
  /** `muc_unsecured`: no password is needed. */
  unsecured: boolean;
  /** `muc_membersonly`: only members may enter. */
  membersOnly: boolean;
  /** `muc_open`: anyone not banned may enter. */
  open: boolean;
  /** `muc_moderated`: only participants and moderators may speak. */
  moderated: boolean;
  /** `muc_unmoderated`. */
  unmoderated: boolean;
  /** `muc_nonanonymous`: every occupant sees every real JID. */
  nonAnonymous: boolean;
  /** `muc_semianonymous`: only moderators see real JIDs. */
  semiAnonymous: boolean;
  /** `muc_persistent`: the room outlives its last occupant. */
  persistent: boolean;
  /** `muc_temporary`. */
  temporary: boolean;
  /** `muc_public`: listed in the service's room list. */
  public: boolean;
  /** `muc_hidden`: not listed. */
  hidden: boolean;
  /** XEP-0313 MAM (`urn:xmpp:mam:2`, or an older `urn:xmpp:mam:*`): the room has an archive. */
  mam: boolean;
  /** XEP-0421 `urn:xmpp:occupant-id:0`: stable anonymous occupant ids. */
  occupantId: boolean;
  /** XEP-0410 `muc#self-ping-optimization`: the room answers self-pings itself. */
  selfPingOptimization: boolean;
  /** `muc#stable_id`: reflections keep the sender's message id. */
  stableId: boolean;
  /** XEP-0359 `urn:xmpp:sid:0`: messages carry the room's stanza ids. */
  stanzaIds: boolean;
  /** `jabber:iq:register`: nicks can be registered with the room itself (§7.10). */
  registration: boolean;
  /** `muc#request`: voice requests (§7.13). */
  voiceRequests: boolean;
  /** XEP-0425 `urn:xmpp:message-moderate:*`: moderators can retract messages. */
  messageModeration: boolean;
  /** `vcard-temp`: the room has a vCard (avatar). */
  vcard: boolean;
}

/** What {@link getRoomInfo} returns. */
export interface RoomInfo {
  /** The room. */
  jid: JID;
  /** The disco identities (a room has `conference/text`). */
  identities: DiscoIdentity[];
  /** The room's name: its conference identity's name, else the info form's room name. */
  name?: string;
  /** The features as booleans. */
  features: RoomFeatures;
  /** Every advertised feature (aioxmpp's `Room.features`). */
  featureSet: ReadonlySet<string>;
  /** The `muc#roominfo` form, typed, when the room sends one. */
  info?: InfoFormInstance;
  /** Every extended info form (XEP-0128), the `muc#roominfo` one included. */
  forms: DataForm[];
}

/** A room of a service's list ({@link listRooms}). */
export interface RoomListing {
  /** The room. */
  jid: JID;
  /** Its name, when listed with one. */
  name?: string;
}

/** One page of {@link listRooms}. */
export interface RoomPage {
  /** The rooms of this page, in the service's order. */
  rooms: RoomListing[];
  /** The `after` cursor of the next page; absent when this page is known to be the last. */
  next?: string;
  /** The number of rooms in the whole list, when the service tells. */
  count?: number;
}

/** Options of {@link listRooms}. */
export interface ListRoomsOptions extends MucRequestOptions {
  /** Ask for the page after this cursor (a previous page's `next`). */
  after?: string | undefined;
  /** Ask for at most this many rooms (XEP-0059; services that do not page return all). */
  max?: number | undefined;
}

/** A MUC service found by {@link findMucService}. */
export interface MucService {
  /** The service's address (`conference.example.org`). */
  jid: JID;
  /** Its name: the conference identity's, else the disco item's. */
  name?: string;
  /** Its disco identities. */
  identities: DiscoIdentity[];
  /** Every feature it advertises (e.g. `http://jabber.org/protocol/muc#unique`). */
  featureSet: ReadonlySet<string>;
}

const has = (set: ReadonlySet<string>, prefix: string) => {
  for (const f of set) if (f.startsWith(prefix)) return true;
  return false;
};

/** The booleans of {@link RoomFeatures} for a set of disco features. */
export function roomFeatures(features: ReadonlySet<string>): RoomFeatures {
  return {
    passwordProtected: features.has('muc_passwordprotected'),
    unsecured: features.has('muc_unsecured'),
    membersOnly: features.has('muc_membersonly'),
    open: features.has('muc_open'),
    moderated: features.has('muc_moderated'),
    unmoderated: features.has('muc_unmoderated'),
    nonAnonymous: features.has('muc_nonanonymous'),
    semiAnonymous: features.has('muc_semianonymous'),
    persistent: features.has('muc_persistent'),
    temporary: features.has('muc_temporary'),
    public: features.has('muc_public'),
    hidden: features.has('muc_hidden'),
    mam: has(features, 'urn:xmpp:mam:'),
    occupantId: features.has(NS.OCCUPANT_ID),
    selfPingOptimization: features.has(NS.MUC_SELF_PING),
    stableId: features.has(NS.MUC_STABLE_ID),
    stanzaIds: features.has(NS.SID),
    registration: features.has('jabber:iq:register'),
    voiceRequests: features.has(NS.MUC_REQUEST),
    messageModeration: has(features, 'urn:xmpp:message-moderate:'),
    vcard: features.has('vcard-temp'),
  };
}

/**
 * Ask a room for its identity, features and `muc#roominfo` form (XEP-0045 §6.4), e.g. to
 * check before joining whether it needs a password. Rejects with `StanzaError`
 * (`item-not-found` for a room that does not exist), `TimeoutError`, `AbortError`,
 * `PayloadError` for a result without a disco#info query; `InvalidArgumentError` for a
 * non-bare room JID. A malformed `muc#roominfo` form is left out (logged).
 *
 * @example
 * ```ts
 * const { features, info } = await getRoomInfo(conn, 'room@conference.example.org');
 * if (features.passwordProtected) password = await ask();
 * console.log(info?.occupants);
 * ```
 */
export async function getRoomInfo(conn: XmppConnection, roomJid: JID | string, options: MucRequestOptions = {}): Promise<RoomInfo> {
  const room = toRoomJid(roomJid);
  checkOptions(options);
  const disco = await discoInfo(conn, room, { signal: options.signal, timeoutMs: options.timeoutMs, logger: options.logger });
  const result: RoomInfo = {
    jid: room,
    identities: disco.identities,
    features: roomFeatures(disco.features),
    featureSet: disco.features,
    forms: disco.forms,
  };
  const roominfo = disco.forms.find((f) => formType(f) === NS.MUC_ROOMINFO);
  if (roominfo !== undefined) result.info = InfoForm.fromForm(roominfo);
  const name = disco.identities.find((i) => i.category === 'conference' && i.name)?.name ?? result.info?.roomname;
  if (name !== undefined && name !== '') result.name = name;
  return result;
}

/**
 * List the rooms of a MUC service (disco#items, XEP-0045 §6.3), one page at a time where
 * the service pages (XEP-0059: ejabberd does, Prosody 0.12 returns every room). Hidden
 * rooms are not listed. Loop with `after: page.next` until `next` is absent. Items without
 * a valid JID are skipped (logged). Rejects with `StanzaError`, `TimeoutError`,
 * `AbortError`, `PayloadError`; `InvalidArgumentError` for a service JID that is not a
 * domain or a bad `max`.
 *
 * @example
 * ```ts
 * let after: string | undefined;
 * do {
 *   const page = await listRooms(conn, 'conference.example.org', { max: 50, after });
 *   for (const { jid, name } of page.rooms) console.log(jid.toString(), name);
 *   after = page.next;
 * } while (after !== undefined);
 * ```
 */
export async function listRooms(conn: XmppConnection, serviceJid: JID | string, options: ListRoomsOptions = {}): Promise<RoomPage> {
  const service = toDomainJid(serviceJid, 'service JID');
  checkOptions(options);
  const { max, after } = options;
  if (max !== undefined && (!Number.isSafeInteger(max) || max < 1))
    throw new InvalidArgumentError(`listRooms: max must be a positive integer, got ${String(max)}`);
  if (after !== undefined && typeof after !== 'string') throw new InvalidArgumentError('listRooms: after must be a string');
  const query = new Element('query', { xmlns: NS.DISCO_ITEMS });
  if (max !== undefined || after !== undefined) {
    const set: RsmSet = {};
    if (max !== undefined) set.max = max;
    if (after !== undefined) set.after = after;
    query.cnode(rsmSet.encode(set));
  }
  const reply = await iqRequest(conn, 'get', service, query, options);
  const replyQuery = reply.getChildElements().find((c) => discoItemsCodec.matches(c));
  if (replyQuery === undefined) throw new PayloadError(`The reply has no <query xmlns='${NS.DISCO_ITEMS}'/>`);
  const logger = options.logger ?? silentLogger;
  const rooms: RoomListing[] = [];
  for (const item of discoItemsCodec.decode(replyQuery, { logger }).items) {
    if (item.jid.local === undefined || !item.jid.isBare) {
      logger.warn('skipping a room list item that is not a room JID', { service: service.toString(), jid: item.jid.toString() });
      continue;
    }
    rooms.push(item.name === undefined ? { jid: item.jid } : { jid: item.jid, name: item.name });
  }
  const page: RoomPage = { rooms };
  const set = rsmSet.findIn(replyQuery, { logger });
  if (set !== undefined) {
    if (set.count !== undefined) page.count = set.count;
    const start = set.first?.index;
    const complete =
      rooms.length === 0 ||
      set.last === undefined ||
      (max !== undefined && rooms.length < max) ||
      (set.count !== undefined && start !== undefined && start + rooms.length >= set.count) ||
      (set.count !== undefined && after === undefined && rooms.length >= set.count);
    if (!complete) page.next = set.last;
  }
  return page;
}

/**
 * Find the MUC service(s) of a server (XEP-0045 §6.1-6.2): its disco#items, then disco#info
 * of each, keeping those that advertise `http://jabber.org/protocol/muc`, in the server's
 * order. An item that does not answer (error or timeout) is skipped (logged). Rejects with
 * `StanzaError`, `TimeoutError`, `AbortError` when the server's items cannot be read;
 * `InvalidArgumentError` for a server JID that is not a domain.
 *
 * @example
 * ```ts
 * const [service] = await findMucService(conn, 'example.org');
 * if (service) console.log(service.jid.toString()); // conference.example.org
 * ```
 */
export async function findMucService(
  conn: XmppConnection,
  serverDomain: JID | string,
  options: MucRequestOptions = {},
): Promise<MucService[]> {
  const server = toDomainJid(serverDomain, 'server JID');
  checkOptions(options);
  const logger = options.logger ?? silentLogger;
  const discoOptions = { signal: options.signal, timeoutMs: options.timeoutMs, logger: options.logger };
  const items = await discoItems(conn, server, discoOptions);
  const infos = await Promise.all(
    items.map(async (item) => {
      if (item.node !== undefined) return undefined;
      try {
        return { item, info: await discoInfo(conn, item.jid, discoOptions) };
      } catch (error) {
        if (error instanceof AbortError) throw error;
        logger.debug('skipping a server item that did not answer disco#info', { jid: item.jid.toString(), error });
        return undefined;
      }
    }),
  );
  const services: MucService[] = [];
  for (const entry of infos) {
    if (entry === undefined || !entry.info.features.has(NS.MUC)) continue;
    const service: MucService = { jid: entry.item.jid, identities: entry.info.identities, featureSet: entry.info.features };
    const name = entry.info.identities.find((i) => i.category === 'conference' && i.name)?.name ?? entry.item.name;
    if (name !== undefined) service.name = name;
    services.push(service);
  }
  return services;
}

/**
 * Ask a MUC service for a room name nobody uses (XEP-0307), to create a room with
 * (`join(roomJid, nick)`). Resolves with the room JID (`name@service`). Prosody 0.12 and
 * ejabberd 23.01 both support it; a service that does not answers with a `StanzaError`
 * (`service-unavailable` or `feature-not-implemented`), which is passed through. Rejects with
 * `PayloadError` when the result has no usable name, `TimeoutError`, `AbortError`;
 * `InvalidArgumentError` for a service JID that is not a domain.
 *
 * @example
 * ```ts
 * const roomJid = await getUniqueRoomName(conn, 'conference.example.org');
 * const { room, joined } = muc.join(roomJid, 'alice');
 * ```
 */
export async function getUniqueRoomName(conn: XmppConnection, serviceJid: JID | string, options: MucRequestOptions = {}): Promise<JID> {
  const service = toDomainJid(serviceJid, 'service JID');
  checkOptions(options);
  const reply = await iqRequest(conn, 'get', service, uniqueCodec.encode({ name: '' }), options);
  const unique = uniqueCodec.findIn(reply, { logger: options.logger });
  if (unique === undefined) throw new PayloadError(`The reply has no <unique xmlns='${NS_MUC_UNIQUE}'/>`);
  const name = unique.name.trim();
  try {
    if (name === '') throw new PayloadError('empty');
    return JID.of(name, service.domain);
  } catch (error) {
    throw new PayloadError(`The service returned an unusable room name ${JSON.stringify(name.slice(0, 64))}`, { cause: error });
  }
}
