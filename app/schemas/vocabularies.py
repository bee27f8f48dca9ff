"""The API's closed sets of codes: each one named schema, shared by every field and parameter
that uses it, so a generated client has one `Language`, one `Role` … instead of a copy per
model. In Python they stay `Literal` types, which the type checker narrows."""

from typing import Annotated, Any, Literal, cast, get_args

from pydantic import GetCoreSchemaHandler
from pydantic_core import CoreSchema

from app.core import i18n


class NamedSchema:
    """Marks a type as one named component of the OpenAPI document (`#/components/schemas/…`):
    pydantic gives a core schema with a `ref` its own definition and refers to it."""

    def __init__(self, name: str, description: str) -> None:
        self.name = name
        self.description = description

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        schema: dict[str, Any] = dict(handler(source))
        schema["ref"] = self.name
        schema["metadata"] = {
            **(schema.get("metadata") or {}),
            "pydantic_js_updates": {"title": self.name, "description": self.description},
        }
        return cast(CoreSchema, schema)


def codes(vocabulary: Any) -> tuple[str, ...]:
    """A vocabulary's codes, in the order it lists them."""
    literal = get_args(vocabulary)[0]
    return get_args(literal)


Language = Annotated[
    i18n.Language,
    NamedSchema("Language", "`vi` (Vietnamese, the default) or `en` (English)."),
]
RoleName = Annotated[
    Literal["reader", "editor", "publisher", "admin"],
    NamedSchema(
        "Role",
        "An API key's role, each allowing what the one before allows: `reader` (published "
        "years), `editor` (drafts, imports, audit), `publisher` (publishing, corrections), "
        "`admin` (groups, units, years, criteria sets, keys, webhooks).",
    ),
]
IndexBasis = Annotated[
    Literal["leaf_scores", "published_index", "published_rank", "none"],
    NamedSchema(
        "IndexBasis",
        "Where a result comes from: the stored leaf scores, the index the source published, "
        "only the rank it published, or nothing.",
    ),
]
RankBasis = Annotated[
    Literal["computed", "published"],
    NamedSchema(
        "RankBasis",
        "A rank computed over a complete group, or the rank the source published.",
    ),
]
CoverageRanks = Annotated[
    Literal["computed", "published", "none"],
    NamedSchema(
        "CoverageRanks",
        "How a group's ranks are given: computed (complete group), as published, or not at all.",
    ),
]
PublishedScope = Annotated[
    Literal[
        "none", "all_units", "top_and_bottom", "top", "bottom", "band_counts", "selected_units"
    ],
    NamedSchema("PublishedScope", "Which part of a group's results the source published."),
]
Relation = Annotated[
    Literal["self", "merge", "split", "rename", "transfer"],
    NamedSchema(
        "Relation",
        "How a previous year's unit leads to this one: itself, or through a merge, split, "
        "rename or transfer.",
    ),
]
ReasonCode = Annotated[
    Literal[
        "same_unit",
        "renamed",
        "new",
        "merged",
        "split",
        "transferred",
        "many_to_many",
        "no_assessment_year",
        "no_results_for_group_in_year",
        "not_published",
        "no_previous_result",
        "several_previous_results",
    ],
    NamedSchema(
        "ReasonCode",
        "Why a result compares with the previous year's (`same_unit`, `renamed`) or not (every "
        "other code); `reason` says it in words.",
    ),
]
WebhookEvent = Annotated[
    Literal["year.published", "year.corrected"],
    NamedSchema("WebhookEvent", "What a webhook is told about: a year published or corrected."),
]
DeliveryStatus = Annotated[
    Literal["pending", "delivered", "failed"],
    NamedSchema("DeliveryStatus", "Where a webhook delivery stands."),
]
RevisionKind = Annotated[
    Literal["publish", "correction"],
    NamedSchema("RevisionKind", "A revision opened by publishing a year, or by a correction."),
]
PublishedFigure = Annotated[
    Literal["total", "index", "rank"],
    NamedSchema("PublishedFigure", "A figure a source published for a unit."),
]
MissingLeaves = Annotated[
    Literal["error", "zero"],
    NamedSchema(
        "MissingLeaves",
        "What a scores import does with a leaf the file leaves out: refuse the file, or score "
        "it zero.",
    ),
]
BandCounts = Annotated[
    dict[str, int],
    NamedSchema("BandCounts", "Units per band, keyed by the band's code in the criteria set."),
]
