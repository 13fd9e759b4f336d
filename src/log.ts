import pino, { Logger } from 'pino';

/** Paths pino blanks in every log line: tokens and credentials never reach a log. */
export const REDACTED_PATHS = [
  'authorization',
  '*.authorization',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'password',
  '*.password',
  'credentials',
  '*.credentials',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, base: { service: 'cairn' } }, destination);
}
