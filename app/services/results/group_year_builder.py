"""A group-year's outcomes built from its inputs, read live or from a revision snapshot."""

from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from app.models import AssessmentYear, UnitGroup
from app.models.enums import ScoringMethod
from app.repositories.results import PublishedRow, TreeRow
from app.services.publication.snapshots import as_decimal
from app.services.results.coverage import group_coverage, members_on, published_rank_ties
from app.services.results.group_year import (
    Coverage,
    GroupSummarySnapshot,
    GroupYear,
    IndexBasis,
    PublishedSnapshot,
    UnitOutcome,
    UnitSnapshot,
)
from app.services.results.ranking_rules import rank_with_ties
from app.services.results.score_units import LeafScores, from_units, signed_total, to_units
from app.services.results.scoring import BandRule, Tree, band_for, build_tree, index_of

LeafKey = TypeVar("LeafKey", int, str)  # a leaf by criterion id (live) or code (snapshot)


@dataclass
class GroupInputs:
    """What a group's results are computed from, read live or from a revision snapshot."""

    tree: Tree | None = None
    bands: tuple[BandRule, ...] = ()
    # With detail: per unit, final scores in ten-thousandths by leaf position.
    finals: dict[int, Sequence[int | None]] = field(default_factory=dict)
    published: dict[int, PublishedSnapshot] = field(default_factory=dict)
    summary: GroupSummarySnapshot | None = None
    # Without detail: per unit (total, number of leaves with a final score) instead of leaves.
    totals: dict[int, tuple[Decimal | None, int]] = field(default_factory=dict)
    # Units with a leaf score row, even one without scores (as `totals` lists them).
    listed: set[int] = field(default_factory=set)
    detail: bool = True
    from_snapshot: bool = False

    def add_leaf_columns(
        self,
        columns: Iterable[tuple[LeafKey, Sequence[int], Sequence[int | None]]],
        leaf_keys: Sequence[LeafKey],
    ) -> None:
        """Final scores as (leaf key, unit ids, finals) per leaf; `leaf_keys` are the leaves'
        criterion ids (live) or codes (snapshot) in the tree's leaf order.

        Whole columns move through zip and map: when every leaf lists its units in the same
        order (the common case) no score is touched one by one.
        """
        by_key = {key: (units, finals) for key, units, finals in columns}
        if not by_key or not leaf_keys:
            return
        blocks = list(by_key.values())
        units = blocks[0][0]
        aligned = all(block[0] == units for block in blocks)
        if not aligned:
            units = sorted(set().union(*(block[0] for block in blocks)))
        self.listed.update(units)
        missing = (None,) * len(units)

        def column(key: LeafKey) -> Sequence[int | None]:
            block = by_key.get(key)
            if block is None:
                return missing
            if aligned:
                return block[1]
            return list(map(dict(zip(*block, strict=True)).get, units))

        leaf_columns = [column(key) for key in leaf_keys]
        for unit_id, row in zip(units, zip(*leaf_columns, strict=True), strict=True):
            if row.count(None) < len(row):
                self.finals[unit_id] = row


def published_snapshot(row: PublishedRow) -> PublishedSnapshot:
    return PublishedSnapshot(
        index=row.index_value,
        rank=row.published_rank,
        position=row.published_position,
        band_vi=row.band_vi,
        source=row.source_code,
        note=row.note,
    )


def rank_outcomes(drafts: list[UnitOutcome], coverage: Coverage) -> tuple[UnitOutcome, ...]:
    """Order and rank unranked outcomes (the catalogue's "ranking.rule" states the rule in words).

    Indexed units come first, by index (a tie on equal indices is a tie, complete group or
    not), then units known by a published rank only, then the rest by code. Ranks are computed
    only when the coverage allows it; otherwise a unit's rank is its published rank, or none.
    """
    codes = {draft.unit.id: draft.unit.code for draft in drafts}
    by_id = {draft.unit.id: draft for draft in drafts}
    indexed = [(draft.unit.id, draft.index) for draft in drafts if draft.index is not None]
    ranked = [
        by_id[r.key].ranked(r.rank, r.tie_size, "computed")
        if coverage.ranked
        else by_id[r.key].ranked(_published_rank(by_id[r.key]), r.tie_size, "published")
        for r in rank_with_ties(indexed, sort_key=codes)
    ]
    rank_only = sorted(
        (d for d in drafts if d.index is None and _published_rank(d)),
        key=lambda d: (_published_rank(d) or 0, d.unit.code),
    )
    ties = published_rank_ties(rank_only)
    for draft in rank_only:
        published_rank = _published_rank(draft)
        ranked.append(draft.ranked(published_rank, ties[published_rank or 0], "published"))
    rest = sorted(
        (d for d in drafts if d.index is None and not _published_rank(d)),
        key=lambda d: d.unit.code,
    )
    return (*ranked, *rest)


def _published_rank(outcome: UnitOutcome) -> int | None:
    return outcome.published.rank if outcome.published else None


def _units(text: str | None) -> int | None:
    """A snapshot's score (a decimal string) as ten-thousandths."""
    value = as_decimal(text)
    return None if value is None else to_units(value)


