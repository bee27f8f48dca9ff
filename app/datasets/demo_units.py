"""The demo units: departments and districts, plus a merger and a rename with their lineage."""

from collections.abc import Iterable
from datetime import date

from app.models.enums import LineageKind
from app.schemas.datasets import GroupSpec
from app.schemas.units import LineageEventCreate, UnitCreate

DEPARTMENT_GROUP = "demo-department"
DISTRICT_GROUP = "demo-district"
SYNTHETIC_NOTE = "Synthetic demonstration data: invented units and scores, not real results."

# fmt: off
# (code suffix, name_vi without "Demo ", name_en without "Demo ").
DEPARTMENTS: tuple[tuple[str, str, str], ...] = (
    ("HOME-AFFAIRS", "Sở Nội vụ", "Department of Home Affairs"),
    ("JUSTICE", "Sở Tư pháp", "Department of Justice"),
    ("FINANCE", "Sở Tài chính", "Department of Finance"),
    ("PLANNING", "Sở Kế hoạch và Đầu tư", "Department of Planning and Investment"),
    ("INDUSTRY", "Sở Công Thương", "Department of Industry and Trade"),
    ("AGRICULTURE", "Sở Nông nghiệp và Phát triển nông thôn",
     "Department of Agriculture and Rural Development"),
    ("ENVIRONMENT", "Sở Tài nguyên và Môi trường",
     "Department of Natural Resources and Environment"),
    ("HEALTH", "Sở Y tế", "Department of Health"),
    ("EDUCATION", "Sở Giáo dục và Đào tạo", "Department of Education and Training"),
    ("CULTURE", "Sở Văn hóa, Thể thao và Du lịch", "Department of Culture, Sports and Tourism"),
    ("SCIENCE", "Sở Khoa học và Công nghệ", "Department of Science and Technology"),
    ("INFORMATION", "Sở Thông tin và Truyền thông",
     "Department of Information and Communications"),
    ("LABOUR", "Sở Lao động – Thương binh và Xã hội",
     "Department of Labour, Invalids and Social Affairs"),
    ("FOREIGN-AFFAIRS", "Sở Ngoại vụ", "Department of Foreign Affairs"),
    ("INSPECTORATE", "Thanh tra tỉnh", "Provincial Inspectorate"),
    ("ETHNIC", "Ban Dân tộc", "Ethnic Minorities Board"),
    ("PPC-OFFICE", "Văn phòng UBND tỉnh", "Office of the Provincial People's Committee"),
    ("INDUSTRIAL-PARKS", "Ban Quản lý các khu công nghiệp", "Industrial Parks Management Board"),
)

# Invented place names with Vietnamese diacritics.
DISTRICTS: tuple[tuple[str, str, str], ...] = (
    ("DA-LUONG", "Huyện Đạ Lương", "Da Luong District"),
    ("SUONG-MAI", "Huyện Sương Mai", "Suong Mai District"),
    ("DOI-THONG", "Huyện Đồi Thông", "Doi Thong District"),
    ("LAC-HO", "Huyện Lạc Hồ", "Lac Ho District"),
    ("BICH-KHE", "Huyện Bích Khê", "Bich Khe District"),
    ("NGAN-THONG", "Huyện Ngàn Thông", "Ngan Thong District"),
    ("DUC-PHUOC", "Huyện Đức Phước", "Duc Phuoc District"),
    ("CAM-DIEN", "Huyện Cẩm Điền", "Cam Dien District"),
    ("HO-SEN", "Huyện Hồ Sen", "Ho Sen District"),
    ("MAY-NGAN", "Thành phố Mây Ngàn", "May Ngan City"),
    ("HOA-DAO", "Thành phố Hoa Đào", "Hoa Dao City"),
)
# fmt: on

MERGED_FROM = ("DEMO-DEP-TRANSPORT", "DEMO-DEP-CONSTRUCTION")
MERGED_INTO = "DEMO-DEP-CONSTRUCTION-TRANSPORT"
MERGER_DATE = date(2023, 1, 1)
RENAMED_FROM = "DEMO-DIS-SUOI-BAC-TOWN"
RENAMED_TO = "DEMO-DIS-SUOI-BAC-CITY"
RENAME_DATE = date(2022, 7, 1)


