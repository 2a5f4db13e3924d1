// Every declarative scenario under test/scenarios/ runs through the host shim: one vitest
// test for start-up and one per request, each failing with what was expected and observed.
import { describe, expect, it, beforeAll } from "vitest";
import { loadScenarios } from "../host-shim/scenario/load.ts";
import { runScenario, type ScenarioOutcome } from "../host-shim/scenario/run.ts";
import { formatFailure } from "../host-shim/scenario/check.ts";

const scenarios = loadScenarios("test/scenarios/**/*.yaml");

for (const scenario of scenarios) {
  describe(`${scenario.source.file}: ${scenario.name}`, () => {
    let outcome: ScenarioOutcome;
    beforeAll(async () => {
      outcome = await runScenario(scenario);
      for (const w of scenario.warnings) console.warn(w);
    });

    it("starts as expected", () => {
      const problems = [...outcome.configure.failures.map(formatFailure), ...outcome.runnerErrors];
      expect(problems, problems.join("\n")).toEqual([]);
    });

    const names = scenario.requests.flatMap((r) => (r.request && r.repeat > 1 ? Array.from({ length: r.repeat }, (_, i) => `${r.name} #${i + 1}`) : [r.name]));
    for (const name of names) {
      it(name, () => {
        const r = outcome.requests.find((x) => x.name === name);
        expect(r, `request ${name} was not run`).toBeDefined();
        for (const a of r!.advisories) console.warn(`advisory: ${name}: ${formatFailure(a)}`);
        const problems = r!.failures.map(formatFailure);
        expect(problems, `${scenario.source.file}:${r!.step.source.line}\n${problems.join("\n")}`).toEqual([]);
      });
    }
  });
}
