// HTTP callouts end to end (proxy-wasm-abi.md §3.9, §5.8, §1.7): the scripted fixture calls
// proxy_http_call through the SDK; the shim answers from per-cluster handlers on the virtual
// clock, or from a real upstream on a loopback port.
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Host } from "../../host-shim/index.ts";
import { httpClusterTo } from "../../host-shim/real-cluster.ts";
import type { CalloutRequest } from "../../host-shim/index.ts";
import { names, results, scripted } from "./helpers.ts";

const CALL = ":method=GET&:path=/check&:authority=authz.local";
const T0 = Date.UTC(2030, 0, 1);

/** The ns timestamp get_time prints for `ms` after the start of the virtual clock. */
const ns = (ms: number) => `${BigInt(T0 + ms) * 1_000_000n}`;

describe("a stream paused on a callout", () => {
  it("resumes when the filter continues from the callout's answer", async () => {
    const { host } = await scripted([
      `request_headers http_call authz ${CALL}&x-user=alice ~ ~ 1000`,
      "request_headers return 1",
      "http_call_response args",
      "http_call_response whoami",
      "http_call_response get_time",
      "http_call_response get_header request_headers :path",
      "http_call_response add_header request_headers x-authz ok",
      "http_call_response continue_stream 0",
    ], { hostOptions: { clock: T0 } });
    const seen: CalloutRequest[] = [];
    host.cluster("authz", (req) => {
      seen.push(req);
      return { status: 200, delayMs: 40 };
    });
    const r = await host.send({ path: "/api" });

    expect(r.response!.status).toBe(200);
    expect(r.upstream!.path).toBe("/api");
    expect(r.upstream!.header("x-authz")).toBe("ok"); // the headers were still editable: the stream was paused
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ cluster: "authz", method: "GET", path: "/check", authority: "authz.local", timeoutMs: 1000 });
    expect(seen[0].headers).toContainEqual(["x-user", "alice"]);
    // Delivered to the root (§1.7); the SDK made the issuing stream effective and ran its handler.
    expect(names(r.timeline)).toEqual(["on_context_create", "on_request_headers", "on_http_call_response", "on_response_headers", "on_log", "on_done", "on_delete"]);
    const delivery = r.timeline.find((t) => t.callback === "proxy_on_http_call_response")!;
    expect(delivery.args).toEqual([1, 4, 1, 0, 0]); // root context 1, token 4, one header (:status), no body
    expect(results(host, "http_call_response")).toEqual([
      "args: 4 1 0 0",
      "whoami: Ok context=2 root=1 root_id=",
      `get_time: Ok ${ns(40)}`, // the answer arrived after its 40 ms of virtual delay
      "get_header: Ok /api",
      "add_header: Ok",
      "continue_stream: Ok",
    ]);
    expect(host.callouts).toMatchObject([{ cluster: "authz", stream: r.id, refused: false }]);
  });

  it("concurrent streams each resume from their own callout's answer, in the order the answers arrive", async () => {
    const { host } = await scripted([
      `request_headers http_call authz ${CALL} ~ ~ 1000`,
      "request_headers return 1",
      "http_call_response whoami",
      "http_call_response get_time",
      "http_call_response continue_stream 0",
    ], { hostOptions: { clock: T0 } });
    let calls = 0;
    host.cluster("authz", () => ({ status: 200, delayMs: ++calls === 1 ? 50 : 10 }));
    const a = host.open({ path: "/a" });
    const b = host.open({ path: "/b" });
    const [ra, rb] = await host.wait([a, b]);
    expect([ra.upstream!.path, rb.upstream!.path]).toEqual(["/a", "/b"]);
    expect(results(host, "request_headers")).toEqual(["http_call: Ok 4", "http_call: Ok 8"]);
    // b's answer (10 ms) comes first and goes to b's context (3); a's (50 ms) to a's (2).
    expect(results(host, "http_call_response")).toEqual([
      "whoami: Ok context=3 root=1 root_id=",
      `get_time: Ok ${ns(10)}`,
      "continue_stream: Ok",
      "whoami: Ok context=2 root=1 root_id=",
      `get_time: Ok ${ns(50)}`,
      "continue_stream: Ok",
    ]);
  });

  it("stays paused (stuck) when nobody continues it", async () => {
    const { host } = await scripted([`request_headers http_call authz ${CALL} ~ ~ 0`, "request_headers return 1"]);
    host.cluster("authz", () => ({ status: 200 }));
    const r = await host.send({}, { maxWaitMs: 5000 });
    expect(r.stuck).toBe(true);
    expect(r.upstream).toBeNull();
  });

  it("a local reply from the callout's answer ends the stream", async () => {
    const { host } = await scripted([
      `request_headers http_call authz ${CALL} ~ ~ 1000`,
      "request_headers return 1",
      "http_call_response send_local_response 403 authz_denied denied ~ -1",
    ]);
    host.cluster("authz", () => ({ status: 403, delayMs: 5 }));
    const r = await host.send();
    expect(r.upstream).toBeNull();
    expect(r.response!.status).toBe(403);
    expect(r.response!.text()).toBe("denied");
    expect(r.localReply).toMatchObject({ status: 403, details: "authz_denied" });
  });
});

