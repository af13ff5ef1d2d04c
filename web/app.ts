/**
 * xmuc web chat: log in (or anonymously), join a room, chat. Built on xmuc's public API only
 * (`connect`, `MucClient`, `Room`), bundled for the browser by web/server.ts.
 */
import { connect, MucClient, type NativeConnection, type Room, RoomState, StatusCode } from '../src/index.js';
import { $, clearError, setBadge, showError } from './dom.js';
import { showRoom } from './room-view.js';
import type { WebConfig } from './server.js';

const CONNECT_MS = 15_000;
const JOIN_MS = 20_000;

let conn: NativeConnection | undefined;
let muc: MucClient | undefined;

function show(section: 'login' | 'join' | 'chat'): void {
  $('login').hidden = section !== 'login';
  $('join').hidden = section !== 'join';
  $('chat').hidden = section !== 'chat';
}

async function loadConfig(): Promise<WebConfig> {
  const res = await fetch('config.json', { signal: AbortSignal.timeout(5000) });
  return (await res.json()) as WebConfig;
}

function fillLogin(config: WebConfig): void {
  $<HTMLInputElement>('service').value = config.wsUrl;
  $<HTMLInputElement>('domain').value = config.domain;
  $<HTMLInputElement>('room').value = `lobby@${config.mucDomain}`;
  const first = config.users?.[0];
  if (first) {
    $<HTMLInputElement>('username').value = first.name;
    $<HTMLInputElement>('password').value = first.password;
    $('accounts').textContent = `Accounts on this test server: ${config.users!.map((u) => `${u.name} / ${u.password}`).join(', ')}`;
  }
  const anon = $<HTMLInputElement>('anonymous');
  anon.disabled = !config.anonDomain;
  if (config.anonDomain) $('anon-domain').textContent = config.anonDomain;
}

async function logIn(config: WebConfig): Promise<void> {
  const anonymous = $<HTMLInputElement>('anonymous').checked;
  const service = $<HTMLInputElement>('service').value.trim();
  const username = $<HTMLInputElement>('username').value.trim();
  setBadge('conn-status', 'connecting');
  try {
    conn = await connect({
      service,
      domain: anonymous ? config.anonDomain! : $<HTMLInputElement>('domain').value.trim(),
      ...(anonymous ? {} : { username, password: $<HTMLInputElement>('password').value }),
      allowPlaintext: service.startsWith('ws:'), // a local test server without TLS
      reconnect: { baseMs: 500, maxMs: 5000 },
      signal: AbortSignal.timeout(CONNECT_MS),
    });
  } catch (e) {
    setBadge('conn-status', 'offline');
    throw e;
  }
  conn.events.on('status', ({ status }) => setBadge('conn-status', status));
  conn.events.on('destroyed', ({ reason, willReconnect }) => {
    // E.g. a stream error <conflict/> (the session was replaced or kicked): no reconnect.
    if (!willReconnect) void disconnect().finally(() => showError(reason ?? new Error('disconnected')));
  });
  setBadge('conn-status', conn.status);
  $('whoami').textContent = conn.jid?.toString() ?? '';
  conn.events.on('established', ({ jid }) => ($('whoami').textContent = jid.toString()));
  muc = new MucClient(conn);
  const nick = $<HTMLInputElement>('nick');
  if (!nick.value) nick.value = anonymous ? `guest-${Math.random().toString(36).slice(2, 6)}` : username;
  show('join');
}

/**
 * The room's status badge (joining, joined, suspended, rejoining) and its `stale` badge:
 * shown on `stale` (XEP-0410: the room went silent and a self-ping could not yet confirm we
 * are still in), hidden again on `fresh`, on a suspension and on exit.
 */
function trackRoomStatus(room: Room): void {
  let rejoining = false;
  const stale = $('room-stale');
  const showStale = (silentForMs: number | undefined): void => {
    stale.hidden = silentForMs === undefined;
    stale.title =
      silentForMs === undefined ? '' : `no sign of the room for ${Math.round(silentForMs / 1000)} s; checking that we are still in`;
  };
  const update = (): void => {
    switch (room.state) {
      case RoomState.ACTIVE:
        rejoining = false;
        setBadge('room-status', 'joined');
        break;
      case RoomState.DISCONNECTED:
        setBadge('room-status', 'suspended');
        break;
      default:
        setBadge('room-status', rejoining ? 'rejoining' : 'joining');
    }
  };
  const offs = [
    room.on('stateChanged', update),
    room.on('suspend', () => {
      showStale(undefined); // the suspended badge says more
      update();
    }),
    room.on('resume', () => {
      rejoining = true;
      update();
    }),
    room.on('stale', ({ silentForMs }) => showStale(silentForMs)),
    room.on('fresh', () => showStale(undefined)),
  ];
  room.once('exit', () => {
    for (const off of offs) off();
    setBadge('room-status', 'none', 'no room');
    showStale(undefined);
  });
  showStale(room.isStale ? 0 : undefined);
  update();
}

async function joinRoom(): Promise<void> {
  if (!muc) return;
  const roomJid = $<HTMLInputElement>('room').value.trim();
  const { room, joined } = muc.join(roomJid, $<HTMLInputElement>('nick').value.trim(), {
    history: { maxStanzas: 20 },
    timeoutMs: JOIN_MS,
  });
  trackRoomStatus(room);
  room.on('enter', ({ statusCodes }) => {
    // A new room stays locked until configured: accept the default configuration.
    if (statusCodes.has(StatusCode.CREATED)) room.createInstant({ timeoutMs: JOIN_MS }).catch(showError);
  });
  showRoom(room, () => show('join'));
  show('chat');
  await joined;
  document.title = `${room.jid.local ?? roomJid} — xmuc`;
}

async function disconnect(): Promise<void> {
  const m = muc;
  const c = conn;
  muc = undefined;
  conn = undefined;
  await m?.close();
  await c?.close();
  setBadge('conn-status', 'offline');
  $('whoami').textContent = '';
  show('login');
}

async function main(): Promise<void> {
  const config = await loadConfig();
  fillLogin(config);
  const on = (id: string, fn: () => Promise<void>): void => {
    const button = $(id).querySelector<HTMLButtonElement>('button[type=submit]')!;
    $(id).addEventListener('submit', (ev) => {
      ev.preventDefault();
      clearError();
      button.disabled = true; // one attempt at a time
      fn()
        .catch(showError)
        .finally(() => (button.disabled = false));
    });
  };
  on('login-form', () => logIn(config));
  on('join-form', joinRoom);
  $('disconnect').addEventListener('click', () => void disconnect().catch(showError));
  document.body.dataset.ready = 'true';
}

main().catch(showError);
