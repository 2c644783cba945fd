"""A hand-built ``YearSummary`` of Kon Tum's 2015 compile, for the report-file tests.

The names and titles are copied from ``bot/plan/data/kon-tum-514-2013.yaml`` so the files are
rendered with real Vietnamese (long titles, every kind of diacritic). ``scale`` repeats the
indicators, tasks and departments to reach the size of a national plan (scale=34: 204 indicators,
646 tasks) without a database.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from bot.plan.model import DeadlineKind, Direction
from bot.reports.model import (
    DeadlineOutcome,
    DeliveryState,
    DepartmentLine,
    FigureVersion,
    IndicatorLine,
    PlanHeading,
    ProgressVersion,
    TaskGroupLine,
    TaskLine,
    TaskReport,
    YearSummary,
)
from storage.enums import ProgressStatus, SubjectType

UTC = dt.UTC

HEADING = PlanHeading(
    title=(
        "Kế hoạch hành động thực hiện Chiến lược quốc gia về tăng trưởng xanh thời kỳ 2011 - 2020"
        " và tầm nhìn đến năm 2050"
    ),
    decision_number="514/QĐ-UBND",
    decision_date=dt.date(2013, 7, 16),
    issuing_body="Ủy ban nhân dân tỉnh Kon Tum",
    province="Kon Tum",
    planning_office="Sở Kế hoạch và Đầu tư",
    recipient="Ủy ban nhân dân tỉnh",
    upstream="Bộ Kế hoạch và Đầu tư",
)

SXD_STNMT = "Chủ trì: Sở Xây dựng; Phối hợp: Sở Tài nguyên và Môi trường"

# (name, responsible_text, target, department that enters the figures)
_INDICATORS: tuple[tuple[str, str, int | None, str], ...] = (
    ("Tỷ lệ các xã phường, thị trấn có các điểm thu gom rác thải, nước thải", SXD_STNMT, 100, "Sở Xây dựng"),
    (
        "Tỷ lệ đô thị loại III có hệ thống thu gom xử lý nước thải đạt quy chuẩn quy định",
        SXD_STNMT,
        60,
        "Sở Xây dựng",
    ),
    (
        "Tỷ lệ đô thị loại IV, loại V có tỷ lệ xử lý nước thải đạt chuẩn theo quy định về phân loại đô thị,"
        " tỷ lệ xử lý nước thải công nghiệp tại các làng nghề",
        SXD_STNMT,
        40,
        "Sở Xây dựng",
    ),
    ("Tỷ lệ các đô thị có diện tích cây xanh đạt tương ứng tiêu chuẩn đô thị", "Sở Xây dựng", 100, "Sở Xây dựng"),
    (
        "Tỷ lệ các cơ sở sản xuất mới xây dựng phải áp dụng công nghệ sản xuất sạch hơn hoặc được trang bị"
        " các thiết bị giảm thiểu ô nhiễm (CDM)",
        "Sở Khoa học và Công nghệ",
        90,
        "Sở Khoa học và Công nghệ",
    ),
    (
        "Tỷ lệ các khu, cụm công nghiệp có hệ thống xử lý nước thải/Chất thải rắn",
        "Sở Tài nguyên và Môi trường",
        None,
        "Sở Tài nguyên và Môi trường",
    ),
)

# Per indicator: (year, value, numerator, denominator, officer, note); several rows for one year
# are successive versions (a correction). Indicator 3 has no 2015 figure, indicator 2 none for 2014.
_Figure = tuple[int, str, int | None, int | None, str | None, str | None]
_FIGURES: tuple[tuple[_Figure, ...], ...] = (
    (
        (2013, "30", 30, 100, "Nguyễn Văn An", None),
        (2014, "38.2", None, None, "Nguyễn Văn An", None),
        (2015, "45.5", None, None, "Nguyễn Văn An", "Số liệu ước tính đến hết quý IV"),
    ),
    (
        (2013, "10", 1, 10, "Nguyễn Văn An", None),
        (2015, "20", 1, 5, "Nguyễn Văn An", None),
    ),
    (
        (2013, "5", 1, 20, None, "Nhập từ báo cáo giấy năm 2013"),
        (2014, "8", 2, 25, "Nguyễn Văn An", None),
    ),
    (
        (2013, "50", 4, 8, "Trần Thị Bích Ngọc", None),
        (2014, "55", None, None, "Trần Thị Bích Ngọc", None),
        (2015, "60", 3, 5, "Trần Thị Bích Ngọc", None),
        (2015, "62.5", 5, 8, "Trần Thị Bích Ngọc", "Điều chỉnh theo số liệu của thành phố Kon Tum"),
    ),
    (
        (2013, "70", 7, 10, "Lê Hữu Phước", None),
        (2014, "75", 15, 20, "Lê Hữu Phước", None),
        (2015, "80", 8, 10, "Lê Hữu Phước", None),
    ),
    (
        (2014, "33.3", 1, 3, "Đặng Thị Thủy", None),
        (2015, "50", 2, 4, "Đặng Thị Thủy", None),
    ),
)

_GROUPS: tuple[tuple[str, str], ...] = (
    ("I", "Nhiệm vụ chung"),
    ("II", "Giảm cường độ phát thải khí nhà kính và thúc đẩy sử dụng năng lượng sạch, năng lượng tái tạo"),
    ("III", "Xanh hóa sản xuất"),
    ("IV", "Xanh hóa lối sống thúc đẩy tiêu dùng bền vững"),
    ("V", "Nâng cao nhận thức, hướng dẫn tổ chức, thực hiện huy động nguồn lực, hợp tác quốc tế"),
)

_FRAME_2015 = "Triển khai thực hiện và báo cáo đánh giá vào cuối năm 2015"
_RELEVANT = "Các cơ quan có liên quan"

# (group, title, lead_text, coordinators_text, timeframe): the 19 rows of Annex I.
_TASKS: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "I",
        "Xây dựng chương trình kế hoạch hành động và chỉ đạo thực hiện chiến lược tăng trưởng xanh",
        "Sở Kế hoạch và Đầu tư",
        _RELEVANT,
        "Quý II/2013",
    ),
    (
        "I",
        "Xây dựng khung theo dõi, đánh giá, báo cáo thực hiện chiến lược tăng trưởng xanh",
        "Sở Kế hoạch và Đầu tư",
        _RELEVANT,
        _FRAME_2015,
    ),
    (
        "I",
        "Lồng ghép tăng trưởng xanh trong lập kế hoạch phát triển kinh tế xã hội",
        "Sở Kế hoạch và Đầu tư",
        _RELEVANT,
        "KH hàng năm và KH 5 năm 2016-2020",
    ),
    (
        "I",
        "Chương trình hành động về thực hiện chiến lược tăng trưởng xanh ở các ngành, địa phương.",
        "Các sở, ban, ngành, huyện, thành phố",
        "",
        "Quý III/2013",
    ),
    (
        "I",
        "Đẩy mạnh công tác giáo dục truyền thông nhằm nâng cao nhận thức của toàn xã hội về chiến lược tăng"
        " trưởng xanh",
        "Sở Thông tin và Truyền thông",
        "Các cơ quan báo chí, các tổ chức đoàn thể, các cơ quan liên quan",
        "2013-2020",
    ),
    (
        "I",
        "Huy động sự tham gia các tổ chức chính trị - xã hội, xã hội - nghề nghiệp, các đoàn thể quần chúng,"
        " các tổ chức phi Chính phủ, doanh nghiệp và cộng đồng dân cư vào các chương trình, kế hoạch dự án"
        " của Ủy ban nhân dân tỉnh nhằm thực hiện chiến lược tăng trưởng xanh",
        "Sở Kế hoạch và Đầu tư",
        _RELEVANT,
        "2013-2020",
    ),
    (
        "I",
        "Cân đối ngân sách để thực hiện các chương trình, kế hoạch chiến lược tăng trưởng xanh",
        "Sở Tài chính",
        "Các cơ quan liên quan",
        "2013-2020",
    ),
    (
        "I",
        "Hướng dẫn sử dụng nguồn kinh phí trong quá trình thực hiện Kế hoạch hành động thực hiện chiến lược"
        " tăng trưởng xanh",
        "Sở Tài chính",
        "Các cơ quan liên quan",
        "2013-2020",
    ),
    (
        "I",
        "Đề xuất giải pháp tăng cường vai trò và tác động của khoa học và công nghệ, đẩy mạnh đổi mới công"
        " nghệ trong thực hiện chiến lược tăng trưởng xanh",
        "Sở Khoa học và Công nghệ",
        "Các cơ quan liên quan",
        "2013-2020",
    ),
    (
        "II",
        "Xây dựng khung chính sách sử dụng tiết kiệm và hiệu quả tài nguyên",
        "Sở Tài nguyên và Môi trường",
        _RELEVANT,
        _FRAME_2015,
    ),
    (
        "II",
        "Đẩy mạnh nghiên cứu, ứng dụng khoa học công nghệ về bảo vệ môi trường, tiết kiệm năng lượng, sản"
        " xuất sạch hơn.",
        "Sở Khoa học và Công nghệ",
        "Sở Công thương, và các đơn vị liên quan",
        "2013-2020",
    ),
    (
        "II",
        "Hỗ trợ các doanh nghiệp thực hiện chương trình sản xuất sạch hơn; đẩy mạnh thực hiện Chương trình"
        " mục tiêu quốc gia về sử dụng năng lượng tiết kiệm; tăng tỷ lệ sử dụng năng lượng tái tạo trong cơ"
        " cấu sử dụng năng lượng",
        "Sở Công thương",
        "Sở Khoa học và Công nghệ, và các đơn vị liên quan",
        "2013-2020",
    ),
    (
        "II",
        "Di dời, thay thế các cơ sở sản xuất vật liệu xây dựng thủ công tiêu tốn năng lượng, gây ô nhiễm môi"
        " trường trong địa bàn nội thị vào trong các khu, cụm công nghiệp",
        "Sở Tài nguyên và môi trường",
        "UBND các huyện, thành phố; Ban quản lý khu kinh tế và các cơ quan có liên quan",
        "2013-2015",
    ),
    (
        "III",
        "Xây dựng khung chính sách và kế hoạch hành động phát triển công nghiệp xanh",
        "Sở Công thương",
        "Các Cơ quan có liên quan",
        _FRAME_2015,
    ),
    (
        "III",
        "Xây dựng khung chính sách và kế hoạch hành động phát triển giao thông xanh",
        "Sở Giao thông Vận tải",
        _RELEVANT,
        _FRAME_2015,
    ),
    (
        "III",
        "Xây dựng khung chính sách và kế hoạch hành động phát triển nông nghiệp xanh",
        "Sở Nông nghiệp và Phát triển nông thôn",
        _RELEVANT,
        _FRAME_2015,
    ),
    (
        "III",
        "Xây dựng khung chính sách và kế hoạch hành động hỗ trợ phát triển công nghệ xanh",
        "Sở Khoa học và Công nghệ",
        _RELEVANT,
        _FRAME_2015,
    ),
    (
        "IV",
        "Xây dựng khung chính sách và kế hoạch hành động phát triển đô thị xanh",
        "Sở Xây dựng",
        _RELEVANT,
        _FRAME_2015,
    ),
    (
        "V",
        "Xây dựng và triển khai Chiến lược truyền thông tăng trưởng xanh",
        "Sở Kế hoạch và Đầu tư phối hợp với Sở Thông tin truyền thông",
        _RELEVANT,
        _FRAME_2015,
    ),
)

# Progress reports of the year, by task position in _TASKS: every version, oldest first, as
# (department, status, note, officer, month, day, version).
_Report = tuple[str, ProgressStatus, str | None, str | None, int, int, int]
_REPORTS: dict[int, tuple[_Report, ...]] = {
    0: (
        (
            "Sở Kế hoạch và Đầu tư",
            ProgressStatus.DONE,
            "Đã ban hành Kế hoạch theo Quyết định số 514/QĐ-UBND",
            "Phạm Quốc Hưng",
            12,
            10,
            1,
        ),
    ),
    1: (("Sở Kế hoạch và Đầu tư", ProgressStatus.IN_PROGRESS, None, "Phạm Quốc Hưng", 12, 11, 1),),
    4: (
        (
            "Sở Thông tin và Truyền thông",
            ProgressStatus.IN_PROGRESS,
            "Đã tổ chức 3 hội nghị tuyên truyền",
            "Võ Thị Lan",
            12,
            8,
            1,
        ),
        ("Báo Kon Tum", ProgressStatus.DONE, "Đăng 12 tin, bài về tăng trưởng xanh", "Hoàng Đức Lữ", 12, 14, 1),
    ),
    12: (
        ("Sở Tài nguyên và Môi trường", ProgressStatus.IN_PROGRESS, None, "Đặng Thị Thủy", 11, 20, 1),
        (
            "Sở Tài nguyên và Môi trường",
            ProgressStatus.BLOCKED,
            "Thiếu quỹ đất trong các cụm công nghiệp để di dời; đề nghị hỗ trợ kinh phí",
            "Đặng Thị Thủy",
            12,
            16,
            2,
        ),
    ),
    13: (("Sở Công Thương", ProgressStatus.NOT_STARTED, "Chưa bố trí được kinh phí", None, 12, 15, 1),),
}

# (name, code, state, days late)
_DEPARTMENTS: tuple[tuple[str, str, DeliveryState, int], ...] = (
    ("Sở Kế hoạch và Đầu tư", "SKHDT", DeliveryState.ON_TIME, 0),
    ("Sở Xây dựng", "SXD", DeliveryState.LATE, 5),
    ("Sở Tài nguyên và Môi trường", "STNMT", DeliveryState.LATE, 1),
    ("Sở Giao thông vận tải", "SGTVT", DeliveryState.MISSING, 17),
    ("Sở Khoa học và Công nghệ", "SKHCN", DeliveryState.PENDING, 0),
    ("Báo Kon Tum", "BKT", DeliveryState.ON_TIME, 0),
)


def _at(year: int, month: int, day: int, hour: int = 2) -> dt.datetime:
    return dt.datetime(year, month, day, hour, 30, tzinfo=UTC)


def _indicator(number: int, base: int, copy: int, shift: int) -> IndicatorLine:
    name, responsible, target, department = _INDICATORS[base]
    versions: list[FigureVersion] = []
    counts: dict[int, int] = {}
    for plan_year, value, numerator, denominator, officer, note in _FIGURES[base]:
        year = plan_year + shift
        counts[year] = counts.get(year, 0) + 1
        versions.append(
            FigureVersion(
                year=year,
                version=counts[year],
                value=Decimal(value),
                numerator=None if numerator is None else Decimal(numerator),
                denominator=None if denominator is None else Decimal(denominator),
                department=department,
                officer=officer,
                at=_at(year, 12, 10 + counts[year] * 3),
                note=note,
            )
        )
    latest = {version.year: version for version in versions}  # later versions overwrite earlier ones
    return IndicatorLine(
        number=number,
        name=name if copy == 0 else f"{name} (nhóm {copy + 1})",
        unit="%",
        responsible_text=responsible,
        timeframe_text="2013 - 2020",
        target=None if target is None else Decimal(target),
        target_year=None if target is None else 2020,
        direction=Direction.INCREASE,
        latest_by_year=latest,
        versions=tuple(versions),
    )


def _task_reports(index: int, key: str, year: int) -> tuple[tuple[TaskReport, ...], list[ProgressVersion]]:
    history = [
        ProgressVersion(
            task_key=key,
            department=department,
            version=version,
            status=status,
            note=note,
            officer=officer,
            at=_at(year, month, day),
        )
        for department, status, note, officer, month, day, version in _REPORTS.get(index, ())
    ]
    current: dict[str, ProgressVersion] = {}
    for item in history:
        current[item.department] = item
    reports = tuple(
        TaskReport(
            department=item.department,
            status=item.status,
            note=item.note,
            officer=item.officer,
            at=item.at,
            version=item.version,
        )
        for item in sorted(current.values(), key=lambda item: item.at, reverse=True)
    )
    return reports, history


def _outcome(number: int, name: str, state: DeliveryState, days_late: int, year: int) -> DeadlineOutcome:
    due = dt.date(year, 12, 15)
    delivered = None
    if state is DeliveryState.ON_TIME:
        delivered = _at(year, 12, 12)
    elif state is DeliveryState.LATE:
        delivered = _at(year, 12, 15) + dt.timedelta(days=days_late)
    return DeadlineOutcome(
        deadline_id=number,
        subject_type=SubjectType.REGIME,
        kind=DeadlineKind.ANNUAL_REPORT,
        due_on=due,
        period_year=year,
        title=f"Báo cáo năm {year} của {name}",
        task_key=None,
        indicator_number=None,
        state=state,
        delivered_at=delivered,
        days_late=days_late,
        missing_tasks=("III.2",) if state is DeliveryState.MISSING else (),
    )


def sample_summary(year: int = 2015, *, scale: int = 1) -> YearSummary:
    """Kon Tum's compile for ``year`` (figures as for 2013-2015); ``scale`` copies of every row."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    shift = year - 2015  # the figures move with the year so a later year still has data
    indicators = tuple(
        _indicator(copy * len(_INDICATORS) + base + 1, base, copy, shift)
        for copy in range(scale)
        for base in range(len(_INDICATORS))
    )

    groups: list[TaskGroupLine] = []
    history: list[ProgressVersion] = []
    for code, title in _GROUPS:
        rows = [(index, task) for index, task in enumerate(_TASKS) if task[0] == code]
        tasks: list[TaskLine] = []
        for copy in range(scale):
            for position, (index, (_, task_title, lead, coordinators, timeframe)) in enumerate(rows, start=1):
                key = f"{code}.{copy * len(rows) + position}"
                reports, versions = _task_reports(index, key, year)
                history.extend(versions)
                tasks.append(
                    TaskLine(
                        key=key,
                        title=task_title,
                        lead_text=lead,
                        coordinators_text=coordinators,
                        timeframe=timeframe,
                        reports=reports,
                    )
                )
        groups.append(TaskGroupLine(code=code, title=title, tasks=tuple(tasks)))

    departments = tuple(
        DepartmentLine(
            code=code if copy == 0 else f"{code}{copy + 1}",
            name=name if copy == 0 else f"{name} ({copy + 1})",
            outcomes=(_outcome(copy * len(_DEPARTMENTS) + n, name, state, days, year),),
        )
        for copy in range(scale)
        for n, (name, code, state, days) in enumerate(_DEPARTMENTS, start=1)
    )

    return YearSummary(
        year=year,
        heading=HEADING,
        compiled_at=_at(year, 12, 31, hour=1),
        today=dt.date(year, 12, 31),
        locked=False,
        years=(year - 2, year - 1, year),
        indicators=indicators,
        departments=departments,
        task_groups=tuple(groups),
        progress_history=tuple(history),
    )
