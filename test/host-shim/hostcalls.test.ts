// Each hostcall's effect and error codes, driven through the SDK by the scripted fixture and
// checked in the shim (proxy-wasm-abi.md §3, §4, §5.2).
import { describe, expect, it } from "vitest";
import { results, scripted } from "./helpers.ts";

describe("header maps (§3.6)", () => {
  it("get, add, replace, remove, pairs and byte size on request headers", async () => {
    const { host } = await scripted([
      "request_headers get_header 0 :path",
      "request_headers get_header 0 X-Missing",
      "request_headers add_header 0 X-Added one",
      "request_headers add_header 0 x-added two",
      "request_headers replace_header 0 x-replaced v",
      "request_headers remove_header 0 x-drop",
      "request_headers remove_header 0 x-never-there",
      "request_headers get_header 0 X-ADDED",
      "request_headers header_size 0",
    ]);
    const r = await host.send({ path: "/p?q=1", authority: "a.example", headers: { "x-drop": "gone", "x-keep": "k" } });
    expect(results(host, "request_headers")).toEqual([
      "get_header: Ok /p?q%3D1", // values are printed percent-encoded (PROTOCOL.md)
      "get_header: NotFound",
      "add_header: Ok",
      "add_header: Ok",
      "replace_header: Ok",
      "remove_header: Ok",
      "remove_header: Ok",
      "get_header: Ok one", // first value only, not comma-joined
      // Σ(key+value) bytes, not entries: :authority a.example :path /p?q=1 :method GET
      // :scheme http x-keep k x-added one x-added two x-replaced v
      `header_size: Ok ${[":authority", "a.example", ":path", "/p?q=1", ":method", "GET", ":scheme", "http", "x-keep", "k", "x-added", "one", "x-added", "two", "x-replaced", "v"].join("").length}`,
    ]);
    const up = r.upstream!;
    expect(up.headers.filter(([k]) => k === "x-added").map(([, v]) => v)).toEqual(["one", "two"]);
    expect(up.header("x-replaced")).toBe("v");
    expect(up.header("x-drop")).toBeUndefined();
  });

  it("adding to an inline header coalesces with a comma; cookie with '; '", async () => {
    const { host } = await scripted(["request_headers add_header 0 x-forwarded-for 10.0.0.9", "request_headers add_header 0 cookie b=2"]);
    const r = await host.send({ headers: { "x-forwarded-for": "10.0.0.1", cookie: "a=1" } });
    expect(r.upstream!.headers.filter(([k]) => k === "x-forwarded-for")).toEqual([["x-forwarded-for", "10.0.0.1,10.0.0.9"]]);
    expect(r.upstream!.header("cookie")).toBe("a=1; b=2");
  });

  it("set_header_map_pairs replaces the whole map; malformed pairs clear it", async () => {
    const { host } = await scripted(["response_headers set_headers 2 :status=202&x-new=1", "response_headers get_headers 2"]);
    const r = await host.send({}, { upstream: () => ({ status: 200, headers: { "x-old": "o" } }) });
    expect(results(host, "response_headers")).toEqual(["set_headers: Ok", "get_headers: Ok :status=202&x-new=1"]);
    expect(r.response!.status).toBe(202);
    expect(r.response!.header("x-old")).toBeUndefined();

    // 9 bytes cannot be a pairs blob: Envoy parses it as an empty map and clears the headers.
    const bad = await scripted(["response_headers raw proxy_set_header_map_pairs 2 @garbage!!", "response_headers get_headers 2"]);
    await bad.host.send();
    expect(results(bad.host, "response_headers")).toEqual(["raw: Ok", "get_headers: Ok ~"]);
  });

  it("unknown map types are BadArgument; unavailable maps answer as Envoy does", async () => {
    const { host } = await scripted([
      "request_headers raw proxy_get_header_map_value 8 @x $out $out",
      "request_headers raw proxy_get_header_map_pairs 9 $out $out",
      "request_headers get_header 2 :status",
      "request_headers get_headers 2",
      "request_headers add_header 2 a b",
      "request_headers header_size 2",
      "request_headers get_header 6 :status",
    ]);
    await host.send();
    expect(results(host, "request_headers")).toEqual([
      "raw: BadArgument",
      "raw: BadArgument",
      "get_header: BadArgument",
      "get_headers: Ok ~", // an unavailable map reads as empty, not as an error
      "add_header: BadArgument",
      "header_size: BadArgument",
      "get_header: BadArgument",
    ]);
  });

  it("request headers are unreadable after on_request_headers continued (§5.2, reference 5)", async () => {
    const { host } = await scripted([
      "request_body get_header 0 :path",
      "response_headers get_header 0 :path",
      "response_headers get_headers 0",
      "response_headers get_property request/path",
      "response_headers get_property request/time",
    ]);
    await host.send({ method: "POST", path: "/x", body: "data" });
    expect(results(host, "request_body")).toEqual(["get_header: BadArgument"]);
    const resp = results(host, "response_headers");
    expect(resp.slice(0, 3)).toEqual(["get_header: BadArgument", "get_headers: Ok ~", "get_property: NotFound"]);
    expect(resp[3]).toMatch(/^get_property: Ok /); // stream-info attributes stay available
  });

  it("during on_log maps are read-only and absent ones answer NotFound", async () => {
    const { host } = await scripted([
      "log get_header 0 :path",
      "log get_header 2 :status",
      "log get_header 1 x",
      "log add_header 0 a b",
      "log header_size 0",
    ]);
    await host.send({ path: "/logged" });
    expect(results(host, "log")).toEqual([
      "get_header: Ok /logged",
      "get_header: Ok 200",
      "get_header: NotFound",
      "add_header: BadArgument",
      "header_size: BadArgument",
    ]);
  });

  it("trailers can be created only on the last body chunk (§5.6)", async () => {
    const { host } = await scripted(["request_body add_header 1 x-trailer t", "request_headers add_header 1 x-early e"]);
    const r = await host.send({ method: "POST", body: ["a", "b"] });
    expect(results(host, "request_headers")).toEqual(["add_header: BadArgument"]);
    expect(results(host, "request_body")).toEqual(["add_header: BadArgument", "add_header: Ok"]);
    expect(r.upstream!.trailers).toEqual([["x-trailer", "t"]]);
  });
});

