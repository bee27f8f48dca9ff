"""Which databases get a revision listener, and on what connection string."""

from pydantic import SecretStr

from app.core.config import CacheSettings, DatabaseSettings, Settings
from app.core.result_cache import ResultCache
from app.core.revision_feed import listener_dsn, pushed_revisions


def test_postgresql_urls_of_any_driver_give_a_plain_dsn_with_the_password() -> None:
    for url in (
        "postgresql://u:secret@db:5433/par",
        "postgresql+asyncpg://u:secret@db:5433/par",
        "postgresql+psycopg://u:secret@db:5433/par",
        "postgres://u:secret@db:5433/par",
    ):
        assert listener_dsn(url) == "postgresql://u:secret@db:5433/par", url


def test_sqlite_has_no_listener() -> None:
    assert listener_dsn("sqlite:///var/par_index.sqlite3") is None


def _settings(url: str, *, push: bool) -> Settings:
    return Settings(
        database=DatabaseSettings(url=SecretStr(url)),
        database_url=None,
        cache=CacheSettings(push=push),
    )


async def test_sqlite_and_push_off_keep_polling_at_the_short_interval() -> None:
    for settings in (
        _settings("sqlite:///x.sqlite3", push=True),
        _settings("postgresql://u@127.0.0.1:1/par", push=False),
    ):
        cache = ResultCache(check_interval_s=0.1)
        async with pushed_revisions(settings, cache) as listener:
            assert listener is None
            assert cache.check_interval_s == 0.1
