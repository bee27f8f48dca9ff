"""The catalogue: every message in both languages, naming the same values, in real Vietnamese."""

import re
import tomllib
from importlib.resources import files

import pytest

from app.core.messages import CATALOGUE_FILE, catalogue, flatten, message, placeholders, say

# A letter only Vietnamese writes (tones, ơ, ư, ă, â, đ …): a "Vietnamese" text without one
# is an English text left untranslated.
VIETNAMESE_LETTER = re.compile(
    r"[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", re.I
)


def test_the_catalogue_file_holds_only_complete_vi_en_messages() -> None:
    raw = tomllib.loads(files("app.core").joinpath(CATALOGUE_FILE).read_text(encoding="utf-8"))
    wordings, malformed = flatten(raw)
    assert malformed == []
    assert wordings == catalogue()


@pytest.mark.parametrize(
    "table",
    [
        {"gone": {"vi": "Không tìm thấy"}},
        {"gone": {"en": "Not found"}},
        {"gone": {"vi": " ", "en": "Not found"}},
        {"gone": {"vi": "Không tìm thấy", "en": "Not found", "fr": "Introuvable"}},
        {"gone": "Not found"},
    ],
    ids=["no English", "no Vietnamese", "blank Vietnamese", "a third language", "bare text"],
)
def test_a_message_lacking_a_language_is_refused(table: dict[str, object]) -> None:
    assert flatten(table) == ({}, ["gone"])


@pytest.mark.parametrize("key", sorted(catalogue()))
def test_both_languages_quote_the_same_values(key: str) -> None:
    wording = catalogue()[key]
    assert placeholders(wording.vi) == placeholders(wording.en)


# The pages' language switch names the other language in its own words.
NAMED_IN_ENGLISH = {"page.switch_language"}


@pytest.mark.parametrize("key", sorted(catalogue().keys() - NAMED_IN_ENGLISH))
def test_the_vietnamese_is_not_the_english_left_untranslated(key: str) -> None:
    wording = catalogue()[key]
    assert wording.vi != wording.en
    assert VIETNAMESE_LETTER.search(wording.vi), wording.vi


def test_a_message_is_worded_in_the_language_asked_with_nested_messages() -> None:
    refused = message(
        "webhook.receiver-refused", host="10.0.0.1", kind=message("webhook.address.private")
    )
    assert "địa chỉ mạng nội bộ" in refused.render("vi")
    assert "the address is private" in refused.render("en")


def test_say_words_a_message_at_once() -> None:
    assert say("vi", "problem.unit-not-found") == "Không tìm thấy đơn vị"
    assert say("en", "problem.unit-not-found") == "Unit not found"