describe("buffers (§3.5)", () => {
  it("reads clamp; status reports length and flags 0", async () => {
    const { host } = await scripted([
      "request_body buffer_status 0",
      "request_body get_buffer 0 0 4294967295",
      "request_body get_buffer 0 2 3",
      "request_body get_buffer 0 100 5",
      "request_body raw proxy_get_buffer_status 9 $out $out",
    ]);
    await host.send({ method: "POST", body: "abcdefgh" });
    expect(results(host, "request_body")).toEqual([
      "buffer_status: Ok 8 0",
      "get_buffer: Ok abcdefgh",
      "get_buffer: Ok cde",
      "get_buffer: Ok ~", // start past the end: Ok and empty
      "raw: BadArgument",
    ]);
  });

  it("edits: prepend, replace a prefix, append; a mid-buffer splice is BadArgument", async () => {
    const { host } = await scripted([
      "request_body set_buffer 0 0 0 <",
      "request_body set_buffer 0 0 2 [",
      "request_body set_buffer 0 100 0 >",
      "request_body set_buffer 0 1 1 x",
      "request_body get_buffer 0 0 4294967295",
    ]);
    const r = await host.send({ method: "POST", body: "abc" });
    // "<abc" -> replace first 2 ("<a") with "[" -> "[bc" -> append ">" -> "[bc>"
    expect(results(host, "request_body")).toEqual(["set_buffer: Ok", "set_buffer: Ok", "set_buffer: Ok", "set_buffer: BadArgument", "get_buffer: Ok [bc>"]);
    expect(r.upstream!.text()).toBe("[bc>");
  });

  it("bodies outside their callbacks are empty; configuration buffers follow their phases", async () => {
    const { host } = await scripted([
      "configure get_buffer 7 0 4294967295",
      "request_headers get_buffer 0 0 10",
      "request_headers buffer_status 7",
      "request_headers set_buffer 0 0 0 x",
      "request_headers set_buffer 7 0 0 x",
      "request_headers buffer_status 4",
    ]);
    await host.send();
    expect(results(host, "configure")[0]).toMatch(/^get_buffer: Ok configure%20get_buffer/);
    expect(results(host, "request_headers")).toEqual([
      "get_buffer: Ok ~",
      "buffer_status: NotFound", // plugin configuration is only readable in on_configure
      "set_buffer: BadArgument", // a body the context does not hold
      "set_buffer: NotFound",
      "buffer_status: NotFound",
    ]);
  });

  it("a buffering filter sees the cumulative body (§5.3, reference 2)", async () => {
    const { host } = await scripted(["request_body args", "request_body nth 1 return 1", "request_body get_buffer 0 0 4294967295"]);
    const r = await host.send({ method: "POST", body: ["0123456789", "abcdefghijklmnopqrstuvwxy"] });
    expect(results(host, "request_body")).toEqual(["args: 10 0", "get_buffer: Ok 0123456789", "args: 35 1", "get_buffer: Ok 0123456789abcdefghijklmnopqrstuvwxy"]);
    expect(r.upstream!.text()).toBe("0123456789abcdefghijklmnopqrstuvwxy");
  });

  it("buffering past the limit is a 413 on the request side", async () => {
    const { host } = await scripted(["request_body return 1"], { hostOptions: { bufferLimit: 16 } });
    const r = await host.send({ method: "POST", body: ["0123456789", "0123456789"] });
    expect(r.response!.status).toBe(413);
    expect(r.upstream).toBeNull();
    expect(r.details).toBe("request_payload_too_large");
  });
});

