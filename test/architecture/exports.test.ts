import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The package's entry points as a consumer sees them: the library is built once (with the
 * build's own tsconfig) into `.tmp/exports-<pid>/node_modules/xmuc/dist` next to a copy of
 * package.json, and a separate Node process imports `xmuc`, `xmuc/xml` and `xmuc/testing`
 * through package.json `exports` (not through Vitest's resolver); `tsc` type-checks a consumer
 * against the built `.d.ts` files the same way. The runtime names of each entry are listed
 * here exactly, so the public surface changes only on purpose.
 */

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
// Inside the repository, so the built package finds its dependencies in node_modules/.
const work = `${root}.tmp/exports-${process.pid}`;
const pkg = `${work}/node_modules/xmuc`;
const tsc = `${root}node_modules/typescript/bin/tsc`;
const manifest = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
  exports: Record<string, string | { types: string; import: string }>;
  files: string[];
};

const ROOT_NAMES = [
  'AFFILIATIONS',
  'AbortError',
  'Affiliation',
  'AuthError',
  'ConfigurationForm',
  'ConversationFeature',
  'DEFAULT_HISTORY_TIMEOUT_MS',
  'DEFAULT_JOIN_TIMEOUT_MS',
  'DEFAULT_REQUEST_TIMEOUT_MS',
  'DEFAULT_TRACKING_TIMEOUT_MS',
  'DisconnectedError',
  'FIELD_TYPES',
  'FORM_TYPES',
  'FORM_TYPE_VAR',
  'InfoForm',
  'InvalidArgumentError',
  'InviteMode',
  'JID',
  'LanguageMap',
  'LeaveMode',
  'MessageSource',
  'MessageState',
  'MessageTracker',
  'MucClient',
  'MucJoinError',
  'NativeConnection',
  'NotJoinedError',
  'Occupant',
  'PayloadError',
  'REJOIN_POLICY_DEFAULTS',
  'ROLES',
  'Role',
  'Room',
  'RoomPosition',
  'RoomState',
  'SELF_PING_DEFAULTS',
  'ServiceMember',
  'StanzaError',
  'StatusCode',
  'StreamError',
  'TimeoutError',
  'TypedEmitter',
  'VoiceRequestForm',
  'XmucError',
  'answerPings',
  'connect',
  'consoleLogger',
  'dataForm',
  'defineForm',
  'destroyRoom',
  'directInviteMessage',
  'discoInfo',
  'discoItems',
  'findField',
  'formField',
  'formType',
  'fromXmppJs',
  'getAffiliated',
  'getRoles',
  'getRoomConfig',
  'getRoomInfo',
  'isAffiliation',
  'isFinalMessageState',
  'isRole',
  'leaveModeFromStatusCodes',
  'listRooms',
  'mediatedInviteMessage',
  'ping',
  'prepareNickname',
  'registerNick',
  'setAffiliations',
  'setRoles',
  'setRoomConfig',
  'silentLogger',
  'systemClock',
];

const XML_NAMES = [
  'NS',
  'adminActorCodec',
  'adminItemCodec',
  'adminQueryCodec',
  'attr',
  'boolAttr',
  'buildMessage',
  'child',
  'childText',
  'childTextList',
  'children',
  'continueCodec',
  'custom',
  'dataFormCodec',
  'dateAttr',
  'declineCodec',
  'detach',
  'directInviteCodec',
  'discoIdentityCodec',
  'discoInfoCodec',
  'discoItemCodec',
  'discoItemsCodec',
  'element',
  'enumAttr',
  'extra',
  'findUserExt',
  'flag',
  'formFieldCodec',
  'formOptionCodec',
  'formatDateTime',
  'historyCodec',
  'intAttr',
  'inviteCodec',
  'isElement',
  'jidAttr',
  'langMap',
  'mucJoinCodec',
  'optional',
  'optionalText',
  'ownerDestroyCodec',
  'ownerQueryCodec',
  'parseBoolean',
  'parseDateTime',
  'parseInteger',
  'readMessage',
  'required',
  'statusCodec',
  'text',
  'userActorCodec',
  'userDestroyCodec',
  'userExtCodec',
  'userItemCodec',
];

const TESTING_NAMES = ['AssertionError', 'FakeClock', 'FakeConnection', 'recordingLogger'];