def tree_from_rows(rows: Sequence[TreeRow]) -> Tree:
    return build_tree(
        (
            (
                row.code,
                row.name_vi or "",
                row.name_en or "",
                row.max_score if row.max_score is not None else Decimal(0),
                ScoringMethod(row.method) if row.method else None,
            )
            for row in rows
            if row.code is not None
        ),
        rows[0].set_max_score,
    )


def _draft(
    unit: UnitSnapshot,
    tree: Tree | None,
    bands: tuple[BandRule, ...],
    finals: Sequence[int | None] | None,
    published: PublishedSnapshot | None,
    summed: tuple[Decimal | None, int] | None = None,
) -> UnitOutcome:
    """A unit's unranked outcome: the index from its leaf scores if any, else as published.

    `finals` are the unit's final scores in ten-thousandths by leaf position, when leaves
    were loaded; `summed` is the (total, leaves with a final) the database added up, when
    they were not. Both ways give the same total.
    """
    total: Decimal | None = None
    missing = 0
    final_scores: Mapping[str, Decimal] = {}
    if tree is not None and finals is not None:
        total = from_units(signed_total(tree, finals))
        missing = finals.count(None)
        final_scores = LeafScores(tree, finals)
    elif tree is not None and summed is not None and summed[1] > 0:
        total, missing = summed[0], len(tree.leaf_codes) - summed[1]
    if tree is not None and total is not None:
        index = index_of(total, tree.max_score)
        return UnitOutcome(
            unit,
            final_scores,
            missing,
            total,
            index,
            "leaf_scores",
            band_for(index, bands),
            published,
        )
    if published is not None and published.index is not None:
        band = band_for(published.index, bands) if bands else None
        return UnitOutcome(unit, {}, 0, None, published.index, "published_index", band, published)
    basis: IndexBasis = "published_rank" if published and published.rank else "none"
    return UnitOutcome(unit, {}, 0, None, None, basis, None, published)


def inputs_from_snapshot(snapshot: Mapping[str, Any], group: str) -> GroupInputs:
    """A group's inputs as the snapshot of a superseded revision kept them (always in detail)."""
    inputs = GroupInputs(from_snapshot=True)
    part = snapshot["groups"].get(group)
    if part is not None:
        inputs.tree = build_tree(
            (
                (code, vi, en, Decimal(maximum), ScoringMethod(method) if method else None)
                for code, vi, en, maximum, method in part["criteria"]
            ),
            Decimal(part["max_score"]),
        )
        inputs.bands = tuple(BandRule(vi, en, Decimal(low)) for vi, en, low in part["bands"])
        by_leaf: dict[str, tuple[list[int], list[int | None]]] = {}
        for unit_id, code, _self, final_score, _note in part["scores"]:
            unit_ids, finals = by_leaf.setdefault(code, ([], []))
            unit_ids.append(unit_id)
            finals.append(_units(final_score))
        inputs.add_leaf_columns(
            ((code, *columns) for code, columns in by_leaf.items()),
            inputs.tree.leaf_codes,
        )
    for unit_id, index, rank, position, band_vi, source, note in snapshot["published"]:
        inputs.published[unit_id] = PublishedSnapshot(
            as_decimal(index), rank, position, band_vi, source, note
        )
    summary = snapshot["summaries"].get(group)
    if summary is not None:
        inputs.summary = GroupSummarySnapshot(*summary)
    return inputs


def group_outcomes(
    inputs: GroupInputs, units: Mapping[int, UnitSnapshot], *, members: Set[int]
) -> tuple[tuple[UnitOutcome, ...], Coverage]:
    """The outcome of every unit with inputs that is in the group now, ranked as the group's
    coverage allows (`members`: the group's units on the year's cut-off date); and the coverage.

    Results of units now in another group (none, unless a unit moved) are left out.
    """
    unit_ids = sorted(inputs.listed | set(inputs.totals) | set(inputs.published))
    drafts = [
        _draft(
            units[uid],
            inputs.tree,
            inputs.bands,
            inputs.finals.get(uid),
            inputs.published.get(uid),
            inputs.totals.get(uid),
        )
        for uid in unit_ids
        if uid in units
    ]
    coverage = group_coverage(drafts, members=members, summary=inputs.summary)
    return rank_outcomes(drafts, coverage), coverage


def assemble_group_year(
    assessment_year: AssessmentYear,
    unit_group: UnitGroup,
    units: Mapping[int, UnitSnapshot],
    inputs: GroupInputs,
    *,
    revision: int | None,
) -> GroupYear:
    """The group's snapshot of the year from its inputs: outcomes ranked as coverage allows."""
    outcomes, coverage = group_outcomes(
        inputs, units, members=members_on(units.values(), assessment_year.units_as_of_date)
    )
    return GroupYear(
        year=assessment_year.year,
        status=assessment_year.status,
        revision=revision if revision is not None else assessment_year.revision,
        group_code=unit_group.code,
        group_name_vi=unit_group.name_vi,
        group_name_en=unit_group.name_en,
        tree=inputs.tree,
        bands=inputs.bands,
        outcomes=outcomes,
        summary=inputs.summary,
        coverage=coverage,
        detail=inputs.detail,
        from_snapshot=inputs.from_snapshot,
    )
