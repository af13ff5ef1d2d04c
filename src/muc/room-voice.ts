/**
 * Voice requests of a room (XEP-0045 §7.13, §8.6): asking for voice as a visitor, and the
 * requests the room relays to us as moderator (`roleRequest`), answered once whatever the
 * number of listeners that answer.
 * @internal
 */
import type { Element } from 'ltx';
import { NotJoinedError } from '../core/errors.js';
import type { JID } from '../core/jid.js';
import type { RoomContext } from './room-context.js';
import type { RoleRequest } from './room-events.js';
import { readVoiceRequest, voiceRequestAnswer, voiceRequestMessage } from './voice-request.js';

/** The voice requests of one room. @internal */
export class RoomVoice {
  readonly #ctx: RoomContext;

  constructor(ctx: RoomContext) {
    this.#ctx = ctx;
  }

  /** Ask the room for voice. */
  async request(): Promise<void> {
    this.#ctx.requireActive();
    await this.#ctx.host.connection.send(voiceRequestMessage(this.#ctx.jid, { id: this.#ctx.host.newId() }));
  }

  /** A non-groupchat message from the room's bare JID: a voice request? Returns whether claimed. */
  handle(stanza: Element, from: JID): boolean {
    const ctx = this.#ctx;
    if (from.resource !== undefined || ctx.closed) return false;
    const request = readVoiceRequest(stanza, { logger: ctx.host.logger });
    if (request === undefined) return false;
    let answer: Promise<void> | undefined;
    const reply = (allow: boolean): Promise<void> => {
      if (answer) return answer;
      if (ctx.closed) answer = Promise.reject(new NotJoinedError('The room was left'));
      else answer = ctx.host.connection.send(voiceRequestAnswer(request, allow, { id: ctx.host.newId() }));
      answer.catch(() => undefined);
      return answer;
    };
    const payload: RoleRequest = {
      stanza,
      form: request.form,
      nick: request.form.roomnick,
      jid: request.form.jid,
      approve: () => reply(true),
      deny: () => reply(false),
      get answered() {
        return answer !== undefined;
      },
    };
    ctx.emit('roleRequest', payload);
    return true;
  }
}
