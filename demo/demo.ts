/**
 * `npm run demo [-- --server prosody|ejabberd] [--slow] [--transport native|xmppjs]`: a
 * throwaway local server, three clients (Alice, Bob, Carol) and one room, driven through
 * xmuc's public API: the owner creates and configures the room, the others join, chat, get
 * the history and topic, a visitor gets voice, a nick changes, private messages, invitations
 * (one declined), a kick, and the room is destroyed with an alternate venue. Prints a
 * transcript (coloured on a terminal) and a ✔/✘ list; exits 0 only when every step happened.
 * Cleans up (clients, server) on success, failure, SIGINT and SIGTERM.
 */
import { Element } from 'ltx';
import { type ServerInfo, type ServerKind, startServer, stopServer } from '../scripts/xmpp-server/servers.js';
import { MessageState, MucClient, type Room, RoomState, StatusCode } from '../src/index.js';
import { FaultProxy } from '../test/support/fault-proxy.js';
import { configureRoom, cutAct, destroyAct, invitationsAct, kickAct, voiceAct } from './acts.js';
import { Steps, say, within } from './steps.js';
import { connectClient, type DemoClient, type TransportKind } from './transport.js';

const STEP_MS = 15_000;
const SERVER_START_MS = 180_000;

const STEPS = {
  server: 'start a throwaway server on loopback',
  connect: 'connect Alice, Bob and Carol',
  create: 'Alice creates the room (status 201) and configures it: name, description, moderated',
  topic: 'Alice sets the topic',
  tracked: 'Alice sends three tracked messages (one non-ASCII), each delivered',
  late: 'Bob joins late and receives the history and the topic',
  voice: 'Bob, a visitor, asks for voice; Alice grants it',
  live: 'Bob and Alice exchange live messages',
  nick: 'Bob changes his nick to Robert; Alice sees it',
  pm: 'Alice and Robert exchange private messages',
  invite: 'Alice invites Carol through the room (declined), then directly (accepted)',
  kick: 'Alice kicks Carol',
  cut: "Robert's connection is cut (fault proxy) and comes back: no message lost or repeated",
  destroy: 'Alice destroys the room with an alternate venue; Robert is told',
  close: 'every client disconnects',
  stop: 'stop the server',
} as const;

const USAGE = 'usage: npm run demo [-- --server prosody|ejabberd] [--slow] [--transport native|xmppjs]';

/** The value of `--name VALUE` / `--name=VALUE`, else `fallback`; exits 2 unless it is one of `allowed`. */
function option<T extends string>(argv: readonly string[], name: string, allowed: readonly T[], fallback: T): T {
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i === -1) return fallback;
  const value = argv[i]!.includes('=') ? argv[i]!.slice(`--${name}=`.length) : argv[i + 1];
  if ((allowed as readonly string[]).includes(value ?? '')) return value as T;
  process.stderr.write(`${USAGE} (--${name}: got ${JSON.stringify(value)})\n`);
  process.exit(2);
}

function parseOptions(argv: readonly string[]): { transport: TransportKind; server: ServerKind; slow: boolean } {
  const known = new Set(['--server', '--transport', '--slow', 'prosody', 'ejabberd', 'native', 'xmppjs']);
  const unknown = argv.find((a) => !known.has(a) && !a.startsWith('--server=') && !a.startsWith('--transport='));
  if (unknown !== undefined) {
    process.stderr.write(`${USAGE} (unknown ${JSON.stringify(unknown)})\n`);
    process.exit(2);
  }
  return {
    transport: option(argv, 'transport', ['native', 'xmppjs'] as const, 'native'),
    server: option(argv, 'server', ['prosody', 'ejabberd'] as const, 'prosody'),
    slow: argv.includes('--slow'),
  };
}

