"""The pages' words in Vietnamese and English, and numbers written the way each language does."""

from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from app.core.i18n import Language
from app.schemas.base import format_decimal, format_index

# Each key: (Vietnamese, English). Vietnamese is the default language of every page.
WORDS: Final[dict[str, tuple[str, str]]] = {
    "site": ("Chỉ số cải cách hành chính tỉnh Lâm Đồng", "Lam Dong PAR Index"),
    "home": ("Trang chủ", "Home"),
    "skip": ("Bỏ qua, đến nội dung chính", "Skip to the main content"),
    "language": ("Ngôn ngữ", "Language"),
    "switch_language": ("English", "Tiếng Việt"),
    "api_docs": ("Tài liệu API (Swagger UI)", "API documentation (Swagger UI)"),
    "api_redoc": ("Tài liệu API (ReDoc)", "API documentation (ReDoc)"),
    "years": ("Các năm đã công bố", "Published years"),
    "no_years": ("Chưa có năm nào được công bố.", "No year has been published yet."),
    "year": ("Năm", "Year"),
    "group": ("Nhóm", "Group"),
    "groups": ("Nhóm đơn vị được đánh giá", "Unit groups assessed"),
    "units_listed": ("đơn vị có kết quả", "units with a result"),
    "coverage": ("Phạm vi công bố", "What was published"),
    "complete": ("Đầy đủ", "Complete"),
    "partial": ("Công bố một phần", "Partly published"),
    "source": ("Nguồn", "Source"),
    "ranking": ("Xếp hạng", "Ranking"),
    "ranking_of": ("Xếp hạng {group} năm {year}", "{group}: ranking {year}"),
    "improvements": ("Cần cải thiện", "Where to improve"),
    "improvements_of": ("Cần cải thiện: {group} năm {year}", "{group}: where to improve, {year}"),
    "chart": ("Biểu đồ chỉ số", "Index chart"),
    "chart_note": (
        "Thanh: chỉ số trên thang 0–100; màu theo xếp loại. Bảng bên cạnh là nội dung của biểu đồ.",
        "Bars: the index on a 0–100 scale, coloured by band. The table beside it holds the "
        "chart's figures.",
    ),
    "table": ("Bảng xếp hạng", "Ranking table"),
    "rank": ("Hạng", "Rank"),
    "unit": ("Đơn vị", "Unit"),
    "index": ("Chỉ số", "Index"),
    "band": ("Xếp loại", "Band"),
    "published": ("Số liệu công bố", "As published"),
    "published_position": ("Vị trí công bố", "Published position"),
    "previous": ("So với năm trước", "Against the previous year"),
    "tied": ("đồng hạng", "tied"),
    "tied_with": ("bằng điểm {n} đơn vị", "{n} units tied"),
    "no_index": ("không công bố chỉ số", "no index published"),
    "no_rank": ("không có hạng được công bố", "no rank published"),
    "up": ("tăng {n} hạng", "up {n}"),
    "down": ("giảm {n} hạng", "down {n}"),
    "same": ("giữ hạng", "same rank"),
    "not_comparable": ("không so sánh được", "not comparable"),
    "downloads": ("Tải về", "Download"),
    "embed": ("Nhúng phần này", "Embed this part"),
    "statistics": ("Thống kê nhóm", "Group statistics"),
    "statistics_of_listed": (
        "Tính trên các đơn vị được liệt kê",
        "Over the units listed",
    ),
    "mean": ("Trung bình", "Mean"),
    "median": ("Trung vị", "Median"),
    "rule": ("Quy tắc xếp hạng", "Ranking rule"),
    "see_improvements": ("Đơn vị thấp nhất và tiêu chí yếu nhất", "Lowest units, weakest criteria"),
    "breakdown": ("Điểm theo lĩnh vực và tiêu chí", "Points by field and criterion"),
    "breakdown_note": (
        "Thanh: tỷ lệ điểm đạt của đơn vị; vạch mảnh: trung bình nhóm; vạch đậm: cao nhất nhóm.",
        "Bar: the unit's share of the maximum; thin mark: group mean; thick mark: group best.",
    ),
    "no_breakdown": (
        "Nguồn chỉ công bố kết quả chung; không có điểm theo tiêu chí cho năm này.",
        "The source published the overall result only; no per-criterion scores for this year.",
    ),
    "criterion": ("Tiêu chí", "Criterion"),
    "max": ("Điểm tối đa", "Maximum"),
    "score": ("Điểm", "Points"),
    "group_mean": ("TB nhóm", "Group mean"),
    "group_best": ("Cao nhất nhóm", "Group best"),
    "total": ("Tổng điểm", "Total"),
    "improvement_list": ("Tiêu chí mất nhiều điểm nhất", "Criteria losing the most points"),
    "points_lost": ("Điểm bị mất", "Points lost"),
    "controls": ("Đơn vị tự khắc phục", "The unit controls it"),
    "survey": ("Điều tra xã hội học", "Survey item"),
    "method": ("Cách chấm", "Scored by"),
    "next_rank": ("Lên hạng tiếp theo", "To the next rank"),
    "next_rank_text": (
        "Cần thêm {index} điểm chỉ số ({total} điểm tổng) để vượt {unit} (hạng {rank}).",
        "{index} index points ({total} total points) to pass {unit} (rank {rank}).",
    ),
    "no_next_rank": (
        "Không nêu khoảng cách lên hạng: hạng của nhóm này không đầy đủ hoặc đơn vị đứng đầu.",
        "No distance to a next rank is given: the group's ranks are not complete, or the unit "
        "is first.",
    ),
    "history": ("Kết quả qua các năm", "Results over the years"),
    "history_note": (
        "Đường: chỉ số mỗi năm; vạch đứng: sáp nhập, đổi tên (theo ngày hiệu lực).",
        "Lines: the index each year; vertical marks: mergers and renames (at their date).",
    ),
    "relation": ("Quan hệ", "Relation"),
    "relation_self": ("chính đơn vị", "the unit itself"),
    "relation_merge": ("sáp nhập vào", "merged into it"),
    "relation_split": ("tách ra", "split from it"),
    "relation_rename": ("tên cũ", "former name"),
    "relation_transfer": ("chuyển giao", "transferred"),
    "events": ("Thay đổi đơn vị", "Changes to the unit"),
    "lowest_units": ("Các đơn vị có chỉ số thấp nhất", "Lowest indices"),
    "weakest_fields": ("Lĩnh vực yếu nhất", "Weakest fields"),
    "weakest_criteria": ("Tiêu chí yếu nhất của tỉnh", "The province's weakest criteria"),
    "mean_attainment": ("Tỷ lệ đạt trung bình", "Mean attainment"),
    "units_below_max": ("Số đơn vị chưa đạt tối đa", "Units below the maximum"),
    "nothing_listed": ("Không có dữ liệu để liệt kê.", "Nothing to list."),
    "error": ("Không tìm thấy", "Not found"),
    "print_note": ("In trang này (khổ A4)", "Print this page (A4)"),
    "position_lowest": ("thấp nhất", "the lowest"),
    "position_highest": ("cao nhất", "the highest"),
    "position_top_3": ("trong ba đơn vị cao nhất", "among the three highest"),
    "position_bottom_3": ("trong ba đơn vị thấp nhất", "among the three lowest"),
    "merge": ("sáp nhập", "merger"),
    "rename": ("đổi tên", "rename"),
    "split": ("chia tách", "split"),
    "transfer": ("chuyển giao", "transfer"),
}


class Texts:
    """The words of one language: `t("rank")`, `t("up", n=2)`."""

    def __init__(self, language: Language) -> None:
        self.language = language
        self._column = 0 if language == "vi" else 1

    def __call__(self, key: str, **values: object) -> str:
        text = WORDS[key][self._column]
        return text.format(**values) if values else text

    def number(self, value: Decimal | None, *, places: int | None = None) -> str:
        """A decimal as the language writes it: 8,5 in Vietnamese, 8.5 in English.

        Without `places`, as many decimals as the value needs (a 9.5000 maximum shows 9,5);
        `places` rounds for display only (half-up), e.g. a group mean kept to four decimals.
        """
        if value is None:
            return "–"
        if places is not None:
            text = format(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP), "f")
        else:
            text = format_decimal(value)
        return self._localised(text)

    def index(self, value: Decimal | None) -> str:
        """An index with its two published decimals: 87,21 / 87.21, and 87,20 stays 87,20."""
        return "–" if value is None else self._localised(format_index(value))

    def _localised(self, text: str) -> str:
        return text.replace(".", ",") if self.language == "vi" else text
