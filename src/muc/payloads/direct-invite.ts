/** XEP-0249 direct MUC invitations (`<x xmlns='jabber:x:conference'/>`), sent client to client. */
import type { JID } from '../../core/jid.js';
import { NS } from '../../core/namespaces.js';
import { type Codec, element, required } from '../../xml/codec.js';
import { attr, boolAttr, jidAttr } from '../../xml/fields.js';

/** A direct invitation. */
export interface DirectInvite {
  /** The room (required). */
  jid: JID;
  /** The room password. */
  password?: string;
  /** Why. */
  reason?: string;
  /** Whether this continues a one-to-one chat. */
  continue?: boolean;
  /** The thread continued. */
  thread?: string;
}

/**
 * Codec of `<x xmlns='jabber:x:conference'/>`. Decoding throws `PayloadError` when `jid` is
 * missing or malformed (use `findIn` inside a try, or check `matches` first).
 */
export const directInvite: Codec<DirectInvite> = element<DirectInvite>(NS.CONFERENCE, 'x', {
  jid: required(jidAttr('jid')),
  password: attr('password'),
  reason: attr('reason'),
  continue: boolAttr('continue'),
  thread: attr('thread'),
});