/** Everything to release at the end, whatever happened. */
const held: { server?: ServerInfo; proxy?: FaultProxy; clients: DemoClient[]; mucs: MucClient[] } = { clients: [], mucs: [] };
let cleaning: Promise<void> | undefined;

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await Promise.allSettled(held.mucs.map((m) => within(m.close(), 5000, 'muc close')));
    await Promise.allSettled(held.clients.map((c) => within(c.close(), 5000, 'client close')));
    await held.proxy?.close().catch(() => undefined);
    if (held.server) {
      const server = held.server;
      held.server = undefined;
      await stopServer(server).catch((e: unknown) => process.stderr.write(`could not stop the server: ${String(e)}\n`));
    }
  })();
  return cleaning;
}

/** Print what a room shows, from `who`'s point of view. */
function narrate(who: string, room: Room): void {
  room.on('enter', ({ occupant, statusCodes }) =>
    say(who, `entered ${room.jid.toString()} as ${occupant.nick} (status ${[...statusCodes].join(', ')})`),
  );
  room.on('join', ({ member }) => say(who, `sees ${member.nick} join (role ${member.role ?? '?'})`));
  room.on('message', ({ message, member, isHistory, delay }) => {
    const from = member.nick ?? '(room)';
    const when = isHistory && delay ? ` (history, sent ${delay.stamp.toISOString().slice(11, 19)})` : '';
    say(who, `<${from}> ${message.body.any() ?? ''}${when}`);
  });
  room.on('topicChanged', ({ topic, nick }) => {
    const text = topic.any();
    say(who, text ? `topic is now "${text}"${nick ? ` (set by ${nick})` : ''}` : 'the room has no topic yet');
  });
  room.on('nickChanged', ({ oldNick, newNick }) => say(who, `sees ${oldNick} become ${newNick}`));
  room.on('privateMessage', ({ message, member }) => say(who, `private from ${member.nick}: ${message.body.any() ?? ''}`));
  room.on('leave', ({ member, mode }) => say(who, `sees ${member.nick} leave (${mode})`));
  room.on('exit', ({ mode }) => say(who, `left the room (${mode})`));
}

async function main(): Promise<void> {
  const { transport, server: serverKind, slow } = parseOptions(process.argv.slice(2));
  const interrupt = new AbortController();
  const steps = new Steps(Object.values(STEPS), interrupt.signal, slow ? 1200 : 0);
  let firstSignalAt = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    // Ctrl-C reaches both tsx and this process, and tsx relays it: ignore the echo.
    if (interrupt.signal.aborted && Date.now() - firstSignalAt < 2000) return;
    if (interrupt.signal.aborted) {
      process.stdout.write(`\n${signal} again: exiting now (the server may still be stopping)\n`);
      process.exit(130);
    }
    firstSignalAt = Date.now();
    process.stdout.write(`\n${signal}: interrupting, cleaning up…\n`);
    interrupt.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  process.stdout.write(`xmuc demo — server: ${serverKind}, transport: ${transport}${slow ? ', slow' : ''}\n\n`);
  const started = Date.now();
  try {
    await scene(steps, transport, serverKind, interrupt.signal);
  } catch (e) {
    process.stdout.write(`\nThe demo stopped: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}\n`);
  } finally {
    await cleanup();
  }
  steps.print();
  process.stdout.write(
    `\n${steps.allOk ? 'Every step happened' : 'Not every step happened'} (${((Date.now() - started) / 1000).toFixed(1)} s).\n`,
  );
  process.exitCode = interrupt.signal.aborted ? 130 : steps.allOk ? 0 : 1;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
}

