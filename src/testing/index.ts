/**
 * `xmuc/testing`: the kit xmuc's own unit tests use, for applications that test their MUC code
 * the same way: real XML through the real code, time on a fake clock, no server.
 *
 * ```ts
 * import { MucClient } from 'xmuc';
 * import { FakeClock, FakeConnection } from 'xmuc/testing';
 *
 * const clock = new FakeClock();
 * const connection = new FakeConnection({ jid: 'bob@localhost/probe', clock });
 * const muc = new MucClient(connection, { clock });
 * const { room, joined } = muc.join('lounge@conference.localhost', 'bob');
 * connection.nextSent(); // the join presence
 * connection.receive(`<presence from="lounge@conference.localhost/bob">
 *   <x xmlns="http://jabber.org/protocol/muc#user"><item role="participant" affiliation="none"/><status code="110"/></x>
 * </presence>`);
 * connection.receive('<message from="lounge@conference.localhost" type="groupchat"><subject/></message>');
 * await joined; // room.state === 'active'
 * ```
 *
 * @module xmuc/testing
 */
export { FakeClock } from '../core/clock.js';
export { type RecordingLogger, recordingLogger } from '../core/logger.js';
export { AssertionError } from './assert.js';
export { FakeConnection } from './fake-connection.js';
