// startFunctions() trusts only a health answer that carries this start's
// token: a server of another stack on the same port is refused, not used.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { test } from "node:test";
import { freePort, startFunctions } from "../../scripts/lib/stack.mjs";

test("a health answer from another gateway on the port is refused", async () => {
  const port = await freePort();
  const impostor = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "ok", database: "up" }));
  });
  await new Promise((resolve) => impostor.listen(port, "127.0.0.1", resolve));
  try {
    await assert.rejects(
      startFunctions({ dbUrl: "postgresql://postgres:postgres@127.0.0.1:1/postgres", port, schedulerTickMs: 0 }),
      /port \d+ is answered by another functions gateway/,
    );
  } finally {
    impostor.close();
  }
});
