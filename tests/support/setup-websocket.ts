// supabase-js opens Realtime lazily but checks for a WebSocket when the
// client is created; Node 20 has none built in, so tests provide `ws`.
import { WebSocket } from "ws";

if (!("WebSocket" in globalThis)) {
  (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;
}
