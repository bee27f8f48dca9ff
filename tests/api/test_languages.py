"""Every text the API writes for a person comes in Vietnamese (the default) or English, chosen by
`?lang=` or Accept-Language; codes, `type` URIs and statuses stay the same in both."""

from typing import Any

from httpx import AsyncClient, Response

from tests.builders import assert_problem

UNKNOWN_UNIT = "/api/v1/units/NO-SUCH-UNIT"
RANKING = "/api/v1/years/2024/rankings/department"


def problem(response: Response, status: int, language: str) -> dict[str, Any]:
    body = assert_problem(response, status)
    assert response.headers["content-language"] == language
    return body


class TestProblems:
    async def test_vietnamese_by_default(self, client: AsyncClient) -> None:
        body = problem(await client.get(UNKNOWN_UNIT), 404, "vi")
        assert body["title"] == "Không tìm thấy đơn vị"
        assert body["detail"] == "Không tìm thấy đơn vị có mã 'NO-SUCH-UNIT'."
        assert body["type"].endswith("/problems/unit-not-found")

    async def test_english_when_the_header_asks_for_it(self, client: AsyncClient) -> None:
        response = await client.get(UNKNOWN_UNIT, headers={"Accept-Language": "en-GB,en;q=0.9"})
        body = problem(response, 404, "en")
        assert (body["title"], body["detail"]) == (
            "Unit not found",
            "No unit with code 'NO-SUCH-UNIT'.",
        )
        assert body["type"].endswith("/problems/unit-not-found")

    async def test_the_lang_parameter_wins_over_the_header(self, client: AsyncClient) -> None:
        english = await client.get(
            UNKNOWN_UNIT, params={"lang": "en"}, headers={"Accept-Language": "vi"}
        )
        assert problem(english, 404, "en")["title"] == "Unit not found"
        vietnamese = await client.get(
            UNKNOWN_UNIT, params={"lang": "vi"}, headers={"Accept-Language": "en"}
        )
        assert problem(vietnamese, 404, "vi")["title"] == "Không tìm thấy đơn vị"

    async def test_a_language_not_offered_is_refused_by_name(self, client: AsyncClient) -> None:
        body = problem(await client.get("/api/v1/units", params={"lang": "fr"}), 422, "vi")
        assert body["errors"] == [
            {"loc": ["query", "lang"], "msg": "Phải là một trong các giá trị 'vi' hoặc 'en'"}
        ]

    async def test_validation_messages_are_worded_by_error_type(self, client: AsyncClient) -> None:
        vi = problem(await client.get("/api/v1/units", params={"offset": "-1"}), 422, "vi")
        assert vi["title"] == "Tham số của yêu cầu không hợp lệ"
        assert vi["detail"] == "Yêu cầu có 1 lỗi; xem danh sách errors."
        assert vi["errors"] == [{"loc": ["query", "offset"], "msg": "Phải lớn hơn hoặc bằng 0"}]
        en = problem(
            await client.get("/api/v1/units", params={"offset": "-1", "lang": "en"}), 422, "en"
        )
        assert en["errors"] == [
            {"loc": ["query", "offset"], "msg": "Input should be greater than or equal to 0"}
        ]

    async def test_refusals_of_the_router_are_worded_too(self, client: AsyncClient) -> None:
        missing = problem(await client.get("/api/v1/no-such-thing"), 404, "vi")
        assert missing["detail"] == "Không có tài nguyên nào tại địa chỉ này."
        wrong = problem(await client.delete("/api/v1/units", params={"lang": "en"}), 405, "en")
        assert (wrong["title"], wrong["detail"]) == ("Method Not Allowed", "Method Not Allowed")

    async def test_import_problems_are_located_and_worded(self, client: AsyncClient) -> None:
        content = b"unit_code,criterion_code,self_score,final_score\nNO-SUCH-UNIT,1.1,,1\n"
        for language, expected in [
            ("vi", "không có đơn vị 'NO-SUCH-UNIT'"),
            ("en", "unknown unit 'NO-SUCH-UNIT'"),
        ]:
            response = await client.post(
                "/api/v1/years/2024/imports",
                # A published year: the reason makes it a (dry-run) correction.
                params={"lang": language, "dry_run": "true", "correction_reason": "checking"},
                files={"file": ("scores.csv", content, "text/csv")},
            )
            body = problem(response, 422, language)
            assert body["type"].endswith("/problems/import-rejected")
            assert {"loc": ["csv", 2, "unit_code"], "msg": expected} in body["errors"]


class TestResultTexts:
    async def test_rule_and_previous_reason_follow_the_language(self, client: AsyncClient) -> None:
        vi = (await client.get(RANKING)).json()
        en = (await client.get(RANKING, params={"lang": "en"})).json()
        assert vi["rule"].startswith("Xếp hạng theo chỉ số làm tròn đến hai chữ số thập phân")
        assert "bằng điểm thì đồng hạng" in vi["rule"]
        assert en["rule"].startswith("Standard competition ranking on the index rounded half-up")
        health_vi, health_en = (
            next(e for e in body["entries"] if e["unit"]["code"] == "LD-DEP-HEALTH")
            for body in (vi, en)
        )
        assert health_vi["previous"]["reason_code"] == health_en["previous"]["reason_code"]
        assert health_vi["previous"]["reason"] == "nhóm của đơn vị này không có kết quả năm 2023"
        assert health_en["previous"]["reason"] == "no results for this unit's group in 2023"

    async def test_each_language_has_its_own_etag(self, client: AsyncClient) -> None:
        vi = await client.get(RANKING)
        en = await client.get(RANKING, params={"lang": "en"})
        assert vi.headers["etag"] != en.headers["etag"]
        again = await client.get(
            RANKING, params={"lang": "en"}, headers={"If-None-Match": en.headers["etag"]}
        )
        assert again.status_code == 304
        assert (
            await client.get(RANKING, headers={"If-None-Match": en.headers["etag"]})
        ).status_code == 200
