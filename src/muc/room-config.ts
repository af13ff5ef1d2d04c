/**
 * Configuration of a room and what is known of it: the owner's actions (unlock a new room,
 * read and submit the configuration, destroy; muc#owner IQs of owner.ts), the room's disco
 * information (`Room.info`, `Room.features`, fetched after `enter` and after each
 * configuration change), and `configChanged` (status 104, 170-174 from the room).
 * @internal
 */
import { Element } from 'ltx';
import type { AbortOptions } from '../core/abort.js';
import { NotJoinedError } from '../core/errors.js';
import type { JID } from '../core/jid.js';
import { NS } from '../core/namespaces.js';
import { type RoomFeatures, type RoomInfo, getRoomInfo } from './discovery.js';
import type { ConfigurationFormInstance } from './forms.js';
import { type ConfigSubmission, type DestroyRoomOptions, cancelRoomConfig, destroyRoom, getRoomConfig, setRoomConfig } from './owner.js';
import { findUserExt } from './payloads/user.js';
import { type RoomContext, requestOptions } from './room-context.js';

/** The status codes of a configuration change notice (XEP-0045 §10.2.1). */
const CONFIG_CODES: ReadonlySet<number> = new Set([104, 170, 171, 172, 173, 174]);

/** Options of `Room.destroy` (no `logger`: the room's is used). */
export type DestroyOptions = Omit<DestroyRoomOptions, 'logger'>;

/** The configuration, owner actions and disco information of one room. @internal */
export class RoomConfig {
  readonly #ctx: RoomContext;
  #info: RoomInfo | undefined;
  #fetching: AbortController | undefined;

  constructor(ctx: RoomContext) {
    this.#ctx = ctx;
  }

  get info(): RoomInfo | undefined {
    return this.#info;
  }

  get features(): RoomFeatures | undefined {
    return this.#info?.features;
  }

  #options(options: AbortOptions) {
    return { ...requestOptions(options), logger: this.#ctx.host.logger };
  }

  #requireEntered(): void {
    if (!this.#ctx.entered || this.#ctx.closed) throw new NotJoinedError('The room is not joined');
  }

  async createInstant(options: AbortOptions): Promise<void> {
    this.#requireEntered();
    await setRoomConfig(
      this.#ctx.host.connection,
      this.#ctx.jid,
      new Element('x', { xmlns: NS.DATA_FORMS, type: 'submit' }),
      this.#options(options),
    );
  }

  async setConfiguration(form: ConfigSubmission, options: AbortOptions): Promise<void> {
    this.#requireEntered();
    await setRoomConfig(this.#ctx.host.connection, this.#ctx.jid, form, this.#options(options));
  }

  async getConfiguration(options: AbortOptions): Promise<ConfigurationFormInstance> {
    this.#requireEntered();
    return getRoomConfig(this.#ctx.host.connection, this.#ctx.jid, this.#options(options));
  }

  async cancelConfiguration(options: AbortOptions): Promise<void> {
    this.#requireEntered();
    await cancelRoomConfig(this.#ctx.host.connection, this.#ctx.jid, this.#options(options));
  }

  async destroy(options: DestroyOptions): Promise<void> {
    this.#requireEntered();
    await destroyRoom(this.#ctx.host.connection, this.#ctx.jid, { ...options, ...this.#options(options) });
  }

  /** Fetch the room's disco#info, keep it as `info`, emit `infoChanged`. */
  async getRoomInfo(options: AbortOptions): Promise<RoomInfo> {
    const info = await getRoomInfo(this.#ctx.host.connection, this.#ctx.jid, this.#options(options));
    if (!this.#ctx.closed) {
      this.#info = info;
      this.#ctx.featuresKnown(info.featureSet); // history trusts occupant ids only where advertised
      this.#ctx.emit('infoChanged', { info });
    }
    return info;
  }

  /** Refresh `info` in the background (after `enter`, after a configuration change). */
  refresh(): void {
    this.#fetching?.abort();
    const abort = new AbortController();
    this.#fetching = abort;
    this.getRoomInfo({ signal: abort.signal })
      .catch((error: unknown) => this.#ctx.host.logger.debug('room information not fetched', { room: this.#ctx.jid.toString(), error }))
      .finally(() => {
        if (this.#fetching === abort) this.#fetching = undefined;
      });
  }

  /** The room ended: stop any fetch. */
  stop(): void {
    this.#fetching?.abort();
    this.#fetching = undefined;
  }

  /** A groupchat message from the room's bare JID: a configuration change notice? */
  onRoomMessage(stanza: Element, from: JID): void {
    const ctx = this.#ctx;
    if (from.resource !== undefined || ctx.closed || stanza.attrs.type !== 'groupchat') return;
    const codes = findUserExt(stanza, { logger: ctx.host.logger })?.statusCodes;
    if (codes === undefined || ![...codes].some((c) => CONFIG_CODES.has(c))) return;
    ctx.emit('configChanged', { stanza, statusCodes: codes });
    this.refresh();
  }
}
