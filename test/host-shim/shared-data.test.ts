// Shared data (proxy-wasm-abi.md §3.11, §5.13): a key/value store per vm_id, process-wide across
// plugins and worker VMs, with compare-and-swap versions from one global counter.
import { describe, expect, it } from "vitest";
import { Host } from "../../host-shim/index.ts";
import { results, scripted, SCRIPTED } from "./helpers.ts";

const CAS_COUNTER = "build/fixtures/cas-counter.wasm";
const text = (b: Uint8Array | undefined) => (b ? new TextDecoder().decode(b) : undefined);

describe("get and set with compare-and-swap", () => {
  it("missing keys, versions, stale writes, unconditional writes, creation with any cas", async () => {
    const { host } = await scripted([
      "configure shared_get k",
      "configure shared_set k v1 0",
      "configure shared_get k",
      "configure shared_set k v2 1", // the version just read: wins
      "configure shared_get k",
      "configure shared_set k v3 1", // stale version: conflict, value unchanged
      "configure shared_get k",
      "configure shared_set k v4 0", // cas 0: unconditional
      "configure shared_get k",
      "configure shared_set fresh x 12345", // an absent key is created whatever the cas
      "configure shared_get fresh",
      "configure shared_set k ~ 0", // no delete hostcall: an empty value is the convention
      "configure shared_get k",
    ]);
    expect(results(host, "configure")).toEqual([
      "shared_get: NotFound",
      "shared_set: Ok",
      "shared_get: Ok 1 v1", // CAS from a process-wide counter starting at 1
      "shared_set: Ok",
      "shared_get: Ok 2 v2",
      "shared_set: CasMismatch",
      "shared_get: Ok 2 v2",
      "shared_set: Ok",
      "shared_get: Ok 3 v4",
      "shared_set: Ok",
      "shared_get: Ok 4 x",
      "shared_set: Ok",
      "shared_get: Ok 5 ~",
    ]);
  });

  it("keys and values are bytes", async () => {
    const { host } = await scripted(["configure shared_set k%00%FF v%00%01%FE 0", "configure shared_get k%00%FF", "configure shared_get k"]);
    expect(results(host, "configure")).toEqual(["shared_set: Ok", "shared_get: Ok 1 v%00%01%FE", "shared_get: NotFound"]);
  });

  it("a bad key pointer is InvalidMemoryAccess", async () => {
    const { host } = await scripted(["configure raw proxy_set_shared_data 0xfffffff0 8 0 0 0", "configure raw proxy_get_shared_data 0xfffffff0 8 $out $out $out"]);
    expect(results(host, "configure")).toEqual(["raw: InvalidMemoryAccess", "raw: InvalidMemoryAccess"]);
  });
});

describe("scope: one store per vm_id", () => {
  it("is shared by plugins of the same vm_id (same VM or not) and hidden from other vm_ids", async () => {
    const host = new Host();
    await host.loadPlugin({ wasm: SCRIPTED, name: "writer", vmId: "team", config: "configure shared_set jwks cached 0" });
    await host.loadPlugin({ wasm: SCRIPTED, name: "reader", vmId: "team", config: "configure shared_get jwks\nconfigure whoami" });
    // Another VM instance (a different VM configuration) with the same vm_id still shares.
    await host.loadPlugin({ wasm: SCRIPTED, name: "other-vm", vmId: "team", vmConfig: "# another instance", config: "configure shared_get jwks" });
    await host.loadPlugin({ wasm: SCRIPTED, name: "stranger", vmId: "elsewhere", config: "configure shared_get jwks\nconfigure shared_set jwks mine 0" });
    await host.loadPlugin({ wasm: SCRIPTED, name: "default", config: "configure shared_get jwks" }); // the empty vm_id is a scope too
    const lines = host.logs().map((l) => `${l.plugin}: ${l.message}`);
    expect(lines).toEqual([
      "writer: configure shared_set: Ok",
      "reader: configure shared_get: Ok 1 cached",
      "reader: configure whoami: Ok context=2 root=2 root_id=", // the second root of the writer's VM
      "other-vm: configure shared_get: Ok 1 cached",
      "stranger: configure shared_get: NotFound",
      "stranger: configure shared_set: Ok",
      "default: configure shared_get: NotFound",
    ]);
    expect(text(host.sharedData.get("team", "jwks")?.value)).toBe("cached");
    expect(text(host.sharedData.get("elsewhere", "jwks")?.value)).toBe("mine");
  });

  it("is shared across workers, each with its own VM instance", async () => {
    // A write with a made-up cas creates an absent key but conflicts with an existing one.
    const { host } = await scripted(["request_headers shared_get seen", "request_headers shared_set seen by-first-worker 99"], {
      hostOptions: { workers: 2 },
    });
    await host.send({}, { worker: 0 });
    await host.send({}, { worker: 1 });
    expect(host.logs().map((l) => [l.worker, l.message])).toEqual([
      [0, "request_headers shared_get: NotFound"],
      [0, "request_headers shared_set: Ok"],
      [1, "request_headers shared_get: Ok 1 by-first-worker"], // the second worker's VM never wrote it
      [1, "request_headers shared_set: CasMismatch"],
    ]);
  });
});

describe("two workers racing on one key", () => {
  it("both read the same version; exactly one compare-and-swap wins", async () => {
    const host = new Host({ workers: 2 });
    await host.loadPlugin({ wasm: CAS_COUNTER, config: "10" });
    await host.advance(10); // both roots read
    await host.advance(10); // both write with the version they read
    const lines = host.logs().map((l) => `${l.worker} ${l.message}`);
    expect(lines).toEqual(["0 read 0 cas 1", "1 read 0 cas 1", "0 write 1: Ok", "1 write 1: CasMismatch"]);
    expect(text(host.sharedData.get("", "counter")?.value)).toBe("1");
  });

  it("over many rounds with three workers, every round has one winner and the counter counts the wins", async () => {
    const host = new Host({ workers: 3 });
    await host.loadPlugin({ wasm: CAS_COUNTER, config: "10" });
    await host.advance(200); // 10 rounds of read + write
    const writes = host.logs().map((l) => l.message).filter((m) => m.startsWith("write"));
    expect(writes).toHaveLength(30);
    const wins = writes.filter((m) => m.endsWith(": Ok"));
    expect(wins).toHaveLength(10);
    for (let round = 0; round < 10; round++) {
      const inRound = writes.slice(round * 3, round * 3 + 3);
      expect(inRound.filter((m) => m.endsWith(": Ok"))).toHaveLength(1);
      expect(inRound.filter((m) => m.endsWith(": CasMismatch"))).toHaveLength(2);
    }
    expect(text(host.sharedData.get("", "counter")?.value)).toBe("10");
  });
});
