/**
 * xmuc: complete, correct and robust XMPP Multi-User Chat (XEP-0045) for Node.js and browsers.
 *
 * @packageDocumentation
 */
export * from './core/errors.js';
export * from './core/namespaces.js';
export * from './core/logger.js';
export * from './core/clock.js';
export * from './core/emitter.js';
export * from './core/abort.js';
export * from './core/jid.js';
export * from './core/connection.js';
export * from './core/language-map.js';
export * from './xml/index.js';
export * from './forms/index.js';
export * from './disco/index.js';
export * from './ping/index.js';
export * from './connection/index.js';
export * from './muc/index.js';
export * from './connection/xmppjs/adapter.js';
export * from './im/conversation.js';
