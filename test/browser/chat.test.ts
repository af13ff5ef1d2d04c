/**
 * The web chat page (web/) in Debian's Chromium, against the real Prosody and ejabberd of the
 * integration setup over WebSocket, with a python3-aioxmpp peer in the room. Scenarios run in
 * order on one page per server: history and topic on join, messages both ways, private
 * messages, a nick change the peer sees, the WebSocket closed by the server (the page rejoins
 * and loses no message), leave, an admin kick, an anonymous login. A screenshot after each
 * goes to build/screenshots/.
 *
 * The server-side close: Prosody's admin shell `c2s:close` on Prosody; on ejabberd, whose
 * `kick_session` ends the stream with <conflict/> (after which clients must not reconnect), a
 * restart of the shared server on the same data directory and ports.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { restartServer } from '../../scripts/xmpp-server/servers.js';
import { startWebServer, type WebServer } from '../../web/server.js';
import { type Peer, startPeer } from '../support/peer.js';
import { describeEachServer, type ServerInfo } from '../support/servers.js';
import { type Browser, launchChromium, screenshot } from './chromium.js';
import { kickSession } from './kick.js';

const WAIT = 15_000;
/** Bound of a server restart plus the page's reconnect (backoff up to 5 s) and rejoin. */
const RESTART_MS = 45_000;

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/** The texts of the log lines with this class (`history`, `private`, `notice`, or '' for live messages). */
async function logTexts(page: Page, kind: string): Promise<string[]> {
  const selector = kind ? `#log li.${kind} .body` : '#log li:not([class]) .body';
  return page.locator(selector).allTextContents();
}

/** Wait until a log line with this text shows. */
async function seeLine(page: Page, text: string): Promise<void> {
  await page.locator('#log li .body', { hasText: text }).first().waitFor({ timeout: WAIT });
}

async function submit(page: Page, form: string, fields: Record<string, string>): Promise<void> {
  for (const [id, value] of Object.entries(fields)) await page.fill(`#${id}`, value);
  await page.click(`#${form} button[type=submit]`);
}

