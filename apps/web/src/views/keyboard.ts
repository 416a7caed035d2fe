/** Keyboard: space plays/pauses, arrows step one event, shift+arrows 100, Home/End jump. */
import { seek, setPlaying, step, useStore } from '../store/store';

export function installKeyboard(): () => void {
  const onKey = (e: KeyboardEvent) => {
    const t = e.target as HTMLElement | null;
    if (t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA')) return;
    const n = e.shiftKey ? 100 : 1;
    if (e.key === ' ') setPlaying(!useStore.getState().playing);
    else if (e.key === 'ArrowRight') step(n);
    else if (e.key === 'ArrowLeft') step(-n);
    else if (e.key === 'Home') step(-Number.MAX_SAFE_INTEGER);
    else if (e.key === 'End') seek(Number.MAX_SAFE_INTEGER);
    else return;
    e.preventDefault();
  };
  window.addEventListener('keydown', onKey);
  return () => window.removeEventListener('keydown', onKey);
}