describe("properties (§3.7, §6)", () => {
  it("request, connection and plugin attributes with Envoy's encodings", async () => {
    const { host } = await scripted(
      [
        "request_headers get_property_string request/path",
        "request_headers get_property_string request/url_path",
        "request_headers get_property_string request/method",
        "request_headers get_property_string request/headers/x-multi",
        "request_headers get_property_string source/address",
        "request_headers get_property_int destination/port",
        "request_headers get_property_bool connection/mtls",
        "request_headers get_property_string connection/uri_san_peer_certificate",
        "request_headers get_property_string plugin_name",
        "request_headers get_property_string plugin_root_id",
        "request_headers get_property request/query",
        "request_headers get_property nope",
        "request_headers raw proxy_get_property 0 0 $out $out",
      ],
      { name: "ns.authz", rootId: "" },
    );
    await host.send({
      method: "PUT",
      path: "/a/b?x=1",
      headers: [["x-multi", "1"], ["x-multi", "2"]],
      connection: { source: "10.1.2.3:4567", destination: "10.0.0.2:9080", peerPrincipal: "spiffe://cluster.local/ns/default/sa/sleep" },
    });
    expect(results(host, "request_headers")).toEqual([
      "get_property_string: Ok /a/b?x%3D1",
      "get_property_string: Ok /a/b",
      "get_property_string: Ok PUT",
      "get_property_string: Ok 1,2",
      "get_property_string: Ok 10.1.2.3:4567",
      "get_property_int: Ok 9080",
      "get_property_bool: Ok true",
      "get_property_string: Ok spiffe://cluster.local/ns/default/sa/sleep",
      "get_property_string: Ok ns.authz",
      "get_property_string: Ok ~",
      "get_property: Ok x%3D1",
      "get_property: NotFound",
      "raw: SerializationFailure", // an empty path
    ]);
  });

  it("response attributes: the code in response callbacks and on_log, details of a local reply", async () => {
    const { host } = await scripted([
      "request_headers get_property response/code",
      "response_headers get_property_int response/code",
      "log get_property_int response/code",
      "log get_property_string response/code_details",
      "log get_property_string request/path",
    ]);
    await host.send({ path: "/r" }, { upstream: () => ({ status: 201 }) });
    expect(results(host, "request_headers")).toEqual(["get_property: NotFound"]);
    expect(results(host, "response_headers")).toEqual(["get_property_int: Ok 201"]);
    expect(results(host, "log")).toEqual(["get_property_int: Ok 201", "get_property_string: Ok via_upstream", "get_property_string: Ok /r"]);
  });

  it("TLS attributes are NotFound on a plaintext connection", async () => {
    const { host } = await scripted(["request_headers get_property_bool connection/mtls", "request_headers get_property connection/uri_san_peer_certificate"]);
    await host.send();
    expect(results(host, "request_headers")).toEqual(["get_property_bool: Ok false", "get_property: NotFound"]);
  });

  it("set_property writes single-segment filter state readable by name and under filter_state", async () => {
    const { host } = await scripted([
      "request_headers set_property wasmesh.jwt.principal issuer/sub",
      "request_headers get_property wasmesh.jwt.principal",
      "request_headers get_property filter_state/wasm.wasmesh.jwt.principal",
      "request_headers set_property a/b multi",
      "request_headers get_property a/b",
      "configure set_property x y",
    ]);
    const r = await host.send();
    expect(results(host, "request_headers")).toEqual([
      "set_property: Ok",
      "get_property: Ok issuer%2Fsub".replace("%2F", "/"),
      "get_property: Ok issuer/sub",
      "set_property: Ok",
      "get_property: NotFound", // multi-segment paths are stored under a literal key (§3.7)
    ]);
    expect(results(host, "configure")).toEqual(["set_property: NotFound"]); // no stream in a root
    expect(new TextDecoder().decode(r.filterState.get("wasm.wasmesh.jwt.principal"))).toBe("issuer/sub");
  });

  it("node metadata and xds attributes are readable from root contexts; legacy names only before 1.33", async () => {
    const script = ["configure get_property_string xds/node/metadata/NAMESPACE", "configure get_property_string node/metadata/NAMESPACE", "configure get_property_double xds/node/metadata/PORT"];
    const modern = await scripted(script, { hostOptions: { node: { metadata: { NAMESPACE: "prod", PORT: 15020 } } } });
    expect(results(modern.host, "configure")).toEqual(["get_property_string: Ok prod", "get_property_string: NotFound", "get_property_double: Ok 15020"]);
    const legacy = await scripted(script, { hostOptions: { envoyVersion: "1.32", node: { metadata: { NAMESPACE: "prod", PORT: 15020 } } } });
    expect(results(legacy.host, "configure")).toEqual(["get_property_string: Ok prod", "get_property_string: Ok prod", "get_property_double: Ok 15020"]);
  });

  it("pair-map properties decode through the SDK's typed reader", async () => {
    const { host } = await scripted(["request_headers get_property_map request/headers"]);
    await host.send({ authority: "h", headers: { "x-a": "1" } });
    expect(results(host, "request_headers")[0]).toMatch(/^get_property_map: Ok (.*&)?x-a=1/);
  });
});

