/**
 * What the learner is about to send, validated as they type, and the close they are about to
 * make. One ComposerState per lab (the Composer.svelte component renders it) (it survives switching tabs).
 */
import { describeCloseCode, MAX_CLOSE_REASON_BYTES, utf8ByteLength } from '../lib/engine-basics.ts';
import { lineColumn, parsePastedBytes } from '../lib/bytes.ts';
import type { LabConnection } from '../connection/lab-connection.svelte.ts';
import { browserMayClose } from '../connection/validate.ts';

export type ComposeMode = 'text' | 'json' | 'hex' | 'file';

export const MAX_TIMES = 10_000;

/** The codes offered in the picker; any integer may be typed. */
export const CLOSE_CHOICES = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1011, 3000, 4000] as const;

/** A precise JSON error: V8's message plus the line and column of its position. */
export function jsonProblem(text: string): string | undefined {
  if (text.trim() === '') return 'Empty: JSON needs a value, e.g. {"hello": "world"}.';
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const pos = /position (\d+)/.exec(message);
    if (!pos) return message;
    const at = Number(pos[1]);
    const { line, column } = lineColumn(text, at);
    const near = text.slice(at, at + 12).split('\n')[0];
    const clean = message.replace(/ in JSON at position \d+( \(line \d+ column \d+\))?/, '');
    return `${clean} at line ${line}, column ${column}${near ? ` (near "${near}")` : ' (at the end)'}`;
  }
}

export class ComposerState {
  mode = $state<ComposeMode>('text');
  text = $state('hello');
  json = $state('{"type": "greeting", "text": "hello"}');
  hex = $state('01 02 03 ff');
  file = $state<File | undefined>(undefined);
  times = $state(1);
  fragments = $state(1);
  closeCode = $state(1000);
  closeReason = $state('');
  /** The outcome of the last send or close (an exception the browser threw, for instance). */
  result = $state('');
  resultOk = $state(true);
  /** The session the result is about (the composer is shared by every tab). */
  resultSession = $state<number | undefined>(undefined);
  /** Was it a send that went through (old news once the connection has closed)? */
  #resultSent = false;

  readonly jsonError = $derived(this.mode === 'json' ? jsonProblem(this.json) : undefined);
  readonly hexCheck = $derived(parsePastedBytes(this.hex, 'hex'));
  readonly reasonBytes = $derived(utf8ByteLength(this.closeReason));
  readonly closeInfo = $derived(describeCloseCode(this.closeCode));

  /** Why the current input cannot be sent, or undefined. */
  readonly problem = $derived.by((): string | undefined => {
    if (!Number.isInteger(this.times) || this.times < 1 || this.times > MAX_TIMES)
      return `Send 1 to ${MAX_TIMES} times.`;
    if (!Number.isInteger(this.fragments) || this.fragments < 1 || this.fragments > 64)
      return 'Fragments: 1 to 64.';
    switch (this.mode) {
      case 'json':
        return this.jsonError;
      case 'hex':
        return this.hexCheck.ok ? undefined : this.hexCheck.message;
      case 'file':
        return this.file ? undefined : 'Choose a file: it is sent as a Blob (a binary message).';
      default:
        return undefined;
    }
  });

  /** Bytes the message will carry (file: its size). */
  readonly size = $derived.by((): number => {
    switch (this.mode) {
      case 'text':
        return utf8ByteLength(this.text);
      case 'json':
        return utf8ByteLength(this.json);
      case 'hex':
        return this.hexCheck.ok ? this.hexCheck.bytes.length : 0;
      case 'file':
        return this.file?.size ?? 0;
    }
  });

  /** The close-code rules where they bite: what the browser will do with this code and reason. */
  readonly closeProblem = $derived.by((): string | undefined => {
    const code = this.closeCode;
    if (!Number.isInteger(code)) return 'A close code is a whole number.';
    if (!browserMayClose(code)) {
      const info = this.closeInfo;
      const wire = info.sendable
        ? `${code} (${info.name}) is valid on the wire, but only the browser itself or a server may send it`
        : `${code} (${info.name}) may never be sent in a Close frame (RFC 6455 §7.4)`;
      return `${wire}: close() accepts only 1000 or 3000-4999 and throws InvalidAccessError otherwise. Try it to see.`;
    }
    if (this.reasonBytes > MAX_CLOSE_REASON_BYTES) {
      return `The reason is ${this.reasonBytes} bytes of UTF-8; a Close frame's payload is at most 125 bytes, 2 for the code, so 123 for the reason (RFC 6455 §5.5): close() throws SyntaxError.`;
    }
    return undefined;
  });

  /**
   * The last result, if it is about this session and still true: not after a switch to another
   * tab, and a "Sent ..." not once the connection has closed (the close says what happened next).
   */
  resultFor(
    session: Pick<LabConnection, 'id' | 'log'> | undefined,
  ): { text: string; ok: boolean } | undefined {
    if (!this.result || session === undefined || session.id !== this.resultSession) return undefined;
    if (this.#resultSent && session.log.close !== undefined) return undefined;
    return { text: this.result, ok: this.resultOk };
  }

  send(session: LabConnection): void {
    this.resultSession = session.id;
    const problem = this.problem;
    if (problem) return this.#report(problem, false);
    let data: string | Uint8Array | Blob;
    if (this.mode === 'text') data = this.text;
    else if (this.mode === 'json') data = this.json;
    else if (this.mode === 'hex') data = this.hexCheck.ok ? this.hexCheck.bytes : new Uint8Array(0);
    else data = this.file!;
    const error = session.send(data, { times: this.times, fragments: this.fragments });
    if (error) this.#report(error, false);
    else {
      const what = this.mode === 'file' ? 'Blob' : this.mode === 'hex' ? 'binary message' : 'text message';
      this.#report(
        `Sent ${this.times > 1 ? `${this.times} × ` : ''}${what} of ${plural(this.size, 'byte')}.`,
        true,
      );
      this.#resultSent = true;
    }
  }

  close(session: LabConnection): void {
    this.resultSession = session.id;
    const error = session.close(this.closeCode, this.closeReason);
    if (error) this.#report(`close(${this.closeCode}${this.closeReason ? ', …' : ''}) threw ${error}`, false);
    else
      this.#report(
        `close(${this.closeCode}${this.closeReason ? `, "${this.closeReason}"` : ''}) called.`,
        true,
      );
  }

  #report(message: string, ok: boolean): void {
    this.result = message;
    this.resultOk = ok;
    this.#resultSent = false;
  }
}

/** '1 byte', '2 bytes' */
export function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}
