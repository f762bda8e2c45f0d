/**
 * A progress line on stderr while a phase runs (stdout stays the report): redrawn in place every
 * second on a terminal, one line every five seconds in a log.
 */
export interface Progress {
  stop(): void;
}

export function startProgress(render: () => Promise<string> | string, stream: NodeJS.WriteStream = process.stderr): Progress {
  const interactive = stream.isTTY === true;
  let busy = false;
  const draw = async () => {
    if (busy) return;
    busy = true;
    try {
      const text = await render();
      stream.write(interactive ? `\r\x1b[2K${text}` : `${text}\n`);
    } catch {
      // a sample that failed (the process just exited) is simply not drawn
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void draw(), interactive ? 1000 : 5000);
  return {
    stop: () => {
      clearInterval(timer);
      if (interactive) stream.write('\r\x1b[2K');
    },
  };
}
