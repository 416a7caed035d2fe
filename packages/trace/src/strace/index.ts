/** The strace importer: `strace -f -tt [-T]` text to a Loopscope recording. */
export {
  importStrace,
  type SkippedLine,
  StraceImportError,
  StraceImporter,
  type StraceImportOptions,
  type StraceImportResult,
  type StraceImportSummary,
} from './importer';
export { parseStraceLine, type StraceLine } from './line';
