/** Download the recording, export it for Perfetto, copy a link to this view. */
import {
  encodeHeader,
  encodeRecording,
  makeHeader,
  type TraceHeader,
  toPerfettoJson,
} from '@loopscope/trace';
import { useState } from 'react';
import { useStore } from '../store/store';
import { shareUrl } from '../store/url-state';

function download(name: string, parts: BlobPart[], type: string): void {
  const url = URL.createObjectURL(new Blob(parts, { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function headerOrDefault(h: TraceHeader | null, loops: number): TraceHeader {
  return (
    h ??
    makeHeader({
      mode: 'unknown',
      loops,
      balance: null,
      scenario: null,
      host: null,
      source: { type: 'hand', program: null, pids: [], seed: null },
    })
  );
}

function baseName(): string {
  const s = useStore.getState();
  const name = s.header?.scenario?.name ?? 'trace';
  return `loopscope-${name}-${s.header?.mode ?? 'run'}`;
}

export function ExportButtons() {
  const total = useStore((s) => s.total);
  const [copied, setCopied] = useState(false);
  const events = () => {
    const b = useStore.getState().buffer;
    return b.slice(0, b.length);
  };
  /** The recording as NDJSON: a replayed file's own lines after its header, else encoded. */
  const ndjson = (): BlobPart[] => {
    const text = useStore.getState().buffer.textParts();
    if (text) return [`${encodeHeader(header())}\n`, ...(text as BlobPart[])];
    return [encodeRecording(header(), events())];
  };
  const header = () => headerOrDefault(useStore.getState().header, useStore.getState().buffer.loops);
  return (
    <>
      <button
        type="button"
        data-testid="share-button"
        title="Copy a link that reproduces this view"
        onClick={() => {
          const url = shareUrl();
          navigator.clipboard?.writeText(url).catch(() => {});
          history.replaceState(null, '', url);
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        }}
      >
        {copied ? 'Link copied' : 'Link'}
      </button>
      <button
        type="button"
        data-testid="download-button"
        disabled={total === 0}
        onClick={() => download(`${baseName()}.ndjson`, ndjson(), 'application/x-ndjson')}
      >
        Download
      </button>
      <button
        type="button"
        data-testid="perfetto-button"
        disabled={total === 0}
        title="Open the file at ui.perfetto.dev"
        onClick={() =>
          download(`${baseName()}.perfetto.json`, [toPerfettoJson(header(), events())], 'application/json')
        }
      >
        Perfetto
      </button>
    </>
  );
}
