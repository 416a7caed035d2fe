/** Errors of the run API, each with the HTTP status and the code the websocket `error` carries. */

/** Another run is active: one run at a time. */
export class RunBusyError extends Error {
  override readonly name = 'RunBusyError';
  readonly code = 'busy';
  readonly status = 409;
}

/** `stop` with no active run. */
export class NoRunError extends Error {
  override readonly name = 'NoRunError';
  readonly code = 'no-run';
  readonly status = 409;
}

/** The run failed before it was running (the engine did not start): the run says why. */
export class RunFailedError extends Error {
  override readonly name = 'RunFailedError';
  readonly code = 'run-failed';
  readonly status = 500;
}
