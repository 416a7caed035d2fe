/**
 * The handler of `write-loss-claim` (spec §3): a line protocol. `REQ1` asks for a reply of
 * `reply` bytes (bigger than the socket buffers), `REQ2` for `reply2` bytes and a Close. The
 * client sends REQ2 while the first reply is still pending: in evio's dispatch order it waits
 * (0 bytes lost, the EAGAIN spin meanwhile); in `read-first` the read truncates the pending tail.
 * Browser-safe: loaded by the Linux loop threads and by the simulator.
 *
 * Params: `{ reply?: number; reply2?: number }` (bytes; defaults 65536 and 4096).
 */
import { Action, type Events } from '../../core/api';
import { intParam, join, pattern, text } from './pattern';

export interface WriteLossParams {
  reply?: number;
  reply2?: number;
}

/** The bytes of the two replies, as the clients expect them. */
export function writeLossReplies(p: WriteLossParams | undefined): [Uint8Array, Uint8Array] {
  const max = 64 * 1024 * 1024;
  return [pattern(intParam(p, 'reply', 65536, max), 1), pattern(intParam(p, 'reply2', 4096, max), 2)];
}

export default function writeLoss(params?: WriteLossParams): Events {
  const [r1, r2] = writeLossReplies(params);
  return {
    data(c, input) {
      // Lines may arrive split or together: keep the unfinished one in the conn's context.
      const buffered = `${(c.context as string | null) ?? ''}${input ? text(input) : ''}`;
      const lines = buffered.split('\n');
      c.context = lines.pop() ?? '';
      const outs: Uint8Array[] = [];
      let action = Action.None;
      for (const line of lines) {
        if (line === 'REQ1') outs.push(r1);
        else if (line === 'REQ2') {
          outs.push(r2);
          action = Action.Close;
        }
      }
      return { out: join(...outs), action };
    },
  };
}
