"""Settings read from the environment (APP_ prefix, nested with __), via a cached accessor."""

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_PATH = Path("var") / "par_index.sqlite3"


class DatabaseSettings(BaseModel):
    # Plain driver-less URLs are accepted (sqlite:///…, postgresql://…); see db.async_url().
    url: SecretStr = SecretStr(f"sqlite:///{DEFAULT_SQLITE_PATH}")
    echo: bool = False
    pool_size: int = Field(default=10, ge=1)
    max_overflow: int = Field(default=10, ge=0)


class DatasetSettings(BaseModel):
    # A production deployment loads the real published data only.
    load_demo: bool = True


class CacheSettings(BaseModel):
    # How long a worker trusts its last reading of the data revision. Its own writes show at
    # once; another worker's writes show within this interval. 0 reads it on every request.
    revision_check_ms: int = Field(default=100, ge=0, le=60_000)
    max_entries: int = Field(default=512, ge=1)


class AuthSettings(BaseModel):
    # Anonymous callers may read published years; turn off to require a key for everything.
    anonymous_read: bool = True


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="APP_", env_file=".env", env_nested_delimiter="__", extra="ignore"
    )

    database: DatabaseSettings = DatabaseSettings()
    # DATABASE_URL is the conventional name hosting platforms and the Makefile use; it wins over
    # APP_DATABASE__URL when both are set.
    database_url: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "APP_DATABASE_URL")
    )
    datasets: DatasetSettings = DatasetSettings()
    cache: CacheSettings = CacheSettings()
    auth: AuthSettings = AuthSettings()
    api_title: str = "PAR Index service"

    @property
    def effective_database_url(self) -> str:
        chosen = self.database_url or self.database.url
        return chosen.get_secret_value()


@lru_cache
def get_settings() -> Settings:
    return Settings()