describe("the answer", () => {
  it("headers, body and trailers are readable in on_http_call_response, and only there", async () => {
    const { host } = await scripted([
      `request_headers http_call jwks ${CALL}&content-type=text/plain request-body x-req-trailer=1 1000`,
      "request_headers return 1",
      "request_headers get_headers http_call_response_headers",
      "http_call_response args",
      "http_call_response get_headers http_call_response_headers",
      "http_call_response get_header http_call_response_headers Content-Type",
      "http_call_response get_buffer http_call_response_body 0 4294967295",
      "http_call_response buffer_status http_call_response_body",
      "http_call_response get_headers http_call_response_trailers",
      "http_call_response set_buffer http_call_response_body 0 0 x",
      "http_call_response continue_stream 0",
      "response_headers get_headers http_call_response_headers",
      "response_headers get_buffer http_call_response_body 0 10",
    ]);
    let got: CalloutRequest | null = null;
    host.cluster("jwks", (req) => {
      got = req;
      return { status: 200, headers: { "Content-Type": "application/json" }, body: '{"keys":[]}', trailers: { "grpc-status": "0" } };
    });
    await host.send();
    expect(got!.body).toEqual(new TextEncoder().encode("request-body"));
    expect(got!.headers).toContainEqual(["content-length", "12"]); // set by Envoy for a non-empty body
    expect(got!.trailers).toEqual([["x-req-trailer", "1"]]);
    expect(results(host, "http_call_response")).toEqual([
      "args: 4 3 11 1",
      "get_headers: Ok :status=200&content-type=application/json&content-length=11",
      "get_header: Ok application/json",
      'get_buffer: Ok {"keys":[]}',
      "buffer_status: Ok 11 0",
      "get_headers: Ok grpc-status=0",
      "set_buffer: BadArgument", // HTTP_CALL_RESPONSE_BODY is immutable (§5.8)
      "continue_stream: Ok",
    ]);
    // Outside the callback the response maps and body are gone.
    expect(results(host, "request_headers")[1]).toBe("get_headers: Ok ~");
    expect(results(host, "response_headers")[0]).toBe("get_headers: Ok ~");
    expect(results(host, "response_headers")[1]).not.toMatch(/keys/);
  });

  it("is never delivered inside proxy_http_call, even when the handler answers at once", async () => {
    const { host } = await scripted([
      `configure http_call now ${CALL} ~ ~ 0`,
      "configure log info after-the-call",
      "http_call_response args",
    ]);
    host.cluster("now", () => ({ status: 204 }));
    // loadPlugin ran configure before the cluster existed: the call was refused.
    expect(results(host, "configure")[0]).toBe("http_call: BadArgument");
    const again = await scripted([`configure http_call now ${CALL} ~ ~ 0`, "configure log info after-the-call", "http_call_response args"], {
      host: new Host().cluster("now", () => ({ status: 204 })),
    });
    const lines = again.host.logs().map((l) => l.message);
    expect(lines.indexOf("http_call_response args: 4 1 0 0")).toBeGreaterThan(lines.indexOf("configure log: Ok"));
    expect(again.host.timeline.map((t) => t.callback)).toEqual([
      "proxy_on_context_create",
      "proxy_on_vm_start",
      "proxy_on_configure",
      "proxy_on_http_call_response",
    ]);
  });
});

