// Sending an account's SMS (issue 13's lead alerts will call this): the
// segments are debited from the account's 'sms' credits and logged in
// reports.sms_logs before the provider is asked (private.reports_send_sms_debit),
// then the provider's answer settles the log (a failed send returns the
// credits). Too few credits: nothing is sent, the refusal is logged, and the
// caller gets SmsRefused (PT402, HTTP 402). The idempotency key makes a
// retried send spend and send once.
import { HttpError } from "../http.ts";
import { countSegments, validateSms } from "./sms.ts";
import type { MessagingStore } from "./store.ts";
import type { SmsResult, SmsSender } from "./types.ts";

export class SmsRefused extends HttpError {
  constructor(message: string, readonly smsLogId: string) {
    super(402, "PT402", message, "sms_credits");
  }
}

export interface AccountSms {
  accountId: string;
  to: string;
  body: string;
  idempotencyKey: string;
  leadId?: string | null;
}

export interface AccountSmsResult {
  smsLogId: string;
  segments: number;
  balanceAfter: number;
  /** null when this key was sent before (a retry): nothing was sent again. */
  result: SmsResult | null;
}

export async function sendAccountSms(store: Pick<MessagingStore, "smsDebit" | "smsFinish">, sender: SmsSender, sms: AccountSms, from: string | null = null): Promise<AccountSmsResult> {
  validateSms({ to: sms.to, body: sms.body, ...(from ? { from } : {}) });
  const { segments } = countSegments(sms.body);
  const debit = await store.smsDebit({
    accountId: sms.accountId, toPhone: sms.to, fromPhone: from, message: sms.body, segments,
    idempotencyKey: sms.idempotencyKey, leadId: sms.leadId ?? null,
  });
  if (debit.status === "refused") {
    throw new SmsRefused(`sms_credits: ${debit.balance_after} available, ${segments} needed`, debit.sms_log_id);
  }
  if (!debit.fresh) return { smsLogId: debit.sms_log_id, segments: debit.segments, balanceAfter: debit.balance_after, result: null };
  let result: SmsResult;
  try {
    result = await sender.send({ to: sms.to, body: sms.body, ...(from ? { from } : {}) });
  } catch (error) {
    await store.smsFinish(debit.sms_log_id, { status: "failed", sid: null, provider: sender.provider, error: String(error instanceof Error ? error.message : error) });
    throw error;
  }
  await store.smsFinish(debit.sms_log_id, {
    status: result.accepted ? (sender.provider === "local" ? "sent" : "queued") : "failed",
    sid: result.sid, provider: result.provider, error: result.error,
  });
  return { smsLogId: debit.sms_log_id, segments, balanceAfter: debit.balance_after + (result.accepted ? 0 : segments), result };
}
