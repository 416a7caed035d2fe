/**
 * `@loopscope/engine`: the browser-safe entry. The loop core (evio's API, the kernel boundary,
 * the modes, the loop itself), the simulator, and the shared handlers (`echoHandler`). The Linux
 * backend is `@loopscope/engine/linux`.
 */
export * from './core/api';
export * from './core/kernel';
export * from './core/loop';
export * from './core/loop-types';
export * from './core/modes';
export { default as echoHandler, type EchoParams } from './handlers/echo';
export * from './handlers/scenarios/index';
export * from './sim/index';
