// A program an integrator of the provincial portal would write: openapi-fetch over the types
// openapi-typescript generates from openapi.json (api.d.ts beside this file), compiled with
// `tsc --strict` and run by .ci/clients against a live server with the bundled data sets.
// No casts: if the contract stops giving a client these types, this file stops compiling.
import assert from "node:assert/strict";
import createClient from "openapi-fetch";
import type { components, paths } from "./api.js";

type Ranking = components["schemas"]["RankingRead"];
type Breakdown = components["schemas"]["BreakdownRead"];
type Problem = components["schemas"]["ProblemRead"];

const baseUrl = process.env["PAR_INDEX_URL"];
if (baseUrl === undefined) {
  throw new Error("PAR_INDEX_URL names the server to read");
}
// Anonymous: published years are open to everyone.
const client = createClient<paths>({ baseUrl });

const RANKING = "/api/v1/years/{year}/rankings/{group}";

async function readRanking(year: number, group: string): Promise<{ ranking: Ranking; etag: string }> {
  const { data, error, response } = await client.GET(RANKING, {
    params: { path: { year, group }, query: { lang: "en" } },
  });
  if (data === undefined) {
    throw new Error(`ranking ${year} ${group}: ${response.status} ${error?.title ?? ""}`);
  }
  const etag = response.headers.get("ETag");
  assert.ok(etag !== null, "a ranking carries an ETag");
  return { ranking: data, etag };
}

async function rankingOf2024Departments(): Promise<string> {
  const { ranking, etag } = await readRanking(2024, "department");
  const first = ranking.entries[0];
  assert.ok(first !== undefined);
  assert.deepEqual(
    [first.rank, first.unit.code, first.unit.name, first.index],
    [1, "LD-DEP-HOME-AFFAIRS", "Department of Home Affairs", "92.96"],
  );
  // The size of the group was not published: Health has no rank, only a published place.
  const health = ranking.entries.find((entry) => entry.unit.code === "LD-DEP-HEALTH");
  assert.ok(health !== undefined);
  assert.equal(health.rank, null);
  assert.equal(health.published?.place?.code, "bottom_3");
  assert.equal(ranking.statistics.mean, null);
  return etag;
}

async function notModifiedWithTheEtag(etag: string): Promise<void> {
  const { data, response } = await client.GET(RANKING, {
    params: {
      path: { year: 2024, group: "department" },
      query: { lang: "en" },
      header: { "If-None-Match": etag },
    },
  });
  assert.equal(response.status, 304);
  assert.equal(data, undefined);
  assert.equal(response.headers.get("ETag"), etag);
}

async function breakdownMatchesItsRanking(): Promise<void> {
  const { data, response } = await client.GET("/api/v1/years/{year}/units/{unit_code}/breakdown", {
    params: { path: { year: 2023, unit_code: "DEMO-DEP-HEALTH" } },
  });
  assert.equal(response.status, 200);
  assert.ok(data !== undefined);
  const breakdown: Breakdown = data;
  assert.equal(breakdown.nodes[0]?.code, "1");
  assert.ok(breakdown.nodes.some((node) => node.is_leaf));
  const { ranking } = await readRanking(2023, "demo-department");
  const entry = ranking.entries.find((e) => e.unit.code === "DEMO-DEP-HEALTH");
  assert.ok(entry !== undefined);
  assert.deepEqual([entry.index, entry.rank], [breakdown.index, breakdown.rank]);
}

async function rankingAsCsv(): Promise<void> {
  const { data, response } = await client.GET(`${RANKING}/export`, {
    params: { path: { year: 2024, group: "department" }, query: { format: "csv" } },
    parseAs: "text",
  });
  assert.equal(response.status, 200);
  assert.ok(data !== undefined);
  const text: string = data;
  assert.ok(text.startsWith("rank,"));
  assert.match(response.headers.get("Content-Disposition") ?? "", /ranking_2024_department/);
}

async function aMissingUnitIsAProblem(): Promise<void> {
  const { data, error, response } = await client.GET("/api/v1/units/{unit_code}", {
    params: { path: { unit_code: "LD-DEP-NOPE" }, query: { lang: "en" } },
  });
  assert.equal(data, undefined);
  assert.equal(response.status, 404);
  assert.equal(response.headers.get("Content-Type"), "application/problem+json");
  assert.ok(error !== undefined);
  const problem: Problem = error;
  assert.equal(problem.status, 404);
  assert.match(problem.type, /unit-not-found$/);
  assert.ok(problem.title.length > 0);
}

const etag = await rankingOf2024Departments();
await notModifiedWithTheEtag(etag);
await breakdownMatchesItsRanking();
await rankingAsCsv();
await aMissingUnitIsAProblem();
console.log("reader.ts: ranking, 304, breakdown, CSV export and problem read as typed");
