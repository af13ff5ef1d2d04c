/**
 * Invitations sent from a room: XEP-0249 direct (to the invitee) or XEP-0045 §7.8.2 mediated
 * (through the room), and the declines of our mediated invitations the room relays back
 * (`declined`).
 * @internal
 */
import type { Element } from 'ltx';
import { InvalidArgumentError } from '../core/errors.js';
import type { JID } from '../core/jid.js';
import { InviteMode } from '../im/conversation.js';
import { directInviteMessage, mediatedInviteMessage, readDecline } from './invitations.js';
import type { RoomContext } from './room-context.js';

/** Options of `Room.invite`. */
export interface InviteOptions {
  /** Text for the invitee. */
  reason?: string | undefined;
  /** {@link InviteMode.DIRECT} (XEP-0249, default) or {@link InviteMode.MEDIATED} (through the room). */
  mode?: InviteMode | undefined;
  /** DIRECT only: the room password to hand over (default: the room's `password`). */
  password?: string | undefined;
  /** Mark the invitation as continuing a one-to-one chat, optionally naming its thread. */
  continueThread?: string | true | undefined;
}

/** The invitations of one room. @internal */
export class RoomInvitations {
  readonly #ctx: RoomContext;
  readonly #password: () => string | undefined;

  constructor(ctx: RoomContext, password: () => string | undefined) {
    this.#ctx = ctx;
    this.#password = password;
  }

  async invite(invitee: JID | string, options: InviteOptions): Promise<void> {
    const ctx = this.#ctx;
    ctx.requireActive();
    const mode = options.mode ?? InviteMode.DIRECT;
    const id = ctx.host.newId();
    let stanza: Element;
    if (mode === InviteMode.DIRECT) {
      stanza = directInviteMessage(invitee, ctx.jid, {
        reason: options.reason,
        password: options.password ?? this.#password(),
        continueThread: options.continueThread,
        id,
      });
    } else if (mode === InviteMode.MEDIATED) {
      if (options.password !== undefined)
        throw new InvalidArgumentError('invite: a MEDIATED invitation carries the password the room adds, not ours');
      stanza = mediatedInviteMessage(ctx.jid, invitee, { reason: options.reason, continueThread: options.continueThread, id });
    } else {
      throw new InvalidArgumentError(`invite: unknown mode ${JSON.stringify(mode)}`);
    }
    await ctx.host.connection.send(stanza);
  }

  /** A non-groupchat message from the room's bare JID: a decline? Returns whether claimed. */
  handle(stanza: Element, from: JID): boolean {
    const ctx = this.#ctx;
    if (from.resource !== undefined || ctx.closed) return false;
    const decline = readDecline(stanza, { logger: ctx.host.logger });
    if (decline === undefined) return false;
    ctx.emit('declined', { stanza, from: decline.from, reason: decline.reason });
    return true;
  }
}
