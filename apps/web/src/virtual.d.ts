/** The engine's loop source files, by file name (see vite.config.ts). */
declare module 'virtual:loop-source' {
  const files: Record<string, string>;
  export default files;
}
