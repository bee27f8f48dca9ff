"""Results recomputed from what any client can download: a criteria set and the scores export.

Independent of the service's own rules: exact fractions, index = total / max × 100 rounded
half away from zero to hundredths, standard competition ranking. Tests compare what the API
serves with these, never with another response built from the same snapshot.
"""

import csv
import io
from dataclasses import dataclass
from fractions import Fraction
from math import floor
from typing import Any

from httpx import AsyncClient


def round_half_up(value: Fraction) -> Fraction:
    """To hundredths, a half away from zero (87.205 → 87.21, −9.985 → −9.99)."""
    hundredths = floor(abs(value) * 100 + Fraction(1, 2))
    return Fraction(hundredths if value >= 0 else -hundredths, 100)


def competition_ranks(indices: dict[str, Fraction]) -> dict[str, int]:
    """1 + the number of strictly higher indices (equal indices share a rank)."""
    return {
        code: 1 + sum(other > own for other in indices.values()) for code, own in indices.items()
    }


@dataclass(frozen=True)
class GroupResults:
    """A group's year recomputed: each scored unit's leaf scores, totals, indices and ranks."""

    criteria: list[dict[str, Any]]
    maximum: Fraction
    finals: dict[str, dict[str, Fraction]]  # unit code → leaf code → final score

    def sign(self, leaf: str) -> int:
        methods = {c["code"]: c["method"] for c in self.criteria}
        return -1 if methods[leaf] == "penalty" else 1

    def node_points(self, unit: str, node: str) -> Fraction:
        """Σ final scores of the leaves under the node, penalties subtracted, missing as 0."""
        return sum(
            (
                self.sign(leaf) * score
                for leaf, score in self.finals[unit].items()
                if leaf == node or leaf.startswith(f"{node}.")
            ),
            Fraction(0),
        )

    def total(self, unit: str) -> Fraction:
        return sum((self.sign(leaf) * s for leaf, s in self.finals[unit].items()), Fraction(0))

    def indices(self) -> dict[str, Fraction]:
        return {unit: round_half_up(self.total(unit) / self.maximum * 100) for unit in self.finals}

    def ranks(self) -> dict[str, int]:
        return competition_ranks(self.indices())


async def recompute(client: AsyncClient, year: int, group: str) -> GroupResults:
    """Download the group's criteria set and scores export and rebuild its results."""
    response = await client.get(f"/api/v1/years/{year}/criteria/{group}")
    assert response.status_code == 200, response.text
    criteria = response.json()
    export = await client.get(
        f"/api/v1/years/{year}/scores/export", params={"format": "csv", "group": group}
    )
    assert export.status_code == 200, export.text
    finals: dict[str, dict[str, Fraction]] = {}
    for row in csv.DictReader(io.StringIO(export.text)):
        unit = finals.setdefault(row["unit_code"], {})
        if row["final_score"]:
            unit[row["criterion_code"]] = Fraction(row["final_score"])
    return GroupResults(criteria["criteria"], Fraction(criteria["max_score"]), finals)
