"""The six input kinds: their columns, types, rules, and the one Chinese -> English header map.

Everything the reader and the validator need to know about a file's columns lives here,
so a new spelling of a header is a one-line change in one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Column types understood by the validator (etl/validate.py).
TEXT, INTEGER, MONEY, DATE, DATETIME, MONTH, BOOLEAN, CHOICE, SATISFACTION = (
    "text",
    "integer",
    "money",
    "date",
    "datetime",
    "month",
    "boolean",
    "choice",
    "satisfaction",
)


@dataclass(frozen=True)
class Column:
    name: str  # English name, the name in the database
    chinese: str  # Chinese header as dealers and HQ write it
    type: str = TEXT
    required: bool = False
    choices: dict[str, str] = field(default_factory=dict)  # accepted spelling -> stored value
    personal: bool = False  # masked on the dashboard (spec section 4)
    aliases: tuple[str, ...] = ()  # further accepted header spellings
    # A DATETIME column written as two columns: the date part's spellings (报修日期), while the
    # time part is the column's own header (报修时间, requested_time); validate.py joins them.
    date_part: tuple[str, ...] = ()


def _choices(pairs: dict[str, str]) -> dict[str, str]:
    """English value -> Chinese spelling, expanded to every accepted spelling -> English value."""
    accepted = {}
    for english, chinese in pairs.items():
        accepted[english.lower()] = english
        accepted[chinese] = english
    return accepted


AREA_TYPES = _choices({"urban": "市区", "county": "郊县"})
SERVICE_TYPES = _choices({"install": "安装", "repair": "维修", "maintenance": "保养"})
STATUSES = _choices({"completed": "已完成", "returned_to_factory": "返厂", "open": "未完成"})
TICKET_TYPES = _choices({"repair_request": "报修", "complaint": "投诉", "inquiry": "咨询"})

# Satisfaction answers: the 1-5 scale or its Chinese labels (spec 2.4).
SATISFACTION_LABELS = {
    "非常满意": 5,
    "满意": 4,
    "一般": 3,
    "基本满意": 3,
    "不满意": 2,
    "非常不满意": 1,
}
# Tick and cross marks (✓ √ ✔ / × ✗ ✘) as offices fill yes/no columns (issue 10).
TRUE_SPELLINGS = ("y", "yes", "true", "t", "1", "是", "有", "对", "✓", "√", "✔")
FALSE_SPELLINGS = ("n", "no", "false", "f", "0", "否", "无", "没有", "×", "✗", "✘")


@dataclass(frozen=True)
class Kind:
    name: str
    chinese: str
    table: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    name_prefixes: tuple[str, ...]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


DEALERS = Kind(
    "dealers",
    "经销商档案",
    "dealers",
    (
        Column("dealer_id", "经销商编号", required=True),
        Column("dealer_name", "经销商名称", required=True),
        Column("region", "大区"),
        Column("province", "省份"),
        Column("city", "城市"),
        Column("area_type", "区域类型", CHOICE, required=True, choices=AREA_TYPES),
        Column("technicians", "维修人员数", INTEGER),
        Column("has_service_center", "服务网点", BOOLEAN),
        Column("joined_on", "签约日期", DATE),
        Column("left_on", "解约日期", DATE),
    ),
    key=("dealer_id",),
    name_prefixes=("dealers", "经销商"),
)

SALES = Kind(
    "sales",
    "销量",
    "sales",
    (
        Column("dealer_id", "经销商编号", required=True),
        Column("month", "月份", MONTH, required=True),
        Column("units_sold", "销量", INTEGER, required=True),
        Column("sales_amount", "结算金额", MONEY, required=True),
    ),
    key=("dealer_id", "month"),
    name_prefixes=("sales", "销量"),
)

REPAIRS = Kind(
    "repairs",
    "维修记录",
    "repairs",
    (
        Column("record_no", "维修单号", required=True),
        Column("dealer_id", "经销商编号", required=True),
        Column("report_month", "报表月份", MONTH),  # required, but may come from the file name
        Column("submitted_on", "提交日期", DATE),
        Column("hq_ticket_id", "总部工单号"),
        Column("customer_name", "用户姓名", personal=True),
        Column("customer_phone", "联系电话", personal=True),
        Column("address", "地址", personal=True),
        Column("product_model", "产品型号"),
        Column("serial_no", "机身编号"),
        Column("purchase_date", "购买日期", DATE),
        Column("service_type", "服务类型", CHOICE, required=True, choices=SERVICE_TYPES),
        Column("fault_category", "故障类别"),
        Column(
            "requested_at",
            "报修时间",
            DATETIME,
            required=True,
            aliases=("requested_time",),
            date_part=("报修日期", "requested_date"),
        ),
        Column("arrived_at", "上门时间", DATETIME, aliases=("arrived_time",), date_part=("上门日期", "arrived_date")),
        Column(
            "completed_at", "完成时间", DATETIME, aliases=("completed_time",), date_part=("完成日期", "completed_date")
        ),
        Column("status", "状态", CHOICE, required=True, choices=STATUSES),
        Column("in_warranty", "保修期内", BOOLEAN),
        Column("labor_fee", "人工费", MONEY),
        Column("parts_fee", "配件费", MONEY),
        Column("technician", "维修人员"),
        Column("customer_signed", "用户签字", BOOLEAN),
        Column("dealer_callback", "经销商回访", BOOLEAN),
    ),
    key=("dealer_id", "record_no"),
    name_prefixes=("repairs", "维修"),
)

CALLBACKS = Kind(
    "callbacks",
    "总部回访记录",
    "callbacks",
    (
        Column("callback_id", "回访编号", required=True),
        Column("record_no", "维修单号", required=True),
        Column("dealer_id", "经销商编号", required=True),
        Column(
            "called_at",
            "回访时间",
            DATETIME,
            required=True,
            aliases=("called_time",),
            date_part=("回访日期", "called_date"),
        ),
        Column("reached", "是否接通", BOOLEAN, required=True),
        Column("service_confirmed", "服务属实", BOOLEAN),
        Column("resolved", "问题已解决", BOOLEAN),
        Column("on_time", "按约上门", BOOLEAN),
        Column("satisfaction", "满意度", SATISFACTION),
        Column("complaint", "投诉", BOOLEAN),
        Column("conduct_issue", "违规行为"),
        Column("comment", "意见"),
    ),
    key=("callback_id",),
    name_prefixes=("callbacks", "回访"),
)

HOTLINE = Kind(
    "hotline",
    "400热线工单",
    "hotline",
    (
        Column("ticket_id", "工单号", required=True),
        Column(
            "received_at",
            "受理时间",
            DATETIME,
            required=True,
            aliases=("received_time",),
            date_part=("受理日期", "received_date"),
        ),
        Column("dealer_id", "经销商编号", required=True),
        Column("ticket_type", "工单类型", CHOICE, required=True, choices=TICKET_TYPES),
        Column("customer_phone", "联系电话", personal=True),
        Column("record_no", "维修单号"),
        Column("verified", "查实", BOOLEAN),
    ),
    key=("ticket_id",),
    name_prefixes=("hotline", "热线"),
)

NOTICES = Kind(
    "notices",
    "媒体曝光/通报",
    "notices",
    (
        Column("notice_id", "编号", required=True),
        Column("dealer_id", "经销商编号", required=True),
        Column("notice_date", "日期", DATE, required=True),
        Column("source", "来源"),
        Column("description", "内容"),
    ),
    key=("notice_id",),
    name_prefixes=("notices", "通报"),
)

# Load order of spec 2.7: dealers first, so later kinds can check dealer ids.
KINDS: tuple[Kind, ...] = (DEALERS, SALES, REPAIRS, CALLBACKS, HOTLINE, NOTICES)
KIND_BY_NAME = {k.name: k for k in KINDS}


def header_map(kind: Kind) -> dict[str, str]:
    """Every accepted header spelling of a kind (English lower-cased, Chinese) -> column name."""
    mapping = {}
    for col in kind.columns:
        for spelling in (col.name, col.chinese, *col.aliases):
            mapping[normalise_header(spelling)] = col.name
    return mapping


def date_part_map(kind: Kind) -> dict[str, str]:
    """Header spellings of the date part of a DATETIME column written as two columns -> column name."""
    return {normalise_header(spelling): col.name for col in kind.columns for spelling in col.date_part}


_FULL_WIDTH = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)}
_FULL_WIDTH[0x3000] = 0x20  # ideographic space


def normalise_text(value: str) -> str:
    """Full-width ASCII to half-width and trimmed: the same rule the SQL cleaner applies."""
    return value.translate(_FULL_WIDTH).replace("\u00a0", " ").strip()


_BLANKS = re.compile(r"[\s_]+")
# A unit in brackets at the end (人工费(元), 销量[台], 配件费【元】), a required-mark `*` in front,
# a colon at the end (状态：): decorations people add to a header, not part of its name.
_DECORATION = re.compile(r"^\*+|[:]+$|(?<=.)(\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】)$")


def normalise_header(value: str) -> str:
    """Header cells match ignoring case, blanks (full-width too), line breaks, underscores, a
    trailing unit in brackets, a leading `*` and a trailing colon: `*人工费\n(元)：` is 人工费."""
    text = _BLANKS.sub("", normalise_text(str(value)).lower())
    while True:
        stripped = _DECORATION.sub("", text)
        if stripped == text:
            return text
        text = stripped
