"""The one-line summaries of an import in Vietnamese and English."""

from app.core.errors import Problem
from app.core.messages import message
from app.schemas.imports import ImportOutcome
from app.services.imports.summaries import rejection_summaries, report_summaries

COUNTS = {"units": 3, "added": 1, "changed": 2, "removed": 0, "unchanged": 12}


def test_an_unchanged_file_says_nothing_changed() -> None:
    assert report_summaries(file_name="a.csv", outcome=ImportOutcome.UNCHANGED, counts={}) == (
        "Tệp a.csv trùng với dữ liệu đã lưu: không có gì thay đổi.",
        "a.csv equals what is stored: nothing changed.",
    )


def test_an_applied_import_counts_units_and_changes_and_published_mismatches() -> None:
    vi, en = report_summaries(
        file_name="a.csv", outcome=ImportOutcome.APPLIED, counts=COUNTS, published_mismatches=1
    )
    assert vi == (
        "Đã nhập tệp a.csv: 3 đơn vị; 1 thêm, 2 sửa, 0 xoá, 12 giữ. "
        "1 chỉ số công bố khác với chỉ số tính từ điểm."
    )
    assert en == (
        "Imported a.csv: 3 unit(s); 1 added, 2 changed, 0 removed, 12 unchanged. "
        "1 published index(es) differ from the computed ones."
    )


def test_a_rejection_names_the_count_and_the_first_problem_s_place() -> None:
    problems = [Problem(["csv", 4, "final_score"], message("cell.text-not-a-number", value="x"))]
    assert rejection_summaries("a.csv", 5, problems) == (
        "Không nhập tệp a.csv: 5 lỗi, chưa ghi gì. "
        "Lỗi đầu tiên (trang tính csv, dòng 4, cột final_score): 'x' không phải là số.",
        "a.csv was not imported: 5 problem(s), nothing written. "
        "First (sheet csv, row 4, column final_score): 'x' is not a number.",
    )