async function scene(steps: Steps, transport: TransportKind, kind: ServerKind, signal: AbortSignal): Promise<void> {
  // startServer stops a half-started server itself when aborted; a started one is held at once.
  const starting = startServer(kind, { signal, timeoutMs: SERVER_START_MS }).then((s) => {
    held.server = s;
    return s;
  });
  const server = await steps
    .run(STEPS.server, SERVER_START_MS + 5000, () => starting)
    .catch(async (e: unknown) => {
      await starting.catch(() => undefined); // let an interrupted start finish cleaning up
      throw e;
    });
  say(
    'server',
    `${kind === 'prosody' ? 'Prosody' : 'ejabberd'} pid ${server.pid} on ${server.host}:${server.c2sPort}, MUC at ${server.mucDomain}`,
  );

  const account = (name: string) => ({
    host: server.host,
    port: server.c2sPort,
    domain: server.domain,
    username: name,
    password: server.users.find((u) => u.name === name)!.password,
  });
  // Bob goes through the fault-injection proxy (for the cut), and reconnects by himself.
  const proxy = new FaultProxy({ target: { host: server.host, port: server.c2sPort } });
  held.proxy = proxy;
  const proxied = await proxy.listen();
  const [alice, bob, carol] = await steps.run(STEPS.connect, STEP_MS, async () => {
    const connecting = [
      connectClient(transport, account('alice'), STEP_MS),
      connectClient(transport, { ...account('bob'), host: proxied.host, port: proxied.port }, STEP_MS, true),
      connectClient(transport, account('carol'), STEP_MS),
    ] as const;
    for (const c of connecting)
      void c.then(
        (client) => held.clients.push(client),
        () => undefined,
      );
    const clients = await Promise.all(connecting);
    // Available presence: invitations and declines to the bare JIDs reach these sessions.
    await Promise.all(clients.map((c) => c.connection.send(new Element('presence'))));
    return clients;
  });
  say('alice', `online as ${alice.connection.jid?.toString() ?? '?'}`);
  say('bob', `online as ${bob.connection.jid?.toString() ?? '?'}`);
  say('carol', `online as ${carol.connection.jid?.toString() ?? '?'}`);
  const aliceMuc = new MucClient(alice.connection);
  const bobMuc = new MucClient(bob.connection);
  const carolMuc = new MucClient(carol.connection);
  held.mucs.push(aliceMuc, bobMuc, carolMuc);
  const bare = (name: string) => `${name}@${server.domain}`;

  const roomJid = `demo-${Date.now().toString(36)}@${server.mucDomain}`;
  const aliceRoom = await steps.run(STEPS.create, STEP_MS, async () => {
    const { room, joined } = aliceMuc.join(roomJid, 'Alice');
    narrate('alice', room);
    const entered = room.waitFor('enter', { timeoutMs: STEP_MS });
    await joined;
    const { statusCodes } = await entered;
    if (!statusCodes.has(StatusCode.CREATED)) throw new Error(`expected status 201 (a new room), got ${[...statusCodes].join(',')}`);
    await configureRoom(alice.connection, roomJid, STEP_MS);
    return room;
  });

  await steps.run(STEPS.topic, STEP_MS, () => aliceRoom.setTopic('Welcome to the xmuc demo', { timeoutMs: STEP_MS }));

  const texts = ['Hello, room!', 'Grüße aus Zürich — 你好, Привет, مرحبا 👋🎉', 'Bob, you will read this as history.'];
  await steps.run(STEPS.tracked, STEP_MS, async () => {
    for (const text of texts) {
      const tracker = aliceRoom.sendMessageTracked(text, { timeoutMs: STEP_MS });
      tracker.on('stateChanged', ({ state }) => say('alice', `tracked message ${tracker.id.slice(0, 8)}… is ${state}`));
      const state = await tracker.settled;
      if (state !== MessageState.DELIVERED_TO_RECIPIENT) throw new Error(`tracked message ended ${state}`);
    }
  });

  const bobRoom = await steps.run(STEPS.late, STEP_MS, async () => {
    const { room, joined } = bobMuc.join(roomJid, 'Bob', { history: { maxStanzas: 10 } });
    narrate('bob', room);
    const history: string[] = [];
    room.on('message', ({ message, isHistory }) => {
      if (isHistory) history.push(message.body.any() ?? '');
    });
    const topic = room.waitFor('topicChanged', { timeoutMs: STEP_MS });
    const seen = aliceRoom.waitFor('join', { timeoutMs: STEP_MS, filter: ({ member }) => member.nick === 'Bob' });
    await joined;
    const { topic: t } = await topic;
    await seen;
    if (t.any() !== 'Welcome to the xmuc demo') throw new Error(`Bob got topic ${JSON.stringify(t.any())}`);
    if (JSON.stringify(history) !== JSON.stringify(texts)) throw new Error(`Bob got history ${JSON.stringify(history)}`);
    if (room.state !== RoomState.ACTIVE) throw new Error(`Bob's room is ${room.state}, not active`);
    say('bob', `room is ${room.state}; members: ${room.members.map((m) => m.nick).join(', ')}`);
    return room;
  });

  await steps.run(STEPS.voice, STEP_MS, () => voiceAct(aliceRoom, bobRoom, STEP_MS));

  await steps.run(STEPS.live, STEP_MS, async () => {
    const atAlice = aliceRoom.waitFor('message', {
      timeoutMs: STEP_MS,
      filter: ({ member, isHistory }) => !isHistory && member.nick === 'Bob',
    });
    await bobRoom.sendMessage('Hi Alice! Ça va? ✓');
    const { message } = await atAlice;
    if (message.body.any() !== 'Hi Alice! Ça va? ✓') throw new Error(`Alice got ${JSON.stringify(message.body.any())}`);
    const atBob = bobRoom.waitFor('message', {
      timeoutMs: STEP_MS,
      filter: ({ member, isHistory }) => !isHistory && member.nick === 'Alice',
    });
    await aliceRoom.sendMessage('Très bien, merci!');
    await atBob;
  });

  await steps.run(STEPS.nick, STEP_MS, async () => {
    const seen = aliceRoom.waitFor('nickChanged', { timeoutMs: STEP_MS, filter: ({ newNick }) => newNick === 'Robert' });
    const assigned = await bobRoom.setNick('Robert', { timeoutMs: STEP_MS });
    await seen;
    if (assigned !== 'Robert' || bobRoom.me?.nick !== 'Robert') throw new Error(`nick is ${bobRoom.me?.nick}`);
  });

  await steps.run(STEPS.pm, STEP_MS, async () => {
    const atBob = bobRoom.waitFor('privateMessage', { timeoutMs: STEP_MS });
    const robert = aliceRoom.getOccupant('Robert');
    if (!robert) throw new Error('Alice does not know Robert');
    await aliceRoom.sendPrivateMessage(robert, 'Psst, Robert: this one is just for you.');
    const { member } = await atBob;
    if (member.nick !== 'Alice') throw new Error(`PM seen from ${member.nick}`);
    const atAlice = aliceRoom.waitFor('privateMessage', { timeoutMs: STEP_MS });
    await bobRoom.sendPrivateMessage('Alice', 'Got it, thanks!');
    const back = await atAlice;
    if (back.member.nick !== 'Robert') throw new Error(`PM seen from ${back.member.nick}`);
  });

  const carolRoom = await steps.run(STEPS.invite, STEP_MS, async () => {
    const room = await invitationsAct(aliceRoom, carolMuc, bare('carol'), STEP_MS);
    narrate('carol', room);
    return room;
  });

  await steps.run(STEPS.kick, STEP_MS, () => kickAct(carolRoom, aliceRoom, STEP_MS));

  await steps.run(STEPS.cut, 2 * STEP_MS, () => cutAct(proxy, bob.connection, bobRoom, aliceRoom, STEP_MS));

  const venue = `lobby-${Date.now().toString(36)}@${server.mucDomain}`;
  await steps.run(STEPS.destroy, STEP_MS, () => destroyAct(aliceRoom, bobRoom, venue, STEP_MS));

  await steps.run(STEPS.close, STEP_MS, async () => {
    await Promise.all(held.mucs.splice(0).map((m) => m.close()));
    await Promise.all(held.clients.splice(0).map((c) => c.close()));
    say('alice', 'disconnected');
    say('bob', 'disconnected');
    say('carol', 'disconnected');
  });

  await steps.run(STEPS.stop, 60_000, async () => {
    held.server = undefined;
    await stopServer(server);
    say('server', 'stopped');
  });
}

await main();
