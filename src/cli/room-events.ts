/**
 * Turn a {@link Room}'s events into the {@link CliEvent}s `xmuc tail` and `xmuc chat` print.
 */
import { type Actor, MessageSource, type Room } from '../index.js';
import type { CliEvent } from './format.js';

function actorName(actor: Actor | undefined): string | undefined {
  return actor?.nick ?? actor?.jid?.toString();
}

/**
 * Subscribe to `room` and call `emit` with every printable event: enter/exit, messages
 * (with their history stamp, source and the room's position after them), private messages, joins/leaves with their mode, nick, topic,
 * role and affiliation changes. Returns a function that unsubscribes all of them.
 */
export function watchRoom(room: Room, emit: (event: CliEvent) => void, now: () => Date = () => new Date()): () => void {
  const base = () => ({ room: room.jid.toString(), time: now() });
  const offs = [
    room.on('enter', ({ occupant, statusCodes }) => {
      emit({
        ...base(),
        type: 'enter',
        nick: occupant.nick,
        role: occupant.role,
        affiliation: occupant.affiliation,
        created: statusCodes.has(201),
      });
    }),
    room.on('exit', ({ mode, reason, actor }) => {
      emit({ ...base(), type: 'exit', mode, reason, actor: actorName(actor) });
    }),
    room.on('message', ({ message, member, isHistory, delay, stanzaId, source }) => {
      const text = message.body.any();
      if (text === undefined) return;
      emit({
        ...base(),
        ...(delay ? { time: delay.stamp } : {}),
        type: 'message',
        nick: member.nick,
        text,
        // Caught-up messages print like history (with their date).
        history: isHistory || source === MessageSource.ARCHIVE || source === MessageSource.HISTORY,
        self: member.isSelf,
        stanzaId,
        source,
        position: room.position?.toString(),
      });
    }),
    room.on('privateMessage', ({ message, member }) => {
      const text = message.body.any();
      if (text !== undefined) emit({ ...base(), type: 'private', nick: member.nick, text });
    }),
    room.on('join', ({ member }) => {
      emit({
        ...base(),
        type: 'join',
        nick: member.nick,
        role: member.role,
        affiliation: member.affiliation,
        jid: member.directJid?.toString(),
      });
    }),
    room.on('leave', ({ member, mode, reason, actor }) => {
      emit({ ...base(), type: 'leave', nick: member.nick, mode, reason, actor: actorName(actor) });
    }),
    room.on('nickChanged', ({ member, oldNick, newNick }) => {
      emit({ ...base(), type: 'nick', oldNick, newNick, self: member.isSelf });
    }),
    room.on('topicChanged', ({ topic, nick, member }) => {
      emit({ ...base(), type: 'topic', nick: nick ?? member?.nick, topic: topic.any() ?? '' });
    }),
    room.on('roleChanged', ({ member, newRole }) => {
      // Losing the role is part of leaving: the `leave` that follows says it.
      if (newRole !== 'none') emit({ ...base(), type: 'role', nick: member.nick, role: newRole });
    }),
    room.on('affiliationChanged', ({ member, newAffiliation }) => {
      emit({ ...base(), type: 'affiliation', nick: member.nick, affiliation: newAffiliation });
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}
