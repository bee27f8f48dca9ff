"""ETags from the data revision, If-None-Match comparison (RFC 9110) and Vary merging."""

import re
from typing import Any

import pytest

from app.http.caching import (
    if_none_match_matches,
    make_etag,
    merge_vary,
    parse_if_none_match,
    release_tag,
)

RELEASE = "0.1.0+0123abcd"


def etag(
    revision: int = 7,
    *,
    release: str = RELEASE,
    path: str = "/api/v1/units",
    query_string: str = "group=district&limit=50",
    accept: str = "application/json",
    accept_language: str = "en",
    credentialed: bool = False,
) -> str:
    return make_etag(
        revision,
        release=release,
        method="GET",
        path=path,
        query_string=query_string,
        accept=accept,
        accept_language=accept_language,
        credentialed=credentialed,
    )


class TestMakeEtag:
    def test_is_a_strong_tag_of_revision_release_and_16_hex(self) -> None:
        assert re.fullmatch(r'"7-0\.1\.0\+0123abcd-[0-9a-f]{16}"', etag())

    def test_another_release_changes_the_tag(self) -> None:
        assert etag(release="0.1.1+0123abcd") != etag()
        assert etag(release="0.1.0+89abcdef") != etag()

    def test_query_order_does_not_matter(self) -> None:
        assert etag(query_string="limit=50&group=district") == etag()

    @pytest.mark.parametrize(
        "change",
        [
            {"path": "/api/v1/years"},
            {"query_string": "group=commune&limit=50"},
            {"accept": "text/csv"},
            {"accept_language": "vi"},
            {"credentialed": True},
        ],
    )
    def test_what_selects_the_representation_changes_the_tag(self, change: dict[str, Any]) -> None:
        assert etag(**change) != etag()

    def test_a_new_revision_changes_the_tag(self) -> None:
        assert etag(8) != etag(7)
        assert etag(8).startswith('"8-')


DOCUMENT = {"openapi": "3.1.0", "paths": {"/groups": {"get": {}}}}


class TestReleaseTag:
    def test_is_the_version_and_a_digest_of_the_document(self) -> None:
        assert re.fullmatch(r"0\.1\.0\+[0-9a-f]{8}", release_tag("0.1.0", DOCUMENT))

    def test_a_new_version_or_contract_changes_it(self) -> None:
        changed = {"openapi": "3.1.0", "paths": {"/groups": {"get": {}, "post": {}}}}
        tag = release_tag("0.1.0", DOCUMENT)
        assert release_tag("0.1.1", DOCUMENT) != tag
        assert release_tag("0.1.0", changed) != tag

    def test_key_order_does_not_matter(self) -> None:
        reordered = {"paths": {"/groups": {"get": {}}}, "openapi": "3.1.0"}
        assert release_tag("0.1.0", reordered) == release_tag("0.1.0", DOCUMENT)


class TestIfNoneMatch:
    def test_parses_lists_weak_tags_and_commas_inside_tags(self) -> None:
        assert parse_if_none_match('"a", W/"b",  "c,d"') == ['"a"', 'W/"b"', '"c,d"']

    def test_star(self) -> None:
        assert parse_if_none_match(" * ") == "*"
        assert if_none_match_matches("*", '"1-abc"')

    def test_weak_comparison_ignores_the_weak_prefix(self) -> None:
        assert if_none_match_matches('W/"1-abc"', '"1-abc"')
        assert if_none_match_matches('"0-zzz", "1-abc"', '"1-abc"')

    def test_other_tags_do_not_match(self) -> None:
        assert not if_none_match_matches('"1-abd"', '"1-abc"')
        assert not if_none_match_matches('"2-abc"', '"1-abc"')

    @pytest.mark.parametrize("header", ["1-abc", '"1-abc', "W/1-abc", '"a" "b"', ""])
    def test_a_malformed_header_matches_nothing(self, header: str) -> None:
        assert not if_none_match_matches(header, '"1-abc"')


class TestMergeVary:
    def test_adds_missing_names_once_ignoring_case(self) -> None:
        assert merge_vary("accept, Origin", ["Accept", "X-API-Key"]) == "accept, Origin, X-API-Key"

    def test_without_existing_vary(self) -> None:
        assert merge_vary(None, ["Accept", "Accept-Language"]) == "Accept, Accept-Language"

    def test_star_stays_star(self) -> None:
        assert merge_vary("*", ["Accept"]) == "*"
