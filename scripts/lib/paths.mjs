// Where a checkout's local state lives. The PostgreSQL cluster (data, socket,
// log) is kept outside the checkout, in a directory the postgres OS user owns,
// so the project works from any folder, even a mode-700 one under /root; it
// is keyed by the checkout's path so two clones never share a cluster.
// Files the user reads (.stack/env) and the Storage files stay in .stack/.
import { createHash } from "node:crypto";
import { join } from "node:path";
import { userInfo } from "node:os";
import { root } from "./setup.mjs";
import { isRoot } from "./run.mjs";

export const STACK_DIR = join(root, ".stack");

/** `/var/tmp/domus/<key>` (root) or `/var/tmp/domus-<user>/<key>`; DOMUS_STATE_DIR overrides the parent. */
export function stateDirFor(checkout = root) {
  const parent = process.env.DOMUS_STATE_DIR || (isRoot ? "/var/tmp/domus" : `/var/tmp/domus-${userInfo().username}`);
  const key = createHash("sha256").update(checkout).digest("hex").slice(0, 16);
  return join(parent, key);
}

export const STATE_DIR = stateDirFor();
