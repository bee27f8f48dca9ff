"""One-line summaries of an import, in Vietnamese and English, for the people who load files."""

from collections.abc import Mapping, Sequence

from app.core.errors import Problem
from app.schemas.imports import ImportOutcome

# The diff counts, in the order a summary names them.
_CHANGES_VI = (("added", "thêm"), ("changed", "sửa"), ("removed", "xoá"), ("unchanged", "giữ"))
_CHANGES_EN = ("added", "changed", "removed", "unchanged")


def report_summaries(
    *,
    file_name: str,
    outcome: ImportOutcome,
    counts: Mapping[str, int],
    figure_mismatches: int = 0,
    published_mismatches: int = 0,
) -> tuple[str, str]:
    """(vi, en): what the import did, its counts, and what the file's own figures disagree on."""
    if outcome is ImportOutcome.UNCHANGED:
        vi = f"Tệp {file_name} trùng với dữ liệu đã lưu: không có gì thay đổi."
        en = f"{file_name} equals what is stored: nothing changed."
    else:
        units = counts.get("units")
        vi_units = f"{units} đơn vị; " if units is not None else ""
        en_units = f"{units} unit(s); " if units is not None else ""
        vi_counts = ", ".join(f"{counts.get(key, 0)} {word}" for key, word in _CHANGES_VI)
        en_counts = ", ".join(f"{counts.get(key, 0)} {key}" for key in _CHANGES_EN)
        if outcome is ImportOutcome.DRY_RUN:
            vi = f"Chạy thử tệp {file_name}: {vi_units}{vi_counts}; chưa ghi gì."
            en = f"Dry run of {file_name}: {en_units}{en_counts}; nothing written."
        else:
            vi = f"Đã nhập tệp {file_name}: {vi_units}{vi_counts}."
            en = f"Imported {file_name}: {en_units}{en_counts}."
    if figure_mismatches:
        vi += f" {figure_mismatches} tổng điểm, chỉ số hoặc xếp hạng trong tệp khác hệ thống."
        en += f" {figure_mismatches} total(s), index(es) or rank(s) in the file differ."
    if published_mismatches:
        vi += f" {published_mismatches} chỉ số công bố khác với chỉ số tính từ điểm."
        en += f" {published_mismatches} published index(es) differ from the computed ones."
    return vi, en


def rejection_summaries(file_name: str, total: int, problems: Sequence[Problem]) -> tuple[str, str]:
    """(vi, en): nothing was imported, how many problems, and the first of them."""
    vi = f"Không nhập tệp {file_name}: {total} lỗi, chưa ghi gì."
    en = f"{file_name} was not imported: {total} problem(s), nothing written."
    if problems:
        first = problems[0]
        vi += f" Lỗi đầu tiên ({_where(first.loc, vi_words=True)}): {first.msg}."
        en += f" First ({_where(first.loc, vi_words=False)}): {first.msg}."
    return vi, en


def _where(loc: Sequence[str | int], *, vi_words: bool) -> str:
    words = ("trang", "dòng", "cột") if vi_words else ("sheet", "row", "column")
    return ", ".join(f"{word} {part}" for word, part in zip(words, loc, strict=False))
