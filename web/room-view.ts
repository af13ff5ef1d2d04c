/**
 * One joined room on the page: the message log (history marked), the topic, the occupant list
 * with roles, sending to the room or privately, nick change and leave. Uses only xmuc's public
 * API (`Room`, its events and methods).
 */
import type { Room, RoomMember } from '../src/index.js';
import { $, el, showError } from './dom.js';

const STEP_MS = 15_000;

type LineKind = 'message' | 'history' | 'private' | 'notice';

/** Add one line to the log; scrolls down when the reader is at the bottom. */
function logLine(kind: LineKind, text: string, nick?: string, when: Date = new Date()): void {
  const log = $('log');
  const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  const li = el('li', { class: kind === 'message' ? undefined : kind });
  li.append(el('time', { datetime: when.toISOString() }, when.toTimeString().slice(0, 5)));
  if (nick !== undefined) li.append(el('span', { class: 'nick' }, nick));
  li.append(el('span', { class: 'body' }, text));
  log.append(li);
  if (atBottom) log.scrollTop = log.scrollHeight;
}

function nickOf(member: RoomMember | undefined): string {
  return member?.nick ?? '(room)';
}

/** Show a room and keep the view in sync with its events. Returns a function that detaches it. */
export function showRoom(room: Room, onGone: () => void): () => void {
  $('log').replaceChildren();
  $('topic').textContent = '(none)';
  const offs: (() => void)[] = [];
  const on: Room['on'] = (event, fn) => {
    const off = room.on(event, fn);
    offs.push(off);
    return off;
  };

  const renderOccupants = (): void => {
    const list = $('occupants');
    const to = $<HTMLSelectElement>('to');
    const chosen = to.value;
    const members = [...room.members].sort((a, b) => a.nick.localeCompare(b.nick));
    list.replaceChildren(
      ...members.map((m) => {
        const li = el('li', { class: m.isSelf ? 'me' : undefined, 'data-nick': m.nick, 'data-role': m.role ?? 'none' });
        li.append(el('span', { class: `role role-${m.role ?? 'none'}` }, m.role ?? '?'), el('span', {}, m.nick));
        if (m.affiliation && m.affiliation !== 'none') li.append(el('span', { class: 'muted' }, m.affiliation));
        return li;
      }),
    );
    $('occupant-count').textContent = `(${members.length})`;
    to.replaceChildren(
      el('option', { value: '' }, 'to the room'),
      ...members.filter((m) => !m.isSelf).map((m) => el('option', { value: m.nick }, `privately to ${m.nick}`)),
    );
    to.value = members.some((m) => m.nick === chosen && !m.isSelf) ? chosen : '';
  };

  on('enter', ({ occupant }) => {
    logLine('notice', `you entered as ${occupant.nick}`);
    renderOccupants();
  });
  on('message', ({ message, member, isHistory, delay }) => {
    logLine(isHistory ? 'history' : 'message', message.body.any() ?? '', nickOf(member), delay?.stamp);
  });
  on('privateMessage', ({ message, member }) => logLine('private', message.body.any() ?? '', `${member.nick} (private)`));
  let topicText = '';
  on('topicChanged', ({ topic, nick }) => {
    const text = topic.any() ?? '';
    $('topic').textContent = text || '(none)';
    $('topic').classList.toggle('muted', !text);
    if (text !== topicText) logLine('notice', `${nick ?? 'the room'} ${text ? `set the topic: ${text}` : 'cleared the topic'}`);
    topicText = text;
  });
  on('join', ({ member }) => {
    if (room.isActive) logLine('notice', `${member.nick} joined`);
    renderOccupants();
  });
  on('leave', ({ member, mode }) => {
    logLine('notice', `${member.nick} left${mode === 'normal' ? '' : ` (${mode})`}`);
    renderOccupants();
  });
  on('nickChanged', ({ oldNick, newNick }) => {
    logLine('notice', `${oldNick} is now ${newNick}`);
    renderOccupants();
  });
  on('roleChanged', renderOccupants);
  on('affiliationChanged', renderOccupants);
  on('presenceChanged', renderOccupants);
  on('messageError', ({ error }) => logLine('notice', `message not delivered: ${error.message}`));
  on('exit', ({ mode, reason }) => {
    logLine('notice', `you left the room (${mode}${reason ? `: ${reason}` : ''})`);
    detach();
    onGone();
  });

  const forms: [string, (ev: SubmitEvent) => Promise<void>][] = [
    ['send-form', sendMessage],
    ['topic-form', setTopic],
    ['nick-form', changeNick],
  ];
  async function sendMessage(): Promise<void> {
    const input = $<HTMLInputElement>('message');
    const text = input.value;
    if (!text) return;
    const to = $<HTMLSelectElement>('to').value;
    if (to) {
      await room.sendPrivateMessage(to, text);
      logLine('private', text, `to ${to} (private)`);
    } else {
      await room.sendMessage(text); // shown when the room reflects it
    }
    input.value = '';
  }
  async function setTopic(): Promise<void> {
    const input = $<HTMLInputElement>('topic-input');
    await room.setTopic(input.value, { timeoutMs: STEP_MS });
    input.value = '';
  }
  async function changeNick(): Promise<void> {
    const input = $<HTMLInputElement>('new-nick');
    if (!input.value) return;
    await room.setNick(input.value, { timeoutMs: STEP_MS });
    input.value = '';
    renderOccupants();
  }
  const handlers = forms.map(([id, fn]) => {
    const h = (ev: SubmitEvent): void => {
      ev.preventDefault();
      fn(ev).catch(showError);
    };
    $(id).addEventListener('submit', h);
    return () => $(id).removeEventListener('submit', h);
  });
  const leave = (): void => void room.leave({ timeoutMs: STEP_MS }).catch(showError);
  $('leave').addEventListener('click', leave);

  function detach(): void {
    for (const off of offs.splice(0)) off();
    for (const off of handlers.splice(0)) off();
    $('leave').removeEventListener('click', leave);
  }
  renderOccupants();
  return detach;
}
