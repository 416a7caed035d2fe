/**
 * What scenario clients need to know about the scenario handlers: the exact bytes each handler
 * answers with, so that a client (real or simulated) can verify every byte. The handlers
 * themselves are modules (default export `(params) => Events`) that loop threads import by path.
 */
export { join, pattern, text } from './pattern';
export { WAKE_TAIL, type WakeOverwriteParams, wakeReply } from './wake-overwrite';
export { type WriteLossParams, writeLossReplies } from './write-loss';
