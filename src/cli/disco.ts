/** `xmuc disco <jid>`: XEP-0030 disco#info of an entity (identities, features, forms). */
import { discoInfo } from '../index.js';
import type { Command } from './args.js';
import { discoJson, formatDisco } from './format.js';
import type { CliIO, Session } from './session.js';

/** Query and print disco#info of `command.jid` (bounded by `--timeout`); errors propagate to the caller. */
export async function runDisco(session: Session, io: CliIO, command: Extract<Command, { name: 'disco' }>): Promise<number> {
  const jid = command.jid.toString();
  const info = await discoInfo(session.connection, command.jid, {
    node: command.node,
    timeoutMs: session.config.timeoutMs,
    signal: io.signal,
    logger: session.logger,
  });
  if (command.json) io.out(JSON.stringify(discoJson(jid, info)));
  else for (const line of formatDisco(jid, info)) io.out(line);
  return 0;
}
