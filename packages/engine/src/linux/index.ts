/**
 * `@loopscope/engine/linux`: the real kernel (Node only). Never imported by the web app.
 *
 * @example An echo server on two loop threads
 * ```ts
 * import { builtinHandlerUrl, serve } from '@loopscope/engine/linux';
 * const server = await serve({
 *   addrs: ['tcp://127.0.0.1:5000'],
 *   numLoops: 2,
 *   handler: { module: builtinHandlerUrl('echo') },
 *   onEvents: (events) => console.log(events.length),
 * });
 * await server.stop();
 * ```
 */
export { type Network, type ParsedAddress, parseAddress, splitAddress } from './address';
export { monotonicNowNs } from './clock';
export { EPOLL_ABI, type EpollAbi, epollAbiFor } from './epoll-abi';
export {
  BUILTIN_HANDLERS,
  type BuiltinHandler,
  builtinHandlerUrl,
  type HandlerSpec,
  handlerUrl,
  loadEvents,
} from './handler-module';
export { LinuxKernel } from './kernel';
export { closeListeners, type ListenOptions, type ListenSyscall, listenAll, listenBacklog } from './listen';
export { type KernelCounts, type LinuxServer, resolveLoops, type ServeSpec, serve } from './server';
export { getSocketBuffer, type SocketBuffer, setSocketBuffer } from './sockopt';
export { TraceMerger } from './trace-merge';
export { createRing, DEFAULT_RING_BYTES, RingReader, RingWriter } from './trace-ring';
