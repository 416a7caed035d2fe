/**
 * The simulator: a simulated kernel (sockets with send/receive buffers, listen queues, level- and
 * edge-triggered epoll, EPOLLEXCLUSIVE, SO_REUSEPORT, eventfd, UDP, a virtual clock), a seeded
 * scheduler, and scenarios. Browser-safe: nothing here imports Node.
 */
export { ByteQueue } from './byte-queue';
export {
  Client,
  type Received,
  recvBytes,
  type Script,
  ScriptActor,
  type ScriptWait,
  sendAll,
} from './client';
export { EpollItem, SimEpoll } from './epoll';
export { SimEventfd } from './eventfd';
export { FdTable } from './fd-table';
export type { FileKind, SimFile } from './file';
export { SimListener } from './listener';
export { LoopActor, SimLoopTracer } from './loop-actor';
export { SimPeer } from './peer';
export { Prng } from './prng';
export { createSimRun, SIM_ADDR, type SimRun, type SimRunOptions } from './run';
export {
  COMMON_PARAMS,
  type ParamSpec,
  type ParamValues,
  type ScenarioDef,
  SIM_SCENARIO_NAMES,
  SIM_SCENARIOS,
  validateParams,
} from './scenarios/index';
export type { ScenarioContext, ScenarioSetup } from './scenarios/types';
export { type Actor, Scheduler, TimerActor } from './scheduler';
export { SimKernel } from './sim-kernel';
export { type SimListenSpec, SimServer, type SimServerOptions, simHeader } from './sim-server';
export { StreamEnd } from './stream';
export { TraceSink } from './trace-sink';
export { SimDatagramPeer, SimUdpSocket } from './udp';
export { type ConnectOptions, SimWorld, type SimWorldOptions } from './world';
