/**
 * The data folder's recordings. A recording name is a plain file name: letters, digits, `.`,
 * `_` and `-`, not starting with a dot, ending in `.ndjson`, so no name can reach outside the
 * folder or touch a temporary file (those start with a dot or end in `.partial`).
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { copyFile, link, mkdir, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { RecordingDecoder, TraceDecodeError, type TraceHeader, validateHeader } from '@loopscope/trace';
import { HttpError } from './respond';

const NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,191}\.ndjson$/;

/** One entry of `GET /api/recordings`. */
export interface RecordingEntry {
  name: string;
  size: number;
  /** When the recording was made (its header's `created`), else the file's modification time. */
  created: string;
  modified: string;
  /** The header line, or null if it cannot be read. */
  header: TraceHeader | null;
}

/** What an upload stored. */
export interface StoredUpload {
  name: string;
  size: number;
  header: TraceHeader;
  events: number;
  complete: boolean;
}

/** Checks a recording name. @throws HttpError 400 */
export function checkName(name: string): string {
  if (!NAME.test(name) || name.includes('..')) {
    throw new HttpError(
      400,
      'bad-name',
      'a recording name is letters, digits, ".", "_" and "-", not starting with a dot, ending in ".ndjson"',
    );
  }
  return name;
}

export class RecordingsStore {
  constructor(readonly dir: string) {}

  /** The path of a recording, after checking its name. */
  path(name: string): string {
    return join(this.dir, checkName(name));
  }

  /** Every recording, newest first. */
  async list(): Promise<RecordingEntry[]> {
    await mkdir(this.dir, { recursive: true });
    const names = (await readdir(this.dir)).filter((n) => NAME.test(n));
    const entries = await Promise.all(names.map((n) => this.entry(n).catch(() => null)));
    return entries
      .filter((e): e is RecordingEntry => e !== null)
      .sort((a, b) => (a.modified < b.modified ? 1 : -1));
  }

  /** Size and header of one recording. @throws HttpError 404 */
  async entry(name: string): Promise<RecordingEntry> {
    const path = this.path(name);
    const s = await stat(path).catch(() => null);
    if (!s?.isFile()) throw new HttpError(404, 'not-found', `no recording named ${name}`);
    const header = await readHeader(path);
    const modified = s.mtime.toISOString();
    return { name, size: s.size, created: header?.created ?? modified, modified, header };
  }

  /** Deletes a recording. @throws HttpError 404 */
  async remove(name: string): Promise<void> {
    await this.entry(name);
    await unlink(this.path(name));
  }

  /**
   * Stores an uploaded recording, validating it while it streams to a temporary file.
   * @throws HttpError 400 (naming the bad line), 409 (name taken), 413 (larger than `limit`)
   */
  async upload(name: string, body: IncomingMessage, limit: number): Promise<StoredUpload> {
    const final = this.path(name);
    if (await stat(final).catch(() => null))
      throw new HttpError(409, 'exists', `a recording named ${name} exists`);
    await mkdir(this.dir, { recursive: true });
    const temp = join(this.dir, `.upload-${randomBytes(6).toString('hex')}`);
    const out = createWriteStream(temp, { flags: 'wx' });
    const decoder = new RecordingDecoder({ source: name, onEvents: () => undefined });
    let size = 0;
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > limit) throw new HttpError(413, 'too-large', `a recording may be at most ${limit} bytes`);
        decoder.push(chunk);
        if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      }
      decoder.end();
      await new Promise<void>((resolve, reject) =>
        out.end((err?: Error | null) => (err ? reject(err) : resolve())),
      );
      await rename(temp, final);
    } catch (err) {
      out.destroy();
      await unlink(temp).catch(() => undefined);
      if (err instanceof TraceDecodeError) throw new HttpError(400, `invalid-recording`, err.message);
      throw err;
    }
    return { name, size, header: decoder.header!, events: decoder.events, complete: decoder.complete };
  }

  /** Puts a recording from elsewhere into the folder (a hard link, else a copy); returns its name. */
  async adopt(source: string, name: string): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const target = this.path(name);
    if (await stat(target).catch(() => null)) return name;
    // A hard link costs nothing; across filesystems it fails and a copy is made instead.
    await link(source, target).catch(() => copyFile(source, target));
    return name;
  }
}

/** Reads and validates the first line of a recording, or null. */
async function readHeader(path: string): Promise<TraceHeader | null> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const text = buf.subarray(0, bytesRead).toString('utf8');
    const nl = text.indexOf('\n');
    if (nl < 0) return null;
    return validateHeader(JSON.parse(text.slice(0, nl)));
  } catch {
    return null;
  } finally {
    await fh.close();
  }
}
