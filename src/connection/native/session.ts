import type { Element } from 'ltx';
import { DisconnectedError, StanzaError } from '../../core/errors.js';
import { JID } from '../../core/jid.js';
import { NS } from '../../core/namespaces.js';
import { AuthError, StreamError } from './errors.js';
import type { ResolvedOptions } from './options.js';
import { randomId } from '../ids.js';
import { fromBase64, toBase64 } from './sasl/bytes.js';
import type { SaslMechanism } from './sasl/mechanism.js';
import { selectMechanism } from './sasl/select.js';
import type { StreamManagementState } from './stream-management.js';
import { escapeAttr, type Transport } from './transport/transport.js';

const SASL_CB = 'urn:xmpp:sasl-cb:0';

/** Whether `el` is `name` in namespace `ns` (prefixes resolved). @internal */
export function is(el: Element, name: string, ns: string): boolean {
  return el.getName() === name && el.getNS() === ns;
}

/** Whether a top-level element is a stanza (message, presence, iq in jabber:client). @internal */
export function isStanza(el: Element): boolean {
  const n = el.name;
  if (n !== 'message' && n !== 'presence' && n !== 'iq') return false;
  const ns = el.attrs.xmlns as string | undefined;
  return ns === undefined || ns === NS.CLIENT;
}

/** Turn a received `<stream:error/>` into a {@link StreamError}. @internal */
export function streamErrorFrom(el: Element): StreamError {
  let condition = 'undefined-condition';
  let text: string | undefined;
  for (const c of el.getChildElements()) {
    if (c.getNS() !== NS.STREAMS) continue;
    if (c.getName() === 'text') text = c.getText();
    else condition = c.getName();
  }
  return new StreamError(condition, { text, remote: true });
}

/**
 * Elements received while a stream is being negotiated, handed out one at a time. Elements
 * that arrive after negotiation ends stay queued, in order, until the connection drains them
 * into its synchronous hot path (so the XEP-0198 inbound count starts exactly after
 * `<enabled/>`/`<resumed/>`).
 * @internal
 */
export class Inbox {
  #items: Element[] = [];
  #head = 0;
  #waiter: { resolve(el: Element): void; reject(e: Error): void } | undefined;
  #error: Error | undefined;

  push(el: Element): void {
    const w = this.#waiter;
    if (w) {
      this.#waiter = undefined;
      w.resolve(el);
    } else this.#items.push(el);
  }

