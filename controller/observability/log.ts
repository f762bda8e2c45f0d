/**
 * JSON logs (pino). Every line names the controller and the object it concerns, and passes a
 * guard that removes private key material whatever field, message or error stack carries it.
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

/** A log level from a flag or environment value, with a specific error for anything else. */
export function parseLogLevel(text: string): LogLevel {
  const level = logLevels.find((l) => l === text.trim().toLowerCase());
  if (!level) throw new Error(`unknown log level "${text}": expected one of ${logLevels.join(', ')}`);
  return level;
}

// PEM private key blocks (PKCS#1/#8, EC, encrypted, OpenSSH, PGP), up to the END line or — for a
// truncated block — the end of the JSON string. Newlines appear as `\n` escapes in the JSON text.
const pemPrivateKey = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----(?:(?!-----END )[^"])*(?:-----END [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----)?/g;
// Runs of base64 long enough to hold key material (a PKCS#8 Ed25519 key is 64 characters).
const base64Run = /[A-Za-z0-9+/]{64,}={0,2}/g;
// Real base64 of key-sized random data mixes cases and digits; this spares hex digests and paths.
const looksLikeBase64Data = (run: string) => /[A-Z]/.test(run) && /[a-z]/.test(run) && /[0-9]/.test(run);
// Buffers serialise as {"type":"Buffer","data":[...]}; raw key bytes must not pass either.
const bufferJson = /\{"type":"Buffer","data":\[[0-9,]*\]\}/g;

/** Removes private key material from one serialised log line (keeps it valid JSON). */
export function redactSecrets(line: string): string {
  return line
    .replace(pemPrivateKey, '[REDACTED private key]')
    .replace(bufferJson, '"[REDACTED bytes]"')
    .replace(base64Run, (run) => (looksLikeBase64Data(run) ? '[REDACTED base64]' : run));
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; standard output when omitted. */
  destination?: DestinationStream;
}

/** The object a log line is about. */
export interface LoggedObject {
  namespace?: string;
  name?: string;
}

export interface ControllerLogger {
  readonly root: Logger;
  /** A logger whose lines carry `controller` and, when given, the object's `namespace`/`name`. */
  for(controller: string, object?: LoggedObject): Logger;
}

export function createLogger(options: LoggerOptions = {}): ControllerLogger {
  const root = pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      hooks: { streamWrite: redactSecrets },
    },
    options.destination ?? pino.destination(1),
  );
  return {
    root,
    for(controller, object) {
      const bindings: Record<string, string> = { controller };
      if (object?.namespace) bindings.namespace = object.namespace;
      if (object?.name) bindings.name = object.name;
      return root.child(bindings);
    },
  };
}
