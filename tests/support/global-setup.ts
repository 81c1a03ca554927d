// Vitest runs against a live stack: the one `npm test` starts (it sets
// DOMUS_TEST_*), or the one `npm start` is running (.stack/env).
import { stackEnv } from "./stack-env.ts";

export default function setup() {
  stackEnv();
}
