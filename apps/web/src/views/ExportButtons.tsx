/** Download the recording, export it for Perfetto, copy a link to this view. */
import { encodeRecording, makeHeader, type TraceHeader, toPerfettoJson } from '@loopscope/trace';
import { useState } from 'react';
import { useStore } from '../store/store';
import { shareUrl } from '../store/url-state';

function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
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
  const events = () => useStore.getState().buffer.events;
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
        onClick={() =>
          download(`${baseName()}.ndjson`, encodeRecording(header(), events()), 'application/x-ndjson')
        }
      >
        Download
      </button>
      <button
        type="button"
        data-testid="perfetto-button"
        disabled={total === 0}
        title="Open the file at ui.perfetto.dev"
        onClick={() =>
          download(`${baseName()}.perfetto.json`, toPerfettoJson(header(), events()), 'application/json')
        }
      >
        Perfetto
      </button>
    </>
  );
}
