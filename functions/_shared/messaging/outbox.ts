// The local providers: without a provider key, mail and SMS are not sent
// but written where a person can open them, in the stack's state directory
// (DOMUS_OUTBOX_DIR, set by npm start to <state dir>/outbox, never inside
// the checkout): `email/<time>-<id>.eml` (RFC 5322, opens in any mail
// client) and `sms/<time>-<id>.json`. Results say provider "local".
import { join } from "node:path";
import { buildEml } from "./mime.ts";
import { countSegments } from "./segments.ts";
import type { EmailMessage, EmailResult, EmailSender, Env, SmsMessage, SmsResult, SmsSender } from "./types.ts";

/** Where the outbox is: DOMUS_OUTBOX_DIR, else a folder in the system temp dir (hosted functions may write only /tmp). */
export function outboxDir(env: Env): string {
  return env("DOMUS_OUTBOX_DIR") || join(env("TMPDIR") || "/tmp", "domus-outbox");
}

function fileStem(now: Date, id: string): string {
  return `${now.toISOString().replace(/[:.]/g, "-")}-${id}`;
}

async function writeNew(dir: string, name: string, data: string): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  const path = join(dir, name);
  // createNew: two sends never overwrite each other's file.
  await Deno.writeTextFile(path, data, { createNew: true });
  return path;
}

export function localEmailSender(dir: string, opts: { now?: () => Date; domain?: string } = {}): EmailSender {
  const now = opts.now ?? (() => new Date());
  const domain = opts.domain ?? "outbox.domus.local";
  return {
    provider: "local",
    async send(message: EmailMessage): Promise<EmailResult> {
      const id = crypto.randomUUID();
      const messageId = `${id}@${domain}`;
      const date = now();
      const eml = buildEml(message, { messageId, date });
      const path = await writeNew(join(dir, "email"), `${fileStem(date, id)}.eml`, eml);
      return { provider: "local", accepted: true, messageId, status: 200, error: null, path };
    },
  };
}

export function localSmsSender(dir: string, opts: { now?: () => Date; from?: string } = {}): SmsSender {
  const now = opts.now ?? (() => new Date());
  return {
    provider: "local",
    async send(message: SmsMessage): Promise<SmsResult> {
      const id = crypto.randomUUID();
      const sid = `LOCAL${id.replaceAll("-", "")}`;
      const date = now();
      const from = message.from ?? opts.from ?? null;
      const { segments, encoding } = countSegments(message.body);
      const record = { provider: "local", sid, to: message.to, from, body: message.body, segments, encoding, created_at: date.toISOString() };
      const path = await writeNew(join(dir, "sms"), `${fileStem(date, id)}.json`, JSON.stringify(record, null, 2) + "\n");
      return { provider: "local", accepted: true, sid, status: 201, providerStatus: "queued", error: null, segments, from, path };
    },
  };
}
