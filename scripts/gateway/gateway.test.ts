// The gateway's own rules, without a database: which address functions are
// told the client has, what /rest/v1 and /auth/v1 answer, the stack token on
// health, and config.toml read as TOML.
import { readFunctionConfigs } from "./config.ts";
import { createGateway, type LoadedFunctions, STACK_TOKEN_HEADER } from "./gateway.ts";

function assertEquals(actual: unknown, expected: unknown, what = "value") {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

const SECRET = "test-secret-with-at-least-32-characters!!";
const peer = (hostname: string) => ({ remoteAddr: { transport: "tcp", hostname, port: 40000 } } as Deno.ServeHandlerInfo);

function echoing(): LoadedFunctions {
  const echo = (req: Request) => Response.json({ ip: req.headers.get("cf-connecting-ip"), xff: req.headers.get("x-forwarded-for") });
  return new Map([
    ["health", { config: { name: "health", verifyJwt: false, entrypoint: "" }, handler: () => Response.json({ status: "ok" }) }],
    ["echo", { config: { name: "echo", verifyJwt: false, entrypoint: "" }, handler: echo }],
  ]);
}

Deno.test("the client-address header is the socket's peer, whatever the client sent", async () => {
  const gateway = createGateway(echoing(), { jwtSecret: SECRET });
  const res = await gateway(new Request("http://local/functions/v1/echo", {
    headers: { "cf-connecting-ip": "203.0.113.9", "x-forwarded-for": "198.51.100.7" },
  }), peer("127.0.0.1"));
  assertEquals(await res.json(), { ip: "127.0.0.1", xff: "198.51.100.7" }, "headers seen by the function");
});

Deno.test("without a socket peer the client-address header is removed, never passed through", async () => {
  const gateway = createGateway(echoing(), { jwtSecret: SECRET });
  const res = await gateway(new Request("http://local/functions/v1/echo", { headers: { "cf-connecting-ip": "203.0.113.9" } }));
  assertEquals((await res.json()).ip, null, "cf-connecting-ip");
});

Deno.test("the trusted header's name comes from config", async () => {
  const gateway = createGateway(
    new Map([["echo", { config: { name: "echo", verifyJwt: false, entrypoint: "" }, handler: (req: Request) => Response.json({ ip: req.headers.get("x-real-client") }) }]]),
    { jwtSecret: SECRET, clientIpHeader: "X-Real-Client" },
  );
  const res = await gateway(new Request("http://local/functions/v1/echo", { headers: { "x-real-client": "203.0.113.9" } }), peer("::1"));
  assertEquals((await res.json()).ip, "::1", "x-real-client");
});

for (const path of ["/rest/v1/profiles?select=*", "/auth/v1/token?grant_type=password"]) {
  Deno.test(`${path.split("?")[0]} answers 501 with a pointer, not 404`, async () => {
    const res = await createGateway(echoing(), { jwtSecret: SECRET })(new Request(`http://local${path}`), peer("127.0.0.1"));
    assertEquals(res.status, 501, "status");
    const body = await res.json();
    if (!/Docker-free local stack has no/.test(body.message) || !/README\.md/.test(body.message)) {
      throw new Error(`message does not explain: ${body.message}`);
    }
  });
}

Deno.test("health answers carry this start's token; other functions' do not", async () => {
  const gateway = createGateway(echoing(), { jwtSecret: SECRET, stackToken: "tok-123" });
  assertEquals((await gateway(new Request("http://local/functions/v1/health"), peer("127.0.0.1"))).headers.get(STACK_TOKEN_HEADER), "tok-123", "health");
  assertEquals((await gateway(new Request("http://local/functions/v1/echo"), peer("127.0.0.1"))).headers.get(STACK_TOKEN_HEADER), null, "echo");
});

Deno.test("config.toml is read as TOML: defaults, quoting, comments and other tables", () => {
  const configs = readFunctionConfigs(`
[auth]
enabled = true # not a function
[functions.me]
[functions.health]
verify_jwt = false  # public
entrypoint = './functions/health/index.ts'
[functions."stripe-webhook"]
verify_jwt = false
[functions.checkout.static_files]
x = 1
`);
  assertEquals(configs, [
    { name: "me", verifyJwt: true, entrypoint: "./functions/me/index.ts" },
    { name: "health", verifyJwt: false, entrypoint: "./functions/health/index.ts" },
    { name: "stripe-webhook", verifyJwt: false, entrypoint: "./functions/stripe-webhook/index.ts" },
    { name: "checkout", verifyJwt: true, entrypoint: "./functions/checkout/index.ts" },
  ], "configs");
});

Deno.test("the repository's config.toml declares health public and me protected", async () => {
  const configs = readFunctionConfigs(await Deno.readTextFile(new URL("../../supabase/config.toml", import.meta.url)));
  assertEquals(configs.find((c) => c.name === "health")?.verifyJwt, false, "health.verify_jwt");
  assertEquals(configs.find((c) => c.name === "me")?.verifyJwt, true, "me.verify_jwt");
});

Deno.test("a malformed config.toml is an error, not a silently empty gateway", () => {
  let threw = false;
  try { readFunctionConfigs("[functions.me\nverify_jwt = false"); } catch { threw = true; }
  assertEquals(threw, true, "threw");
});
