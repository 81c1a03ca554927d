// The email and SMS adapters: the local outbox writes messages a mail client
// (here postal-mime, an independent parser) reads back; provider clients are
// made only when their keys are set; provider refusals come back as results.
import { assert, assertEquals, assertMatch, assertRejects, assertThrows } from "../_shared/messaging/testing.ts";
import PostalMime from "postal-mime";
import { Resend } from "resend";
import { emailSenderFromEnv, postmarkSender, type PostmarkLike, realEmailClients, resendSender, type ResendLike } from "../_shared/messaging/email.ts";
import { buildEml, MimeError, quotedPrintable } from "../_shared/messaging/mime.ts";
import { localEmailSender, outboxDir } from "../_shared/messaging/outbox.ts";
import { countSegments, isE164, smsSenderFromEnv, twilioSender, type TwilioLike, validateSms } from "../_shared/messaging/sms.ts";
import { unsubscribeHeaders, unsubscribeUrl } from "../_shared/messaging/unsubscribe.ts";

const OUTBOX = outboxDir((n) => Deno.env.get(n));
const envOf = (vars: Record<string, string>) => (name: string) => vars[name];

Deno.test("local outbox: a real .eml with text, html, an attachment and the RFC 8058 headers", async () => {
  const url = unsubscribeUrl("http://127.0.0.1:54321/functions/v1", "tok.en.sig");
  const pdf = new Uint8Array(3000).map((_, i) => (i * 7) % 256);
  const sender = localEmailSender(OUTBOX);
  const result = await sender.send({
    from: "Domus Reports <reports@domus.local>",
    to: ["Zoë Agent <zoe@example.com>", "bob@example.com"],
    subject: "Marktbericht für Zürich — März " + "Übersicht ".repeat(12),
    text: "Your report is ready.\nLine with = sign and trailing space \nÜmlaut",
    html: "<p>Your report is <b>ready</b>. <a href=\"" + url + "\">Unsubscribe</a></p>",
    headers: unsubscribeHeaders(url),
    attachments: [{ filename: "report.pdf", contentType: "application/pdf", content: pdf }],
  });
  assertEquals(result.provider, "local");
  assert(result.accepted);
  assertEquals(result.status, 200);
  assert(result.path?.startsWith(`${OUTBOX}/email/`) && result.path.endsWith(".eml"), result.path);

  const raw = await Deno.readTextFile(result.path!);
  assert(!/[^\r]\n/.test(raw), "every line ends in CRLF");
  for (const line of raw.split("\r\n")) assert(line.length <= 998, "RFC 5322 line limit");

  const mail = await PostalMime.parse(raw);
  assertEquals(mail.subject, "Marktbericht für Zürich — März " + "Übersicht ".repeat(12), "a long non-ASCII subject folds into encoded words");
  assertEquals(mail.from?.address, "reports@domus.local");
  assertEquals(mail.to?.map((a) => a.address), ["zoe@example.com", "bob@example.com"]);
  assertEquals(mail.to?.[0].name, "Zoë Agent");
  assertEquals(mail.text?.replace(/\r\n/g, "\n").trimEnd(), "Your report is ready.\nLine with = sign and trailing space \nÜmlaut");
  assert(mail.html?.includes("<b>ready</b>"));
  assertEquals(mail.messageId, `<${result.messageId}>`);
  const header = (name: string) => mail.headers.find((h) => h.key === name)?.value;
  assertEquals(header("list-unsubscribe"), `<${url}>`);
  assertEquals(header("list-unsubscribe-post"), "List-Unsubscribe=One-Click");
  assertEquals(mail.attachments.length, 1);
  assertEquals(mail.attachments[0].filename, "report.pdf");
  assertEquals(mail.attachments[0].mimeType, "application/pdf");
  assertEquals(new Uint8Array(mail.attachments[0].content as ArrayBuffer), pdf);
});

Deno.test("mime: a header value with a line break is refused (no header injection)", () => {
  const base = { from: "a@example.com", to: ["b@example.com"], text: "x" };
  assertThrows(() => buildEml({ ...base, subject: "hi\r\nBcc: victim@example.com" }, { messageId: "m@x", date: new Date() }), MimeError, "Subject");
  assertThrows(() => buildEml({ ...base, subject: "hi", headers: { "X-A": "1\nBcc: v@example.com" } }, { messageId: "m@x", date: new Date() }), MimeError);
  assertThrows(() => buildEml({ ...base, subject: "hi", to: [] }, { messageId: "m@x", date: new Date() }), MimeError, "to");
});

