// public.transfer_account_ownership racing the incoming owner's departure,
// on two real connections shaped like PostgREST requests (one transaction,
// role + claims, pre-request hook). Each race is forced into one order: the
// first request does its write and holds its transaction open, the second is
// sent and observed waiting on a lock, then the first commits.
//   * leave (or removal by an admin) first: the transfer finds no membership
//     and is refused with PT404; the account keeps its primary owner, who can
//     still transfer it to someone else;
//   * transfer first: the leave (or removal) runs after it, sees the new
//     primary owner and is refused with 42501; the new owner keeps an owner
//     membership and sees the team;
//   * an invitation from the incoming owner accepted mid-transfer (holding
//     the sender's membership, then inserting a membership) does not
//     deadlock with the transfer: both succeed.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { asRequest, closeDb, createUser, db, userClaims } from "./support/db.ts";
import { stackEnv } from "./support/stack-env.ts";

type User = Awaited<ReturnType<typeof createUser>>;

const open: pg.Client[] = [];

afterAll(async () => {
  await Promise.all(open.map((c) => c.end().catch(() => {})));
  await closeDb();
});

/** A connection with a request transaction open as this user. */
async function requestAs(user: User): Promise<pg.Client & { pid: number }> {
  const client = new pg.Client({ connectionString: stackEnv().dbUrl });
  await client.connect();
  open.push(client);
  const { rows: [{ pid }] } = await client.query("select pg_backend_pid() as pid");
  await client.query("begin");
  await client.query("select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)", [
    JSON.stringify(userClaims(user)),
  ]);
  await client.query("select private.check_request()");
  return Object.assign(client, { pid: pid as number });
}

