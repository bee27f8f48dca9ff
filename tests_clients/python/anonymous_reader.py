"""A program an integrator would write with the Python client generated from openapi.json
(openapi-python-client): an anonymous `Client`, a ranking read as a model, the same ranking
downloaded as CSV through its export operation. `.ci/clients` checks it with `mypy --strict`
against the generated package and runs it against a live server with the bundled data sets.

Usage: PAR_INDEX_URL=http://127.0.0.1:8000 python anonymous_reader.py
"""

import csv
import io
import os

from par_index_service_client import Client
from par_index_service_client.api.rankings import export_ranking, get_ranking
from par_index_service_client.models import Language, RankBasis, RankingRead, SheetFormat
from par_index_service_client.types import File

YEAR = 2024
GROUP = "department"


def read_ranking(client: Client) -> RankingRead:
    ranking = get_ranking.sync(YEAR, GROUP, client=client, lang=Language.EN)
    if not isinstance(ranking, RankingRead):
        raise SystemExit(f"no ranking of {YEAR} {GROUP}: {ranking!r}")
    first = ranking.entries[0]
    assert (first.rank, first.unit.code, first.index) == (1, "LD-DEP-HOME-AFFAIRS", "92.96")
    assert first.rank_basis is RankBasis.PUBLISHED
    assert ranking.language is Language.EN
    return ranking


def download_csv(client: Client) -> list[dict[str, str]]:
    download = export_ranking.sync(YEAR, GROUP, client=client, format_=SheetFormat.CSV)
    if not isinstance(download, File):
        raise SystemExit(f"no CSV of {YEAR} {GROUP}: {download!r}")
    text = download.payload.read().decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def main() -> None:
    with Client(base_url=os.environ["PAR_INDEX_URL"], raise_on_unexpected_status=True) as client:
        ranking = read_ranking(client)
        rows = download_csv(client)
    assert [row["unit_code"] for row in rows] == [entry.unit.code for entry in ranking.entries]
    assert [row["index"] for row in rows] == [entry.index for entry in ranking.entries]
    print(f"anonymous_reader.py: {len(rows)} units of {YEAR} {GROUP}, as JSON and as CSV")


if __name__ == "__main__":
    main()
