/** XEP-0199 XMPP ping. */
export { type AnswerPingsOptions, type PingOptions, answerPings, ping } from './ping.js';
