// Arrange/act helpers for host-shim tests: load the `scripted` fixture (see
// test/fixtures/scripted/PROTOCOL.md) with a script, and read what it logged.
import { Host, type HostOptions, type PluginOptions } from "../../host-shim/index.ts";

export const SCRIPTED = "build/fixtures/scripted.wasm";
export const PASSTHROUGH = "build/fixtures/passthrough.wasm";

export async function scripted(script: string | string[], opts: Partial<PluginOptions> & { host?: Host; hostOptions?: HostOptions } = {}) {
  const host = opts.host ?? new Host(opts.hostOptions);
  const { host: _h, hostOptions: _o, ...pluginOpts } = opts;
  const plugin = await host.loadPlugin({
    wasm: SCRIPTED,
    config: Array.isArray(script) ? script.join("\n") : script,
    ...pluginOpts,
  });
  return { host, plugin };
}

/** Log lines the fixture wrote for one callback's commands, in order ("<command>: <result>"). */
export function results(host: Host, callback: string): string[] {
  const prefix = `${callback} `;
  return host
    .logs()
    .filter((l) => l.message.startsWith(prefix))
    .map((l) => l.message.slice(prefix.length));
}

/** The callback names of a timeline, without the proxy_ prefix. */
export function names(timeline: Array<{ callback: string }>): string[] {
  return timeline.map((t) => t.callback.replace(/^proxy_/, ""));
}
