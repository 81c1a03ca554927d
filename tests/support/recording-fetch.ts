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
