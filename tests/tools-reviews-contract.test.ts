// The review contracts (packages/contracts/src/tools-reviews.ts) agree with the
// database: rating 1-5 whole stars, the same length bounds, no protected field
// accepted from a client, PENDING not a moderation outcome, the same flag
// threshold as private.tools_review_flag_threshold().
import {
  REVIEW_FLAG_THRESHOLD, reviewEdit, reviewInput, reviewModeration, reviewReport, reviewVote,
} from "@domus/contracts/tools-reviews.ts";
import { afterAll, describe, expect, it } from "vitest";
import { closeDb, db } from "./support/db.ts";

afterAll(closeDb);

const TOOL = "00000000-0000-4000-a003-000000000007";
const ACCOUNT = "4f7c2a7e-2a39-4b53-8d8e-8c1b4c3f0a01";
const ok = { tool_id: TOOL, organization_id: ACCOUNT, rating: 4, title: "Useful", review: "Saves me an hour a day." };

describe("review input", () => {
  it("takes a well-formed review, title and text optional", () => {
    expect(reviewInput.safeParse(ok).success).toBe(true);
    expect(reviewInput.safeParse({ tool_id: TOOL, organization_id: ACCOUNT, rating: 1 }).success).toBe(true);
  });

  it("rating is a whole number of stars from 1 to 5", () => {
    for (const rating of [0, 6, 3.5, -1, Number.NaN, "5"]) {
      const r = reviewInput.safeParse({ ...ok, rating });
      expect(r.success, String(rating)).toBe(false);
      expect(r.error?.issues[0]?.path).toEqual(["rating"]);
    }
    for (const rating of [1, 2, 3, 4, 5]) expect(reviewInput.safeParse({ ...ok, rating }).success).toBe(true);
  });

  it("bounds title and review as the columns do", () => {
    expect(reviewInput.safeParse({ ...ok, title: "x".repeat(201) }).success).toBe(false);
    expect(reviewInput.safeParse({ ...ok, title: "   " }).success).toBe(false);
    expect(reviewInput.safeParse({ ...ok, review: "x".repeat(10_001) }).success).toBe(false);
    expect(reviewInput.safeParse({ ...ok, review: "x".repeat(10_000) }).success).toBe(true);
  });

  it("refuses every field the database keeps for itself", () => {
    for (const field of ["user_id", "verified_purchase", "status", "helpful_count", "flagged_count", "moderated_at", "moderated_by", "moderation_notes", "id"]) {
      const r = reviewInput.safeParse({ ...ok, [field]: field === "verified_purchase" ? true : "x" });
      expect(r.success, field).toBe(false);
    }
  });
});

describe("review edit", () => {
  it("changes content only, at least one field", () => {
    expect(reviewEdit.safeParse({ rating: 2 }).success).toBe(true);
    expect(reviewEdit.safeParse({ review: null }).success).toBe(true);
    expect(reviewEdit.safeParse({}).success).toBe(false);
    expect(reviewEdit.safeParse({ rating: 7 }).success).toBe(false);
    expect(reviewEdit.safeParse({ organization_id: ACCOUNT }).success).toBe(false);
    expect(reviewEdit.safeParse({ status: "APPROVED" }).success).toBe(false);
  });
});

describe("moderation, votes, reports", () => {
  it("a moderator approves, rejects or flags, never sets PENDING", () => {
    for (const status of ["APPROVED", "REJECTED", "FLAGGED"]) {
      expect(reviewModeration.safeParse({ review_id: TOOL, status, notes: "ok" }).success).toBe(true);
    }
    expect(reviewModeration.safeParse({ review_id: TOOL, status: "PENDING" }).success).toBe(false);
    expect(reviewModeration.safeParse({ review_id: TOOL, status: "APPROVED", notes: "x".repeat(10_001) }).success).toBe(false);
    expect(reviewModeration.safeParse({ review_id: TOOL, status: "APPROVED", moderated_by: ACCOUNT }).success).toBe(false);
  });

  it("a vote names only the review; a report a bounded reason", () => {
    expect(reviewVote.safeParse({ review_id: TOOL }).success).toBe(true);
    expect(reviewVote.safeParse({ review_id: TOOL, user_id: ACCOUNT }).success).toBe(false);
    expect(reviewVote.safeParse({ review_id: "not-a-uuid" }).success).toBe(false);
    expect(reviewReport.safeParse({ review_id: TOOL, reason: "spam" }).success).toBe(true);
    expect(reviewReport.safeParse({ review_id: TOOL, reason: "x".repeat(1001) }).success).toBe(false);
  });

  it("the flag threshold is the database's", async () => {
    const { rows: [r] } = await db().query("select private.tools_review_flag_threshold() as n");
    expect(r.n).toBe(REVIEW_FLAG_THRESHOLD);
  });
});
