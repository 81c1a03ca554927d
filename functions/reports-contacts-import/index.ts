// POST /functions/v1/reports-contacts-import?account_id=<uuid> — a CSV file
// of contacts (text/csv; header name,email,type,notes in any order and case)
// into an account the caller is a member of. Every bad row is reported by
// line and field and left out; the rest is inserted in one transaction under
// the caller's RLS. An address the account already has is reported and left
// as it is (an import never overwrites what someone typed in by hand).
// Answers {imported, skipped: [{line, field, message}], unknown_columns}.
import {
  CONTACTS_IMPORT_MAX_BYTES,
  CONTACTS_IMPORT_MAX_ROWS,
  type ContactsImportResponse,
  contactsImportQuery,
} from "@domus/contracts/reports-contacts.ts";
import { formatZodError } from "@domus/contracts/errors.ts";
import { type AuthDeps, requireUser } from "../_shared/auth.ts";
import { connect, revocationReason } from "../_shared/db.ts";
import { requireEnv } from "../_shared/env.ts";
import { errorResponse, HttpError, json, withErrors } from "../_shared/http.ts";
import { pgCall } from "../_shared/pg-errors.ts";
import { readCsv } from "../_shared/reports/contacts/csv.ts";
import { HeaderError, planImport } from "../_shared/reports/contacts/rows.ts";
import { type ContactsStore, contactsStore } from "../_shared/reports/contacts/store.ts";

export interface ContactsImportDeps extends AuthDeps {
  store: ContactsStore;
  maxBytes?: number;
  maxRows?: number;
}

/** The body as text, refusing more than maxBytes without reading it all. */
async function readLimited(req: Request, maxBytes: number): Promise<string> {
  const tooBig = () => new HttpError(413, "payload_too_large", `body: at most ${maxBytes} bytes`, "body");
  const declared = Number(req.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > maxBytes) throw tooBig();
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooBig();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, "invalid_request", "body: not UTF-8 text", "body");
  }
}

export function createHandler(deps: ContactsImportDeps) {
  const maxBytes = deps.maxBytes ?? CONTACTS_IMPORT_MAX_BYTES;
  const maxRows = deps.maxRows ?? CONTACTS_IMPORT_MAX_ROWS;
  return withErrors(async (req) => {
    if (req.method !== "POST") return errorResponse(405, "method_not_allowed", "method: use POST");
    const caller = await requireUser(req, deps);
    const query = contactsImportQuery.safeParse(Object.fromEntries(new URL(req.url).searchParams));
    if (!query.success) {
      const { field, message } = formatZodError(query.error);
      throw new HttpError(400, "invalid_request", message, field);
    }
    const type = (req.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
    if (type !== "text/csv") {
      throw new HttpError(415, "unsupported_media_type", "content-type: send the file as text/csv", "content-type");
    }
    const body = await readLimited(req, maxBytes);
    const records = readCsv(body);
    if (records.length - 1 > maxRows) {
      throw new HttpError(413, "payload_too_large", `body: at most ${maxRows} rows besides the header`, "body");
    }
    let plan;
    try {
      plan = planImport(records);
    } catch (error) {
      if (error instanceof HeaderError) throw new HttpError(400, "invalid_request", error.message, "header");
      throw error;
    }
    const inserted = await pgCall(() => deps.store.importContacts(caller.claims, query.data.account_id, plan.rows));
    const skipped = [...plan.skipped];
    for (const row of plan.rows) {
      if (!inserted.has(row.email)) {
        skipped.push({ line: row.line, field: "email", message: `email: ${row.email} is already a contact of this account` });
      }
    }
    skipped.sort((a, b) => a.line - b.line);
    const answer: ContactsImportResponse = { imported: inserted.size, skipped, unknown_columns: plan.unknown_columns };
    return json(answer);
  });
}

export function build() {
  const sql = connect(requireEnv("SUPABASE_DB_URL"));
  return createHandler({
    jwtSecret: requireEnv("SUPABASE_JWT_SECRET"),
    revocationReason: (claims) => revocationReason(sql, claims),
    store: contactsStore(sql),
  });
}

if (import.meta.main) Deno.serve(build());