describe("failures (§5.8)", () => {
  it("a call that gets no answer is Envoy's 504 after the call's own timeout, on the virtual clock", async () => {
    const { host } = await scripted([
      `request_headers http_call slow ${CALL} ~ ~ 250`,
      "request_headers return 1",
      "request_headers get_time",
      "http_call_response args",
      "http_call_response get_time",
      "http_call_response get_headers http_call_response_headers",
      "http_call_response get_buffer http_call_response_body 0 100",
      "http_call_response continue_stream 0",
    ], { hostOptions: { clock: T0 } });
    host.cluster("slow", () => ({ timeout: true }));
    const r = await host.send();
    expect(r.response!.status).toBe(200);
    expect(results(host, "request_headers")[1]).toBe(`get_time: Ok ${ns(0)}`);
    expect(results(host, "http_call_response")).toEqual([
      "args: 4 3 24 0",
      `get_time: Ok ${ns(250)}`,
      "get_headers: Ok :status=504&content-type=text/plain&content-length=24",
      "get_buffer: Ok upstream%20request%20timeout",
      "continue_stream: Ok",
    ]);
  });

  it("an answer slower than the timeout is replaced by the 504 and never delivered itself", async () => {
    const { host } = await scripted([
      `configure http_call slow ${CALL} ~ ~ 100`,
      "http_call_response args",
      "http_call_response get_header http_call_response_headers :status",
    ], { host: new Host().cluster("slow", () => ({ status: 200, delayMs: 300 })) });
    await host.advance(1000);
    expect(results(host, "http_call_response")).toEqual(["args: 4 3 24 0", "get_header: Ok 504"]);
    expect(host.timeline.filter((t) => t.callback === "proxy_on_http_call_response")).toHaveLength(1);
  });

  it("timeout 0 means no timeout, not an immediate one", async () => {
    const { host } = await scripted([`configure http_call slow ${CALL} ~ ~ 0`, "http_call_response args"]);
    host.cluster("slow", () => ({ timeout: true }));
    await host.advance(24 * 3600_000);
    expect(results(host, "http_call_response")).toEqual([]);
  });

  it("a reset is (0, 0, 0) and proxy_get_status says (11, reset)", async () => {
    const { host } = await scripted([
      `request_headers http_call flaky ${CALL} ~ ~ 1000`,
      "request_headers return 1",
      "http_call_response args",
      "http_call_response get_status",
      "http_call_response get_headers http_call_response_headers",
      "http_call_response buffer_status http_call_response_body",
      "http_call_response send_local_response 503 authz_unavailable ~ ~ -1",
    ]);
    host.cluster("flaky", () => ({ reset: true }));
    const r = await host.send();
    expect(results(host, "http_call_response")).toEqual([
      "args: 4 0 0 0",
      "get_status: Ok 11 reset",
      "get_headers: Ok ~",
      "buffer_status: NotFound",
      "send_local_response: Ok",
    ]);
    expect(r.response!.status).toBe(503);
  });

  it("a handler that throws is reported as a reset, with an error log", async () => {
    const { host } = await scripted([`configure http_call broken ${CALL} ~ ~ 1000`, "http_call_response args", "http_call_response get_status"], {
      host: new Host().cluster("broken", () => {
        throw new Error("boom");
      }),
    });
    await host.advance(0);
    expect(results(host, "http_call_response")).toEqual(["args: 4 0 0 0", "get_status: Ok 11 reset"]);
    expect(host.logs("error").map((l) => l.message)).toContainEqual(expect.stringContaining("boom"));
  });

  it("unknown clusters and missing :method/:path/:authority are BadArgument, listed as refused", async () => {
    const { host } = await scripted([
      `request_headers http_call nowhere ${CALL} ~ ~ 1000`,
      "request_headers http_call authz :path=/&:authority=a ~ ~ 1000",
      "request_headers http_call authz :method=GET&:authority=a ~ ~ 1000",
      "request_headers http_call authz :method=GET&:path=/ ~ ~ 1000",
      "request_headers http_call authz :method=GET&:path=/&host=a ~ ~ 1000", // a plain host header does not count
      "request_headers http_call http://authz.local:8080 :method=GET&:path=/&:authority=a ~ ~ 1000", // not a URL
      "request_headers http_call authz :method=GET&:path=/&:authority=a ~ ~ 1000", // :scheme is not needed
    ]);
    host.cluster("authz", () => ({ status: 200 }));
    const r = await host.send();
    expect(results(host, "request_headers")).toEqual([
      "http_call: BadArgument",
      "http_call: BadArgument",
      "http_call: BadArgument",
      "http_call: BadArgument",
      "http_call: BadArgument",
      "http_call: BadArgument",
      "http_call: Ok 4", // refused calls used no token
    ]);
    expect(host.callouts.map((c) => [c.cluster, c.refused, c.stream])).toEqual([
      ["nowhere", true, r.id],
      ["authz", true, r.id],
      ["authz", true, r.id],
      ["authz", true, r.id],
      ["authz", true, r.id],
      ["http://authz.local:8080", true, r.id],
      ["authz", false, r.id],
    ]);
  });

  it("a negative timeout is BadArgument", async () => {
    const { host } = await scripted([`configure http_call authz ${CALL} ~ ~ -1`, `configure http_call authz ${CALL} ~ ~ 2147483648`], {
      host: new Host().cluster("authz", () => ({ status: 200 })),
    });
    expect(results(host, "configure")).toEqual(["http_call: BadArgument", "http_call: BadArgument"]);
  });

  it("a bad token pointer is InvalidMemoryAccess", async () => {
    const { host } = await scripted([
      "configure raw proxy_http_call @authz @%00%00%00%00 0 0 0 0 1000 0xfffffff0",
    ], { host: new Host().cluster("authz", () => ({ status: 200 })) });
    expect(results(host, "configure")).toEqual(["raw: InvalidMemoryAccess"]);
  });
});