describe("logging and time (§3.4)", () => {
  it("levels, the host's log level, and a bad level", async () => {
    const { host } = await scripted(["configure log warn careful", "configure get_log_level", "configure raw proxy_log 6 @x"], { hostOptions: { logLevel: "debug" }, name: "ns.logger", rootId: "second" });
    expect(host.logs("warn").map((l) => l.message)).toContain("careful");
    expect(host.logs("warn").map((l) => l.envoy)).toContain("wasm log ns.logger second: careful");
    expect(results(host, "configure")).toEqual(["log: Ok", "get_log_level: Ok 1", "raw: BadArgument"]);
  });

  it("current time follows the host clock", async () => {
    const { host } = await scripted(["request_headers get_time"], { hostOptions: { clock: Date.UTC(2030, 0, 1) } });
    await host.send();
    expect(results(host, "request_headers")).toEqual([`get_time: Ok ${BigInt(Date.UTC(2030, 0, 1)) * 1_000_000n}`]);
  });
});

describe("memory validation (§4.7)", () => {
  it("out-of-bounds inputs and out-pointers are InvalidMemoryAccess, not exceptions", async () => {
    const { host } = await scripted([
      "request_headers raw proxy_log 2 4294967280 100",
      "request_headers raw proxy_get_header_map_value 0 @:path 4294967295 4294967295",
      "request_headers raw proxy_get_current_time_nanoseconds 4294967292",
      "request_headers raw proxy_get_property @request%00path 4294967295 $out",
    ]);
    const r = await host.send();
    expect(results(host, "request_headers")).toEqual(["raw: InvalidMemoryAccess", "raw: InvalidMemoryAccess", "raw: InvalidMemoryAccess", "raw: InvalidMemoryAccess"]);
    expect(r.response!.status).toBe(200); // the VM is fine
  });
});

