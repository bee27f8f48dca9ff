"""The "Lam Dong as published" data set.

Two bundled JSON files make it up:

* ``lamdong-published.json``: the figures exactly as the press published them (a verbatim copy of
  the shared source file; never edited). Null wherever a value was not published. The source's
  SHA-256 is recorded beside it in ``lamdong-published.json.sha256`` (``sha256sum`` format), so
  the copy can be checked without the source at hand.
* ``lamdong-units.json``: the hand-curated registry the figures attach to: unit groups, units with
  stable codes and validity dates, lineage events, years and source titles.

``build_lamdong_bundle`` joins them into a :class:`DatasetBundle`. Published results are attached
to units by exact ``name_vi`` within the year's group; scores are parsed straight from the JSON text
into ``Decimal`` so no figure ever passes through a binary float. No criteria sets and no per-leaf
scores are included: none were published.
"""

import json
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from importlib import resources
from typing import Any

from app.schemas.datasets import (
    DatasetBundle,
    GroupSpec,
    PublishedGroupSpec,
    PublishedResultSpec,
    YearSpec,
)
from app.schemas.units import LineageEventCreate, UnitCreate
from app.schemas.years import SourceIn

DATASET_NAME = "lamdong"
PACKAGE = "app.datasets"
PUBLISHED_FILE = "lamdong-published.json"
REGISTRY_FILE = "lamdong-units.json"

# Keys of a published year object that are not unit groups.
YEAR_META_KEYS = frozenset({"source", "note"})
# Keys a published result may carry; anything else would be silently dropped, so it is refused.
RESULT_KEYS = frozenset(
    {"name_vi", "name_en", "score", "published_rank", "published_position", "band_vi"}
)

JsonObject = dict[str, Any]


def _read_json(name: str) -> JsonObject:
    """Read a bundled JSON file; JSON numbers with a fraction become ``Decimal``."""
    text = resources.files(PACKAGE).joinpath(name).read_text(encoding="utf-8")
    data = json.loads(text, parse_float=Decimal)
    if not isinstance(data, dict):
        raise ValueError(f"{name}: expected a JSON object at the top level")
    return data


def _split_source(code: str, text: str) -> str:
    """Return the url of a published source given as "Title, url" text."""
    _label, separator, url = text.rpartition(", ")
    if not separator or not url.startswith(("http://", "https://")):
        raise ValueError(f"source {code!r}: expected 'Title, url', got {text!r}")
    return url


def _sources(published: Mapping[str, str], titles: Mapping[str, str]) -> list[SourceIn]:
    """One source per code of the published file, titled from the registry."""
    missing = sorted(set(published) - set(titles))
    if missing:
        raise ValueError(f"no source title in {REGISTRY_FILE} for {', '.join(missing)}")
    return [
        SourceIn(code=code, title=titles[code], url=_split_source(code, text))
        for code, text in published.items()
    ]


def _years(
    registry_years: Iterable[JsonObject],
    published_years: Mapping[str, JsonObject],
    sources: Mapping[str, SourceIn],
) -> list[YearSpec]:
    """Years from the registry; the note comes from the published file."""
    specs: list[YearSpec] = []
    for entry in registry_years:
        published = published_years.get(str(entry["year"]))
        if published is None:
            raise ValueError(f"year {entry['year']} is not in {PUBLISHED_FILE}")
        if published["source"] != entry["source"]:
            raise ValueError(f"year {entry['year']}: registry and published sources differ")
        specs.append(
            YearSpec(
                year=entry["year"],
                status=entry["status"],
                legal_basis=entry["legal_basis"],
                note=published.get("note"),
                source=sources[entry["source"]],
            )
        )
    return specs


def _valid_on(unit: UnitCreate, day: date) -> bool:
    """Whether the unit exists on the given day (open ends count as valid)."""
    starts_ok = unit.valid_from is None or unit.valid_from <= day
    ends_ok = unit.valid_to is None or day <= unit.valid_to
    return starts_ok and ends_ok


