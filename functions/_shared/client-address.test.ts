// The client address comes from the trusted header only, and the local
// gateway's stand-in for the edge proxy overwrites it with the socket's peer.
import { assertEquals } from "./testing.ts";
import { clientAddress, parseIp, trustedClientIpHeader, withSocketAddress } from "./client-address.ts";

const req = (headers: Record<string, string>) => new Request("http://x/", { headers });

Deno.test("only the trusted header is read; x-forwarded-for and x-real-ip never are", () => {
  assertEquals(clientAddress(req({ "cf-connecting-ip": "198.51.100.4", "x-forwarded-for": "127.0.0.1" }), "cf-connecting-ip"), "198.51.100.4");
  assertEquals(clientAddress(req({ "x-forwarded-for": "127.0.0.1", "x-real-ip": "127.0.0.1" }), "cf-connecting-ip"), null);
  assertEquals(clientAddress(req({ "cf-connecting-ip": "127.0.0.1, 10.0.0.1" }), "cf-connecting-ip"), null, "a list is not an address");
  assertEquals(clientAddress(req({ "cf-connecting-ip": "999.1.2.3" }), "cf-connecting-ip"), null);
  assertEquals(clientAddress(req({ "x-client": "2001:db8::1" }), "x-client"), "2001:db8::1");
});

Deno.test("addresses are normalised: brackets and IPv4-mapped IPv6 unwrapped", () => {
  assertEquals(parseIp("[::1]"), "::1");
  assertEquals(parseIp("::ffff:203.0.113.7"), "203.0.113.7");
  assertEquals(parseIp(" 2001:DB8::1 "), "2001:db8::1");
  assertEquals(parseIp("example.com"), null);
  assertEquals(parseIp(""), null);
});

Deno.test("TRUSTED_CLIENT_IP_HEADER names the header; cf-connecting-ip by default", () => {
  assertEquals(trustedClientIpHeader(() => undefined), "cf-connecting-ip");
  assertEquals(trustedClientIpHeader((n) => (n === "TRUSTED_CLIENT_IP_HEADER" ? " X-Client-IP " : undefined)), "x-client-ip");
});

Deno.test("the gateway overwrites a forged trusted header with the socket's address, or removes it", () => {
  const forged = req({ "cf-connecting-ip": "127.0.0.1", "x-forwarded-for": "127.0.0.1" });
  assertEquals(withSocketAddress(forged, { hostname: "203.0.113.9" }, "cf-connecting-ip").headers.get("cf-connecting-ip"), "203.0.113.9");
  assertEquals(withSocketAddress(forged, undefined, "cf-connecting-ip").headers.get("cf-connecting-ip"), null);
});
