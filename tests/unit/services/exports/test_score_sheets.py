"""Sheet titles say which scores a group sheet gives; the template's labels are the import's."""

import pytest

from app.core.messages import say
from app.services.exports.score_sheets import SheetScores, read_sheet_title, score_sheet_title
from app.services.imports.parsing.sheet_header import (
    LABELS,
    MAXIMUM_LABELS,
    METHOD_LABELS,
    Role,
    label_key,
)
from app.services.imports.parsing.xlsx import IGNORED_SHEETS


@pytest.mark.parametrize(
    ("title", "group", "scores"),
    [
        ("department", "department", SheetScores.FINAL),
        ("department (tự chấm)", "department", SheetScores.SELF),
        (" Sở, ban, ngành (Tự đánh giá) ", "Sở, ban, ngành", SheetScores.SELF),
        ("district (thẩm định)", "district", SheetScores.FINAL),
        ("district (self)", "district", SheetScores.SELF),
        # A parenthesised part that names no kind of score belongs to the group's name.
        ("Đơn vị (cấp tỉnh)", "Đơn vị (cấp tỉnh)", SheetScores.FINAL),
        ("(tự chấm)", "(tự chấm)", SheetScores.FINAL),
    ],
)
def test_a_title_names_the_group_and_the_kind_of_score(
    title: str, group: str, scores: SheetScores
) -> None:
    assert read_sheet_title(title) == (group, scores)


@pytest.mark.parametrize("scores", list(SheetScores))
def test_the_template_title_reads_back_as_written(scores: SheetScores) -> None:
    assert read_sheet_title(score_sheet_title("t-group", scores)) == ("t-group", scores)


def test_the_template_header_labels_are_those_the_import_reads() -> None:
    def label(key: str) -> str:
        return label_key(say("vi", f"template.{key}"))

    assert LABELS[label("sequence")] is Role.SEQUENCE
    assert LABELS[label("unit-code")] is Role.UNIT_CODE
    assert LABELS[label("unit-name")] is Role.UNIT_NAME
    assert LABELS[label("note")] is Role.NOTE
    assert label("maximum") in MAXIMUM_LABELS
    assert label("method") in METHOD_LABELS
    assert label("instructions-sheet") in IGNORED_SHEETS
