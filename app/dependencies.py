"""Annotated dependency aliases: the caller, services per request, shared parameters.

Providers are `async def` even where they await nothing: FastAPI runs a plain `def` dependency
in the thread pool, a round trip per provider per request.
"""

from typing import Annotated

from fastapi import Depends, Header, Path, Query, Request, Response
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.db import SessionDep
from app.core.errors import ServiceError
from app.core.i18n import Language, chosen_language
from app.core.messages import message
from app.core.result_cache import ResultCache
from app.http.credentials import sent_credentials
from app.http.rate_limit import count_write
from app.schemas import vocabularies
from app.schemas.base import DB_INT_MAX, Code, CriterionCode
from app.services.access.api_keys import ApiKeyService
from app.services.access.key_cache import READ_KEY_AGAIN
from app.services.access.principal import (
    ANONYMOUS,
    NotAuthenticated,
    Principal,
    Role,
    TwoCredentials,
    check_role,
)
from app.services.access.viewer import PUBLIC
from app.services.audit.trail import ACTOR_KEY, AuditService
from app.services.exports.dump import DumpService
from app.services.exports.scores import ScoreExportService
from app.services.exports.template import TemplateService
from app.services.health import ReadinessService
from app.services.imports.parsing import ReadLimits
from app.services.imports.service import ImportService
from app.services.publication.service import PublicationService
from app.services.publication.years import YearService
from app.services.registry.criteria import CriteriaService
from app.services.registry.groups import GroupService
from app.services.registry.scores import ScoreService
from app.services.registry.units import UnitService
from app.services.results.breakdown import BreakdownService
from app.services.results.group_results import GroupResultService
from app.services.results.history import HistoryService
from app.services.results.improvement import ImprovementService
from app.services.results.ranking import RankingService
from app.services.results.year_groups import YearGroupsService
from app.services.webhooks.outbox import WebhookService
from app.services.webhooks.receivers import (
    ReceiverGuard,
    ReceiverPolicy,
    Resolver,
    system_resolver,
)

bearer_scheme = HTTPBearer(auto_error=False, description="`Authorization: Bearer <API key>`")
api_key_scheme = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="The API key in an `X-API-Key` header."
)


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def sent_key(
    request: Request, bearer: HTTPAuthorizationCredentials | None, api_key: str | None
) -> str | None:
    """The one API key the request carries; more than one credential header is a 400."""
    if len(sent_credentials(request.headers)) > 1:
        raise TwoCredentials(message("access.two-credentials"))
    return bearer.credentials if bearer is not None else api_key


async def get_principal(
    request: Request,
    session: SessionDep,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    api_key: Annotated[str | None, Depends(api_key_scheme)],
) -> Principal:
    """The caller: an API key's role, or anonymous where the settings allow anonymous reads.

    A write is counted against the rate limit here, once the caller is known: by the key's id,
    or by the client IP when no key authenticated (refusals too, so made-up keys are counted).
    """
    try:
        principal = await _authenticate(request, session, sent_key(request, bearer, api_key))
    except ServiceError:
        await count_write(request, key_id=None)
        raise
    await count_write(request, key_id=principal.key_id)
    return principal


async def _authenticate(request: Request, session: AsyncSession, key: str | None) -> Principal:
    if key is None:
        if not request.app.state.settings.auth.anonymous_read:
            raise NotAuthenticated(message("access.anonymous-off"))
        return ANONYMOUS
    keys = ApiKeyService(session, cache=request.app.state.key_cache)
    # The HTTP edge may have given this request the reading of its key (app/http/replay.py).
    principal = await keys.authenticate(key, read_again=hasattr(request.state, READ_KEY_AGAIN))
    # The audit trail names whoever made this request's writes.
    session.info[ACTOR_KEY] = principal.actor
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


# Each role check by the role it needs, so the OpenAPI document can state 403 where it applies.
ROLE_CHECKS: dict[object, Role] = {}


