// Type-checked by .ci/clients against the types openapi-typescript generates from openapi.json
// (written beside this file as api.d.ts). It runs nothing: `tsc --noEmit` fails when the
// contract no longer gives a client what this code relies on.
import type { components, operations, paths } from "./api.js";

type Ranking = components["schemas"]["RankingRead"];
type Problem = components["schemas"]["ProblemRead"];
type UnitPage = components["schemas"]["UnitPage"];
type RankingQuery = NonNullable<operations["getRanking"]["parameters"]["query"]>;
type RankingOk =
  paths["/api/v1/years/{year}/rankings/{group}"]["get"]["responses"][200]["content"]["application/json"];
type RankingNotFound =
  operations["getRanking"]["responses"][404]["content"]["application/problem+json"];
type ImportForm =
  operations["createImport"]["requestBody"]["content"]["multipart/form-data"];

const ranking: RankingOk = {
  year: 2024,
  status: "published",
  revision: 1,
  language: "en",
  group: { code: "department", name: "Departments", name_vi: "Sở, ban, ngành", name_en: "Departments" },
  criterion: null,
  rule: "Standard competition ranking",
  max_score: null,
  coverage: {
    complete: false,
    units_with_result: 0,
    units_in_group: null,
    ranks: "none",
    published: {
      scope: "none",
      sources: [],
      units_with_rank: 0,
      units_with_index: 0,
      units_with_position: 0,
      band_counts: false,
      unit_count: null,
    },
  },
  entries: [],
  statistics: { complete: false, count: 0, mean: null, median: null, min: null, max: null, band_counts: null },
  published_summary: null,
};

type Entry = components["schemas"]["RankingEntryRead"];

// A dashboard shows a rank only where there is one, else what the source said of the place.
export function rankOrPlace(entry: Entry, language: "vi" | "en"): string {
  if (entry.rank !== null) {
    return entry.rank_basis === "published" ? `${entry.rank} (published)` : `${entry.rank}`;
  }
  const place = entry.published?.place ?? null;
  if (place === null) {
    return "not ranked";
  }
  return language === "vi" ? place.label_vi : place.label_en;
}

// Statistics exist only for complete groups; otherwise they are null, never a partial mean.
export function groupMean(result: Ranking): string | null {
  return result.coverage.complete ? result.statistics.mean ?? null : null;
}

// Indices are decimal strings, never numbers.
export function firstIndex(result: Ranking): string | null {
  return result.entries[0]?.index ?? null;
}

export function describe(problem: Problem): string {
  const fields = (problem.errors ?? []).map((item) => `${item.loc.join(".")}: ${item.msg}`);
  return [`${problem.status} ${problem.title}`, ...fields].join("\n");
}

export function unitCodes(page: UnitPage): string[] {
  return page.items.map((unit) => unit.code);
}

export const query: RankingQuery = { criterion: "3.2", format: "csv", revision: 1 };
export const notFound: RankingNotFound = {
  type: "https://par-index.example/problems/not-found",
  title: "Not found",
  status: 404,
  detail: "No group 'x'.",
};
export const form: Omit<ImportForm, "file"> = { kind: "scores", dry_run: true, missing_leaves: "zero" };
export const top: string | null = firstIndex(ranking);

// Request bodies need only their required fields; scores may be sent as decimal strings.
export const newUnit: components["schemas"]["UnitCreate"] = {
  code: "LD-DEP-CONSTRUCTION",
  name_vi: "Sở Xây dựng",
  name_en: "Department of Construction",
  group: "department",
};
export const scores: components["schemas"]["ScoresPut"] = {
  scores: [{ criterion: "1.1", self_score: "1.31", final_score: "1.28" }],
};
