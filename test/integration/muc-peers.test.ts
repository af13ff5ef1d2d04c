/**
 * The Python peer driver itself, against both servers: an aioxmpp peer and a slixmpp peer join
 * one room and exchange a message each way. Proves that python3-aioxmpp / python3-slixmpp and
 * test/peers/peer.py work in this environment (CI), independently of xmuc's MUC code.
 */
import { afterEach, expect, it } from 'vitest';
import { type Peer, startPeer } from '../support/peer.js';
import { describeEachServer, type ServerInfo } from '../support/servers.js';

const peers: Peer[] = [];

afterEach(async () => {
  await Promise.allSettled(peers.splice(0).map((p) => p.close()));
});

async function peer(server: ServerInfo, lib: 'aioxmpp' | 'slixmpp', user: string): Promise<Peer> {
  const account = server.users.find((u) => u.name === user)!;
  const p = await startPeer({ lib, host: server.host, port: server.c2sPort, jid: `${user}@${server.domain}`, password: account.password });
  peers.push(p);
  return p;
}

const uniqueRoom = (server: ServerInfo, tag: string): string =>
  `${tag}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@${server.mucDomain}`;

describeEachServer('python peers', (server) => {
  it('an aioxmpp peer and a slixmpp peer join one room and exchange messages', async () => {
    const [aio, sli] = await Promise.all([peer(server, 'aioxmpp', 'bob'), peer(server, 'slixmpp', 'carol')]);
    const room = uniqueRoom(server, 'peers');
    await aio.call('join', { room, nick: 'bob' });
    await aio.call('create_instant', { room });
    await sli.call('join', { room, nick: 'carol' });
    await aio.waitEvent((e) => e.event === 'join' && e.room === room && e.nick === 'carol');

    await aio.call('send', { room, body: 'hello from aioxmpp ✓', msg_id: 'aio-1' });
    const atSli = await sli.waitEvent((e) => e.event === 'message' && e.room === room && e.id === 'aio-1');
    expect(atSli).toMatchObject({ nick: 'bob', body: 'hello from aioxmpp ✓', delay: null });

    await sli.call('send', { room, body: 'hi from slixmpp ü', msg_id: 'sli-1' });
    const atAio = await aio.waitEvent((e) => e.event === 'message' && e.room === room && e.id === 'sli-1');
    expect(atAio).toMatchObject({ nick: 'carol', body: 'hi from slixmpp ü', type: 'groupchat', delay: null });

    await sli.call('leave', { room });
    const left = await aio.waitEvent((e) => e.event === 'leave' && e.room === room && e.nick === 'carol');
    expect(left.mode).toBe('NORMAL');
  });
});
