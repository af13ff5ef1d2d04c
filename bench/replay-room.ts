/** The room and nicks of the conversation the receive benchmark's replay server plays. */
export const ROOM = 'bench@conference.localhost';
/** Our nick in {@link ROOM}. */
export const SELF_NICK = 'benchuser';
/** The occupant who sends the replayed messages. */
export const SENDER_NICK = 'alice';
