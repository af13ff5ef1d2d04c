import { describe, expect, it } from 'vitest';
import { joinedRoom, setup } from '../../test/support/muc-setup.js';
import { loadFixture } from '../../test/fixtures/xep0045/load.js';

const from = 'probe@conference.localhost/alice';
const stamp = '<delay xmlns="urn:xmpp:delay" from="probe@conference.localhost" stamp="2026-11-25T11:44:30Z"/>';
const said = (id: string, body: string, extra = '') =>
  `<message from="${from}" type="groupchat" id="${id}"><body>${body}</body>${extra}</message>`;

/** A room joined, a live message, a new session, the rejoin's presences; returns the emitted lines. */
async function rejoinWith(history: string[], live: string[]): Promise<string[]> {
  const env = setup();
  const room = await joinedRoom(env);
  const lines: string[] = [];
  room.on('message', ({ message, isHistory }) => lines.push(`${isHistory ? 'history' : 'live'}:${message.body.any()}`));
  for (const m of live) env.conn.receive(m);
  env.conn.destroy();
  env.conn.establish();
  env.conn.receive(loadFixture('prosody-occupant-presence'));
  env.conn.receive(loadFixture('prosody-self-presence-join'));
  for (const m of history) env.conn.receive(m);
  env.conn.receive(`<message from="probe@conference.localhost" type="groupchat"><subject/></message>`);
  return lines;
}

describe('rejoin de-duplication without stanza-id (issue 13 bug 4)', () => {
  it('live id="1" "first", rejoin, history id="1" "second" is emitted; the replayed "first" is not', async () => {
    const lines = await rejoinWith([said('1', 'first', stamp), said('1', 'second', stamp)], [said('1', 'first')]);
    expect(lines).toEqual(['live:first', 'history:second']);
  });

  it('real clients: a counting bot restarted (ids 1, 2 again), a constant id, origin-ids', async () => {
    const live = [
      said('1', 'deploy started'),
      said('2', 'deploy done'),
      said('x', 'hi'),
      said('a', 'o', '<origin-id xmlns="urn:xmpp:sid:0" id="o1"/>'),
    ];
    const history = [
      said('1', 'deploy started', stamp),
      said('2', 'deploy done', stamp),
      said('x', 'hi', stamp),
      said('a', 'o', `<origin-id xmlns="urn:xmpp:sid:0" id="o1"/>${stamp}`),
      said('1', 'restarted: deploy started', stamp),
      said('2', 'restarted: deploy done', stamp),
      said('x', 'bye', stamp),
      said('a', 'o', `<origin-id xmlns="urn:xmpp:sid:0" id="o2"/>${stamp}`),
    ];
    expect(await rejoinWith(history, live)).toEqual([
      'live:deploy started',
      'live:deploy done',
      'live:hi',
      'live:o',
      'history:restarted: deploy started',
      'history:restarted: deploy done',
      'history:bye',
      'history:o',
    ]);
  });
});
