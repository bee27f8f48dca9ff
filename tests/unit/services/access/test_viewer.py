"""Who sees draft years: the viewer a caller's role gives, and the statuses each viewer sees."""

import pytest

from app.models.enums import YearStatus
from app.services.access.principal import ANONYMOUS, Principal, Role
from app.services.access.viewer import EDITORIAL, PUBLIC


def test_anonymous_callers_and_readers_are_the_public() -> None:
    assert ANONYMOUS.viewer == PUBLIC
    assert Principal(role=Role.READER).viewer == PUBLIC


@pytest.mark.parametrize("role", [Role.EDITOR, Role.PUBLISHER, Role.ADMIN])
def test_editors_and_above_are_the_editorial_side(role: Role) -> None:
    assert Principal(role=role).viewer == EDITORIAL


def test_a_draft_year_exists_for_the_editorial_side_only() -> None:
    assert not PUBLIC.sees(YearStatus.DRAFT)
    assert EDITORIAL.sees(YearStatus.DRAFT)


def test_a_published_year_exists_for_everyone() -> None:
    assert PUBLIC.sees(YearStatus.PUBLISHED)
    assert EDITORIAL.sees(YearStatus.PUBLISHED)
