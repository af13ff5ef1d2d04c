/**
 * The README's example, kept here so that the type checker proves it compiles
 * (`npm run lint`). Run it against a server of yours with
 * `XMPP_PASSWORD=... npx tsx examples/quickstart.ts`.
 */
import { MucClient, connect } from '../src/index.js';

const connection = await connect({
  service: process.env.XMPP_SERVICE ?? 'xmpp://127.0.0.1:5222',
  domain: process.env.XMPP_DOMAIN ?? 'localhost',
  username: process.env.XMPP_USER ?? 'alice',
  password: process.env.XMPP_PASSWORD,
  allowPlaintext: true, // only for a loopback test server without TLS
});
const muc = new MucClient(connection);

const { room, joined } = muc.join('lounge@conference.localhost', 'Alice', { history: { maxStanzas: 20 } });
// Listeners attached now see everything: no event fires before this code has run.
room.on('message', ({ message, member, isHistory }) => {
  console.log(`${isHistory ? '(history) ' : ''}<${member.nick ?? 'room'}> ${message.body.any() ?? ''}`);
});
room.on('leave', ({ member, mode }) => console.log(`${member.nick} left (${mode})`));

await joined; // rejects with MucJoinError (reason: 'nick-conflict', 'banned', ...) when refused
const tracker = room.sendMessageTracked('Hello, room!');
console.log('message state:', await tracker.settled); // 'delivered-to-recipient' once reflected

await room.leave();
await muc.close();
await connection.close();
