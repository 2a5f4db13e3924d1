// Stream control (§3.8) and local replies (§5.4). The effects are deferred until the running
// callback returns (§5.10); the HTTP stream engine applies them.
import { StreamType, WasmResult } from "../status.ts";
import { decodePairs, latin1 } from "../memory.ts";
import type { Vm } from "../vm.ts";

export interface LocalReply {
  status: number;
  details: string;
  body: Uint8Array;
  headers: Array<[string, string]>;
  grpcStatus: number;
}

export function streamImports(vm: Vm) {
  const continueStream = (type: number): WasmResult => {
    type >>>= 0;
    if (type > 3) return WasmResult.BadArgument;
    if (type === StreamType.Upstream) return WasmResult.Unimplemented;
    const ctx = vm.ctx;
    if (!ctx || ctx.kind === "root") return WasmResult.Ok; // silent no-op outside a stream
    if (ctx.kind === "tcp") {
      if (type === StreamType.Downstream) vm.defer(() => ctx.connection.resume(ctx));
      return WasmResult.Ok;
    }
    if (type === StreamType.HttpRequest || type === StreamType.HttpResponse) {
      ctx.dropRequestReferences();
      vm.defer(() => ctx.stream.resume(ctx, type === StreamType.HttpRequest ? "request" : "response"));
    }
    return WasmResult.Ok;
  };
  return {
    proxy_continue_stream: vm.hostcall("env.proxy_continue_stream", continueStream),
    proxy_close_stream: vm.hostcall("env.proxy_close_stream", (type: number) => {
      type >>>= 0;
      if (type > 3) return WasmResult.BadArgument;
      const ctx = vm.ctx;
      if (!ctx || ctx.kind === "root") return WasmResult.Ok;
      if (ctx.kind === "tcp") {
        vm.defer(() => ctx.connection.close(ctx));
        return WasmResult.Ok;
      }
      if (type <= 1) vm.defer(() => ctx.stream.reset("wasm_close_stream"));
      return WasmResult.Ok;
    }),
    proxy_send_local_response: vm.hostcall(
      "env.proxy_send_local_response",
      (status: number, dp: number, ds: number, bp: number, bs: number, hp: number, hs: number, grpc: number) => {
        const details = latin1(vm.memory.read(dp, ds));
        const body = vm.memory.read(bp, bs);
        // A malformed headers blob parses as no headers (§4.1).
        const headers = decodePairs(vm.memory.read(hp, hs)).map(([k, v]) => [latin1(k).toLowerCase(), latin1(v)] as [string, string]);
        const ctx = vm.ctx;
        if (!ctx || ctx.kind !== "http") return WasmResult.Ok; // no-op from root or TCP contexts
        // Only the stream's own callback has its status overridden to "stop" (§2.3); a reply
        // sent through proxy_set_effective_context (from a tick or a callout) must not leave
        // the flag behind for the stream's next callback.
        if (vm.current === ctx) ctx.localReplyPending = true;
        const reply: LocalReply = { status: status >>> 0, details, body, headers, grpcStatus: grpc | 0 };
        vm.defer(() => ctx.stream.sendLocalReply(ctx, reply));
        return WasmResult.Ok;
      },
    ),
    // ABI 0.1.0
    proxy_continue_request: vm.hostcall("env.proxy_continue_request", () => continueStream(StreamType.HttpRequest)),
    proxy_continue_response: vm.hostcall("env.proxy_continue_response", () => continueStream(StreamType.HttpResponse)),
    proxy_clear_route_cache: vm.hostcall("env.proxy_clear_route_cache", () => WasmResult.Ok),
  };
}
