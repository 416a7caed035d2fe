/**
 * Validation of browser -> server messages (`ClientMessage`): the websocket is a trust boundary.
 * Run parameters are checked again, with their bounds, by the run request schema.
 */
import type { ClientMessage } from '@loopscope/trace';
import { z } from 'zod';

const id = z.string().max(64).optional();
const paramValue = z.union([z.string().max(256), z.number(), z.boolean()]);

const clientMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('start'),
    id,
    scenario: z.string().max(64),
    mode: z.string().max(32).optional(),
    loops: z.number().optional(),
    balance: z.string().max(32).optional(),
    params: z.record(z.string().max(64), paramValue).optional(),
  }),
  z.object({ type: z.literal('stop'), id }),
  z.object({
    type: z.literal('resume'),
    id,
    runId: z.string().max(64),
    from: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  }),
  z.object({ type: z.literal('ping'), id }),
]);

/** A message that failed validation: `code` for programs, `message` for people. */
export interface MessageProblem {
  code: 'bad-json' | 'bad-message';
  message: string;
  /** The message's `id` when it could be read, for `replyTo`. */
  replyTo: string | null;
}

/** Parses one text frame into a `ClientMessage`, or says exactly what is wrong with it. */
export function parseClientMessage(text: string): ClientMessage | MessageProblem {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { code: 'bad-json', message: 'message is not valid JSON', replyTo: null };
  }
  const replyTo =
    typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string'
      ? ((raw as { id: string }).id.slice(0, 64) as string)
      : null;
  const parsed = clientMessage.safeParse(raw);
  if (parsed.success) return parsed.data as ClientMessage;
  const type = typeof raw === 'object' && raw !== null ? (raw as { type?: unknown }).type : undefined;
  const known = ['start', 'stop', 'resume', 'ping'];
  if (typeof type !== 'string' || !known.includes(type)) {
    const got = typeof type === 'string' ? `"${type.slice(0, 40)}"` : 'none';
    return {
      code: 'bad-message',
      message: `unknown message type ${got}: expected one of ${known.join(', ')}`,
      replyTo,
    };
  }
  return { code: 'bad-message', message: `${type}: ${formatIssues(parsed.error)}`, replyTo };
}

/** One line per problem: `from: Too small: expected number to be >=0`. */
export function formatIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}

/** Whether a parse result is a problem rather than a message. */
export function isProblem(m: ClientMessage | MessageProblem): m is MessageProblem {
  return 'code' in m && 'replyTo' in m && !('type' in m);
}
