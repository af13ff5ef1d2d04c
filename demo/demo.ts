/**
 * `npm run demo [-- --transport native|xmppjs]`: a throwaway local Prosody, two clients
 * (Alice and Bob) and one room, driven through xmuc's public MUC API. Prints a transcript
 * and a ✔/✘ list; exits 0 only when every step happened. Cleans up (clients, server) on
 * success, failure, SIGINT and SIGTERM.
 */
import { startServer, stopServer, type ServerInfo } from '../scripts/xmpp-server/servers.js';
import { MessageState, MucClient, type Room, RoomState, StatusCode } from '../src/muc/index.js';
import { Steps, say, within } from './steps.js';
import { connectClient, type DemoClient, type TransportKind } from './transport.js';

const STEP_MS = 15_000;
const SERVER_START_MS = 180_000;

const STEPS = {
  server: 'start a throwaway Prosody on loopback',
  connect: 'connect Alice and Bob',
  create: 'Alice creates the room (status 201) and unlocks it (createInstant)',
  topic: 'Alice sets the topic',
  tracked: 'Alice sends three tracked messages (one non-ASCII), each delivered',
  late: 'Bob joins late and receives the history and the topic',
  live: 'Bob and Alice exchange live messages',
  nick: 'Bob changes his nick to Robert; Alice sees it',
  pm: 'Alice and Robert exchange private messages',
  leave: 'Robert leaves; Alice sees him go',
  close: 'Alice leaves and both clients disconnect',
  stop: 'stop the server',
} as const;

function parseTransport(argv: readonly string[]): TransportKind {
  const i = argv.findIndex((a) => a === '--transport' || a.startsWith('--transport='));
  if (i === -1) return 'native';
  const value = argv[i]!.includes('=') ? argv[i]!.slice('--transport='.length) : argv[i + 1];
  if (value === 'native' || value === 'xmppjs') return value;
  process.stderr.write(`usage: npm run demo [-- --transport native|xmppjs] (got ${JSON.stringify(value)})\n`);
  process.exit(2);
}

/** Everything to release at the end, whatever happened. */
const held: { server?: ServerInfo; clients: DemoClient[]; mucs: MucClient[] } = { clients: [], mucs: [] };
let cleaning: Promise<void> | undefined;

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await Promise.allSettled(held.mucs.map((m) => within(m.close(), 5000, 'muc close')));
    await Promise.allSettled(held.clients.map((c) => within(c.close(), 5000, 'client close')));
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
  const transport = parseTransport(process.argv.slice(2));
  const interrupt = new AbortController();
  const steps = new Steps(Object.values(STEPS), interrupt.signal);
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

  process.stdout.write(`xmuc demo — transport: ${transport}\n\n`);
  try {
    await scene(steps, transport, interrupt.signal);
  } catch (e) {
    process.stdout.write(`\nThe demo stopped: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}\n`);
  } finally {
    await cleanup();
  }
  steps.print();
  process.exitCode = interrupt.signal.aborted ? 130 : steps.allOk ? 0 : 1;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
}

async function scene(steps: Steps, transport: TransportKind, signal: AbortSignal): Promise<void> {
  // startServer stops a half-started server itself when aborted; a started one is held at once.
  const starting = startServer('prosody', { signal, timeoutMs: SERVER_START_MS }).then((s) => {
    held.server = s;
    return s;
  });
  const server = await steps
    .run(STEPS.server, SERVER_START_MS + 5000, () => starting)
    .catch(async (e: unknown) => {
      await starting.catch(() => undefined); // let an interrupted start finish cleaning up
      throw e;
    });
  say('server', `Prosody pid ${server.pid} on ${server.host}:${server.c2sPort}, MUC at ${server.mucDomain}`);

  const account = (name: string) => ({
    host: server.host,
    port: server.c2sPort,
    domain: server.domain,
    username: name,
    password: server.users.find((u) => u.name === name)!.password,
  });
  const [alice, bob] = await steps.run(STEPS.connect, STEP_MS, async () => {
    const connecting = [connectClient(transport, account('alice'), STEP_MS), connectClient(transport, account('bob'), STEP_MS)] as const;
    for (const c of connecting)
      void c.then(
        (client) => held.clients.push(client),
        () => undefined,
      );
    return Promise.all(connecting);
  });
  say('alice', `online as ${alice.connection.jid?.toString() ?? '?'}`);
  say('bob', `online as ${bob.connection.jid?.toString() ?? '?'}`);
  const aliceMuc = new MucClient(alice.connection);
  const bobMuc = new MucClient(bob.connection);
  held.mucs.push(aliceMuc, bobMuc);

  const roomJid = `demo-${Date.now().toString(36)}@${server.mucDomain}`;
  const aliceRoom = await steps.run(STEPS.create, STEP_MS, async () => {
    const { room, joined } = aliceMuc.join(roomJid, 'Alice');
    narrate('alice', room);
    const entered = room.waitFor('enter', { timeoutMs: STEP_MS });
    await joined;
    const { statusCodes } = await entered;
    if (!statusCodes.has(StatusCode.CREATED)) throw new Error(`expected status 201 (a new room), got ${[...statusCodes].join(',')}`);
    await room.createInstant({ timeoutMs: STEP_MS });
    say('alice', 'unlocked the room with the default configuration');
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

  await steps.run(STEPS.leave, STEP_MS, async () => {
    const seen = aliceRoom.waitFor('leave', { timeoutMs: STEP_MS, filter: ({ member }) => member.nick === 'Robert' });
    await bobRoom.leave({ timeoutMs: STEP_MS });
    const { mode } = await seen;
    if (mode !== 'normal') throw new Error(`leave mode ${mode}`);
    if (bobMuc.rooms.length !== 0) throw new Error('Bob still has the room');
    say('alice', `members now: ${aliceRoom.members.map((m) => m.nick).join(', ')}`);
  });

  await steps.run(STEPS.close, STEP_MS, async () => {
    await aliceRoom.leave({ timeoutMs: STEP_MS });
    await Promise.all(held.mucs.splice(0).map((m) => m.close()));
    await Promise.all(held.clients.splice(0).map((c) => c.close()));
    say('alice', 'disconnected');
    say('bob', 'disconnected');
  });

  await steps.run(STEPS.stop, 60_000, async () => {
    held.server = undefined;
    await stopServer(server);
    say('server', 'stopped');
  });
}

await main();