def unit_groups() -> list[GroupSpec]:
    return [
        GroupSpec(
            code=DEPARTMENT_GROUP,
            name_vi="Demo – Sở, ban, ngành",
            name_en="Demo – departments",
            sort_order=100,
        ),
        GroupSpec(
            code=DISTRICT_GROUP,
            name_vi="Demo – UBND cấp huyện",
            name_en="Demo – district People's Committees",
            sort_order=101,
        ),
    ]


def _unit(
    code: str,
    name_vi: str,
    name_en: str,
    group: str,
    *,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> UnitCreate:
    return UnitCreate(
        code=code,
        name_vi=f"Demo {name_vi}",
        name_en=f"Demo {name_en}",
        group=group,
        valid_from=valid_from,
        valid_to=valid_to,
    )


def all_units() -> list[UnitCreate]:
    """Stable units plus the merger (2 → 1 on 1 Jan 2023) and the rename (1 Jul 2022)."""
    before_merger = date(2022, 12, 31)
    before_rename = date(2022, 6, 30)
    stable = [
        *(_unit(f"DEMO-DEP-{key}", vi, en, DEPARTMENT_GROUP) for key, vi, en in DEPARTMENTS),
        *(_unit(f"DEMO-DIS-{key}", vi, en, DISTRICT_GROUP) for key, vi, en in DISTRICTS),
    ]
    changed = [
        _unit(
            MERGED_FROM[0],
            "Sở Giao thông vận tải",
            "Department of Transport",
            DEPARTMENT_GROUP,
            valid_to=before_merger,
        ),
        _unit(
            MERGED_FROM[1],
            "Sở Xây dựng",
            "Department of Construction",
            DEPARTMENT_GROUP,
            valid_to=before_merger,
        ),
        _unit(
            MERGED_INTO,
            "Sở Xây dựng và Giao thông",
            "Department of Construction and Transport",
            DEPARTMENT_GROUP,
            valid_from=MERGER_DATE,
        ),
        _unit(
            RENAMED_FROM, "Thị xã Suối Bạc", "Suoi Bac Town", DISTRICT_GROUP, valid_to=before_rename
        ),
        _unit(
            RENAMED_TO,
            "Thành phố Suối Bạc",
            "Suoi Bac City",
            DISTRICT_GROUP,
            valid_from=RENAME_DATE,
        ),
    ]
    return sorted([*stable, *changed], key=lambda unit: unit.code)


def lineage_events() -> list[LineageEventCreate]:
    merger = [
        LineageEventCreate(
            predecessor=predecessor,
            successor=MERGED_INTO,
            kind=LineageKind.MERGE,
            effective_date=MERGER_DATE,
            legal_basis="Demo decision 01/QĐ-DEMO (fictitious)",
            note=SYNTHETIC_NOTE,
        )
        for predecessor in MERGED_FROM
    ]
    rename = LineageEventCreate(
        predecessor=RENAMED_FROM,
        successor=RENAMED_TO,
        kind=LineageKind.RENAME,
        effective_date=RENAME_DATE,
        legal_basis="Demo decision 02/QĐ-DEMO (fictitious)",
        note=SYNTHETIC_NOTE,
    )
    return [*merger, rename]


def scored_units(units: Iterable[UnitCreate], group: str, year: int) -> list[UnitCreate]:
    """Units of the group scored for the year: those that exist on 31 December.

    The year-end rule settles changes within a year: after the 1 July 2022 rename only the new
    city is scored for 2022 (it is the unit the year's results are published for), while the
    merged departments are still scored for 2022 and their successor from 2023.
    """
    year_end = date(year, 12, 31)
    return [
        unit
        for unit in units
        if unit.group == group
        and (unit.valid_from is None or unit.valid_from <= year_end)
        and (unit.valid_to is None or unit.valid_to >= year_end)
    ]
