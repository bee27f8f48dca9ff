"""What both benchmarks bulk-load straight into the tables: column orders and the bands."""

from decimal import Decimal

# Column order of the rows each benchmark builds per table (COPY and insert() both use it).
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "unit_group": ("id", "code", "name_vi", "name_en", "sort_order"),
    "org_unit": (
        "id",
        "code",
        "name_vi",
        "name_en",
        "group_id",
        "parent_id",
        "valid_from_date",
        "valid_to_date",
        "search_text",
    ),
    "assessment_year": (
        "year",
        "status",
        "published_at",
        "units_as_of_date",
        "legal_basis",
        "note",
        "source_id",
    ),
    "criteria_set": ("id", "year", "group_id", "max_score"),
    "criterion": (
        "id",
        "criteria_set_id",
        "parent_id",
        "code",
        "name_vi",
        "name_en",
        "max_score",
        "method",
        "sort_order",
    ),
    "band": ("id", "criteria_set_id", "label_vi", "label_en", "min_index"),
    "leaf_score": ("id", "unit_id", "criterion_id", "self_score", "final_score", "note"),
}
# Every criteria set of the synthetic data sets gets these bands.
BANDS = (
    ("Tốt", "Good", Decimal("80.00")),
    ("Khá", "Fair", Decimal("65.00")),
    ("Trung bình", "Average", Decimal("50.00")),
)
