"""The demo criteria tree, the same for every demo group and year, and its bands."""

from decimal import Decimal
from typing import NamedTuple

from app.models.enums import ScoringMethod
from app.schemas.criteria import BandIn, CriterionIn
from app.schemas.datasets import CriteriaSetSpec

SET_MAX = Decimal("100")

APPRAISAL, SURVEY = ScoringMethod.APPRAISAL, ScoringMethod.SURVEY
INDICATOR, BONUS, PENALTY = ScoringMethod.INDICATOR, ScoringMethod.BONUS, ScoringMethod.PENALTY
SCORED = frozenset({APPRAISAL, SURVEY, INDICATOR})


class Node(NamedTuple):
    """A criteria node; only leaves carry a method and a max, inner maxima are derived."""

    code: str
    name_vi: str
    name_en: str
    max_score: str = ""
    method: ScoringMethod | None = None


# fmt: off
TREE: tuple[Node, ...] = (
    Node("1", "Công tác chỉ đạo, điều hành cải cách hành chính",
         "Direction and administration of administrative reform"),
    Node("1.1", "Kế hoạch cải cách hành chính năm",
         "Annual administrative reform plan", "1.5", APPRAISAL),
    Node("1.2", "Báo cáo cải cách hành chính định kỳ",
         "Periodic administrative reform reports", "1", APPRAISAL),
    Node("1.3", "Kiểm tra công tác cải cách hành chính",
         "Inspection of administrative reform work", "1.5", APPRAISAL),
    Node("1.4", "Thông tin, tuyên truyền cải cách hành chính",
         "Communication on administrative reform", "1.5", APPRAISAL),
    Node("1.5", "Thực hiện nhiệm vụ được UBND tỉnh giao",
         "Completion of tasks assigned by the Provincial People's Committee", "2", INDICATOR),
    Node("1.6", "Sáng kiến, giải pháp mới trong cải cách hành chính",
         "Initiatives and new solutions in administrative reform", "2", APPRAISAL),
    Node("2", "Cải cách thể chế", "Institutional reform"),
    Node("2.1", "Xây dựng văn bản quy phạm pháp luật", "Drafting of legal documents"),
    Node("2.1.1", "Tỷ lệ văn bản ban hành đúng tiến độ",
         "Rate of legal documents issued on schedule", "2", INDICATOR),
    Node("2.1.2", "Chất lượng văn bản quy phạm pháp luật",
         "Quality of drafted legal documents", "2", APPRAISAL),
    Node("2.2", "Rà soát, hệ thống hóa văn bản quy phạm pháp luật",
         "Review and systematisation of legal documents", "3", APPRAISAL),
    Node("2.3", "Theo dõi thi hành pháp luật", "Monitoring of law enforcement", "3", APPRAISAL),
    Node("3", "Cải cách thủ tục hành chính", "Administrative procedure reform"),
    Node("3.1", "Công khai thủ tục hành chính",
         "Publication of administrative procedures", "2", APPRAISAL),
    Node("3.2", "Thực hiện cơ chế một cửa, một cửa liên thông",
         "One-stop shop and inter-agency one-stop shop"),
    Node("3.2.1", "Tỷ lệ hồ sơ thủ tục hành chính tiếp nhận trực tuyến",
         "Rate of administrative procedure records received online", "2", INDICATOR),
    Node("3.2.2", "Tỷ lệ hồ sơ giải quyết đúng hạn",
         "Rate of records settled on time", "1.5", INDICATOR),
    Node("3.2.3", "Tỷ lệ số hóa hồ sơ, kết quả giải quyết thủ tục hành chính",
         "Rate of digitised records and results", "1.5", INDICATOR),
    Node("3.3", "Tiếp nhận, xử lý phản ánh, kiến nghị về thủ tục hành chính",
         "Handling of feedback and petitions on administrative procedures", "2", APPRAISAL),
    Node("3.4", "Mức độ hài lòng về giải quyết thủ tục hành chính",
         "Satisfaction with the settlement of administrative procedures", "4", SURVEY),
    Node("4", "Cải cách tổ chức bộ máy hành chính nhà nước",
         "Reform of the organisational apparatus"),
    Node("4.1", "Sắp xếp tổ chức bộ máy theo quy định",
         "Organisational structure as regulated", "3", APPRAISAL),
    Node("4.2", "Thực hiện biên chế được giao",
         "Staffing within the assigned quota", "2.5", INDICATOR),
    Node("4.3", "Phân cấp, ủy quyền", "Decentralisation and delegation", "2.5", APPRAISAL),
    Node("4.4", "Kiểm tra việc thực hiện nhiệm vụ được phân cấp",
         "Inspection of delegated tasks", "2.5", APPRAISAL),
    Node("5", "Cải cách chế độ công vụ", "Civil service reform"),
    Node("5.1", "Vị trí việc làm", "Job positions", "3", APPRAISAL),
    Node("5.2", "Tuyển dụng, bổ nhiệm", "Recruitment and appointment", "3", APPRAISAL),
    Node("5.3", "Đào tạo, bồi dưỡng cán bộ, công chức",
         "Training of officials and civil servants", "3", INDICATOR),
    Node("5.4", "Kỷ luật, kỷ cương hành chính", "Administrative discipline"),
    Node("5.4.1", "Chấp hành kỷ luật, kỷ cương hành chính",
         "Compliance with administrative discipline", "3", APPRAISAL),
    Node("5.4.2", "Đánh giá của công chức về môi trường làm việc",
         "Officials' assessment of the working environment", "3", SURVEY),
    Node("6", "Cải cách tài chính công", "Public finance reform"),
    Node("6.1", "Thực hiện dự toán ngân sách", "Budget execution", "3", INDICATOR),
    Node("6.2", "Cơ chế tự chủ tài chính", "Financial autonomy", "3", APPRAISAL),
    Node("6.3", "Thực hành tiết kiệm, chống lãng phí",
         "Thrift and anti-waste practice", "2.5", APPRAISAL),
    Node("6.4", "Quản lý, sử dụng tài sản công",
         "Management and use of public assets", "3", APPRAISAL),
    Node("7", "Xây dựng và phát triển Chính quyền điện tử, Chính quyền số",
         "E-government and digital government"),
    Node("7.1", "Hạ tầng số và nền tảng dùng chung",
         "Digital infrastructure and shared platforms", "3", APPRAISAL),
    Node("7.2", "Dịch vụ công trực tuyến", "Online public services"),
    Node("7.2.1", "Tỷ lệ dịch vụ công trực tuyến toàn trình",
         "Rate of full-process online public services", "2.5", INDICATOR),
    Node("7.2.2", "Tỷ lệ thanh toán trực tuyến", "Rate of online payments", "2.5", INDICATOR),
    Node("7.3", "Văn bản điện tử và chữ ký số",
         "Electronic documents and digital signatures", "3", INDICATOR),
    Node("7.4", "Bảo đảm an toàn thông tin", "Information security", "3", APPRAISAL),
    Node("8",
         "Tác động của cải cách hành chính đến người dân, tổ chức và phát triển kinh tế – xã hội",
         "Impact on people, organisations and socio-economic development"),
    Node("8.1", "Sự hài lòng của người dân, tổ chức",
         "Satisfaction of people and organisations"),
    Node("8.1.1", "Tiếp cận thông tin", "Access to information", "2.25", SURVEY),
    Node("8.1.2", "Thái độ của công chức", "Attitude of civil servants", "2.75", SURVEY),
    Node("8.1.3", "Thời gian giải quyết công việc", "Timeliness of service", "3", SURVEY),
    Node("8.1.4", "Mức độ hài lòng chung", "Overall satisfaction", "2.5", SURVEY),
    Node("8.2", "Tác động đến phát triển kinh tế – xã hội",
         "Impact on socio-economic development"),
    Node("8.2.1", "Thực hiện chỉ tiêu kinh tế – xã hội được giao",
         "Achievement of assigned socio-economic targets", "3.25", INDICATOR),
    Node("8.2.2", "Tác động của cải cách hành chính đến ngành, lĩnh vực",
         "Impact of reform on the sector", "2.75", APPRAISAL),
    Node("9", "Điểm thưởng và điểm trừ", "Bonus and penalty points"),
    Node("9.1", "Điểm thưởng", "Bonus points", "2", BONUS),
    Node("9.2", "Điểm trừ (mức trừ tối đa)", "Penalty points (cap on deductions)", "3", PENALTY),
)
# fmt: on