  /** The stream failed: the pending and every later `next()` reject with `error`. */
  fail(error: Error): void {
    this.#error ??= error;
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.reject(this.#error);
  }

  next(): Promise<Element> {
    if (this.#head < this.#items.length) {
      const el = this.#items[this.#head++]!;
      if (this.#head === this.#items.length) {
        this.#items = [];
        this.#head = 0;
      }
      return Promise.resolve(el);
    }
    if (this.#error) return Promise.reject(this.#error);
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  /** Take the elements not yet handed out. */
  drain(): Element[] {
    const rest = this.#items.slice(this.#head);
    this.#items = [];
    this.#head = 0;
    return rest;
  }
}

/** What {@link negotiate} needs. @internal */
export interface NegotiationContext {
  transport: Transport;
  inbox: Inbox;
  options: ResolvedOptions;
  sm: StreamManagementState;
  /** Route a stanza that arrived during negotiation (not counted by XEP-0198). */
  routeStanza(el: Element): void;
  /** Resumption was refused (`<failed h?>`) or impossible; called before binding a new session. */
  onResumeFailed(h: number | undefined, reason: Error): void;
  /** Build the SASL mechanism (tests may override the default choice). */
  selectMechanism?: typeof selectMechanism;
}

/** The outcome of negotiating a stream. @internal */
export type NegotiationResult =
  | { kind: 'resumed'; h: number }
  | { kind: 'bound'; jid: JID; sm: { id: string | undefined; maxSeconds: number | undefined } | undefined };

/** Parse an XEP-0198 `h` attribute (an unsigned 32-bit integer). @internal */
export function parseH(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^[0-9]{1,10}$/.test(value)) return undefined;
  const n = Number(value);
  return n <= 0xffffffff ? n : undefined;
}

/**
 * Negotiate a stream on a fresh transport: STARTTLS, SASL, then XEP-0198 resumption or
 * resource binding (plus legacy session only when required) and `<enable resume="true"/>`.
 * @internal
 */
export async function negotiate(ctx: NegotiationContext): Promise<NegotiationResult> {
  const { transport: t, options: o, inbox, sm } = ctx;

  const nextNonza = async (): Promise<Element> => {
    for (;;) {
      const el = await inbox.next();
      if (isStanza(el)) {
        ctx.routeStanza(el);
        continue;
      }
      if (is(el, 'error', NS.STREAM)) throw streamErrorFrom(el);
      return el;
    }
  };
  const expectFeatures = async (): Promise<Element> => {
    const el = await nextNonza();
    if (!is(el, 'features', NS.STREAM))
      throw new StreamError('undefined-condition', { message: `Expected stream features, got <${el.name}>` });
    return el;
  };
  const expectIq = async (id: string): Promise<Element> => {
    for (;;) {
      const el = await inbox.next();
      if (el.name === 'iq' && el.attrs.id === id && isStanza(el) && (el.attrs.type === 'result' || el.attrs.type === 'error')) return el;
      if (isStanza(el)) ctx.routeStanza(el);
      else if (is(el, 'error', NS.STREAM)) throw streamErrorFrom(el);
    }
  };

  const plaintextOk = o.allowPlaintext || o.starttls !== 'required';
  if (!t.secure && !t.canStartTls && !plaintextOk) {
    throw new StreamError('undefined-condition', { message: 'This transport is unencrypted (ws://); set allowPlaintext: true to use it' });
  }
  t.openStream(o.domain);
  let features = await expectFeatures();

  if (!t.secure) {
    const offer = features.getChild('starttls', NS.TLS);
    if (offer && o.starttls !== 'never' && t.canStartTls) {
      t.write(`<starttls xmlns='${NS.TLS}'/>`);
      const r = await nextNonza();
      if (!is(r, 'proceed', NS.TLS)) throw new StreamError('undefined-condition', { message: 'The server refused STARTTLS' });
      await t.startTls(o.domain);
      t.openStream(o.domain);
      features = await expectFeatures();
    } else if (!plaintextOk) {
      throw new StreamError('undefined-condition', {
        message: offer
          ? 'STARTTLS cannot be used on this transport; set allowPlaintext: true to continue without encryption'
          : 'The server does not offer STARTTLS; set allowPlaintext: true to connect without encryption',
      });
    }
  }

  const mechanismsEl = features.getChild('mechanisms', NS.SASL);
  if (!mechanismsEl) throw new AuthError('The server offers no SASL authentication');
  const offered = mechanismsEl.getChildren('mechanism').map((m) => m.getText().trim());
  const cb = features.getChild('sasl-channel-binding', SASL_CB);
  const mech = (ctx.selectMechanism ?? selectMechanism)({
    offered,
    offeredBindings: cb ? cb.getChildren('channel-binding').map((c) => String(c.attrs.type)) : undefined,
    username: o.username,
    password: o.password,
    secure: t.secure,
    allowPlainWithoutTls: o.allowPlainMechanismWithoutTls,
    preference: o.mechanisms,
    channelBinding: (type) => t.channelBinding(type),
  });
  await authenticate(mech, t, nextNonza);

  t.openStream(o.domain);
  features = await expectFeatures();
  const smOffered = o.streamManagement && features.getChild('sm', NS.SM) !== undefined;

  if (sm.resumable) {
    if (smOffered) {
      t.write(`<resume xmlns='${NS.SM}' h='${sm.inbound}' previd='${escapeAttr(sm.id!)}'/>`);
      const r = await nextNonza();
      if (is(r, 'resumed', NS.SM)) {
        const h = parseH(r.attrs.h);
        if (h === undefined) throw new StreamError('undefined-condition', { message: 'Malformed h in <resumed/>' });
        return { kind: 'resumed', h };
      }
      if (!is(r, 'failed', NS.SM))
        throw new StreamError('undefined-condition', { message: `Expected <resumed/> or <failed/>, got <${r.name}>` });
      const cond = r.getChildElements()[0]?.getName();
      ctx.onResumeFailed(
        parseH(r.attrs.h),
        new DisconnectedError(`Stream resumption failed${cond ? ` (${cond})` : ''}: a new session replaces the old one`),
      );
    } else {
      ctx.onResumeFailed(
        undefined,
        new DisconnectedError('The server no longer offers stream management: a new session replaces the old one'),
      );
    }
  }

  const bindId = randomId();
  const resource = o.resource === undefined ? '' : `<resource>${escapeAttr(o.resource)}</resource>`;
  t.write(`<iq xmlns='jabber:client' type='set' id='${bindId}'><bind xmlns='${NS.BIND}'>${resource}</bind></iq>`);
  const bound = await expectIq(bindId);
  if (bound.attrs.type !== 'result') {
    const err = StanzaError.fromStanza(bound);
    throw new StreamError('undefined-condition', { message: `Resource binding failed: ${err.condition}`, cause: err });
  }
  const jidText = bound.getChild('bind', NS.BIND)?.getChildText('jid');
  const jid = JID.tryParse(jidText ?? undefined);
  if (!jid)
    throw new StreamError('undefined-condition', { message: `Resource binding returned a malformed JID ${JSON.stringify(jidText)}` });

  const session = features.getChild('session', NS.SESSION);
  if (session && !session.getChild('optional')) {
    const sid = randomId();
    t.write(`<iq xmlns='jabber:client' type='set' id='${sid}'><session xmlns='${NS.SESSION}'/></iq>`);
    const r = await expectIq(sid);
    if (r.attrs.type !== 'result') {
      throw new StreamError('undefined-condition', { message: 'Session establishment failed', cause: StanzaError.fromStanza(r) });
    }
  }

  let smResult: { id: string | undefined; maxSeconds: number | undefined } | undefined;
  if (smOffered) {
    t.write(`<enable xmlns='${NS.SM}' resume='true'/>`);
    const r = await nextNonza();
    if (is(r, 'enabled', NS.SM)) {
      const resume = r.attrs.resume === 'true' || r.attrs.resume === '1';
      const max = r.attrs.max === undefined ? undefined : Number(r.attrs.max);
      smResult = {
        id: resume && typeof r.attrs.id === 'string' ? r.attrs.id : undefined,
        maxSeconds: max !== undefined && Number.isFinite(max) ? max : undefined,
      };
    } else if (!is(r, 'failed', NS.SM)) {
      throw new StreamError('undefined-condition', { message: `Expected <enabled/> or <failed/>, got <${r.name}>` });
    }
  }
  return { kind: 'bound', jid, sm: smResult };
}

async function authenticate(mech: SaslMechanism, t: Transport, nextNonza: () => Promise<Element>): Promise<void> {
  const decode = (el: Element): Uint8Array | undefined => {
    const text = el.getText().trim();
    if (text === '') return undefined;
    if (text === '=') return new Uint8Array(0);
    try {
      return fromBase64(text);
    } catch (cause) {
      throw new AuthError(`SASL: malformed base64 from the server`, undefined, { cause });
    }
  };
  const initial = await mech.initial();
  const payload = initial === undefined ? '' : initial.length === 0 ? '=' : toBase64(initial);
  t.write(`<auth xmlns='${NS.SASL}' mechanism='${escapeAttr(mech.name)}'>${payload}</auth>`);
  for (;;) {
    const el = await nextNonza();
    if (el.getNS() !== NS.SASL) throw new StreamError('undefined-condition', { message: `Unexpected <${el.name}> during SASL` });
    switch (el.getName()) {
      case 'challenge': {
        const response = await mech.challenge(decode(el) ?? new Uint8Array(0));
        t.write(`<response xmlns='${NS.SASL}'>${response.length ? toBase64(response) : ''}</response>`);
        break;
      }
      case 'success':
        await mech.success(decode(el));
        return;
      case 'failure': {
        const cond = el
          .getChildElements()
          .find((c) => c.getName() !== 'text')
          ?.getName();
        const text = el.getChildText('text');
        throw new AuthError(`SASL ${mech.name} failed: ${cond ?? 'unknown condition'}${text ? ` (${text})` : ''}`, cond);
      }
      default:
        throw new StreamError('undefined-condition', { message: `Unexpected <${el.name}> during SASL` });
    }
  }
}
