// A callout cluster backed by a real HTTP upstream (`wasmesh serve`, e2e tests): the call's
// pseudo-headers become the request line and Host, the answer becomes a CalloutResponse.
// Failures map to what Envoy's async client reports (§5.8): a connection that fails or drops
// before a complete answer is a reset (on_http_call_response(…, 0, 0, 0)); no answer within the
// bound is left to the call's own timeout (Envoy's 504).
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { CalloutRequest, CalloutResponse, ClusterHandler } from "./host-core.ts";

export interface RealClusterOptions {
  /** Upper bound on the real request when the call has no timeout of its own (default 60 s). */
  maxMs?: number;
}

/** Hop-by-hop headers that Envoy's codec does not hand to the filter. */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade"]);

/** A cluster handler that sends each callout to `url` (`http://host:port[/prefix]`). */
export function httpClusterTo(url: string, opts: RealClusterOptions = {}): ClusterHandler {
  const base = new URL(url);
  if (base.protocol !== "http:" && base.protocol !== "https:") throw new Error(`httpClusterTo: not an http(s) URL: ${url}`);
  const prefix = base.pathname.replace(/\/$/, "");
  return (call: CalloutRequest) =>
    new Promise<CalloutResponse>((resolve) => {
      const headers: Array<[string, string]> = [["host", call.authority]];
      for (const [k, v] of call.headers) if (!k.startsWith(":")) headers.push([k, v]);
      const withTrailers = call.trailers.length > 0;
      const outgoing = withTrailers ? headers.filter(([k]) => k !== "content-length") : headers;
      if (withTrailers) outgoing.push(["transfer-encoding", "chunked"], ["trailer", call.trailers.map(([k]) => k).join(", ")]);
      const send = base.protocol === "https:" ? httpsRequest : httpRequest;
      let settled = false;
      const settle = (r: CalloutResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(bound);
        resolve(r);
      };
      const req = send(
        {
          protocol: base.protocol,
          hostname: base.hostname,
          port: base.port || undefined,
          method: call.method,
          path: prefix + call.path,
          headers: outgoing.flat(),
          agent: false,
        },
        (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            settle({
              status: res.statusCode ?? 200,
              headers: pairsOf(res.rawHeaders),
              body: new Uint8Array(Buffer.concat(chunks)),
              trailers: pairsOf(res.rawTrailers),
            }),
          );
          res.on("error", () => settle({ reset: true }));
          res.on("aborted", () => settle({ reset: true }));
        },
      );
      // No answer in time: let the call's own timeout (if any) produce Envoy's 504.
      const limit = call.timeoutMs > 0 ? call.timeoutMs : (opts.maxMs ?? 60_000);
      const bound = setTimeout(() => {
        settle(call.timeoutMs > 0 ? { timeout: true } : { reset: true });
        req.destroy();
      }, limit);
      req.on("error", () => settle({ reset: true }));
      if (call.body.length) req.write(call.body);
      if (withTrailers) req.addTrailers(call.trailers);
      req.end();
    });
}

function pairsOf(raw: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = raw[i].toLowerCase();
    if (!HOP_BY_HOP.has(k)) out.push([k, raw[i + 1]]);
  }
  return out;
}
