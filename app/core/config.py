"""Settings read from the environment (APP_ prefix, nested with __), via a cached accessor."""

from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, BaseModel, Field, SecretStr, StringConstraints, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_PATH = Path("var") / "par_index.sqlite3"


class DatabaseSettings(BaseModel):
    # Plain driver-less URLs are accepted (sqlite:///…, postgresql://…); see db.async_url().
    url: SecretStr = SecretStr(f"sqlite:///{DEFAULT_SQLITE_PATH}")
    echo: bool = False
    pool_size: int = Field(default=10, ge=1)
    max_overflow: int = Field(default=10, ge=0)
    # While the database cannot be reached requests answer 503 with this Retry-After.
    retry_after_s: int = Field(default=5, ge=1, le=3600)


class DatasetSettings(BaseModel):
    # A production deployment loads the real published data only.
    load_demo: bool = True


class CacheSettings(BaseModel):
    # How long a worker trusts its last reading of the data revision. Its own writes show at
    # once; another worker's writes show within this interval. 0 reads it on every request.
    revision_check_ms: int = Field(default=100, ge=0, le=60_000)
    # On PostgreSQL every write also notifies the other processes at its commit (LISTEN/NOTIFY,
    # app/core/revision_feed.py), so they show it at once. While that listener is connected
    # the periodic check above falls back to this longer interval, the bound for a notice lost
    # with a connection that died silently.
    push: bool = True
    push_check_ms: int = Field(default=1000, ge=0, le=600_000)
    max_entries: int = Field(default=512, ge=1)
    # Complete answers kept per worker for one data revision, so a caller asking again is
    # answered before any handler runs (app/http/replay.py); 0 turns that off.
    replay_max_bytes: int = Field(default=64 * 1024 * 1024, ge=0)


class ImportSettings(BaseModel):
    # Uploads above this size are refused with 413 while they stream in.
    max_bytes: int = Field(default=20 * 1024 * 1024, ge=1)
    # What a scores import does with a unit's leaves the file leaves out: refuse, or write 0.
    missing_leaves: Literal["error", "zero"] = "error"
    # An XLSX workbook is a zip archive: its parts may unpack to this much in all, and a large
    # part may not be more than this many times its packed size (a zip bomb is refused before
    # it is read). Exported workbooks unpack to about 10 times their size.
    max_unpacked_bytes: int = Field(default=256 * 1024 * 1024, ge=1)
    max_compression_ratio: int = Field(default=100, ge=1)
    # Rows and columns of a worksheet, as declared and as read (Excel holds 1,048,576 rows).
    max_rows: int = Field(default=1_048_576, ge=1)
    max_columns: int = Field(default=1024, ge=1)
    # Digits in a row of a JSON number. ijson's C parser crashes the process on an integer of
    # more than 4,300 digits, so the limit cannot be raised that far.
    max_number_digits: int = Field(default=100, ge=1, le=4000)
    # A refused XLSX import comes back annotated (?format=xlsx) up to this size; openpyxl holds
    # such a workbook whole, so a larger one is answered with problem+json only.
    max_annotated_bytes: int = Field(default=5 * 1024 * 1024, ge=0)


class AuthSettings(BaseModel):
    # Anonymous callers may read published years; turn off to require a key for everything.
    anonymous_read: bool = True
    # How long a worker answers a key that authenticated from memory. A key revoked through this
    # worker is refused at once; one revoked elsewhere (another worker, the CLI) within this
    # time. 0 asks the database on every call.
    key_cache_s: float = Field(default=5, ge=0, le=60)


class LoggingSettings(BaseModel):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # One JSON object per line (APP_LOGGING__JSON=false for plain text while developing).
    # Not named `json`, which would shadow BaseModel.json.
    json_lines: bool = Field(default=True, validation_alias=AliasChoices("json", "json_lines"))
    # FastAPI's own OpenTelemetry hooks (traces, metrics, logs to configured OTel providers).
    # Off by default: the service reports through Prometheus (/metrics) and these logs, and
    # the hooks ask for providers on every request even when none is configured.
    opentelemetry: bool = False


# A CSP source a frame may come from: 'self' or an http(s) origin (no paths, no spaces or
# semicolons, which would end the directive and let a setting smuggle in another one).
FrameAncestor = Annotated[
    str, StringConstraints(pattern=r"^('self'|https?://[A-Za-z0-9*][A-Za-z0-9.*-]*(:[0-9]{1,5})?)$")
]


