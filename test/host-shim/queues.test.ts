// Shared queues (proxy-wasm-abi.md §3.12, §5.13): identity (vm_id, name), ids from 1, one
// on_queue_ready per enqueue, delivered later to the last registrant's root.
import { describe, expect, it } from "vitest";
import { Host } from "../../host-shim/index.ts";
import { results, scripted, SCRIPTED } from "./helpers.ts";

const readies = (host: Host) => host.timeline.filter((t) => t.callback === "proxy_on_queue_ready");

describe("register, resolve, enqueue, dequeue", () => {
  it("ids, NotFound for unknown queues, Empty, FIFO order, one on_queue_ready per enqueue after the callback", async () => {
    const { host } = await scripted([
      "configure queue_resolve ~ jobs",
      "configure queue_register jobs",
      "configure queue_register jobs",
      "configure queue_register other",
      "configure queue_resolve ~ jobs",
      "configure queue_resolve some-other-vm jobs",
      "configure dequeue 1",
      "configure enqueue 77 x",
      "configure dequeue 77",
      "configure enqueue 1 first",
      "configure enqueue 1 second",
      "configure log info still-in-configure",
      "queue_ready args",
      "queue_ready dequeue 1",
      "queue_ready nth 2 dequeue 1",
    ]);
    await host.advance(0);
    expect(results(host, "configure")).toEqual([
      "queue_resolve: NotFound",
      "queue_register: Ok 1",
      "queue_register: Ok 1", // the same queue again
      "queue_register: Ok 2",
      "queue_resolve: Ok 1", // empty vm_id = this VM's
      "queue_resolve: NotFound",
      "dequeue: Empty",
      "enqueue: NotFound",
      "dequeue: NotFound",
      "enqueue: Ok",
      "enqueue: Ok",
      "log: Ok",
    ]);
    expect(results(host, "queue_ready")).toEqual(["args: 1", "dequeue: Ok first", "args: 1", "dequeue: Ok second", "dequeue: Empty"]);
    const messages = host.logs().map((l) => l.message);
    expect(messages.indexOf("queue_ready args: 1")).toBeGreaterThan(messages.indexOf("still-in-configure"));
    expect(readies(host).map((t) => t.args)).toEqual([[1, 1], [1, 1]]);
  });

  it("a queue keeps its items across registrations; any context may dequeue", async () => {
    const { host } = await scripted([
      "configure queue_register jobs",
      "configure enqueue last kept",
      "request_headers queue_register jobs",
      "request_headers dequeue last",
      "request_headers whoami",
    ]);
    await host.send();
    expect(results(host, "request_headers")).toEqual(["queue_register: Ok 1", "dequeue: Ok kept", "whoami: Ok context=2 root=1 root_id="]);
  });
});

describe("a consumer woken by another plugin", () => {
  it("a producer in another VM resolves the consumer's queue by vm_id and wakes it", async () => {
    const host = new Host();
    const consumer = await host.loadPlugin({
      wasm: SCRIPTED,
      name: "consumer",
      vmId: "collector",
      config: ["configure queue_register access-logs", "queue_ready whoami", "queue_ready dequeue last"].join("\n"),
    });
    const producer = await host.loadPlugin({
      wasm: SCRIPTED,
      name: "producer",
      vmId: "edge",
      config: ["request_headers queue_resolve collector access-logs", "request_headers enqueue last GET%20/a", "request_headers queue_resolve ~ access-logs"].join("\n"),
    });
    const r = await host.send({}, { plugins: [producer] });
    expect(r.response!.status).toBe(200);
    await host.advance(0);
    expect(results(host, "request_headers")).toEqual(["queue_resolve: Ok 1", "enqueue: Ok", "queue_resolve: NotFound"]);
    expect(results(host, "queue_ready")).toEqual(["whoami: Ok context=1 root=1 root_id=", "dequeue: Ok GET%20/a"]);
    expect(readies(host)).toMatchObject([{ plugin: "consumer", args: [1, 1] }]);
    void consumer;
  });

  it("the last registrant wins: only its root is notified", async () => {
    const host = new Host();
    await host.loadPlugin({ wasm: SCRIPTED, name: "first", vmId: "q", config: "configure queue_register jobs\nqueue_ready whoami" });
    await host.loadPlugin({ wasm: SCRIPTED, name: "second", vmId: "q", config: "configure queue_register jobs\nqueue_ready whoami" });
    const producer = await host.loadPlugin({ wasm: SCRIPTED, name: "producer", vmId: "q", rootId: "second", config: "request_headers queue_resolve ~ jobs\nrequest_headers enqueue last x" });
    await host.send({}, { plugins: [producer] });
    await host.advance(0);
    expect(readies(host)).toMatchObject([{ plugin: "second", args: [2, 1] }]);
    expect(results(host, "queue_ready")).toEqual(["whoami: Ok context=2 root=2 root_id="]);
  });

  it("across workers the last worker to register is notified, whichever worker enqueues", async () => {
    const { host } = await scripted(["configure queue_register jobs", "request_headers enqueue 1 from-a-stream", "queue_ready dequeue 1"], {
      hostOptions: { workers: 3 },
    });
    await host.send({}, { worker: 0 });
    await host.send({}, { worker: 1 });
    await host.advance(0);
    expect(readies(host).map((t) => t.worker)).toEqual([2, 2]);
    expect(host.logs().filter((l) => l.message.startsWith("queue_ready")).map((l) => [l.worker, l.message])).toEqual([
      [2, "queue_ready dequeue: Ok from-a-stream"],
      [2, "queue_ready dequeue: Ok from-a-stream"],
    ]);
  });

  it("registering from a stream binds the queue to the stream's root", async () => {
    const host = new Host();
    await host.loadPlugin({ wasm: SCRIPTED, name: "a", vmId: "q", config: "request_headers queue_register jobs\nqueue_ready whoami" });
    await host.loadPlugin({ wasm: SCRIPTED, name: "b", vmId: "q", rootId: "second", config: "configure queue_register jobs\nrequest_headers enqueue 1 x" });
    // b registered at configure; a's stream registers later and so becomes the registrant.
    await host.send({}, { plugins: [host.plugins[0]] });
    await host.send({}, { plugins: [host.plugins[1]] });
    await host.advance(0);
    expect(readies(host)).toMatchObject([{ plugin: "a", args: [1, 1] }]);
  });
});