describe("stream control (§3.8)", () => {
  it("continue_stream: bad type, UPSTREAM unimplemented, silent no-op from a root", async () => {
    const { host } = await scripted(["request_headers continue_stream 4", "request_headers continue_stream 3", "configure continue_stream 0", "request_headers close_stream 9"]);
    await host.send();
    expect(results(host, "request_headers")).toEqual(["continue_stream: BadArgument", "continue_stream: Unimplemented", "close_stream: BadArgument"]);
    expect(results(host, "configure")).toEqual(["continue_stream: Ok"]);
  });

  it("close_stream resets the stream after the callback", async () => {
    const { host } = await scripted(["request_headers close_stream 0"]);
    const r = await host.send();
    expect(r.response!.reset).toBe(true);
    expect(r.upstream).toBeNull();
    expect(r.details).toBe("wasm_close_stream");
  });

  it("set_effective_context: unknown ids are BadArgument", async () => {
    const { host } = await scripted(["request_headers set_effective_context 999", "request_headers set_effective_context 1"]);
    await host.send();
    expect(results(host, "request_headers")).toEqual(["set_effective_context: BadArgument", "set_effective_context: Ok"]);
  });

  it("foreign functions compress and uncompress are zlib, as Envoy registers them", async () => {
    const { deflateSync } = await import("node:zlib");
    const compressed = deflateSync(Buffer.from("hello hello hello"));
    const pct = (b: Uint8Array) => [...b].map((x) => (x > 0x20 && x < 0x7f && x !== 0x25 && x !== 0x26 && x !== 0x3d ? String.fromCharCode(x) : `%${x.toString(16).toUpperCase().padStart(2, "0")}`)).join("");
    const { host } = await scripted([
      "request_headers foreign compress hello%20hello%20hello",
      `request_headers foreign uncompress ${pct(compressed)}`,
      "request_headers foreign uncompress not-zlib",
    ]);
    await host.send();
    expect(results(host, "request_headers")).toEqual([`foreign: Ok ${pct(compressed)}`, "foreign: Ok hello%20hello%20hello", "foreign: SerializationFailure"]);
  });

  it("foreign functions: unknown NotFound, clear_route_cache Ok", async () => {
    const { host } = await scripted(["request_headers foreign nope ~", "request_headers foreign clear_route_cache ~"]);
    await host.send();
    expect(results(host, "request_headers")).toEqual(["foreign: NotFound", "foreign: Ok ~"]);
  });
});