Deno.test("mime: quoted-printable keeps lines under 77 characters and escapes '=' and trailing blanks", () => {
  const qp = quotedPrintable("a".repeat(200) + "=\n" + "end \t");
  for (const line of qp.split("\r\n")) assert(line.length <= 76, line);
  assert(qp.includes("=3D"));
  assert(qp.endsWith("end =09"));
});

Deno.test("email: provider clients are constructed only when their key is set", () => {
  const made: string[] = [];
  const factories = {
    resend: (key: string) => {
      made.push(`resend:${key}`);
      return { emails: { send: () => Promise.reject(new Error("unused")) } } as unknown as ResendLike;
    },
    postmark: (token: string) => {
      made.push(`postmark:${token}`);
      return { sendEmail: () => Promise.reject(new Error("unused")) } as unknown as PostmarkLike;
    },
  };
  assertEquals(emailSenderFromEnv(envOf({}), factories).provider, "local");
  assertEquals(emailSenderFromEnv(envOf({ RESEND_API_KEY: "" }), factories).provider, "local");
  assertEquals(made, []);
  assertEquals(emailSenderFromEnv(envOf({ POSTMARK_SERVER_TOKEN: "pm-token" }), factories).provider, "postmark");
  assertEquals(emailSenderFromEnv(envOf({ RESEND_API_KEY: "re_123", POSTMARK_SERVER_TOKEN: "pm" }), factories).provider, "resend");
  assertEquals(made, ["postmark:pm-token", "resend:re_123"]);
  // The real factory makes a real client holding the key, without a request.
  const real = realEmailClients.resend("re_test_key") as Resend;
  assertEquals(real.key, "re_test_key");
});

Deno.test("email: Resend's answer and refusal become results with its status and id", async () => {
  const calls: unknown[] = [];
  const ok = resendSender({
    emails: {
      send: ((payload: unknown, options: unknown) => {
        calls.push({ payload, options });
        return Promise.resolve({ data: { id: "re-id-1" }, error: null, headers: null });
      }) as unknown as ResendLike["emails"]["send"],
    },
  });
  const sent = await ok.send({ from: "a@x.dev", to: ["b@x.dev"], subject: "s", text: "t", headers: { "List-Unsubscribe": "<https://u>" } }, { idempotencyKey: "run-1:b@x.dev" });
  assertEquals(sent, { provider: "resend", accepted: true, messageId: "re-id-1", status: 200, error: null });
  assertEquals((calls[0] as { options: unknown }).options, { idempotencyKey: "run-1:b@x.dev" });
  assertEquals((calls[0] as { payload: { headers: unknown } }).payload.headers, { "List-Unsubscribe": "<https://u>" });

  const refused = resendSender({
    emails: {
      send: (() => Promise.resolve({ data: null, error: { name: "validation_error", message: "bad from", statusCode: 422 }, headers: null })) as unknown as ResendLike["emails"]["send"],
    },
  });
  const r = await refused.send({ from: "a@x.dev", to: ["b@x.dev"], subject: "s", text: "t" });
  assertEquals([r.accepted, r.status, r.error], [false, 422, "validation_error: bad from"]);
});

Deno.test("email: Postmark's error code and thrown errors become results", async () => {
  const pm = postmarkSender({
    sendEmail: (() => Promise.resolve({ ErrorCode: 406, Message: "inactive recipient", MessageID: "", SubmittedAt: "", To: "b@x.dev" })) as unknown as PostmarkLike["sendEmail"],
  });
  const r = await pm.send({ from: "a@x.dev", to: ["b@x.dev"], subject: "s", text: "t" });
  assertEquals([r.provider, r.accepted, r.status, r.error], ["postmark", false, 422, "406: inactive recipient"]);
  const thrown = postmarkSender({
    sendEmail: (() => Promise.reject(Object.assign(new Error("unauthorized"), { statusCode: 401, code: 10 }))) as unknown as PostmarkLike["sendEmail"],
  });
  const t = await thrown.send({ from: "a@x.dev", to: ["b@x.dev"], subject: "s", text: "t" });
  assertEquals([t.accepted, t.status, t.error], [false, 401, "10: unauthorized"]);
});

