/** Errors and source messages: a bad recording (line and reason), a missing or lost server. */
import { useState } from 'react';
import { useStore } from '../store/store';

export function Banner() {
  const status = useStore((s) => s.status);
  const decodeError = useStore((s) => s.decodeError);
  const [hidden, setHidden] = useState<string | null>(null);
  if (decodeError) {
    return (
      <div className="banner error" data-testid="error-banner" role="alert">
        <strong>This recording stops at line {decodeError.line}.</strong>
        <span>
          {decodeError.message}. The {decodeError.valid.toLocaleString()} valid events before it are shown.
        </span>
      </div>
    );
  }
  const msg = status.message;
  if (!msg || hidden === msg) return null;
  const tone = status.state === 'error' || status.state === 'closed' ? 'error' : 'info';
  return (
    <div
      className={`banner ${tone}`}
      data-testid={tone === 'error' ? 'error-banner' : 'info-banner'}
      role="status"
    >
      <span>{msg}</span>
      <button type="button" className="close" onClick={() => setHidden(msg)}>
        ✕
      </button>
    </div>
  );
}
