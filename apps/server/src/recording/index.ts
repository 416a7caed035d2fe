export { type ReadRecordingOptions, type ReadRecordingResult, readRecording } from './read-recording';
export { type CloseOptions, RecordingWriter } from './recording-writer';
