// How many SMS segments a text costs (what carriers bill, and what we debit:
// one 'sms' credit per segment). GSM 03.38 text is 7-bit: 160 characters in
// one segment, 153 per segment once split (the rest is the concatenation
// header); characters of its extension table ({ } [ ] ~ \ | ^ € and form
// feed) take two. Anything else sends the whole message as UCS-2: 70 UTF-16
// units alone, 67 per part. An escape pair or a surrogate pair is never
// split between two segments, so packing is greedy, not a division.

const GSM_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM_EXTENDED = "\f^{}\\[~]|€";
const BASIC = new Set(GSM_BASIC);
const EXTENDED = new Set(GSM_EXTENDED);

export type SmsEncoding = "GSM-7" | "UCS-2";

export interface Segments {
  encoding: SmsEncoding;
  segments: number;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number;
}

function pack(sizes: number[], single: number, multi: number): number {
  const total = sizes.reduce((n, s) => n + s, 0);
  if (total <= single) return 1;
  let segments = 1;
  let used = 0;
  for (const size of sizes) {
    if (used + size > multi) {
      segments++;
      used = 0;
    }
    used += size;
  }
  return segments;
}

export function countSegments(text: string): Segments {
  const chars = [...text];
  if (chars.every((c) => BASIC.has(c) || EXTENDED.has(c))) {
    const sizes = chars.map((c) => (EXTENDED.has(c) ? 2 : 1));
    return { encoding: "GSM-7", units: sizes.reduce((n, s) => n + s, 0), segments: pack(sizes, 160, 153) };
  }
  const sizes = chars.map((c) => c.length);
  return { encoding: "UCS-2", units: sizes.reduce((n, s) => n + s, 0), segments: pack(sizes, 70, 67) };
}

/** E.164: a plus, a country code that does not start with 0, at most 15 digits in all (at least 8). */
export const E164 = /^\+[1-9][0-9]{7,14}$/;

export function isE164(phone: string): boolean {
  return E164.test(phone);
}
