"""Turning snapshots into labelled schema pieces (names in the chosen language, bands, stats)."""

from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Literal

from app.core.i18n import Language, pick
from app.schemas.base import format_index, format_score
from app.schemas.coverage import CoverageRead, PlaceRead, PublishedCoverageRead
from app.schemas.rankings import GroupStatisticsRead, PublishedSummaryRead
from app.schemas.results import BandRef, LabelledRef, PublishedRead
from app.services.results.group_year import (
    Coverage,
    GroupYear,
    PublishedSnapshot,
    UnitOutcome,
    UnitSnapshot,
)
from app.services.results.positions import position_code, position_wording
from app.services.results.scoring import BandRule, round_index

# A ranking's entries are written as JSON-ready dicts (ranking.RankingService says why); the
# models below are built from the same dicts, so a label has one shape either way.
JsonFields = dict[str, Any]


def index_text(value: Decimal | None) -> str | None:
    """An IndexOut field as JSON writes it."""
    return None if value is None else format_index(value)


def score_text(value: Decimal | None) -> str | None:
    """A ScoreOut field as JSON writes it."""
    return None if value is None else format_score(value)


def unit_fields(unit: UnitSnapshot, language: Language) -> JsonFields:
    """LabelledRef's fields for a unit."""
    return {
        "code": unit.code,
        "name": pick(language, unit.name_vi, unit.name_en),
        "name_vi": unit.name_vi,
        "name_en": unit.name_en,
    }


def unit_label(unit: UnitSnapshot, language: Language) -> LabelledRef:
    return LabelledRef(**unit_fields(unit, language))


class Labels:
    """Unit and band labels (JSON-ready fields) made once each for a whole answer: a ranking's
    entry and its previous-year block name the same unit, and a thousand entries share a few
    bands."""

    def __init__(self, language: Language) -> None:
        self.language = language
        self._units: dict[UnitSnapshot, JsonFields] = {}
        self._bands: dict[BandRule, JsonFields] = {}

    def unit(self, unit: UnitSnapshot) -> JsonFields:
        label = self._units.get(unit)
        if label is None:
            label = self._units[unit] = unit_fields(unit, self.language)
        return label

    def band(self, band: BandRule | None) -> JsonFields | None:
        if band is None:
            return None
        label = self._bands.get(band)
        if label is None:
            label = self._bands[band] = band_fields(band, self.language)
        return label


def group_label(group_year: GroupYear, language: Language) -> LabelledRef:
    return LabelledRef(
        code=group_year.group_code,
        name=pick(language, group_year.group_name_vi, group_year.group_name_en),
        name_vi=group_year.group_name_vi,
        name_en=group_year.group_name_en,
    )


def band_fields(band: BandRule, language: Language) -> JsonFields:
    """BandRef's fields for a band."""
    return {
        "label": pick(language, band.label_vi, band.label_en),
        "label_vi": band.label_vi,
        "label_en": band.label_en,
    }


def band_ref(band: BandRule | None, language: Language) -> BandRef | None:
    return None if band is None else BandRef(**band_fields(band, language))


def published_read(published: PublishedSnapshot | None, language: Language) -> PublishedRead | None:
    if published is None:
        return None
    return PublishedRead(
        index=published.index,
        rank=published.rank,
        position=published.position,
        place=place_read(position_code(published.position), language),
        band_vi=published.band_vi,
        source=published.source,
    )


def place_read(code: str | None, language: Language) -> PlaceRead | None:
    """A published place as its code with the standard wording (positions.position_wording)."""
    if code is None:
        return None
    wording = position_wording(code)
    return PlaceRead(
        code=code,
        label=wording.render(language),
        label_vi=wording.render("vi"),
        label_en=wording.render("en"),
    )


def coverage_read(coverage: Coverage) -> CoverageRead:
    published = coverage.published
    ranks: Literal["computed", "published", "none"] = (
        "computed" if coverage.ranked else "published" if published.units_with_rank else "none"
    )
    return CoverageRead(
        complete=coverage.complete,
        units_with_result=coverage.units_with_result,
        units_in_group=coverage.units_in_group,
        ranks=ranks,
        published=PublishedCoverageRead(
            scope=published.scope,
            sources=list(published.sources),
            units_with_rank=published.units_with_rank,
            units_with_index=published.units_with_index,
            units_with_position=published.units_with_position,
            band_counts=published.band_counts,
            unit_count=published.unit_count,
        ),
    )


def median(values: Sequence[Decimal]) -> Decimal:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def group_statistics(group_year: GroupYear, language: Language) -> GroupStatisticsRead:
    """Count, mean, median, min and max of the indices, rounded half-up to two decimals.

    Computed only when every unit of the group has an index (coverage.ranked); over a partial
    group they would describe only the units a source chose to publish, so they are withheld
    and `count` says how many listed units have an index. Band counts use the criteria set's
    bands where the index was computed, else the band published for the unit.
    """
    indices = [o.index for o in group_year.outcomes if o.index is not None]
    if not group_year.coverage.ranked:
        return GroupStatisticsRead(
            complete=False,
            count=len(indices),
            mean=None,
            median=None,
            min=None,
            max=None,
            band_counts=None,
        )
    bands: Counter[str] = Counter()
    for outcome in group_year.outcomes:
        label = _band_label(outcome, language)
        if label is not None:
            bands[label] += 1
    return GroupStatisticsRead(
        complete=True,
        count=len(indices),
        mean=round_index(sum(indices, Decimal(0)) / len(indices)),
        median=round_index(median(indices)),
        min=min(indices),
        max=max(indices),
        band_counts=dict(sorted(bands.items())),
    )


def _band_label(outcome: UnitOutcome, language: Language) -> str | None:
    if outcome.band is not None:
        return pick(language, outcome.band.label_vi, outcome.band.label_en)
    if outcome.published is not None:
        return outcome.published.band_vi
    return None


def summary_read(group_year: GroupYear) -> PublishedSummaryRead | None:
    summary = group_year.summary
    if summary is None:
        return None
    return PublishedSummaryRead(
        unit_count=summary.unit_count,
        band_counts=dict(summary.band_counts) if summary.band_counts else None,
        note=summary.note,
        source=summary.source,
    )