def criteria_set(year: int, group: str) -> CriteriaSetSpec:
    """The demo tree and bands as the criteria set of one (year, group)."""
    return CriteriaSetSpec(
        year=year, group=group, max_score=SET_MAX, criteria=_criteria(), bands=_bands()
    )


def _criteria() -> list[CriterionIn]:
    """The tree shared by every demo set; an inner max is the sum of the scored leaves below it.

    Bonus leaves count toward their parent, penalty leaves do not (their max is a cap on the
    deduction), unless everything below is a penalty, which this tree never has.
    """
    leaves = [node for node in TREE if node.method is not None]

    def inner_max(code: str) -> Decimal:
        below = [leaf for leaf in leaves if leaf.code.startswith(f"{code}.")]
        counted = [leaf for leaf in below if leaf.method is not PENALTY] or below
        return sum((Decimal(leaf.max_score) for leaf in counted), Decimal(0))

    return [
        CriterionIn(
            code=node.code,
            name_vi=node.name_vi,
            name_en=node.name_en,
            max_score=Decimal(node.max_score) if node.method else inner_max(node.code),
            method=node.method,
        )
        for node in TREE
    ]


def _bands() -> list[BandIn]:
    return [
        BandIn(label_vi="Tốt", label_en="Good", min_index=Decimal(90)),
        BandIn(label_vi="Khá", label_en="Fair", min_index=Decimal(80)),
        BandIn(label_vi="Trung bình", label_en="Average", min_index=Decimal(70)),
        BandIn(label_vi="Yếu", label_en="Weak", min_index=Decimal(0)),
    ]
