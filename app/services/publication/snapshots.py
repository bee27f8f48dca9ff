"""A year's whole state as a plain JSON document, and back to what a ranking is built from."""

from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound
from app.core.messages import message
from app.repositories.publication import PublicationRepository
from app.repositories.results import YearStateRepository

SNAPSHOT_FORMAT = 1


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


async def capture(session: AsyncSession, year: int) -> dict[str, Any]:
    """Everything a ranking, breakdown or improvement list of `year` is computed from.

    Decimals are kept as strings so the snapshot reproduces them exactly.
    """
    state = YearStateRepository(session)
    groups: dict[str, dict[str, Any]] = {}
    for criteria_set in await state.criteria_sets(year):
        groups[criteria_set.group.code] = {
            "max_score": str(criteria_set.max_score),
            "criteria": [
                [node.code, node.name_vi, node.name_en, str(node.max_score), node.method]
                for node in criteria_set.criteria
            ],
            "bands": [
                [band.label_vi, band.label_en, str(band.min_index)] for band in criteria_set.bands
            ],
            "scores": [],
        }
    for row in await state.leaf_scores(year):
        groups[row.group_code]["scores"].append(
            [
                row.unit_id,
                row.criterion_code,
                _text(row.self_score),
                _text(row.final_score),
                row.note,
            ]
        )
    published = [
        [
            row.unit_id,
            _text(row.index_value),
            row.published_rank,
            row.published_position,
            row.band_vi,
            row.source.code,
            row.note,
        ]
        for row in await state.published(year)
    ]
    summaries = {
        row.group.code: [row.unit_count, row.band_counts, row.note, row.source.code]
        for row in await state.summaries(year)
    }
    return {
        "format": SNAPSHOT_FORMAT,
        "year": year,
        "groups": groups,
        "published": published,
        "summaries": summaries,
    }


def as_decimal(value: str | None) -> Decimal | None:
    return _decimal(value)


class RevisionNotFound(NotFound):
    slug = "revision-not-found"


async def load_snapshot(session: AsyncSession, *, year: int, revision: int) -> dict[str, Any]:
    """The state kept when a correction superseded `revision` of `year`."""
    stored = await PublicationRepository(session).get_revision(year=year, number=revision)
    if stored is None or stored.snapshot is None:
        raise RevisionNotFound(message("year.revision-not-found", year=year, revision=revision))
    return stored.snapshot