describe("tokens", () => {
  it("HTTP tokens are 4, 8, 12 per VM; each answer carries its own token", async () => {
    const { host } = await scripted([
      "configure http_call a :method=GET&:path=/1&:authority=a ~ ~ 0",
      "configure http_call a :method=GET&:path=/2&:authority=a ~ ~ 0",
      "configure http_call a :method=GET&:path=/3&:authority=a ~ ~ 0",
      "http_call_response args",
      "http_call_response get_header http_call_response_headers x-path",
    ], {
      // Answers in reverse order of the calls: the token says which is which.
      host: new Host().cluster("a", (req) => ({ status: 200, headers: { "x-path": req.path }, delayMs: 100 - Number(req.path.slice(1)) * 10 })),
    });
    await host.advance(100);
    expect(results(host, "configure")).toEqual(["http_call: Ok 4", "http_call: Ok 8", "http_call: Ok 12"]);
    expect(results(host, "http_call_response")).toEqual([
      "args: 12 2 0 0",
      "get_header: Ok /3",
      "args: 8 2 0 0",
      "get_header: Ok /2",
      "args: 4 2 0 0",
      "get_header: Ok /1",
    ]);
  });

  it("each worker VM counts its own tokens", async () => {
    const { host } = await scripted([`request_headers http_call a ${CALL} ~ ~ 0`], {
      hostOptions: { workers: 2 },
      host: undefined,
    });
    host.cluster("a", () => ({ status: 200 }));
    await host.send({}, { worker: 0 });
    await host.send({}, { worker: 1 });
    await host.send({}, { worker: 0 });
    expect(results(host, "request_headers")).toEqual(["http_call: Ok 4", "http_call: Ok 4", "http_call: Ok 8"]);
  });
});

describe("a response for a stream that is gone", () => {
  it("is delivered to the root and dropped by the SDK; the host carries on", async () => {
    const { host } = await scripted([
      // The stream does not wait for its callout.
      `request_headers http_call slow ${CALL} ~ ~ 0`,
      "http_call_response log info must-not-run",
    ]);
    host.cluster("slow", () => ({ status: 200, body: "late", delayMs: 500 }));
    const first = await host.send();
    expect(first.response!.status).toBe(200);
    expect(names(first.timeline)).not.toContain("on_http_call_response");
    await host.advance(500);
    // Envoy still calls the root (§5.8); the SDK finds the issuing stream deleted and drops it.
    const late = host.timeline.filter((t) => t.callback === "proxy_on_http_call_response");
    expect(late).toHaveLength(1);
    expect(late[0].args).toEqual([1, 4, 2, 4, 0]);
    expect(late[0].result).toBeUndefined(); // no trap
    expect(host.logs().map((l) => l.message)).not.toContain("http_call_response log: Ok");
    expect(host.traps).toEqual([]);
    const next = await host.send();
    expect(next.response!.status).toBe(200);
  });

  it("making the finished stream effective is BadArgument (§5.8)", async () => {
    const { host } = await scripted([
      `configure http_call slow ${CALL} ~ ~ 0`,
      "request_headers whoami",
      "http_call_response set_effective_context 2",
      "http_call_response continue_stream 0",
    ], { host: new Host().cluster("slow", () => ({ status: 200, delayMs: 100 })) });
    const r = await host.send(); // stream context 2 comes and goes before the answer
    expect(results(host, "request_headers")).toEqual(["whoami: Ok context=2 root=1 root_id="]);
    expect(r.response!.status).toBe(200);
    await host.advance(100);
    expect(results(host, "http_call_response")).toEqual(["set_effective_context: BadArgument", "continue_stream: Ok"]);
  });

  it("outstanding callouts of a root are cancelled silently at shutdown", async () => {
    const { host } = await scripted([`configure http_call slow ${CALL} ~ ~ 0`, "http_call_response args"], {
      host: new Host().cluster("slow", () => ({ status: 200, delayMs: 100 })),
    });
    await host.shutdown();
    await host.advance(1000);
    expect(host.timeline.map((t) => t.callback)).not.toContain("proxy_on_http_call_response");
  });
});