/** Imports each entry by its package name, and drives a join through the built test kit. */
const CONSUMER_MJS = `
import * as xmuc from 'xmuc';
import * as xml from 'xmuc/xml';
import * as testing from 'xmuc/testing';

const names = (m) => Object.keys(m).sort();
let internal;
try {
  await import('xmuc/dist/core/abort.js');
  internal = 'importable';
} catch (error) {
  internal = error.code;
}

const clock = new testing.FakeClock();
const connection = new testing.FakeConnection({ jid: 'bob@localhost/probe', clock });
const muc = new xmuc.MucClient(connection, { clock });
const { room, joined } = muc.join('lounge@conference.localhost', 'bob');
const join = connection.nextSent().toString();
connection.receive(\`<presence from="lounge@conference.localhost/bob">
  <x xmlns="http://jabber.org/protocol/muc#user"><item role="participant" affiliation="none"/><status code="110"/></x>
</presence>\`);
connection.receive('<message from="lounge@conference.localhost" type="groupchat"><subject/></message>');
await joined;
const userExt = xml.userExtCodec.decode(xml.userExtCodec.encode({ statusCodes: new Set([110]), items: [], invites: [] }));

console.log(JSON.stringify({
  root: names(xmuc), xml: names(xml), testing: names(testing), internal,
  join: join.startsWith('<presence to="lounge@conference.localhost/bob"'), state: room.state,
  statusCodes: [...userExt.statusCodes],
}));
`;

/** Uses each entry's types; compiled against the built .d.ts files through package.json. */
const CONSUMER_TS = `
import { type JoinOptions, JID, type Message, MucClient, type Room, type UserExt } from 'xmuc';
import { type Codec, element, jidAttr, NS, userExtCodec } from 'xmuc/xml';
import { FakeClock, FakeConnection, type RecordingLogger, recordingLogger } from 'xmuc/testing';

const logger: RecordingLogger = recordingLogger();
const clock = new FakeClock();
const muc = new MucClient(new FakeConnection({ clock, logger }), { clock, logger });
const options: JoinOptions = { history: { maxStanzas: 5 } };
const room: Room = muc.join('a@b.c', 'n', options).room;
room.on('message', ({ message }: { message: Message }) => message.body.any());
const codec: Codec<UserExt> = userExtCodec;
const own: Codec<{ jid?: JID }> = element<{ jid?: JID }>(NS.MUC_OWNER, 'destroy', { jid: jidAttr('jid') });
// @ts-expect-error internals are not part of the public API
import type { raceAbort } from 'xmuc';
export { codec, own };
`;

let built: { stdout: string } | undefined;

beforeAll(async () => {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(pkg, { recursive: true });
  writeFileSync(`${pkg}/package.json`, readFileSync(`${root}package.json`));
  // The consumer's own package scope: without it, Node resolves `xmuc` from inside the repository
  // as a self-reference to the repository's package.json (and its dist/), not node_modules/xmuc.
  writeFileSync(`${work}/package.json`, '{ "name": "consumer", "private": true, "type": "module" }\n');
  await run(process.execPath, [tsc, '-p', `${root}tsconfig.build.json`, '--outDir', `${pkg}/dist`, '--sourceMap', 'false'], {
    cwd: root,
    timeout: 240_000,
  });
  writeFileSync(`${work}/consumer.mjs`, CONSUMER_MJS);
  built = await run(process.execPath, [`${work}/consumer.mjs`], { cwd: work, timeout: 30_000 });
}, 300_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('package entry points (built package, imported by name through package.json exports)', () => {
  const result = () => JSON.parse(built!.stdout) as Record<string, unknown>;

  it('declares . , ./xml and ./testing with types and import targets inside the published files', () => {
    const entries = { '.': 'index', './xml': 'xml/index', './testing': 'testing/index' };
    for (const [key, base] of Object.entries(entries)) {
      expect(manifest.exports[key]).toEqual({ types: `./dist/${base}.d.ts`, import: `./dist/${base}.js` });
      expect(existsSync(`${pkg}/dist/${base}.d.ts`), `${base}.d.ts built`).toBe(true);
      expect(existsSync(`${pkg}/dist/${base}.js`), `${base}.js built`).toBe(true);
    }
    expect(manifest.files).toEqual(['dist']);
  });

  it('xmuc exports exactly the client API', () => {
    expect(result().root).toEqual(ROOT_NAMES);
  });

  it('xmuc/xml exports exactly the codec kit and the payload codecs', () => {
    expect(result().xml).toEqual(XML_NAMES);
  });

  it('xmuc/testing exports exactly the test kit, which works without a test runner', () => {
    expect(result().testing).toEqual(TESTING_NAMES);
    expect(result()).toMatchObject({ join: true, state: 'active', statusCodes: [110] });
  });

  it('does not expose modules outside the entry points', () => {
    expect(result().internal).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  it('type-checks a consumer against the built .d.ts files', async () => {
    writeFileSync(`${work}/consumer.ts`, CONSUMER_TS);
    const args = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022'];
    const out = await run(process.execPath, [tsc, ...args, '--types', 'node', '--skipLibCheck', `${work}/consumer.ts`], {
      cwd: work,
      timeout: 120_000,
    }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? String(error) }));
    expect(out.stdout).toBe('');
  }, 150_000);
});