class SecuritySettings(BaseModel):
    # Strict-Transport-Security; turn on only when every client reaches the API over HTTPS.
    hsts: bool = False
    hsts_max_age_s: int = Field(default=365 * 24 * 3600, ge=0)
    # Origins allowed to show the embeddable fragments (/embed/…) in a frame, e.g.
    # ["https://ioc.example.gov.vn"]; none by default. Full pages and the API are never framed.
    frame_ancestors: list[FrameAncestor] = []


class LimitSettings(BaseModel):
    # Above the importer's own file limit (imports.max_bytes), so it can answer 413 for files.
    max_body_bytes: int = Field(default=25 * 1024 * 1024, ge=1)


class RateLimitSettings(BaseModel):
    # Fixed one-minute windows. Anonymous reads are counted per client IP, writes per API key.
    enabled: bool = True
    anonymous_reads_per_minute: int = Field(default=600, ge=1)
    writes_per_minute: int = Field(default=120, ge=1)
    # Reads that carry a key are counted per client IP too, under a higher ceiling, so that
    # sending a made-up key is no way around the anonymous limit.
    keyed_reads_per_minute: int = Field(default=6000, ge=1)
    # Shared counters for several workers (redis://host:6379/0); in memory per worker if unset.
    redis_url: SecretStr | None = None
    key_prefix: str = "par-index:rate"
    # With several workers and no Redis each worker would allow the limit on its own, so
    # `par-index serve --workers N` refuses to start unless this says that is intended.
    allow_per_worker_counters: bool = False


class ServerSettings(BaseModel):
    # Proxies whose X-Forwarded-For and X-Forwarded-Proto `par-index serve` believes: addresses
    # or networks (["10.0.0.5", "10.1.0.0/16"]). None by default, so the client address is the
    # connection's peer and no client can pick its own rate-limit bucket by sending the header.
    forwarded_allow_ips: list[str] = []
    # Worker processes `par-index serve` starts (one per core is a good start; `--workers`).
    workers: int = Field(default=1, ge=1, le=64)
    # After SIGTERM a worker accepts nothing new and gives the requests in flight this long to
    # finish before it closes their connections.
    graceful_shutdown_s: int = Field(default=30, ge=1, le=3600)

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _addresses_or_networks(cls, values: list[str]) -> list[str]:
        for value in values:
            if value != "*":
                ip_network(value, strict=False)  # ValueError names the bad entry
        return values


class CorsSettings(BaseModel):
    # Browser origins allowed to call the API, e.g. ["https://dashboard.example"]; none if empty.
    allow_origins: list[str] = []


class WebhookSettings(BaseModel):
    # Each worker drains the outbox in the background; turn off where a cron job runs
    # `par-index webhooks drain` instead (several workers may drain at once on PostgreSQL).
    enabled: bool = True
    drain_interval_s: float = Field(default=5, gt=0)
    timeout_s: float = Field(default=5, gt=0)
    max_attempts: int = Field(default=8, ge=1)
    batch_size: int = Field(default=50, ge=1)
    # Receivers must have public addresses; these are the exceptions an operator allows: host
    # names (["hooks.intranet"]) and networks (["10.20.0.0/16"]). Loopback, private,
    # link-local, multicast and reserved addresses are refused unless listed here.
    allowed_hosts: list[str] = []
    allowed_networks: list[IPv4Network | IPv6Network] = []


# Where `make run` serves; a deployment sets APP_PUBLIC_URL to the address its callers use.
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"


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
    imports: ImportSettings = ImportSettings()
    cache: CacheSettings = CacheSettings()
    auth: AuthSettings = AuthSettings()
    logging: LoggingSettings = LoggingSettings()
    security: SecuritySettings = SecuritySettings()
    limits: LimitSettings = LimitSettings()
    rate_limit: RateLimitSettings = RateLimitSettings()
    server: ServerSettings = ServerSettings()
    cors: CorsSettings = CorsSettings()
    webhooks: WebhookSettings = WebhookSettings()
    api_title: str = "PAR Index service"
    # Where callers reach the service: the OpenAPI `servers` entry and the problem type URIs
    # (`<public_url>/problems/<slug>`, pages the service serves) are built from it.
    public_url: str = Field(default=DEFAULT_PUBLIC_URL, pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$")

    @property
    def public_root(self) -> str:
        """`public_url` without a trailing slash, ready for paths to be added."""
        return self.public_url.rstrip("/")

    @property
    def effective_database_url(self) -> str:
        chosen = self.database_url or self.database.url
        return chosen.get_secret_value()


@lru_cache
def get_settings() -> Settings:
    return Settings()
