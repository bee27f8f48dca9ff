"""The pages in Debian's chromium: every page type renders on the bundled data, passes axe-core
with no serious or critical violation, and loads nothing from outside 127.0.0.1; the 2024
department ranking shows the 87.21 tie and only the ranks the API gives; a link leads from a
ranking to a unit's breakdown chart; the language switches; phones and A4 paper fit."""

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from app.pages.charts import rank_label
from app.schemas.rankings import RankingRead
from tests.browser.conftest import Network

PAGES = {
    "home": "/",
    "ranking": "/years/2024/rankings/department",
    "ranking-demo": "/years/2023/rankings/demo-department",
    "unit": "/years/2023/units/DEMO-DEP-CONSTRUCTION-TRANSPORT",
    "unit-published-only": "/years/2024/units/LD-DEP-HEALTH",
    "improvements": "/years/2023/improvements/demo-department",
    "fragment-chart": "/embed/years/2024/rankings/department/chart",
    "fragment-history": "/embed/years/2023/units/DEMO-DEP-CONSTRUCTION-TRANSPORT/history",
    "ranking-en": "/years/2024/rankings/department?lang=en",
    "problem": "/problems/year-frozen",
    "problems-en": "/problems?lang=en",
}
SERIOUS = {"serious", "critical"}


def axe_violations(page: Page, axe_script: str) -> list[dict[str, Any]]:
    page.evaluate(axe_script)
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [v for v in results["violations"] if v["impact"] in SERIOUS]


@pytest.mark.parametrize("name", list(PAGES))
def test_page_renders_offline_and_accessibly(
    page: Page, network: Network, axe_script: str, artifacts: Path, name: str
) -> None:
    response = page.goto(PAGES[name])
    assert response is not None
    assert response.status == 200
    expect(page.locator("main")).to_be_visible()
    page.screenshot(path=artifacts / f"{name}.png", full_page=True)
    violations = axe_violations(page, axe_script)
    assert violations == [], [(v["id"], v["help"], len(v["nodes"])) for v in violations]
    assert network.elsewhere() == []


def test_2024_departments_show_the_tie_and_only_the_apis_ranks(
    page: Page, network: Network
) -> None:
    api = RankingRead.model_validate(
        page.request.get("/api/v1/years/2024/rankings/department").json()
    )
    page.goto(PAGES["ranking"])
    rows = page.locator("table.ranking tbody tr")
    expect(rows).to_have_count(len(api.entries))
    for number, entry in enumerate(api.entries):
        row = rows.nth(number)
        expect(row.locator("th")).to_have_text(entry.unit.name)
        expected = rank_label(entry.rank, entry.tied)
        rank_cell = row.locator("td.rank")
        if expected:
            expect(rank_cell).to_contain_text(expected)
        else:
            # No rank number; a tie badge ("tied with 2") may still say the indices are equal.
            text = rank_cell.inner_text()
            badge = rank_cell.locator(".badge")
            if badge.count():
                text = text.replace(badge.inner_text(), "")
            assert not any(ch.isdigit() for ch in text)
    tied = page.locator("table.ranking tr.tied")
    expect(tied).to_have_count(2)
    expect(tied.nth(0)).to_contain_text("87,21")
    expect(tied.nth(1)).to_contain_text("87,21")
    expect(page.locator(".bar-list .bar-row.tied")).to_have_count(2)


@pytest.mark.xfail(
    "coverage" not in RankingRead.model_fields,
    reason="until ranks of partly published groups are null in the API (issue 10)",
    strict=True,
)
def test_a_partly_published_group_shows_no_rank_the_source_did_not_publish(
    page: Page, network: Network
) -> None:
    # The source published the top three; the rest only as "among the three lowest"/"lowest".
    page.goto(PAGES["ranking"])
    for name in ("Sở Y tế", "Sở Tài nguyên và Môi trường", "Ban Quản lý các khu công nghiệp tỉnh"):
        row = page.locator("table.ranking tbody tr", has=page.get_by_role("link", name=name))
        rank = row.locator("td.rank").inner_text().split("\n")[0].strip()
        assert not any(ch.isdigit() for ch in rank.split(" ")[0]), (name, rank)


def test_from_a_ranking_to_a_units_breakdown_chart(page: Page, network: Network) -> None:
    page.goto(PAGES["ranking-demo"])
    page.locator(".bar-list").get_by_role("link", name="Demo Sở Y tế", exact=True).click()
    expect(page).to_have_url(page.url.split("/years/")[0] + "/years/2023/units/DEMO-DEP-HEALTH")
    chart = page.locator("figure.breakdown")
    expect(chart).to_be_visible()
    bars = chart.locator("rect.unit-bar")
    assert bars.count() >= 8
    box = bars.first.bounding_box()
    assert box is not None
    assert box["width"] > 0
    expect(page.locator("table.breakdown tbody tr").first).to_be_visible()
    assert network.elsewhere() == []


def test_switch_to_english_and_back(page: Page, network: Network) -> None:
    page.goto(PAGES["ranking"])
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_contain_text("ranking 2024")
    expect(page.locator("table.ranking")).to_contain_text("87.21")
    page.get_by_role("link", name="Department of Health").first.click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("link", name="Tiếng Việt").click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("h1")).to_contain_text("Sở Y tế")


@pytest.mark.parametrize("name", ["home", "ranking", "unit", "improvements"])
def test_fits_a_phone_screen(page: Page, network: Network, artifacts: Path, name: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(PAGES[name])
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{name} is {width}px wide on a 390px screen"
    page.screenshot(path=artifacts / f"{name}-phone.png", full_page=True)


def test_prints_on_a4_without_the_navigation(page: Page, network: Network, artifacts: Path) -> None:
    page.goto(PAGES["ranking"])
    page.emulate_media(media="print")
    expect(page.locator("header.site")).to_be_hidden()
    expect(page.locator("table.ranking")).to_be_visible()
    pdf = page.pdf(format="A4", print_background=True)
    (artifacts / "ranking-a4.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF")
    assert b"/MediaBox [0 0 594.96 841.92]" in pdf or b"/MediaBox [0 0 595" in pdf


@pytest.mark.parametrize(("path", "ready"), [("/docs", ".opblock"), ("/redoc", "h1")])
def test_docs_work_offline(
    page: Page, network: Network, artifacts: Path, path: str, ready: str
) -> None:
    page.goto(path)
    expect(page.locator(ready).first).to_be_visible(timeout=20_000)
    page.screenshot(path=artifacts / f"docs{path.replace('/', '-')}.png")
    # Nothing reached the network; ReDoc 2 always renders its vendor's logo from a CDN, which
    # the docs' policy refuses in the browser (ReDoc then hides the image).
    assert network.sent_elsewhere == []
    assert network.elsewhere() == network.refused_by_csp
