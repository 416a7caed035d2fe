import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { installTestHook, startFrameLoop } from './store/store';
import { ErrorBoundary } from './views/ErrorBoundary';
import './styles.css';

installTestHook();
startFrameLoop();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ErrorBoundary area="page">
      <App />
    </ErrorBoundary>
  </StrictMode>,
);
