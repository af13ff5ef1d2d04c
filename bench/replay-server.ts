/**
 * A minimal XMPP c2s replay server for the receive benchmark, run as its own process so that
 * its CPU is not counted against the client. Listens on 127.0.0.1 (free port, printed as
 * `PORT n`). Per connection: stream header, SASL (PLAIN or ANONYMOUS offered, anything
 * accepted), restart, resource binding (no XEP-0198 offered), a MUC join answered with an
 * occupant presence, our self-presence (110) and the subject; then, on the trigger
 * `<message id='flood-PASS-N'/>`, N groupchat messages shaped like the captured Prosody
 * ones (test/fixtures/xep0045/prosody-live-message.xml, mixed UTF-8 body, varying ids),
 * written as fast as the socket accepts. Not a real server: it trusts its input.
 */
import { createServer, type Socket } from 'node:net';
import { ROOM, SENDER_NICK } from './replay-room.js';

const STREAM_NS = `xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'`;
const FEATURES_SASL =
  "<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism><mechanism>ANONYMOUS</mechanism></mechanisms></stream:features>";
const FEATURES_BIND = "<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>";
const BATCH = 200;

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}=(?:'([^']*)'|"([^"]*)")`).exec(tag);
  return m ? (m[1] ?? m[2]) : undefined;
}

/** Base64-ish id of 24 chars, different per (pass, i). */
function stanzaId(pass: number, i: number): string {
  return Buffer.from(`sid:${pass}:${i}:${(i * 2654435761) >>> 0}`)
    .toString('base64')
    .slice(0, 24)
    .padEnd(24, 'A');
}

/** One groupchat message as Prosody 0.12 writes it on a c2s stream (no whitespace, no xmlns). */
function groupchat(to: string, pass: number, i: number): string {
  return (
    `<message to='${to}' xml:lang='en' type='groupchat' from='${ROOM}/${SENDER_NICK}' id='m-${pass}-${i}'>` +
    `<body>Grüße aus Köln — 你好，世界 😀 ✓ message ${i} of pass ${pass}</body>` +
    `<origin-id xmlns='urn:xmpp:sid:0' id='o-${pass}-${i}'/>` +
    `<occupant-id xmlns='urn:xmpp:occupant-id:0' id='JDBQX+Onjm7JZIJLgfI/dMbalmqxAcl97eLzaK2HDRg='/>` +
    `<stanza-id xmlns='urn:xmpp:sid:0' by='${ROOM}' id='${stanzaId(pass, i)}'/>` +
    `</message>`
  );
}

function joinAnswer(to: string, nick: string): string {
  return (
    `<presence to='${to}' xml:lang='en' from='${ROOM}/${SENDER_NICK}'>` +
    `<occupant-id xmlns='urn:xmpp:occupant-id:0' id='JDBQX+Onjm7JZIJLgfI/dMbalmqxAcl97eLzaK2HDRg='/>` +
    `<x xmlns='http://jabber.org/protocol/muc#user'><item role='moderator' jid='alice@localhost/probe' affiliation='owner'/></x></presence>` +
    `<presence to='${to}' xml:lang='en' from='${ROOM}/${nick}'>` +
    `<occupant-id xmlns='urn:xmpp:occupant-id:0' id='/m/tZMY5lLt8z9pKpktxmpOB7mMnMeREEqe9yVg9+Is='/>` +
    `<x xmlns='http://jabber.org/protocol/muc#user'><item role='participant' jid='${to}' affiliation='none'/><status code='110'/></x></presence>` +
    `<message to='${to}' type='groupchat' from='${ROOM}/${SENDER_NICK}'><subject>Benchmark room</subject>` +
    `<delay xmlns='urn:xmpp:delay' from='${ROOM}' stamp='2026-11-25T11:44:32Z'/></message>`
  );
}

async function flood(socket: Socket, to: string, pass: number, n: number): Promise<void> {
  const batches: string[] = [];
  for (let i = 0; i < n; i += BATCH) {
    let s = '';
    for (let j = i; j < Math.min(n, i + BATCH); j++) s += groupchat(to, pass, j);
    batches.push(s);
  }
  for (const b of batches) {
    if (socket.destroyed) return;
    if (!socket.write(b)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          socket.off('drain', done).off('close', done);
          resolve();
        };
        socket.on('drain', done).on('close', done);
      });
    }
  }
}

let connections = 0;

function serve(socket: Socket): void {
  const conn = ++connections;
  let buf = '';
  let state: 'open1' | 'auth' | 'open2' | 'online' = 'open1';
  let jid = `bench@localhost/r${conn}`;
  socket.setEncoding('utf8');
  socket.setNoDelay(true);
  socket.on('error', () => {});
  const header = () =>
    `<?xml version='1.0'?><stream:stream ${STREAM_NS} id='s${conn}-${state}' from='localhost' version='1.0' xml:lang='en'>`;
  const step = (): boolean => {
    if (state === 'open1' || state === 'open2') {
      const m = /<stream:stream\b[^>]*>/.exec(buf);
      if (!m) return false;
      buf = buf.slice(m.index + m[0].length);
      socket.write(header() + (state === 'open1' ? FEATURES_SASL : FEATURES_BIND));
      state = state === 'open1' ? 'auth' : 'online';
      return true;
    }
    if (state === 'auth') {
      const m = /<auth\b[^>]*(?:\/>|>[^<]*<\/auth>)/.exec(buf);
      if (!m) return false;
      buf = buf.slice(m.index + m[0].length);
      socket.write("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
      state = 'open2';
      return true;
    }
    if (buf.includes('</stream:stream>')) {
      socket.end('</stream:stream>');
      buf = '';
      return false;
    }
    const m = /<(iq|presence|message)\b[^>]*?(\/?)>/.exec(buf);
    if (!m) return false;
    let end: number;
    if (m[2] === '/') end = m.index + m[0].length;
    else {
      const close = buf.indexOf(`</${m[1]}>`, m.index);
      if (close === -1) return false;
      end = close + m[1]!.length + 3;
    }
    const stanza = buf.slice(m.index, end);
    buf = buf.slice(end);
    const open = m[0];
    const id = attr(open, 'id');
    if (m[1] === 'iq' && stanza.includes('urn:ietf:params:xml:ns:xmpp-bind')) {
      jid = `bench@localhost/r${conn}`;
      socket.write(`<iq type='result' id='${id}'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>${jid}</jid></bind></iq>`);
    } else if (m[1] === 'iq' && (attr(open, 'type') === 'get' || attr(open, 'type') === 'set')) {
      socket.write(`<iq type='result' id='${id}' from='${attr(open, 'to') ?? 'localhost'}' to='${jid}'/>`);
    } else if (m[1] === 'presence' && stanza.includes('http://jabber.org/protocol/muc') && attr(open, 'type') === undefined) {
      const to = attr(open, 'to') ?? '';
      socket.write(joinAnswer(jid, to.slice(to.indexOf('/') + 1)));
    } else if (m[1] === 'message' && id?.startsWith('flood-')) {
      const [, pass, n] = id.split('-');
      void flood(socket, jid, Number(pass), Number(n));
    }
    return true;
  };
  socket.on('data', (d: string) => {
    buf += d;
    while (step());
  });
}

const server = createServer(serve);
server.listen(0, '127.0.0.1', () => {
  const addr = server.address();
  process.stdout.write(`PORT ${typeof addr === 'object' && addr ? addr.port : 0}\n`);
});
// The parent ends us by closing our stdin... or by pid; also stop on our own after 5 minutes.
setTimeout(() => process.exit(0), 5 * 60_000).unref();
process.on('SIGTERM', () => process.exit(0));