def _require(role: Role) -> object:
    async def check(principal: PrincipalDep) -> Principal:
        check_role(principal, role)
        return principal

    ROLE_CHECKS[check] = role
    return Depends(check)


EditorDep = Annotated[Principal, _require(Role.EDITOR)]
PublisherDep = Annotated[Principal, _require(Role.PUBLISHER)]
AdminDep = Annotated[Principal, _require(Role.ADMIN)]


async def get_result_cache(request: Request) -> ResultCache:
    cache: ResultCache = request.app.state.result_cache
    return cache


ResultCacheDep = Annotated[ResultCache, Depends(get_result_cache)]


async def get_unit_service(session: SessionDep) -> UnitService:
    return UnitService(session)


async def get_group_service(session: SessionDep) -> GroupService:
    return GroupService(session)


async def get_year_service(session: SessionDep, principal: PrincipalDep) -> YearService:
    # The request's viewer is chosen here; the services below see years through this one.
    return YearService(session, viewer=principal.viewer)


YearServiceDep = Annotated[YearService, Depends(get_year_service)]


async def get_group_result_service(
    session: SessionDep, cache: ResultCacheDep, years: YearServiceDep
) -> GroupResultService:
    return GroupResultService(session, cache, years=years)


GroupResultServiceDep = Annotated[GroupResultService, Depends(get_group_result_service)]


async def get_public_group_results(
    session: SessionDep, cache: ResultCacheDep
) -> GroupResultService:
    # The pages are for everyone: they see what an anonymous caller sees, whatever key a
    # browser might send, so a draft year never reaches a page or its cached HTML.
    return GroupResultService(session, cache, years=YearService(session, viewer=PUBLIC))


PublicGroupResultsDep = Annotated[GroupResultService, Depends(get_public_group_results)]


async def get_criteria_service(session: SessionDep, years: YearServiceDep) -> CriteriaService:
    return CriteriaService(session, years=years)


async def get_score_service(session: SessionDep, years: YearServiceDep) -> ScoreService:
    return ScoreService(session, years=years)


async def get_ranking_service(results: GroupResultServiceDep) -> RankingService:
    return RankingService(results)


async def get_breakdown_service(results: GroupResultServiceDep) -> BreakdownService:
    return BreakdownService(results)


async def get_improvement_service(results: GroupResultServiceDep) -> ImprovementService:
    return ImprovementService(results)


async def get_history_service(results: GroupResultServiceDep) -> HistoryService:
    return HistoryService(results)


async def get_year_groups_service(results: GroupResultServiceDep) -> YearGroupsService:
    return YearGroupsService(results)


async def get_publication_service(session: SessionDep, years: YearServiceDep) -> PublicationService:
    return PublicationService(session, years=years)


async def get_audit_service(session: SessionDep) -> AuditService:
    return AuditService(session)


async def get_score_export_service(
    session: SessionDep, years: YearServiceDep
) -> ScoreExportService:
    return ScoreExportService(session, years=years)


async def get_template_service(session: SessionDep, years: YearServiceDep) -> TemplateService:
    return TemplateService(session, years=years)


async def get_api_key_service(session: SessionDep, request: Request) -> ApiKeyService:
    return ApiKeyService(session, cache=request.app.state.key_cache)


