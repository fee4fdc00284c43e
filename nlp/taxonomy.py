"""The eight reform areas of the PAR index: the one source of truth for tagger, search and UI."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Area:
    id: str
    name: str  # Vietnamese name shown to users
    short: str  # short Vietnamese label for chips and charts
    description: str
    terms: tuple[str, ...]  # indicative terms (documentation and explanations)
    explicit: tuple[str, ...] = ()  # words that name the area outright: an input of the tagger's stacker


AREAS: tuple[Area, ...] = (
    Area(
        "chi_dao_dieu_hanh", "Công tác chỉ đạo, điều hành CCHC", "Chỉ đạo, điều hành",
        "Kế hoạch CCHC, trách nhiệm người đứng đầu, Ban Chỉ đạo, kiểm tra CCHC, tuyên truyền về CCHC, "
        "sáng kiến, báo cáo, thi đua, kế hoạch khắc phục chỉ số.",
        ("kế hoạch cải cách hành chính", "ban chỉ đạo", "người đứng đầu", "tuyên truyền", "sáng kiến",
         "báo cáo", "kiểm tra cải cách hành chính", "khắc phục", "chỉ số cải cách hành chính", "thi đua"),
        ("chỉ số cải cách hành chính", "par index", "kế hoạch cải cách hành chính", "ban chỉ đạo",
         "tuyên truyền", "kiểm tra công tác cải cách hành chính", "kiểm tra cải cách hành chính", "thi đua",
         "sáng kiến", "người đứng đầu", "chỉ đạo, điều hành", "nhiệm vụ cải cách hành chính",
         "công tác cải cách hành chính", "khắc phục", "báo cáo"),
    ),
    Area(
        "the_che", "Cải cách thể chế", "Thể chế",
        "Văn bản quy phạm pháp luật: xây dựng, thẩm định, rà soát, hệ thống hóa, kiểm tra; phổ biến, "
        "giáo dục pháp luật.",
        ("văn bản quy phạm pháp luật", "rà soát văn bản", "hệ thống hóa", "thẩm định", "phổ biến pháp luật",
         "kiểm tra văn bản", "theo dõi thi hành pháp luật"),
        ("thể chế", "văn bản quy phạm pháp luật", "quy phạm pháp luật", "rà soát văn bản", "hệ thống hóa",
         "kiểm tra văn bản", "thi hành pháp luật", "phổ biến, giáo dục pháp luật", "pháp luật", "thẩm định"),
    ),
    Area(
        "thu_tuc_hanh_chinh", "Cải cách thủ tục hành chính", "Thủ tục hành chính",
        "Thủ tục hành chính, một cửa, bộ phận tiếp nhận và trả kết quả, giải quyết hồ sơ đúng hạn, hồ sơ "
        "trễ hạn, đơn giản hóa, công khai thủ tục, phản ánh kiến nghị về quy định hành chính.",
        ("thủ tục hành chính", "một cửa", "bộ phận tiếp nhận và trả kết quả", "hồ sơ trễ hạn", "quá hạn",
         "đơn giản hóa", "niêm yết", "công khai", "phản ánh, kiến nghị"),
        ("thủ tục hành chính", "một cửa", "tiếp nhận và trả kết quả", "hồ sơ", "trễ hạn", "quá hạn", "trễ hẹn",
         "xin lỗi", "phản ánh, kiến nghị", "dịch vụ công", "hành chính công", "giải quyết hồ sơ",
         "đơn giản hóa"),
    ),
    Area(
        "to_chuc_bo_may", "Cải cách tổ chức bộ máy", "Tổ chức bộ máy",
        "Cơ cấu tổ chức, sắp xếp, sáp nhập đơn vị, đơn vị hành chính, chức năng nhiệm vụ, biên chế, "
        "tinh giản.",
        ("sắp xếp", "sáp nhập", "đơn vị hành chính", "chức năng, nhiệm vụ", "biên chế", "tinh giản",
         "vị trí việc làm", "cơ cấu tổ chức"),
        ("tổ chức bộ máy", "bộ máy", "sắp xếp", "sáp nhập", "hợp nhất", "tinh gọn", "biên chế", "tinh giản",
         "vị trí việc làm", "đơn vị hành chính", "chức năng, nhiệm vụ", "cơ cấu tổ chức", "kiện toàn",
         "phân cấp"),
    ),
    Area(
        "cong_vu", "Cải cách chế độ công vụ", "Chế độ công vụ",
        "Cán bộ, công chức, viên chức: tuyển dụng, bổ nhiệm, luân chuyển, đánh giá xếp loại, kỷ luật, "
        "kỷ cương, thái độ phục vụ, văn hóa công sở, đào tạo, bồi dưỡng.",
        ("cán bộ, công chức, viên chức", "tuyển dụng", "bổ nhiệm", "luân chuyển", "đánh giá, xếp loại",
         "kỷ luật, kỷ cương", "thái độ phục vụ", "văn hóa công sở", "đào tạo, bồi dưỡng"),
        ("công vụ", "kỷ luật", "kỷ cương", "cán bộ, công chức", "công chức", "viên chức", "đạo đức",
         "văn hóa công sở", "thái độ", "giờ làm việc", "tuyển dụng", "bổ nhiệm", "luân chuyển", "xếp loại",
         "đào tạo, bồi dưỡng", "rượu, bia"),
    ),
    Area(
        "tai_chinh_cong", "Cải cách tài chính công", "Tài chính công",
        "Ngân sách, đầu tư công và giải ngân, quy chế chi tiêu nội bộ, tự chủ tài chính của đơn vị sự "
        "nghiệp, phí, lệ phí, quản lý tài chính công.",
        ("ngân sách", "đầu tư công", "giải ngân", "chi tiêu nội bộ", "tự chủ tài chính", "phí, lệ phí",
         "tài sản công", "tài chính công"),
        ("tài chính công", "ngân sách", "đầu tư công", "giải ngân", "chi thường xuyên", "chi tiêu nội bộ",
         "tự chủ", "phí, lệ phí", "tài sản công", "thu ngân sách", "tiết kiệm", "kinh phí", "dự toán", "vốn"),
    ),
    Area(
        "chinh_quyen_so", "Xây dựng chính quyền điện tử, chính quyền số", "Chính quyền số",
        "Dịch vụ công trực tuyến, số hóa hồ sơ, thanh toán trực tuyến, phần mềm quản lý văn bản, cổng "
        "thông tin điện tử, hạ tầng công nghệ thông tin, chuyển đổi số.",
        ("dịch vụ công trực tuyến", "số hóa", "thanh toán trực tuyến", "chuyển đổi số", "phần mềm",
         "cổng thông tin điện tử", "chữ ký số", "hồ sơ công việc"),
        ("chính quyền điện tử", "chính quyền số", "chuyển đổi số", "công nghệ thông tin", "hiện đại hóa",
         "trực tuyến", "số hóa", "phần mềm", "chữ ký số", "chữ ký điện tử", "văn bản điện tử",
         "cổng thông tin", "công nghệ số", "ký số", "chứng thư số", "điện tử", "dữ liệu", "nền tảng số"),
    ),
    Area(
        "hai_long", "Đo lường sự hài lòng, điều tra xã hội học", "Sự hài lòng",
        "Chỉ số hài lòng (SIPAS), điều tra xã hội học phục vụ chỉ số CCHC, lấy ý kiến đánh giá sự hài "
        "lòng của người dân.",
        ("chỉ số hài lòng", "SIPAS", "điều tra xã hội học", "phiếu khảo sát", "lấy ý kiến", "mức độ hài lòng"),
        ("hài lòng", "sipas", "khảo sát", "điều tra xã hội học", "lấy ý kiến", "phiếu", "đo lường")
    ),
)

AREA_IDS: tuple[str, ...] = tuple(a.id for a in AREAS)
AREA_BY_ID: dict[str, Area] = {a.id: a for a in AREAS}


def area_name(area_id: str) -> str:
    """Vietnamese name of an area id (the id itself if unknown)."""
    area = AREA_BY_ID.get(area_id)
    return area.name if area else area_id


def check_labels(labels: list[str]) -> list[str]:
    """Validate label ids and return them in taxonomy order."""
    unknown = set(labels) - set(AREA_IDS)
    if unknown:
        raise ValueError(f"Nhãn không hợp lệ: {', '.join(sorted(unknown))}")
    return [a for a in AREA_IDS if a in labels]
