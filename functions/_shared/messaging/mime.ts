// An email as RFC 5322 text (with MIME, RFC 2045-2049): what the local
// outbox writes to `.eml` files, so a person can open a sent message in any
// mail client exactly as a provider would have delivered it. Headers are
// refused when they hold a line break (header injection), non-ASCII header
// text is an RFC 2047 encoded word, bodies are UTF-8 quoted-printable, and
// attachments base64 in 76-character lines; every line ends in CRLF.
import type { EmailMessage } from "./types.ts";

const CRLF = "\r\n";
const encoder = new TextEncoder();

export class MimeError extends Error {}

function assertHeaderSafe(name: string, value: string) {
  if (/[\r\n]/.test(value)) throw new MimeError(`${name}: a header value may not contain a line break`);
  if (!/^[!-9;-~]+$/.test(name)) throw new MimeError(`${name}: not a valid header name`);
}

const isAscii = (s: string) => /^[\x20-\x7e]*$/.test(s);

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** RFC 2047 B-encoded words, each at most 75 characters, split on whole characters. */
export function encodeWords(text: string): string {
  if (isAscii(text)) return text;
  const words: string[] = [];
  let chunk = "";
  for (const ch of text) {
    const next = chunk + ch;
    // 12 = "=?UTF-8?B?" + "?=": base64 of n bytes is 4*ceil(n/3) characters.
    if (12 + 4 * Math.ceil(encoder.encode(next).length / 3) > 75) {
      words.push(chunk);
      chunk = ch;
    } else chunk = next;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${base64(encoder.encode(w))}?=`).join(`${CRLF} `);
}

/** `Name <addr>` or `addr`, with a non-ASCII display name encoded. */
export function formatAddress(address: string): string {
  const m = /^\s*(.*?)\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(address);
  if (!m) return address.trim();
  const [, name, addr] = m;
  if (!name) return `<${addr}>`;
  const unquoted = name.replace(/^"(.*)"$/, "$1");
  const display = isAscii(unquoted) ? `"${unquoted.replace(/["\\]/g, "\\$&")}"` : encodeWords(unquoted);
  return `${display} <${addr}>`;
}

/** Quoted-printable (RFC 2045 6.7) of UTF-8 text, lines normalised to CRLF, at most 76 characters a line. */
export function quotedPrintable(text: string): string {
  const out: string[] = [];
  for (const line of text.replace(/\r\n?/g, "\n").split("\n")) {
    const bytes = encoder.encode(line);
    let current = "";
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      const last = i === bytes.length - 1;
      // Trailing space or tab would be stripped in transit: encode it.
      const literal = (b >= 33 && b <= 126 && b !== 61) || ((b === 32 || b === 9) && !last);
      const piece = literal ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, "0")}`;
      if (current.length + piece.length > 75) {
        out.push(current + "=");
        current = "";
      }
      current += piece;
    }
    out.push(current);
  }
  return out.join(CRLF);
}

function wrap76(text: string): string {
  return text.replace(/.{1,76}/g, "$&" + CRLF).replace(/\r\n$/, "");
}

/** A header line; the raw value is checked before encoding (encoded words fold with CRLF + space on purpose). */
function header(name: string, raw: string | string[], encode: (v: string) => string = (v) => v): string {
  const values = Array.isArray(raw) ? raw : [raw];
  for (const v of values) assertHeaderSafe(name, v);
  return `${name}: ${values.map(encode).join(", ")}`;
}

function textPart(type: "plain" | "html", body: string): string {
  return [
    `Content-Type: text/${type}; charset=utf-8`,
    "Content-Transfer-Encoding: quoted-printable",
    "",
    quotedPrintable(body),
  ].join(CRLF);
}

/** A file name as a MIME parameter: RFC 2231 for non-ASCII, quoted otherwise. */
function fileParam(param: string, filename: string): string {
  assertHeaderSafe(param, filename);
  if (isAscii(filename)) return `${param}="${filename.replace(/["\\]/g, "\\$&")}"`;
  return `${param}*=UTF-8''${encodeURIComponent(filename)}`;
}

export interface EmlOptions {
  messageId: string;
  date: Date;
  /** Boundaries must not occur in the parts; random ones never do in practice. */
  boundary?: string;
}

/** The whole message, CRLF line endings, ready to be written to an `.eml` file. */
export function buildEml(msg: EmailMessage, o: EmlOptions): string {
  if (msg.to.length === 0) throw new MimeError("to: at least one recipient");
  const boundary = o.boundary ?? `=_domus_${crypto.randomUUID().replaceAll("-", "")}`;
  // Neither boundary may be a prefix of the other (RFC 2046 5.1.1).
  const alt = `alt${boundary}`;
  const headers = [
    header("From", msg.from, formatAddress),
    header("To", msg.to, formatAddress),
    ...(msg.replyTo ? [header("Reply-To", msg.replyTo, formatAddress)] : []),
    header("Subject", msg.subject, encodeWords),
    header("Date", o.date.toUTCString().replace("GMT", "+0000")),
    header("Message-ID", `<${o.messageId}>`),
    "MIME-Version: 1.0",
    ...Object.entries(msg.headers ?? {}).map(([name, value]) => header(name, value)),
  ];

  const alternative = msg.html
    ? [
      `Content-Type: multipart/alternative; boundary="${alt}"`,
      "",
      `--${alt}`,
      textPart("plain", msg.text),
      `--${alt}`,
      textPart("html", msg.html),
      `--${alt}--`,
    ].join(CRLF)
    : textPart("plain", msg.text);

  const attachments = msg.attachments ?? [];
  if (attachments.length === 0) return [...headers, alternative].join(CRLF) + CRLF;

  const parts = attachments.map((a) => {
    assertHeaderSafe("contentType", a.contentType);
    return [
      `Content-Type: ${a.contentType}; ${fileParam("name", a.filename)}`,
      `Content-Disposition: attachment; ${fileParam("filename", a.filename)}`,
      "Content-Transfer-Encoding: base64",
      "",
      wrap76(base64(a.content)),
    ].join(CRLF);
  });
  return [
    ...headers,
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
    "",
    `--${boundary}`,
    alternative,
    ...parts.flatMap((p) => [`--${boundary}`, p]),
    `--${boundary}--`,
    "",
  ].join(CRLF);
}
