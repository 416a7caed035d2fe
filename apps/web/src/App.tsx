/**
 * The page: top bar; stage, transport and timeline on the left; numbers, tour, log and the
 * explanation with its code on the right. Drop a recording anywhere to replay it.
 */
import { useEffect, useState } from 'react';
import { Detail } from './explain/Detail';
import { TourPanel } from './explain/TourPanel';
import { EventLog } from './log/EventLog';
import { Stage } from './stage/Stage';
import { loadRecordings, loadScenarios, loadSimScenarios } from './store/catalog';
import { replayFile } from './store/session';
import { applyUrl, clearReplayRef, syncUrl } from './store/url-state';
import { Timeline } from './timeline/Timeline';
import { Banner } from './views/Banner';
import { Compare } from './views/Compare';
import { ErrorBoundary } from './views/ErrorBoundary';
import { installKeyboard } from './views/keyboard';
import { StatsPanel } from './views/StatsPanel';
import { TopBar } from './views/TopBar';
import { Transport } from './views/Transport';

function useFileDrop(): boolean {
  const [over, setOver] = useState(false);
  useEffect(() => {
    let depth = 0;
    const enter = (e: DragEvent) => {
      if (!e.dataTransfer?.types.includes('Files')) return;
      depth++;
      setOver(true);
    };
    const leave = () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) setOver(false);
    };
    const over = (e: DragEvent) => e.preventDefault();
    const drop = (e: DragEvent) => {
      e.preventDefault();
      depth = 0;
      setOver(false);
      const f = e.dataTransfer?.files[0];
      if (f) {
        clearReplayRef();
        replayFile(f);
      }
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragleave', leave);
    window.addEventListener('dragover', over);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('dragover', over);
      window.removeEventListener('drop', drop);
    };
  }, []);
  return over;
}

export function App() {
  const [compare, setCompare] = useState<string | null>(null);
  const dropping = useFileDrop();
  useEffect(() => {
    loadScenarios();
    loadSimScenarios();
    loadRecordings();
    applyUrl();
    const unsync = syncUrl();
    const unkey = installKeyboard();
    return () => {
      unsync();
      unkey();
    };
  }, []);
  return (
    <div className="app">
      <TopBar onCompare={() => setCompare('read-first')} />
      <Banner />
      <div className="main">
        <div className="left" style={{ position: 'relative' }}>
          <ErrorBoundary area="stage">
            <Stage />
          </ErrorBoundary>
          <Transport />
          <ErrorBoundary area="timeline">
            <Timeline />
          </ErrorBoundary>
          {compare && (
            <ErrorBoundary area="compare view">
              <Compare initialMode={compare} onClose={() => setCompare(null)} />
            </ErrorBoundary>
          )}
        </div>
        <div className="right">
          <ErrorBoundary area="numbers">
            <StatsPanel />
          </ErrorBoundary>
          <TourPanel onCompare={(m) => setCompare(m)} />
          <ErrorBoundary area="event log">
            <EventLog />
          </ErrorBoundary>
          <ErrorBoundary area="explanation">
            <Detail />
          </ErrorBoundary>
        </div>
      </div>
      {dropping && (
        <div className="dropzone">Drop a recording (.ndjson) or an strace -f -tt log to replay it</div>
      )}
    </div>
  );
}
