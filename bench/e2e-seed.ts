/**
 * Seeding occupants straight into a Prosody room, for the end-to-end benchmark's large rooms.
 *
 * Why: every occupant that joins over a socket makes Prosody send its presence to every
 * occupant already there and the whole list to it, so filling a room of N live occupants costs
 * Prosody about N² routed stanzas: measured here, 200 live occupants took 16 s of Prosody CPU
 * and 2 000 would take tens of minutes. The seeded occupants are created in the room's state
 * through Prosody's admin shell (`prosodyctl shell`, a `>` Lua line; `mod_admin_shell` is
 * enabled by `scripts/xmpp-server/prosody-up.sh`), with presences shaped like the load
 * generator's (entity caps, vCard-update, show/status on every 5th) and real JIDs on the
 * anonymous host that have no session: what Prosody routes to them is dropped. A client that
 * joins gets their presences from Prosody exactly as for live occupants (Prosody adds the
 * muc#user item and the occupant id), so its side of the join is the same.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { ServerInfo } from '../scripts/xmpp-server/servers.js';
import { nickOf } from './muc-stream.js';

const CHUNK = 1000;

function luaString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function runShell(server: ServerInfo, lua: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('prosodyctl', ['--config', join(server.dir, 'prosody.cfg.lua'), 'shell', `>${lua}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out.trim());
      else reject(new Error(`prosodyctl shell failed (exit ${code}): ${out.trim().slice(0, 500)}`));
    });
  });
}

/**
 * Add occupants `from`..`to - 1` (nicks as the load generator's, `nickOf(i)`) to `room`, which
 * must exist. Resolves with the room's occupant count afterwards.
 */
export async function seedOccupants(server: ServerInfo, room: string, from: number, to: number): Promise<number> {
  let count = 0;
  for (let start = from; start < to; start += CHUNK) {
    const end = Math.min(to, start + CHUNK);
    const nicks: string[] = [];
    for (let i = start; i < end; i++) nicks.push(luaString(nickOf(i)));
    const lua =
      `local st=require"util.stanza"; local room=prosody.hosts[${luaString(server.mucDomain)}].modules.muc.get_room_from_jid(${luaString(room)}); ` +
      `if not room then error("no room") end; local nicks={${nicks.join(',')}}; ` +
      `for k,name in ipairs(nicks) do local i=${start}+k-1; local bare="seed"..i.."@"..${luaString(server.anonDomain)}; local real=bare.."/s"; ` +
      `local nick=room.jid.."/"..name; local pr=st.presence({from=real,to=nick}); ` +
      `if i%5==1 then pr:text_tag("show","away"):text_tag("status","back in "..(i%60).." minutes") end; ` +
      `pr:tag("c",{xmlns="http://jabber.org/protocol/caps",hash="sha-1",node="https://conversations.im",ver="JbfqiPA7VV0sRSMeyBP8qWkhJzc="}):up(); ` +
      `pr:tag("x",{xmlns="vcard-temp:x:update"}):tag("photo"):up():up(); ` +
      `local occ=room:new_occupant(bare,nick); occ:set_session(real,pr); room:save_occupant(occ) end; ` +
      `local n=0; for _ in room:each_occupant() do n=n+1 end; return n`;
    const out = await runShell(server, lua, 60_000);
    const m = /(\d+)\s*$/.exec(out);
    if (!m) throw new Error(`prosodyctl shell: unexpected answer ${out.slice(0, 300)}`);
    count = Number(m[1]);
  }
  return count;
}
