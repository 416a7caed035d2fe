export * from './events';
export * from './header';
export * from './live-protocol';
export * from './schema';
