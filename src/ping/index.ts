/** XEP-0199 XMPP ping. */
export { type AnswerPingsOptions, type PingOptions, answerPings, ping } from './ping.js';
export { type AlivenessEvents, AlivenessMonitor, type AlivenessOptions } from './aliveness.js';
