// Tools marketplace reviews (issue 10, Reviews): what a client may send when it
// writes a review, edits it, votes, reports, or (a platform admin) moderates.
// The database checks the same bounds (rating 1-5, title 200, review 10,000,
// notes 10,000, reason 1,000); zod answers first, with the field named.
// The objects are strict: verified_purchase, status, the counters, user_id and
// the moderation fields are the database's, so a client sending them is refused
// here as the database's column grants would refuse it (42501).
import { z } from "zod";
import { text } from "./errors.ts";

const uuid = text().uuid();

export const reviewRating = z.number().int().min(1).max(5);
const title = text().trim().min(1).max(200);
const body = text().max(10_000);

/** A new review: one per user per tool, for an account the author belongs to. */
export const reviewInput = z.object({
  tool_id: uuid,
  organization_id: uuid,
  rating: reviewRating,
  title: title.nullish(),
  review: body.nullish(),
}).strict();
export type ReviewInput = z.input<typeof reviewInput>;

/** An author's edit; an edit of an approved review sends it back to moderation. */
export const reviewEdit = z.object({
  rating: reviewRating.optional(),
  title: title.nullish(),
  review: body.nullish(),
}).strict().refine((e) => Object.keys(e).length > 0, { message: "nothing to change", path: ["rating"] });
export type ReviewEdit = z.input<typeof reviewEdit>;

/** The outcomes a moderator may give (PENDING is where reviews start, not an outcome). */
export const moderationStatus = z.enum(["APPROVED", "REJECTED", "FLAGGED"]);
export const reviewStatus = z.enum(["PENDING", "APPROVED", "REJECTED", "FLAGGED"]);

/** tools.moderate_review(review_id, status, notes): platform admins only. */
export const reviewModeration = z.object({
  review_id: uuid,
  status: moderationStatus,
  notes: text().max(10_000).nullish(),
}).strict();
export type ReviewModeration = z.input<typeof reviewModeration>;

/** A "helpful" vote: one per user per review, on an approved review of someone else. */
export const reviewVote = z.object({ review_id: uuid }).strict();
export type ReviewVote = z.input<typeof reviewVote>;

/** A report: one per user per review; 3 distinct reporters send it to FLAGGED. */
export const reviewReport = z.object({
  review_id: uuid,
  reason: text().trim().max(1000).nullish(),
}).strict();
export type ReviewReport = z.input<typeof reviewReport>;

/** Distinct reporters since the last moderation that flag a review (private.tools_review_flag_threshold()). */
export const REVIEW_FLAG_THRESHOLD = 3;
