/**
 * `runCli()`: parse the arguments, open the session, run one command, shut down within
 * bounds, and map the outcome to an exit status (0 ok, 1 failure, 2 usage, 130 interrupted).
 */
import type { Readable, Writable } from 'node:stream';
import { type Command, USAGE, UsageError, parseCli } from './args.js';
import { runAffiliations, runBan, runDestroy, runInvite, runKick, runRegister, runRoles, runSetAffiliations } from './admin.js';
import { runChat } from './chat.js';
import { runDisco } from './disco.js';
import { describeError } from './format.js';
import { runOccupants } from './occupants.js';
import { runConfigGet, runConfigSet, runInfo, runRooms } from './rooms.js';
import { runSend } from './send.js';
import { type CliIO, type Session, openSession } from './session.js';
import { runTail } from './tail.js';

/** Exit status: success. */
export const EXIT_OK = 0;
/** Exit status: the command failed (connection, room, delivery). */
export const EXIT_FAILURE = 1;
/** Exit status: bad command-line input. */
export const EXIT_USAGE = 2;
/** Exit status: interrupted (SIGINT/SIGTERM) before a one-shot command completed. */
export const EXIT_INTERRUPTED = 130;

/** Where `runCli` reads from besides its arguments. */
export interface CliEnvironment {
  env: Readonly<Record<string, string | undefined>>;
  /** stdin, for `xmuc chat`. */
  stdin: Readable;
  /** stdout as a stream, for `xmuc chat` on a terminal (line editing, prompt). */
  stdout?: Writable | undefined;
}

function usageFailure(io: CliIO, error: UsageError): number {
  io.err(`xmuc: ${error.message}`);
  io.err('Run "xmuc --help" for usage.');
  return EXIT_USAGE;
}

function runCommand(session: Session, io: CliIO, command: Command, environment: CliEnvironment): Promise<number> {
  switch (command.name) {
    case 'send':
      return runSend(session, io, command);
    case 'tail':
      return runTail(session, io, command);
    case 'chat':
      return runChat(session, io, command, environment.stdin, environment.stdout);
    case 'occupants':
      return runOccupants(session, io, command);
    case 'disco':
      return runDisco(session, io, command);
    case 'rooms':
      return runRooms(session, io, command);
    case 'info':
      return runInfo(session, io, command);
    case 'config':
      return command.action === 'get' ? runConfigGet(session, io, command) : runConfigSet(session, io, command);
    case 'affiliations':
      return runAffiliations(session, io, command);
    case 'set-affiliations':
      return runSetAffiliations(session, io, command);
    case 'roles':
      return runRoles(session, io, command);
    case 'kick':
      return runKick(session, io, command);
    case 'ban':
      return runBan(session, io, command);
    case 'invite':
      return runInvite(session, io, command);
    case 'destroy':
      return runDestroy(session, io, command);
    case 'register':
      return runRegister(session, io, command);
  }
}

/** Run the `xmuc` command line `argv` (without the program name); resolves with the exit status. Never rejects. */
export async function runCli(argv: readonly string[], environment: CliEnvironment, io: CliIO): Promise<number> {
  let parsed: ReturnType<typeof parseCli>;
  try {
    parsed = parseCli(argv, environment.env);
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(io, error);
    io.err(`xmuc: ${describeError(error)}`);
    return EXIT_FAILURE;
  }
  if (parsed.help) {
    io.out(USAGE);
    return EXIT_OK;
  }
  const { command, connection } = parsed;
  const longLived = command.name === 'tail' || command.name === 'chat';
  let session: Session | undefined;
  try {
    session = await openSession(connection, io, longLived);
    return await runCommand(session, io, command, environment);
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(io, error);
    if (io.signal.aborted) {
      io.err('xmuc: interrupted');
      return EXIT_INTERRUPTED;
    }
    io.err(`xmuc: ${describeError(error)}`);
    return EXIT_FAILURE;
  } finally {
    await session?.close();
  }
}
