// GET|POST /functions/v1/reports-unsubscribe?t=<token>
// Public (verify_jwt = false): the token (functions/_shared/messaging/
// unsubscribe.ts, an HMAC over the account and the address) is the
// authentication, so it only ever unsubscribes the address it was made for.
//   GET  — the link in the email: unsubscribes and shows a small page.
//   POST — RFC 8058 one-click from the mail client, body
//          `List-Unsubscribe=One-Click` (form-encoded or multipart).
// Both add (account, address) to reports.email_suppressions with reason
// 'unsubscribe'; doing it again changes nothing. A bad, forged or tampered
// token is 400, an account that no longer exists 404; never a 5xx for
// anything the request carries. (Hosted Supabase serves text/html GET
// answers on its default domain as text/plain; the page reads as text too.)
import { connect } from "../_shared/db.ts";
import { requireEnv } from "../_shared/env.ts";
import { corsHeaders, json, withErrors } from "../_shared/http.ts";
import { type MessagingStore, messagingStore } from "../_shared/messaging/store.ts";
import { pgCall } from "../_shared/pg-errors.ts";
import { assertKey, verifyUnsubscribeToken } from "../_shared/messaging/unsubscribe.ts";

export interface UnsubscribeDeps {
  store: Pick<MessagingStore, "unsubscribe">;
  key: string;
}

const MAX_BODY = 4096;
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

function page(status: number, title: string, message: string): Response {
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escapeHtml(title)}</title></head><body style="font-family:sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem">
<h1 style="font-size:1.3rem">${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>\n`;
  return new Response(body, {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "referrer-policy": "no-referrer",
      "x-content-type-options": "nosniff",
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'",
    },
  });
}

/** RFC 8058: the POST body must carry List-Unsubscribe=One-Click. */
async function isOneClick(req: Request): Promise<boolean> {
  const length = Number(req.headers.get("content-length") ?? "0");
  if (length > MAX_BODY) return false;
  const type = req.headers.get("content-type") ?? "";
  try {
    if (type.startsWith("multipart/form-data")) return (await req.formData()).get("List-Unsubscribe") === "One-Click";
    const text = (await req.text()).slice(0, MAX_BODY);
    return new URLSearchParams(text.trim()).get("List-Unsubscribe") === "One-Click";
  } catch {
    return false;
  }
}

export function createHandler(deps: UnsubscribeDeps) {
  assertKey(deps.key);
  return withErrors(async (req) => {
    const post = req.method === "POST";
    if (req.method !== "GET" && !post) {
      return new Response(null, { status: 405, headers: { ...corsHeaders, allow: "GET, POST" } });
    }
    const token = new URL(req.url).searchParams.get("t");
    const claim = verifyUnsubscribeToken(deps.key, token);
    if (!claim) {
      return post
        ? json({ error: { code: "invalid_token", message: "t: not a valid unsubscribe token", field: "t" } }, 400)
        : page(400, "This unsubscribe link is not valid", "Check that the whole link from the email was opened, or ask the sender to remove you.");
    }
    if (post && !(await isOneClick(req))) {
      return json({ error: { code: "invalid_request", message: "body: expected List-Unsubscribe=One-Click (RFC 8058)", field: "body" } }, 400);
    }
    // A database refusal (e.g. an address the suppressions table rejects) is the caller's 4xx, not a 500.
    const done = await pgCall(() => deps.store.unsubscribe(claim.accountId, claim.email));
    if (!done) {
      return post
        ? json({ error: { code: "not_found", message: "t: the sender of this mail no longer exists", field: "t" } }, 404)
        : page(404, "Nothing to unsubscribe from", "The sender of this mail no longer exists; you will not get its reports.");
    }
    return post
      ? json({ unsubscribed: true })
      : page(200, "You are unsubscribed", `${claim.email} will not get these scheduled reports any more.`);
  });
}

export function build() {
  return createHandler({
    store: messagingStore(connect(requireEnv("SUPABASE_DB_URL"), 2)),
    key: requireEnv("REPORTS_UNSUBSCRIBE_KEY"),
  });
}

if (import.meta.main) Deno.serve(build());