def _match_unit(units: Iterable[UnitCreate], year: int, group: str, name_vi: str) -> UnitCreate:
    """The unit of ``group`` named exactly ``name_vi``.

    Two units may share a name across a merger (Da Huoai before and after 1 Dec 2024); the one
    valid on 31 December of the assessment year is then taken.
    """
    candidates = [unit for unit in units if unit.group == group and unit.name_vi == name_vi]
    if len(candidates) > 1:
        year_end = date(year, 12, 31)
        candidates = [unit for unit in candidates if _valid_on(unit, year_end)]
    if not candidates:
        raise ValueError(f"{year} {group}: no unit named {name_vi!r} in {REGISTRY_FILE}")
    if len(candidates) > 1:
        raise ValueError(f"{year} {group}: more than one unit named {name_vi!r}")
    return candidates[0]


def _index_value(score: object, name_vi: str) -> Decimal | None:
    """The published score as a Decimal (parsed from the JSON text), or None if unpublished."""
    if score is None or isinstance(score, Decimal):
        return score
    if isinstance(score, int) and not isinstance(score, bool):
        return Decimal(score)
    raise ValueError(f"{name_vi!r}: score must be a number or null, got {score!r}")


def _result_spec(
    result: JsonObject, unit: UnitCreate, year: int, source: str, note: str | None
) -> PublishedResultSpec:
    """One published result; fields not published stay null."""
    unknown = sorted(set(result) - RESULT_KEYS)
    if unknown:
        raise ValueError(f"{year} {result['name_vi']!r}: unknown keys {', '.join(unknown)}")
    if result["name_en"] != unit.name_en:
        raise ValueError(f"{unit.code}: name_en differs from the published {result['name_en']!r}")
    return PublishedResultSpec(
        year=year,
        unit=unit.code,
        index_value=_index_value(result["score"], result["name_vi"]),
        published_rank=result.get("published_rank"),
        published_position=result.get("published_position"),
        band_vi=result.get("band_vi"),
        source=source,
        note=note,
    )


def _group_spec(
    published_group: JsonObject, year: int, group: str, source: str
) -> PublishedGroupSpec:
    """Group-level facts: its note and, where published, band counts and hence the unit count."""
    band_counts: dict[str, int] | None = published_group.get("band_counts")
    return PublishedGroupSpec(
        year=year,
        group=group,
        unit_count=sum(band_counts.values()) if band_counts is not None else None,
        band_counts=band_counts,
        note=published_group.get("note"),
        source=source,
    )


def _published(
    published_years: Mapping[str, JsonObject],
    group_codes: Iterable[str],
    units: list[UnitCreate],
) -> tuple[list[PublishedResultSpec], list[PublishedGroupSpec]]:
    """Every published result and every published (year, group), in file order."""
    known_groups = set(group_codes)
    results: list[PublishedResultSpec] = []
    groups: list[PublishedGroupSpec] = []
    for year_key, year_obj in published_years.items():
        year, source = int(year_key), year_obj["source"]
        for group, group_obj in year_obj.items():
            if group in YEAR_META_KEYS:
                continue
            if group not in known_groups:
                raise ValueError(f"{year}: unknown unit group {group!r}")
            note = group_obj.get("note")
            groups.append(_group_spec(group_obj, year, group, source))
            for result in group_obj["results"]:
                unit = _match_unit(units, year, group, result["name_vi"])
                results.append(_result_spec(result, unit, year, source, note))
    return results, groups


def build_lamdong_bundle() -> DatasetBundle:
    """The Lam Dong data set as published, attached to the curated unit registry."""
    published = _read_json(PUBLISHED_FILE)
    registry = _read_json(REGISTRY_FILE)
    sources = _sources(published["sources"], registry["source_titles"])
    groups = [GroupSpec.model_validate(entry) for entry in registry["groups"]]
    units = [UnitCreate.model_validate(entry) for entry in registry["units"]]
    lineage = [LineageEventCreate.model_validate(entry) for entry in registry["lineage"]]
    years = _years(registry["years"], published["years"], {s.code: s for s in sources})
    results, published_groups = _published(published["years"], [g.code for g in groups], units)
    return DatasetBundle(
        name=DATASET_NAME,
        sources=sources,
        groups=groups,
        units=units,
        lineage=lineage,
        years=years,
        published_results=results,
        published_groups=published_groups,
    )