UnitServiceDep = Annotated[UnitService, Depends(get_unit_service)]
GroupServiceDep = Annotated[GroupService, Depends(get_group_service)]
CriteriaServiceDep = Annotated[CriteriaService, Depends(get_criteria_service)]
ScoreServiceDep = Annotated[ScoreService, Depends(get_score_service)]
RankingServiceDep = Annotated[RankingService, Depends(get_ranking_service)]
BreakdownServiceDep = Annotated[BreakdownService, Depends(get_breakdown_service)]
ImprovementServiceDep = Annotated[ImprovementService, Depends(get_improvement_service)]
HistoryServiceDep = Annotated[HistoryService, Depends(get_history_service)]
YearGroupsServiceDep = Annotated[YearGroupsService, Depends(get_year_groups_service)]
PublicationServiceDep = Annotated[PublicationService, Depends(get_publication_service)]
AuditServiceDep = Annotated[AuditService, Depends(get_audit_service)]
ScoreExportServiceDep = Annotated[ScoreExportService, Depends(get_score_export_service)]
TemplateServiceDep = Annotated[TemplateService, Depends(get_template_service)]
ApiKeyServiceDep = Annotated[ApiKeyService, Depends(get_api_key_service)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_address_resolver() -> Resolver:
    """How webhook receivers' host names are resolved (tests answer from a table instead)."""
    return system_resolver


async def get_webhook_service(
    session: SessionDep,
    settings: SettingsDep,
    resolver: Annotated[Resolver, Depends(get_address_resolver)],
) -> WebhookService:
    guard = ReceiverGuard(ReceiverPolicy.from_settings(settings.webhooks), resolver)
    return WebhookService(session, receivers=guard)


async def get_dump_service(
    session: SessionDep, cache: ResultCacheDep, _principal: PrincipalDep
) -> DumpService:
    # The caller is checked (revoked keys, anonymous_read) but never shown drafts: the dump is
    # the public record, so DumpService reads published years only, whatever the role.
    return DumpService(session, cache)


WebhookServiceDep = Annotated[WebhookService, Depends(get_webhook_service)]
DumpServiceDep = Annotated[DumpService, Depends(get_dump_service)]


async def get_import_service(
    session: SessionDep, cache: ResultCacheDep, settings: SettingsDep
) -> ImportService:
    return ImportService(session, cache, limits=ReadLimits.from_settings(settings.imports))


ImportServiceDep = Annotated[ImportService, Depends(get_import_service)]


async def get_language(
    accept_language: Annotated[
        str | None,
        Header(
            description="`vi` or `en`: the language of labels (`name`), rules, reasons and "
            "problem texts; default `vi`."
        ),
    ] = None,
    lang: Annotated[
        vocabularies.Language | None,
        Query(description="`vi` or `en`; wins over Accept-Language (for links and iframes)."),
    ] = None,
) -> Language:
    return chosen_language(lang, accept_language)


LanguageDep = Annotated[Language, Depends(get_language)]

YearPath = Annotated[int, Path(ge=2000, le=2100, description="Assessment year.", examples=[2024])]
GroupPath = Annotated[Code, Path(description="Unit group code.", examples=["department"])]
UnitCodePath = Annotated[Code, Path(description="Unit code.", examples=["LD-DEP-HEALTH"])]
RevisionQuery = Annotated[
    int | None,
    Query(
        ge=1,
        le=DB_INT_MAX,
        description="Published revision to show (1 = as published, then one per correction); "
        "default: the latest.",
    ),
]
CriterionQuery = Annotated[CriterionCode | None, Query(description="Criterion code.")]
Limit = Annotated[
    int, Query(ge=1, le=500, description="Page size: how many items to return (1–500).")
]
TopN = Annotated[int, Query(ge=1, le=100, description="How many to list (1–100).")]
Offset = Annotated[
    int,
    Query(
        ge=0,
        le=DB_INT_MAX,
        description="Items to skip before the page starts; `total` counts them all.",
    ),
]


async def get_readiness_service(request: Request) -> ReadinessService:
    return ReadinessService(
        request.app.state.engine, expected_heads=request.app.state.migration_heads
    )


ReadinessServiceDep = Annotated[ReadinessService, Depends(get_readiness_service)]


async def not_cached(response: Response) -> None:
    """For reads whose data changes without a new data revision (API keys, webhooks and their
    deliveries, import attempts, the audit trail): `no-store`, so no ETag is given and no
    stored answer or 304 can outlive a change (app/http/caching.py)."""
    response.headers["Cache-Control"] = "no-store"


NOT_CACHED = [Depends(not_cached)]