Deno.test("sms: E.164 numbers only", () => {
  for (const good of ["+14155550123", "+447911123456", "+61412345678"]) assert(isE164(good), good);
  for (const bad of ["14155550123", "+04155550123", "+1 415 555 0123", "+1415555012345678", "+1", "", "+1415555O123"]) assert(!isE164(bad), bad);
  assertThrows(() => validateSms({ to: "0415 555 0123", body: "hi" }), Error, "to:");
  assertThrows(() => validateSms({ to: "+14155550123", body: "  " }), Error, "body:");
  assertThrows(() => validateSms({ to: "+14155550123", body: "x".repeat(153 * 10 + 1) }), Error, "body: longer than 10 segments");
});

Deno.test("sms: segments as carriers count them (GSM-7 160/153, extension pairs, UCS-2 70/67, surrogates)", () => {
  assertEquals(countSegments("a".repeat(160)), { encoding: "GSM-7", units: 160, segments: 1 });
  assertEquals(countSegments("a".repeat(161)).segments, 2);
  assertEquals(countSegments("a".repeat(306)).segments, 2);
  assertEquals(countSegments("a".repeat(307)).segments, 3);
  assertEquals(countSegments("€".repeat(80)), { encoding: "GSM-7", units: 160, segments: 1 });
  // 152 septets then an escape pair: the pair does not fit the first part's 153.
  assertEquals(countSegments("a".repeat(152) + "{" + "a".repeat(10)).segments, 2);
  assertEquals(countSegments("a".repeat(152) + "{" + "a".repeat(152)).segments, 3);
  assertEquals(countSegments("ж".repeat(70)), { encoding: "UCS-2", units: 70, segments: 1 });
  assertEquals(countSegments("ж".repeat(71)).segments, 2);
  assertEquals(countSegments("😀".repeat(35)), { encoding: "UCS-2", units: 70, segments: 1 });
  // 66 units then an emoji (2 units) does not split the pair.
  assertEquals(countSegments("ж".repeat(66) + "😀" + "ж".repeat(67)).segments, 3);
});

Deno.test("sms: the local outbox writes JSON; Twilio is constructed only with its keys and a sender", async () => {
  const made: string[] = [];
  const factory = (sid: string, token: string) => {
    made.push(`${sid}:${token}`);
    return { messages: { create: () => Promise.resolve({ sid: "SM1", status: "queued" }) } } as TwilioLike;
  };
  assertEquals(smsSenderFromEnv(envOf({ DOMUS_OUTBOX_DIR: OUTBOX }), factory).provider, "local");
  assertEquals(smsSenderFromEnv(envOf({ TWILIO_ACCOUNT_SID: "AC1", TWILIO_AUTH_TOKEN: "t" }), factory).provider, "local");
  assertEquals(made, []);
  assertEquals(smsSenderFromEnv(envOf({ TWILIO_ACCOUNT_SID: "AC1", TWILIO_AUTH_TOKEN: "t", TWILIO_FROM_NUMBER: "+15005550006" }), factory).provider, "twilio");
  assertEquals(made, ["AC1:t"]);

  const local = smsSenderFromEnv(envOf({ DOMUS_OUTBOX_DIR: OUTBOX }), factory);
  const r = await local.send({ to: "+14155550123", body: "Your report: https://x.dev/r/ABCD2345 ✓" });
  assertEquals([r.provider, r.accepted, r.segments], ["local", true, 1]);
  assertMatch(r.sid!, /^LOCAL[0-9a-f]{32}$/);
  const stored = JSON.parse(await Deno.readTextFile(r.path!));
  assertEquals([stored.provider, stored.to, stored.encoding, stored.segments], ["local", "+14155550123", "UCS-2", 1]);
  await assertRejects(() => local.send({ to: "555-0123", body: "x" }), Error, "to:");
});

Deno.test("sms: a Twilio refusal is a result with its status and code", async () => {
  const sender = twilioSender({
    messages: { create: () => Promise.reject(Object.assign(new Error("The 'To' number is not a valid phone number."), { status: 400, code: 21211 })) },
  }, { from: "+15005550006" });
  const r = await sender.send({ to: "+14155550123", body: "hi" });
  assertEquals([r.provider, r.accepted, r.status, r.error], ["twilio", false, 400, "21211: The 'To' number is not a valid phone number."]);
});
