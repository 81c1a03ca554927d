// Runs work that takes an AbortSignal under a deadline: at `ms` the signal
// aborts with the caller's own error (so each worker keeps classifying a
// timeout its way: permanent, transient, the provider's) and the promise
// rejects with it, even if the work ignores the signal.

export async function withTimeout<T>(ms: number, run: (signal: AbortSignal) => Promise<T>, timeoutError: (ms: number) => Error): Promise<T> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = timeoutError(ms);
      controller.abort(error);
      reject(error);
    }, ms);
  });
  try {
    return await Promise.race([run(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