describeEachServer('web chat in Chromium', (server: ServerInfo) => {
  const room = `web-${server.kind}-${Date.now().toString(36)}@${server.mucDomain}`;
  const alice = server.users.find((u) => u.name === 'alice')!;
  const bob = server.users.find((u) => u.name === 'bob')!;
  let web: WebServer;
  let peer: Peer;
  let page: Page;
  /** Every value the connection and room badges took, in order (recorded in the page). */
  const statuses = (): Promise<string[]> => page.evaluate(() => (window as unknown as { statusLog: string[] }).statusLog.slice());
  const shot = (n: number, name: string): Promise<void> => screenshot(page, `chat-${server.kind}-${n}-${name}`);

  beforeAll(async () => {
    web = await startWebServer({ wsUrl: server.wsUrl, domain: server.domain, anonDomain: server.anonDomain, mucDomain: server.mucDomain });
    peer = await startPeer({
      lib: 'aioxmpp',
      host: server.host,
      port: server.c2sPort,
      jid: `bob@${server.domain}`,
      password: bob.password,
    });
    page = await browser.newPage();
  });
  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await shot(0, `failed-${task.name.slice(0, 30).replace(/\W+/g, '-')}`).catch(() => undefined);
  });
  afterAll(async () => {
    await page?.close().catch(() => undefined);
    await peer?.close();
    await web?.close();
  });

  it('loads the page; a TCP service fails with a clear error in the browser', async () => {
    await page.goto(web.url);
    await page.waitForSelector('body[data-ready=true]', { timeout: WAIT });
    await page.evaluate(() => {
      const log: string[] = [];
      (window as unknown as { statusLog: string[] }).statusLog = log;
      for (const id of ['conn-status', 'room-status']) {
        const badge = document.getElementById(id)!;
        let last = badge.dataset.status;
        const record = (): void => {
          if (badge.dataset.status === last) return;
          last = badge.dataset.status;
          log.push(`${id}=${last}`);
        };
        new MutationObserver(record).observe(badge, { attributes: true, attributeFilter: ['data-status'] });
      }
    });
    await submit(page, 'login-form', {
      service: `xmpp://${server.host}:${server.c2sPort}`,
      username: alice.name,
      password: alice.password,
    });
    await page.waitForSelector('#error:not([hidden])', { timeout: WAIT });
    expect(await page.textContent('#error')).toBe('InvalidArgumentError: TCP is not available in browsers; use a ws:// or wss:// service');
    expect(await page.getAttribute('#conn-status', 'data-status')).toBe('offline');
    await shot(1, 'tcp-refused');
  });

  it('logs in over WebSocket, joins a room where the peer spoke: history marked, topic, occupants with roles', async () => {
    await peer.call('join', { room, nick: 'bob' });
    await peer.call('configure', { room, persistent: true }); // unlocks it; survives a restart
    await peer.call('subject', { room, text: `Topic on ${server.kind} ✓` });
    await peer.call('send', { room, body: 'first, before you came', msg_id: 'h1' });
    await peer.call('send', { room, body: 'second — Grüße 👋', msg_id: 'h2' });
    await peer.waitEvent((e) => e.event === 'message' && e.id === 'h2');

    await submit(page, 'login-form', { service: server.wsUrl, username: alice.name, password: alice.password });
    await page.waitForSelector('#conn-status[data-status=online]', { timeout: WAIT });
    expect(await page.textContent('#whoami')).toMatch(new RegExp(`^alice@${server.domain}/.+`));
    await submit(page, 'join-form', { room, nick: 'alice' });
    await page.waitForSelector('#room-status[data-status=joined]', { timeout: WAIT });
    await peer.waitEvent((e) => e.event === 'join' && e.room === room && e.nick === 'alice');

    expect(await logTexts(page, 'history')).toEqual(['first, before you came', 'second — Grüße 👋']);
    expect(await page.textContent('#topic')).toBe(`Topic on ${server.kind} ✓`);
    const occupants = await page
      .locator('#occupants li')
      .evaluateAll((lis) => lis.map((li) => `${li.getAttribute('data-nick')}:${li.getAttribute('data-role')}`));
    expect(occupants).toEqual(['alice:participant', 'bob:moderator']);
    expect(await statuses()).toEqual([
      'conn-status=connecting',
      'conn-status=offline',
      'conn-status=connecting',
      'conn-status=online',
      'room-status=joining',
      'room-status=joined',
    ]);
    await shot(2, 'joined');
  });

  it('exchanges room messages both ways', async () => {
    await submit(page, 'send-form', { message: 'hello bob, from Chromium ✓' });
    const atPeer = await peer.waitEvent((e) => e.event === 'message' && e.body === 'hello bob, from Chromium ✓');
    expect(atPeer).toMatchObject({ nick: 'alice', type: 'groupchat', delay: null });
    await seeLine(page, 'hello bob, from Chromium ✓'); // the room's reflection

    await peer.call('send', { room, body: 'hi alice — live', msg_id: 'live-1' });
    await seeLine(page, 'hi alice — live');
    expect(await logTexts(page, '')).toEqual(['hello bob, from Chromium ✓', 'hi alice — live']);
    await shot(3, 'messages');
  });

  it('sends and receives private messages', async () => {
    await page.selectOption('#to', 'bob');
    await submit(page, 'send-form', { message: 'just for you, bob' });
    const pm = await peer.waitEvent((e) => e.event === 'pm' && e.body === 'just for you, bob');
    expect(pm.from).toBe(`${room}/alice`);
    await peer.call('pm', { room, nick: 'alice', body: 'and this is just for you' });
    await seeLine(page, 'and this is just for you');
    expect(await logTexts(page, 'private')).toEqual(['just for you, bob', 'and this is just for you']);
    await page.selectOption('#to', '');
    await shot(4, 'private');
  });

  it('changes nick; the peer sees it', async () => {
    await submit(page, 'nick-form', { 'new-nick': 'alicia' });
    const seen = await peer.waitEvent((e) => e.event === 'nick_changed' && e.room === room && e.new === 'alicia');
    expect(seen.old).toBe('alice');
    await page.waitForSelector('#occupants li.me[data-nick=alicia]', { timeout: WAIT });
    await seeLine(page, 'alice is now alicia');
    await shot(5, 'nick');
  });

  it(
    'rejoins after the server closes the WebSocket, without losing a message',
    async () => {
      const jid = (await page.textContent('#whoami')) ?? '';
      const mark = (await statuses()).length;
      const from = peer.events.length;
      if (server.kind === 'prosody') {
        await kickSession(server, jid); // the server closes the stream: a new session must rejoin
        await peer.waitEvent((e) => peer.events.indexOf(e) >= from && e.event === 'leave' && e.room === room && e.nick === 'alicia');
      } else {
        // ejabberd's kick_session ends the stream with <conflict/>, after which a client must
        // not reconnect (last scenario); a restart on the same data closes the WebSocket instead.
        await peer.close();
        await restartServer(server, { timeoutMs: RESTART_MS });
        peer = await startPeer({
          lib: 'aioxmpp',
          host: server.host,
          port: server.c2sPort,
          jid: `bob@${server.domain}`,
          password: bob.password,
        });
        await peer.call('join', { room, nick: 'bob' });
      }
      // Sent while the page is out of the room (or just back): it must show exactly once.
      await peer.call('send', { room, body: 'said while you were away', msg_id: 'away-1' });
      await page.waitForFunction(
        (n) => (window as unknown as { statusLog: string[] }).statusLog.slice(n).includes('room-status=joined'),
        mark,
        { timeout: RESTART_MS },
      );
      await seeLine(page, 'said while you were away');

      const after = (await statuses()).slice(mark);
      const conn = after.filter((x) => x.startsWith('conn-status=')).map((x) => x.slice('conn-status='.length));
      expect(conn[0]).toBe('disconnected');
      expect(conn.at(-1)).toBe('online');
      expect(conn.slice(1, -1).every((x) => x === 'connecting' || x === 'disconnected')).toBe(true);
      expect(after.filter((x) => x.startsWith('room-status='))).toEqual([
        'room-status=suspended',
        'room-status=rejoining',
        'room-status=joined',
      ]);
      const bodies = await page.locator('#log li .body').allTextContents();
      expect(bodies.filter((b) => b === 'said while you were away')).toHaveLength(1);
      expect(await page.textContent('#whoami')).not.toBe(jid); // a new session
      await submit(page, 'send-form', { message: 'back again' });
      await peer.waitEvent((e) => e.event === 'message' && e.body === 'back again' && e.nick === 'alicia');
      await shot(6, 'rejoined');
    },
    RESTART_MS + 30_000,
  );

  it('leaves the room; the peer sees it', async () => {
    const from = peer.events.length;
    await page.click('#leave');
    await page.waitForSelector('#room-status[data-status=none]', { timeout: WAIT });
    const left = await peer.waitEvent(
      (e) => peer.events.indexOf(e) >= from && e.event === 'leave' && e.room === room && e.nick === 'alicia',
    );
    expect(left.mode).toBe('NORMAL');
    expect(await page.isVisible('#join-form')).toBe(true);
    await shot(7, 'left');
  });

  it('a session kicked by the admin: Prosody closes the stream (reconnect), ejabberd sends <conflict/> (stay offline, say why)', async () => {
    const jid = (await page.textContent('#whoami')) ?? '';
    const mark = (await statuses()).length;
    await kickSession(server, jid);
    if (server.kind === 'prosody') {
      await page.waitForFunction(
        (n) => (window as unknown as { statusLog: string[] }).statusLog.slice(n).includes('conn-status=online'),
        mark,
        { timeout: WAIT },
      );
      expect(await page.textContent('#whoami')).not.toBe(jid);
    } else {
      await page.waitForSelector('#conn-status[data-status=offline]', { timeout: WAIT });
      expect(await page.textContent('#error')).toBe('StreamError: Stream error conflict: kicked by the test');
      expect(await page.isVisible('#login-form')).toBe(true);
    }
    await shot(8, 'kicked');
    // Chromium logs each refused WebSocket connection (the restart) to the console itself.
    expect(browser.errors.filter((e) => !/^console: WebSocket connection to '\S+' failed: /.test(e))).toEqual([]);
  });

  it('logs in anonymously and joins the room', async () => {
    if (await page.isVisible('#disconnect')) await page.click('#disconnect');
    await page.waitForSelector('#conn-status[data-status=offline]', { timeout: WAIT });
    await page.check('#anonymous');
    await page.click('#login-form button[type=submit]');
    await page.waitForSelector('#conn-status[data-status=online]', { timeout: WAIT });
    expect(await page.textContent('#whoami')).toMatch(new RegExp(`@${server.anonDomain.replace('.', '\\.')}/`));
    const from = peer.events.length;
    await submit(page, 'join-form', { room, nick: 'guest' });
    await page.waitForSelector('#room-status[data-status=joined]', { timeout: WAIT });
    await peer.waitEvent((e) => peer.events.indexOf(e) >= from && e.event === 'join' && e.room === room && e.nick === 'guest');
    await shot(9, 'anonymous');
  });
});
