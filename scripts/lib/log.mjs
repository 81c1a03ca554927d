// Progress output shared by the stack scripts: one line per step, with timing.
const started = Date.now();

export function step(message) {
  const seconds = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
  process.stdout.write(`[${seconds}s] ${message}\n`);
}

export function fail(message) {
  process.stderr.write(`error: ${message}\n`);
  process.exit(1);
}

export function elapsedSeconds() {
  return (Date.now() - started) / 1000;
}
