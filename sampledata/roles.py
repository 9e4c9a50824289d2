"""The demo's cast: how each kind of dealer behaves and which dealer plays which planted part."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Profile:
    """How a kind of dealer behaves; ranges are drawn per dealer."""

    size: tuple[float, float]  # typical repair records a month (log-uniform)
    units_per_repair: tuple[float, float]  # units sold per repair record
    satisfied: tuple[float, float]  # share of answers 4-5
    top_share: float  # of those, share of 5
    dissatisfied_share: float  # of the other answers, share of 1-2
    callback_complaint: float
    unresolved: float
    open_rate: float
    arrival_hours: float  # median hours to arrive in town (x2 in a county)
    arrival_spread: float
    dealer_callback: tuple[float, float]
    signed: float
    conduct: float
    hotline_complaints: float  # complaint tickets a month, plus ...
    complaints_per_service: float  # ... a share of services
    verified: float
    unanswered: float  # share of hotline repair requests left unanswered
    late: float  # chance a month's report comes after the 15th
    repeat: float  # share of repairs that are repeats
    technicians: tuple[int, int]
    on_time_days: tuple[int, int] = (3, 13)  # submission day in the next month when on time
    fake: float = 0.0
    service_center: bool = True
    scaled: bool = True  # size follows the overall target volume


EXCELLENT = Profile(
    size=(50, 160),
    units_per_repair=(12, 20),
    satisfied=(0.998, 0.9995),
    top_share=0.8,
    dissatisfied_share=0.3,
    callback_complaint=0.001,
    unresolved=0.0005,
    open_rate=0.001,
    arrival_hours=3.0,
    arrival_spread=0.8,
    dealer_callback=(0.35, 0.6),
    signed=0.99,
    conduct=0.0,
    hotline_complaints=0.06,
    complaints_per_service=0.0,
    verified=0.05,
    unanswered=0.01,
    late=0.0,
    repeat=0.015,
    technicians=(3, 12),
    on_time_days=(2, 12),
)
ORDINARY = Profile(
    size=(15, 120),
    units_per_repair=(8, 16),
    satisfied=(0.86, 0.95),
    top_share=0.6,
    dissatisfied_share=0.3,
    callback_complaint=0.015,
    unresolved=0.015,
    open_rate=0.015,
    arrival_hours=5.0,
    arrival_spread=0.9,
    dealer_callback=(0.3, 0.55),
    signed=0.95,
    conduct=0.004,
    hotline_complaints=0.05,
    complaints_per_service=0.004,
    verified=0.45,
    unanswered=0.04,
    late=0.03,
    repeat=0.03,
    technicians=(1, 8),
    on_time_days=(4, 15),
)
POOR = Profile(
    size=(30, 120),
    units_per_repair=(5, 9),
    satisfied=(0.84, 0.90),
    top_share=0.45,
    dissatisfied_share=0.5,
    callback_complaint=0.07,
    unresolved=0.05,
    open_rate=0.04,
    arrival_hours=12.0,
    arrival_spread=1.0,
    dealer_callback=(0.08, 0.2),
    signed=0.8,
    conduct=0.03,
    hotline_complaints=0.3,
    complaints_per_service=0.02,
    verified=0.7,
    unanswered=0.2,
    late=0.15,
    repeat=0.07,
    technicians=(1, 4),
    on_time_days=(6, 15),
)

PROFILES = {
    "excellent": EXCELLENT,
    "complaints": replace(EXCELLENT, units_per_repair=(1.2, 1.8), hotline_complaints=1.0, verified=0.85),
    "satisfaction": replace(EXCELLENT, satisfied=(0.91, 0.93), top_share=0.6, dissatisfied_share=0.35),
    "evidence": replace(EXCELLENT, size=(4, 6), scaled=False),
    "late": replace(EXCELLENT, late=0.35),
    "missing": EXCELLENT,
    "network": EXCELLENT,
    "notice": EXCELLENT,
    "ordinary": ORDINARY,
    "poor": POOR,
}
ROLE_IDS = {
    "excellent": (
        "JX101",
        "JX103",
        "JX108",
        "JX112",
        "JX117",
        "JX121",
        "JX126",
        "JX130",
        "JX135",
        "JX139",
        "JX144",
        "JX148",
        "JX153",
        "JX157",
        "JX162",
        "JX166",
        "JX171",
        "JX175",
        "JX180",
        "JX184",
        "JX189",
        "JX193",
        "JX198",
        "JX203",
        "JX210",
        "JX219",
    ),
    "complaints": ("JX106", "JX142", "JX187"),
    "satisfaction": ("JX114", "JX159", "JX201"),
    "evidence": ("JX124", "JX208"),
    "late": ("JX119", "JX168", "JX214"),
    "missing": ("JX133", "JX177"),
    "network": ("JX128", "JX151", "JX196"),
    "notice": ("JX137", "JX173", "JX205"),
    "poor": ("JX111", "JX146", "JX155", "JX182", "JX191", "JX216", "JX222", "JX227"),
}
FAKE_RATE = {"JX146": 0.06, "JX191": 0.05, "JX222": 0.08}
NETWORK_GAPS = {"JX128": (0, True), "JX151": (3, False), "JX196": (0, False), "JX227": (2, False)}
# Award-year months without a report (spec 3.2 deduction needs 3 consecutive).
MISSING_MONTHS = {"JX133": (5, 6, 7), "JX177": (2, 9), "JX216": (11, 12)}
LATE_DEALERS = ROLE_IDS["late"]
# Contract changes on ('award', month, day) of the award year or ('span', month index, day).
JOINERS = {"JX223": ("award", 3, 18), "JX226": ("award", 9, 1), "JX228": ("span", 19, 10)}
LEAVERS = {"JX115": ("award", 6, 30), "JX160": ("award", 10, 31), "JX199": ("span", 21, 31)}
NOTICE_EVENTS = (  # dealer, (award-year or span, month, day), source template, description
    ("JX191", ("span", 1, 5), "{province}12315平台", "多名用户反映维修后乱收费，平台通报"),
    ("JX137", ("award", 3, 18), "{city}电视台《民生直通车》", "维修人员虚报配件更换被媒体曝光"),
    ("JX173", ("award", 8, 6), "{city}市场监督管理局", "以旧配件冒充新配件，被市场监管部门通报"),
    ("JX205", ("award", 11, 20), "{province}消费者权益保护委员会", "用户投诉多次上门未修好，消委会通报"),
    ("JX155", ("span", 18, 12), "今日头条 · {city}", "服务人员态度恶劣的视频在网络传播"),
)
# Dealer-months delivered outside the consolidated monthly file: dealer, award-year month or span index.
SINGLE_CSV = (("JX118", ("award", 2)), ("JX140", ("award", 7)), ("JX163", ("span", 16)))
SINGLE_XLSX = (("JX176", ("award", 9)),)
BAD_FILE = ("JX182", ("award", 8))
RESUBMISSION = ("JX105", ("award", 6))
