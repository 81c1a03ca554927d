// A fetch that records requests and answers like PostgREST would, for
// testing what the client sends without a PostgREST server.

export interface Captured {
  url: URL;
  method: string;
  headers: Headers;
  body: unknown;
}

/** The body as JSON, or its text when it is not JSON (a file upload). */
function jsonOr(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A fetch that records requests and answers with the given PostgREST-style response. */
export function recordingFetch(respond: (req: Captured) => { status: number; body: unknown }) {
  const requests: Captured[] = [];
  const fetchImpl = async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const text = await request.text();
    const captured: Captured = {
      url: new URL(request.url),
      method: request.method,
      headers: request.headers,
      body: text ? jsonOr(text) : undefined,
    };
    requests.push(captured);
    const { status, body } = respond(captured);
    return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  };
  return { requests, fetch: fetchImpl as typeof fetch };
}

/** Answers 200 with `body` (PostgREST's rows). */
export const ok = (body: unknown = []) => () => ({ status: 200, body });

/** Answers as PostgREST does when the database raised `code`. */
export const refusing = (status: number, code: string, message: string) => () => ({ status, body: { code, message, details: null, hint: null } });

/** The one request a call made (fails the test when it made none or several). */
export function only(rec: { requests: Captured[] }): Captured {
  if (rec.requests.length !== 1) throw new Error(`expected exactly one request, got ${rec.requests.length}: ${rec.requests.map((r) => `${r.method} ${r.url}`).join(", ")}`);
  return rec.requests[0]!;
}
