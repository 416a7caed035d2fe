/** Never a blank screen: a view that throws shows what happened and how to recover. */
import { Component, type ReactNode } from 'react';

interface Props {
  children: ReactNode;
  /** Names the part of the page, for the message. */
  area: string;
}

export class ErrorBoundary extends Component<Props, { error: Error | null }> {
  override state = { error: null as Error | null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <div className="crash" data-testid="error-banner" role="alert">
        <h3>The {this.props.area} hit a problem</h3>
        <pre>{error.message}</pre>
        <button type="button" onClick={() => this.setState({ error: null })}>
          Try again
        </button>{' '}
        <button type="button" onClick={() => location.assign(location.pathname)}>
          Reload without this link
        </button>
      </div>
    );
  }
}
