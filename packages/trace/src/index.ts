export * from './events';
export * from './header';
export * from './schema';
export * from './live-protocol';