describe("a cluster mapped to a real upstream (httpClusterTo)", () => {
  let server: Server;
  let base: string;
  const received: Array<{ method: string; url: string; headers: IncomingMessage["headers"]; body: string; trailers: IncomingMessage["trailers"] }> = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString(), trailers: req.trailers });
        if (req.url === "/drop") return req.socket.destroy();
        if (req.url === "/hang") return; // never answers
        res.setHeader("Content-Type", "application/json");
        res.setHeader("X-Upstream", "real");
        res.addTrailers({ "x-checksum": "abc" });
        res.writeHead(201, { Trailer: "x-checksum" });
        res.end(JSON.stringify({ path: req.url, auth: req.headers.authorization ?? null }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it("makes the real request and delivers the real answer; the stream resumes", async () => {
    const { host } = await scripted([
      `request_headers http_call jwks :method=POST&:path=/keys?x=1&:authority=auth.example&authorization=Bearer%20t hello ~ 5000`,
      "request_headers return 1",
      "http_call_response args",
      "http_call_response get_header http_call_response_headers :status",
      "http_call_response get_header http_call_response_headers x-upstream",
      "http_call_response get_buffer http_call_response_body 0 1000",
      "http_call_response get_headers http_call_response_trailers",
      "http_call_response continue_stream 0",
    ]);
    host.cluster("jwks", httpClusterTo(base));
    const r = await host.send();
    expect(r.response!.status).toBe(200);
    expect(r.upstream).not.toBeNull();
    const got = received.find((x) => x.url === "/keys?x=1")!;
    expect(got).toMatchObject({ method: "POST", body: "hello" });
    expect(got.headers.host).toBe("auth.example"); // :authority becomes Host
    expect(got.headers.authorization).toBe("Bearer t");
    const lines = results(host, "http_call_response");
    expect(lines[0]).toMatch(/^args: 4 \d+ \d+ 1$/);
    expect(lines.slice(1)).toEqual([
      "get_header: Ok 201",
      "get_header: Ok real",
      'get_buffer: Ok {"path":"/keys?x%3D1","auth":"Bearer%20t"}',
      "get_headers: Ok x-checksum=abc",
      "continue_stream: Ok",
    ]);
  });

  it("request trailers travel with a chunked body", async () => {
    const { host } = await scripted([
      "configure http_call up :method=POST&:path=/with-trailers&:authority=x chunk x-sig=abc 5000",
      "http_call_response get_header http_call_response_headers :status",
    ], { host: new Host().cluster("up", httpClusterTo(base)) });
    await host.advance(0);
    expect(results(host, "http_call_response")).toEqual(["get_header: Ok 201"]);
    const got = received.find((x) => x.url === "/with-trailers")!;
    expect(got.body).toBe("chunk");
    expect(got.trailers).toEqual({ "x-sig": "abc" });
    expect(got.headers["transfer-encoding"]).toBe("chunked");
  });

  it("a connection dropped before the answer is a reset; a connection refused too", async () => {
    const { host } = await scripted([
      `configure http_call dropper :method=GET&:path=/drop&:authority=x ~ ~ 5000`,
      `configure http_call closed :method=GET&:path=/&:authority=x ~ ~ 5000`,
      "http_call_response args",
      "http_call_response get_status",
    ], {
      host: new Host().cluster("dropper", httpClusterTo(base)).cluster("closed", httpClusterTo("http://127.0.0.1:1")),
    });
    await host.advance(0);
    const lines = results(host, "http_call_response");
    expect(lines.sort()).toEqual(["args: 4 0 0 0", "args: 8 0 0 0", "get_status: Ok 11 reset", "get_status: Ok 11 reset"].sort());
  });

  it("a real upstream that never answers gets the call's 504 after its timeout", async () => {
    const { host } = await scripted([
      `configure http_call hang :method=GET&:path=/hang&:authority=x ~ ~ 300`,
      "http_call_response args",
      "http_call_response get_header http_call_response_headers :status",
    ], { host: new Host({ real: true }).cluster("hang", httpClusterTo(base)) });
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (results(host, "http_call_response").length >= 2) {
          clearInterval(poll);
          resolve();
        }
      }, 20);
    });
    expect(results(host, "http_call_response")).toEqual(["args: 4 3 24 0", "get_header: Ok 504"]);
  });
});
