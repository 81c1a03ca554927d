// Assertions the messaging tests need beside functions/_shared/testing.ts
// (no JSR registry here, so no std/assert).
export { assertEquals } from "../testing.ts";

export function assert(cond: unknown, msg = "assertion failed"): asserts cond {
  if (!cond) throw new Error(msg);
}

export function assertMatch(actual: string, pattern: RegExp, msg = "") {
  if (!pattern.test(actual)) throw new Error(`${msg} expected ${JSON.stringify(actual)} to match ${pattern}`);
}

export function assertThrows(fn: () => unknown, type: new (...args: never[]) => Error = Error, includes = ""): Error {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof type)) throw new Error(`expected a ${type.name}, got ${error}`);
    if (!error.message.includes(includes)) throw new Error(`expected the message to include ${JSON.stringify(includes)}, got ${JSON.stringify(error.message)}`);
    return error;
  }
  throw new Error("expected a throw");
}

export async function assertRejects(fn: () => Promise<unknown>, type: new (...args: never[]) => Error = Error, includes = ""): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    if (!(error instanceof type)) throw new Error(`expected a ${type.name}, got ${error}`);
    if (!error.message.includes(includes)) throw new Error(`expected the message to include ${JSON.stringify(includes)}, got ${JSON.stringify(error.message)}`);
    return error;
  }
  throw new Error("expected a rejection");
}