/** Resolves once the backend is waiting for a row or table lock. */
async function waitUntilBlocked(pid: number): Promise<void> {
  for (;;) {
    const { rows } = await db().query("select wait_event_type from pg_stat_activity where pid = $1", [pid]);
    if (rows[0]?.wait_event_type === "Lock") return;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The SQLSTATE a query failed with, or "ok". */
async function outcome(query: Promise<unknown>): Promise<string> {
  try {
    await query;
    return "ok";
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

interface Team {
  id: string;
  owner: User;
  admin: User;
  incoming: User;
}

async function team(label: string): Promise<Team> {
  const [owner, admin, incoming] = await Promise.all([
    createUser(`${label}-owner`), createUser(`${label}-admin`), createUser(`${label}-incoming`),
  ]);
  const id = randomUUID();
  await db().query(
    "insert into public.accounts (id, name, slug, account_type, primary_owner_user_id) values ($1, $2, $3, 'team', $4)",
    [id, `Race ${label}`, `race-${label}-${id.slice(0, 8)}`, owner.id],
  );
  await db().query(
    `insert into public.account_memberships (account_id, user_id, role)
     values ($1, $2, 'owner'), ($1, $3, 'admin'), ($1, $4, 'member')`,
    [id, owner.id, admin.id, incoming.id],
  );
  return { id, owner, admin, incoming };
}

async function state(t: Team) {
  const { rows: [account] } = await db().query("select primary_owner_user_id from public.accounts where id = $1", [t.id]);
  const { rows: members } = await db().query(
    "select user_id, role from public.account_memberships where account_id = $1 order by user_id", [t.id],
  );
  const roles = Object.fromEntries(members.map((m) => [m.user_id, m.role]));
  return { primaryOwner: account.primary_owner_user_id as string, roles: roles as Record<string, string> };
}

const transfer = (c: pg.Client, t: Team, to: User) =>
  c.query("select primary_owner_user_id from public.transfer_account_ownership($1, $2)", [t.id, to.id]);
const removeMembership = (c: pg.Client, t: Team, who: User) =>
  c.query("delete from public.account_memberships where account_id = $1 and user_id = $2 returning user_id", [t.id, who.id]);

describe("ownership transfer racing the incoming owner's departure", () => {
  for (const remover of ["incoming", "admin"] as const) {
    const who = remover === "incoming" ? "the incoming owner leaves" : "an admin removes the incoming owner";

    it(`${who} first: the transfer waits, then is refused (PT404) and nothing changes`, async () => {
      const t = await team(`leave-first-${remover}`);
      const leaving = await requestAs(t[remover]);
      expect((await removeMembership(leaving, t, t.incoming)).rowCount).toBe(1);

      const transferring = await requestAs(t.owner);
      const result = outcome(transfer(transferring, t, t.incoming));
      await waitUntilBlocked(transferring.pid);
      await leaving.query("commit");
      expect(await result).toBe("PT404");
      await transferring.query("rollback");

      const after = await state(t);
      expect(after.primaryOwner).toBe(t.owner.id);
      expect(after.roles[t.incoming.id]).toBeUndefined();
      expect(after.roles[t.owner.id]).toBe("owner");

      // The primary owner still holds the account and can hand it to someone else.
      const retry = await requestAs(t.owner);
      expect((await transfer(retry, t, t.admin)).rows[0].primary_owner_user_id).toBe(t.admin.id);
      await retry.query("commit");
      expect((await state(t)).roles[t.admin.id]).toBe("owner");
    });

    it(`transfer first: ${remover === "incoming" ? "the leave" : "the removal"} waits, then is refused (42501) and the new owner keeps the team`, async () => {
      const t = await team(`transfer-first-${remover}`);
      const transferring = await requestAs(t.owner);
      expect((await transfer(transferring, t, t.incoming)).rows[0].primary_owner_user_id).toBe(t.incoming.id);

      const leaving = await requestAs(t[remover]);
      const result = outcome(removeMembership(leaving, t, t.incoming));
      await waitUntilBlocked(leaving.pid);
      await transferring.query("commit");
      expect(await result).toBe("42501");
      await leaving.query("rollback");

      const after = await state(t);
      expect(after.primaryOwner).toBe(t.incoming.id);
      expect(after.roles[t.incoming.id]).toBe("owner");
      expect(after.roles[t.owner.id]).toBe("owner");

      const newOwner = await requestAs(t.incoming);
      const { rows } = await newOwner.query("select id from public.accounts where id = $1", [t.id]);
      await newOwner.query("rollback");
      expect(rows).toHaveLength(1);
    });
  }

  it("an invitation from the incoming owner, accepted mid-transfer, does not deadlock with it", async () => {
    const t = await team("invite-mid-transfer");
    const invitee = await createUser("invite-mid-transfer-invitee");
    const { rows: [invitation] } = await asRequest(userClaims(t.admin), (c) =>
      c.query("select public.create_invitation($1, 'member') ->> 'token' as token", [t.id]), { commit: true });
    // The acceptance has got as far as holding its sender's membership (as
    // private.usable_invitation_for does) when the transfer to that sender starts.
    const accepting = new pg.Client({ connectionString: stackEnv().dbUrl });
    await accepting.connect();
    open.push(accepting);
    await accepting.query("begin");
    await accepting.query("select 1 from public.account_memberships where account_id = $1 and user_id = $2 for share", [t.id, t.admin.id]);
    await accepting.query("select set_config('role', 'authenticated', true), set_config('request.jwt.claims', $1, true)", [
      JSON.stringify(userClaims(invitee)),
    ]);

    const transferring = await requestAs(t.owner);
    const transferred = outcome(transfer(transferring, t, t.admin));
    await waitUntilBlocked(transferring.pid);
    expect(await outcome(accepting.query("select public.accept_invitation($1)", [invitation.token]))).toBe("ok");
    await accepting.query("commit");
    expect(await transferred).toBe("ok");
    await transferring.query("commit");

    const after = await state(t);
    expect(after.primaryOwner).toBe(t.admin.id);
    expect(after.roles[t.admin.id]).toBe("owner");
    expect(after.roles[invitee.id]).toBe("member");
  });
});
