"""Deterministic demo data set: realistic, messy input files in the formats of spec section 2.

`generate(out_dir, seed, end_month)` writes 61 files, flat, into `out_dir` and returns their
paths. The same seed and end month give byte-identical files (Excel files included: fixed
document timestamps and zip entry times). The data covers the 24 months ending with
`end_month` (default: the month before the current one). The "award year" is the last complete
calendar year of that span; names and counts below are for the defaults (seed 20260101, span
2024-11..2026-10, award year 2025). Dealer roles are fixed by id; the seed only draws the values.

Contents (default): 128 dealers, about 148,700 repair records (+11 bad rows, +1 bad file),
21,400 HQ callbacks (14 % of the records, 80 % reached), 19,600 hotline tickets (13,100 repair
requests of which 96 % answered, 1,060 complaints, 5,400 inquiries), 5 notices and 3,009
dealer-month sales rows.

Dealers (`dealers.xlsx`: title block, Chinese headers, real Excel dates, phones as numbers, two
extra contact columns): JX101..JX228, an urban (市区) and a county (郊县) dealer in each of 64
cities of seven regions; JX101 is 杭州西湖家电服务部 as in the spec's example.

- Excellent, eligible for the award: JX101 JX103 JX108 JX112 JX117 JX121 JX126 JX130 JX135
  JX139 JX144 JX148 JX153 JX157 JX162 JX166 JX171 JX175 JX180 JX184 JX189 JX193 JX198 JX203
  JX210 JX219 (26 of the 127 dealers under contract in 2025).
- Otherwise excellent, each failing exactly one criterion:
  complaints (few units sold, several verified hotline complaints): JX106 JX142 JX187;
  satisfaction (88-97 % satisfied): JX114 JX159 JX201;
  evidence (tiny dealers, about 10 answered callbacks a year): JX124 JX208;
  reports, late (3-5 months of 2025 submitted after the 15th): JX119 JX168 JX214;
  reports, missing: JX133 (May-July 2025, three in a row: the missing-report deduction) and
  JX177 (February and September 2025);
  network: JX128 (0 technicians), JX151 (no service center), JX196 (neither);
  notices in 2025: JX137 (television), JX173 (market regulator), JX205 (consumer council).
- Poor service: JX111 JX146 JX155 JX182 JX191 JX216 JX222 JX227. Low satisfaction, many
  complaints for their sales, about 70 % on-time arrivals, dealer callbacks below 25 %, a fifth
  of their hotline requests unanswered, some late reports, and three "crisis" months each that
  breach the 10 % controls (complaint rate, miss rate, dissatisfaction rate). JX146, JX191 and
  JX222 have fake records (reached callbacks with service_confirmed = N; fake-record penalty);
  JX216 has no reports for November and December 2025; JX227 has no service center; JX191
  (2024-12) and JX155 (2026-05) have notices outside the award year.
- Contract changes: JX223 joins 2025-03-18, JX226 2025-09-01, JX228 2026-06-10; JX115 leaves
  2025-06-30, JX160 2025-10-31, JX199 2026-08-31.
- Everybody else is ordinary (86-95 % satisfied, so they fail the satisfaction criterion; small
  ones also lack evidence); a few are late now and then, and small ones breach a control in a
  month when one unhappy customer is a large share.

Files:
- `repairs_YYYY-MM.csv`, one per month, many dealers each; the layout changes month by month:
  English or Chinese headers and choice values, UTF-8 with or without BOM, shuffled columns,
  purchase_date left out, several spellings of dates, months, booleans and money, a few
  full-width digits and padded dealer ids. Serial numbers repeat within 30 days for repeat
  repairs (now and then at the town dealer of the same city), and records answering a hotline
  repair request carry its ticket id in hq_ticket_id.
- Dealer-months delivered alone, like the spec's example (and absent from the monthly file):
  GBK CSVs with a title line, no report_month column and a 合计 row, `维修_JX118_202502.csv`,
  `维修_JX140_202507.csv`, `维修_JX163_202603.csv`; an Excel report with a title block and totals
  row, `维修_JX176_202509.xlsx`.
- Resubmission: JX105's June 2025 report, first in `repairs_2025-06.csv` (on time, two records
  missing, two labor fees with an extra zero, one record wrongly open), again in
  `repairs_JX105_2025-06_v2.csv`, corrected and submitted 18 days later.
- `callbacks_YYYY-MM.xlsx` by month of called_at, with a title block like the example: 10-20 %
  of every delivered dealer-month, called a few days after the report came in (so October
  2026's records have none yet). Headers, booleans (是/否, Y/N, Excel booleans, 1/0) and
  satisfaction (labels or digits 1-5) vary by month; called_at is text in one month and Excel
  serial numbers in another (callbacks_2025-09.xlsx).
- `hotline_2024.csv`, `hotline_2025.csv`, `hotline_2026.csv` (three layouts): repair requests,
  complaints (verified Y, N or blank; some about a record that also has a callback complaint, so
  the two must merge) and inquiries. Records of missing or rejected dealer-months never reach
  the database, so their tickets count as unanswered.
- `sales_2024.xlsx` (numbers as numbers), `sales_2025.csv` (months 202501, some full-width
  digits), `sales_2026.csv` (GBK, Chinese headers, months 2026年1月); `notices.csv` (BOM).

The data set stands as of the first day after its last month: no report is submitted later (the
loader rejects a submission date after the load date), so the last month's reports, due by the
15th, are all dated that day.

Deliberate problems: 11 bad rows, each a different reason, none with a callback or ticket:
unknown dealer JX999 (repairs_2025-02.csv), arrived_at before requested_at (repairs_2025-04.csv),
duplicate record_no (repairs_2025-07.csv), status 换机 (repairs_2025-09.csv), negative
parts_fee (repairs_2025-10.csv), requested_at 上周五下午 (repairs_2026-01.csv), completed_at
before arrived_at (repairs_2026-03.csv), satisfaction 很好 (callbacks_2025-05.xlsx), a callback
on a record that does not exist (callbacks_2026-02.xlsx), ticket type 表扬 (hotline_2026.csv)
and a repeated dealer-month (sales_2025.csv). One file is rejected whole:
`维修_JX182_202508.csv` has no 服务类型 (service_type) column, so JX182's August 2025 report
counts as missing.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import pathlib
import zipfile
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.writer.excel import ExcelWriter

from etl.schema import (
    CALLBACKS, DEALERS, HOTLINE, NOTICES, REPAIRS, SALES, SATISFACTION_LABELS, SERVICE_TYPES,
    STATUSES, TICKET_TYPES, AREA_TYPES, Kind,
)

__all__ = ["generate"]

SPAN_MONTHS = 24
TARGET_RECORDS = 150_000
DAY = 1440  # minutes
FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)

# ---------------------------------------------------------------- reference data

# region, province, city, urban district, county: one urban and one county dealer per row.
LOCATIONS = (
    ("华东", "浙江省", "杭州市", "西湖区", "桐庐县"), ("华东", "浙江省", "宁波市", "海曙区", "象山县"),
    ("华东", "浙江省", "温州市", "鹿城区", "永嘉县"), ("华东", "浙江省", "金华市", "婺城区", "浦江县"),
    ("华东", "上海市", "上海市", "浦东新区", "崇明区"), ("华东", "江苏省", "南京市", "鼓楼区", "溧水区"),
    ("华东", "江苏省", "苏州市", "姑苏区", "常熟市"), ("华东", "江苏省", "无锡市", "梁溪区", "江阴市"),
    ("华东", "江苏省", "徐州市", "云龙区", "沛县"), ("华东", "江苏省", "南通市", "崇川区", "如东县"),
    ("华东", "安徽省", "合肥市", "蜀山区", "肥西县"), ("华东", "安徽省", "芜湖市", "镜湖区", "南陵县"),
    ("华东", "福建省", "福州市", "鼓楼区", "闽侯县"), ("华东", "福建省", "泉州市", "丰泽区", "安溪县"),
    ("华东", "江西省", "南昌市", "东湖区", "进贤县"), ("华东", "山东省", "济南市", "历下区", "平阴县"),
    ("华东", "山东省", "青岛市", "市南区", "胶州市"), ("华东", "山东省", "潍坊市", "奎文区", "临朐县"),
    ("华北", "北京市", "北京市", "朝阳区", "密云区"), ("华北", "天津市", "天津市", "南开区", "蓟州区"),
    ("华北", "河北省", "石家庄市", "长安区", "正定县"), ("华北", "河北省", "保定市", "竞秀区", "涞水县"),
    ("华北", "河北省", "唐山市", "路北区", "迁安市"), ("华北", "山西省", "太原市", "小店区", "清徐县"),
    ("华北", "山西省", "大同市", "平城区", "阳高县"), ("华北", "内蒙古自治区", "呼和浩特市", "新城区", "托克托县"),
    ("华南", "广东省", "广州市", "天河区", "从化区"), ("华南", "广东省", "惠州市", "惠城区", "博罗县"),
    ("华南", "广东省", "佛山市", "禅城区", "高明区"), ("华南", "广东省", "汕头市", "金平区", "南澳县"),
    ("华南", "广东省", "湛江市", "赤坎区", "遂溪县"), ("华南", "广西壮族自治区", "南宁市", "青秀区", "宾阳县"),
    ("华南", "广西壮族自治区", "桂林市", "秀峰区", "阳朔县"), ("华南", "海南省", "海口市", "龙华区", "澄迈县"),
    ("华中", "河南省", "郑州市", "金水区", "中牟县"), ("华中", "河南省", "洛阳市", "西工区", "宜阳县"),
    ("华中", "河南省", "南阳市", "卧龙区", "镇平县"), ("华中", "湖北省", "武汉市", "江汉区", "新洲区"),
    ("华中", "湖北省", "宜昌市", "西陵区", "当阳市"), ("华中", "湖北省", "襄阳市", "樊城区", "谷城县"),
    ("华中", "湖南省", "长沙市", "岳麓区", "宁乡市"), ("华中", "湖南省", "衡阳市", "蒸湘区", "衡山县"),
    ("华中", "湖南省", "岳阳市", "岳阳楼区", "华容县"),
    ("西南", "重庆市", "重庆市", "渝中区", "垫江县"), ("西南", "四川省", "成都市", "锦江区", "大邑县"),
    ("西南", "四川省", "绵阳市", "涪城区", "三台县"), ("西南", "四川省", "南充市", "顺庆区", "蓬安县"),
    ("西南", "贵州省", "贵阳市", "云岩区", "修文县"), ("西南", "贵州省", "遵义市", "汇川区", "湄潭县"),
    ("西南", "云南省", "昆明市", "五华区", "宜良县"), ("西南", "云南省", "曲靖市", "麒麟区", "陆良县"),
    ("西北", "陕西省", "西安市", "雁塔区", "蓝田县"), ("西北", "陕西省", "宝鸡市", "渭滨区", "岐山县"),
    ("西北", "甘肃省", "兰州市", "城关区", "榆中县"), ("西北", "宁夏回族自治区", "银川市", "兴庆区", "永宁县"),
    ("西北", "青海省", "西宁市", "城西区", "大通县"), ("西北", "新疆维吾尔自治区", "乌鲁木齐市", "天山区", "乌鲁木齐县"),
    ("东北", "辽宁省", "沈阳市", "和平区", "康平县"), ("东北", "辽宁省", "大连市", "中山区", "长海县"),
    ("东北", "辽宁省", "鞍山市", "铁东区", "台安县"), ("东北", "吉林省", "长春市", "朝阳区", "农安县"),
    ("东北", "吉林省", "吉林市", "船营区", "永吉县"), ("东北", "黑龙江省", "哈尔滨市", "南岗区", "宾县"),
    ("东北", "黑龙江省", "齐齐哈尔市", "龙沙区", "克山县"),
)
NAME_SUFFIXES = ("家电服务部", "家电维修中心", "电器服务站", "售后服务中心", "家电服务有限公司", "电器维修部",
                 "电器商行")
COUNTY_BRANDS = ("恒信", "永安", "顺达", "金鼎", "宏达", "鑫源", "万家", "诚信", "安达", "惠民", "康泰",
                 "新世纪", "联华", "瑞丰", "佳美", "兴旺")

SURNAMES = tuple("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
                 "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严")
GIVEN_CHARS = tuple("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华红玉梅建国志文斌宇浩凯鹏晨欣怡佳琪俊"
                    "海燕雪峰林波辉丹萍莉婷慧颖军荣新春德福生晓东亮")
STREETS = ("人民路", "解放路", "中山路", "建设路", "新华路", "文化路", "胜利路", "和平路", "长江路", "黄河路",
           "光明路", "朝阳路", "学府路", "滨江路", "文三路", "青年路", "迎宾大道", "工业路", "体育路", "环城北路")
COMMUNITIES = ("阳光花园", "锦绣家园", "金色港湾", "翠苑", "东方名城", "幸福里", "御景湾", "世纪花城",
               "碧桂园", "绿城小区", "万科城", "丽都花园", "新村", "职工宿舍", "名仕苑", "滨江花园")
TOWNS = ("城关", "新安", "永丰", "太平", "长安", "东风", "红星", "石桥", "白沙", "青山", "黄土", "双河")
VILLAGES = ("李家", "王庄", "张湾", "河口", "大坪", "新民", "胜利", "前进", "上塘", "下河", "柳树", "杨家")
MOBILE_PREFIXES = (130, 131, 132, 133, 135, 136, 137, 138, 139, 150, 151, 152, 153, 155, 156, 157,
                   158, 159, 166, 177, 180, 181, 182, 183, 186, 187, 188, 189, 199)

# family, share of records, warranty years, models, faults for repairs, maintenance jobs
PRODUCTS = (
    ("空调", 0.38, 6, ("KFR-26GW", "KFR-35GW", "KFR-35GW/BpR3", "KFR-50LW", "KFR-72LW", "KFR-51LW/WCBA3"),
     ("不制冷", "不制热", "漏水", "噪音大", "不开机", "显示故障代码", "遥控失灵", "有异味"), ("清洗保养", "加氟")),
    ("洗衣机", 0.22, 3, ("XQG100-B14", "XQG80-B12", "XQB80-M21", "XQB100-BZ266", "XQG120-HBD14"),
     ("不脱水", "不排水", "漏水", "噪音大", "不开机", "门锁故障", "不进水"), ("清洗保养",)),
    ("冰箱", 0.18, 3, ("BCD-470W", "BCD-218TNM", "BCD-535WKPZM", "BCD-329WDPZ", "BCD-603WDGX"),
     ("不制冷", "冷藏结冰", "噪音大", "漏水", "不开机", "门封不严"), ("保养检查",)),
    ("热水器", 0.14, 3, ("JSQ25-13UTS", "ES60H-C6", "ES80H-Y5", "JSQ30-16WH5"),
     ("不加热", "漏水", "点不着火", "水温不稳", "显示故障代码"), ("除垢保养",)),
    ("厨电", 0.08, 1, ("CXW-200-E900C6", "JZT-Q361B", "CXW-260-K1", "JZY-QE5B"),
     ("吸力小", "噪音大", "点不着火", "漏电", "不开机"), ("清洗保养",)),
)
SEASON = np.array([0.85, 0.8, 0.85, 0.9, 1.0, 1.25, 1.4, 1.35, 1.1, 0.95, 0.9, 0.9])  # Jan..Dec
CONDUCT_ISSUES = ("收礼", "吸烟", "未穿鞋套", "乱收费")
COMMENTS = {
    5: ("", "", "", "师傅很专业", "服务态度好", "上门很及时", "非常满意"),
    4: ("", "", "", "还可以", "师傅挺好", "修好了"),
    3: ("等的时间有点长", "一般", "收费有点贵", ""),
    2: ("上门太慢", "问题没彻底解决", "态度不好"),
    1: ("修了两次还是坏", "师傅不守时", "收费不合理"),
    0: ("不愿评价", ""),
}
UNREACHED_COMMENTS = ("无人接听", "关机", "空号", "拒接", "占线", "")


def _english_to_chinese(choices: dict[str, str]) -> dict[str, str]:
    """English stored value -> its Chinese spelling, from a schema choice map."""
    return {english: spelling for spelling, english in choices.items() if not spelling.isascii()}


SERVICE_ZH = _english_to_chinese(SERVICE_TYPES)
STATUS_ZH = _english_to_chinese(STATUSES)
TICKET_ZH = _english_to_chinese(TICKET_TYPES)
AREA_ZH = _english_to_chinese(AREA_TYPES)
SATISFACTION_ZH: dict[int, str] = {}
for _label, _score in SATISFACTION_LABELS.items():
    SATISFACTION_ZH.setdefault(_score, _label)

# ---------------------------------------------------------------- dealer roles and profiles


@dataclass(frozen=True)
class Profile:
    """How a kind of dealer behaves; ranges are drawn per dealer."""

    size: tuple[float, float]             # typical repair records a month (log-uniform)
    units_per_repair: tuple[float, float]  # units sold per repair record
    satisfied: tuple[float, float]        # share of answers 4-5
    top_share: float                      # of those, share of 5
    dissatisfied_share: float             # of the other answers, share of 1-2
    callback_complaint: float
    unresolved: float
    open_rate: float
    arrival_hours: float                  # median hours to arrive in town (x2 in a county)
    arrival_spread: float
    dealer_callback: tuple[float, float]
    signed: float
    conduct: float
    hotline_complaints: float             # complaint tickets a month, plus ...
    complaints_per_service: float         # ... a share of services
    verified: float
    unanswered: float                     # share of hotline repair requests left unanswered
    late: float                           # chance a month's report comes after the 15th
    repeat: float                         # share of repairs that are repeats
    technicians: tuple[int, int]
    on_time_days: tuple[int, int] = (3, 13)  # submission day in the next month when on time
    fake: float = 0.0
    service_center: bool = True
    scaled: bool = True                   # size follows the overall target volume


EXCELLENT = Profile(
    size=(50, 160), units_per_repair=(12, 20), satisfied=(0.998, 0.9995), top_share=0.8,
    dissatisfied_share=0.3, callback_complaint=0.001, unresolved=0.0005, open_rate=0.001,
    arrival_hours=3.0, arrival_spread=0.8, dealer_callback=(0.35, 0.6), signed=0.99, conduct=0.0,
    hotline_complaints=0.06, complaints_per_service=0.0, verified=0.05, unanswered=0.01, late=0.0,
    repeat=0.015, technicians=(3, 12), on_time_days=(2, 12))
ORDINARY = Profile(
    size=(15, 120), units_per_repair=(8, 16), satisfied=(0.86, 0.95), top_share=0.6,
    dissatisfied_share=0.3, callback_complaint=0.015, unresolved=0.015, open_rate=0.015,
    arrival_hours=5.0, arrival_spread=0.9, dealer_callback=(0.3, 0.55), signed=0.95, conduct=0.004,
    hotline_complaints=0.05, complaints_per_service=0.004, verified=0.45, unanswered=0.04, late=0.03,
    repeat=0.03, technicians=(1, 8), on_time_days=(4, 15))
POOR = Profile(
    size=(30, 120), units_per_repair=(5, 9), satisfied=(0.84, 0.90), top_share=0.45,
    dissatisfied_share=0.5, callback_complaint=0.07, unresolved=0.05, open_rate=0.04,
    arrival_hours=12.0, arrival_spread=1.0, dealer_callback=(0.08, 0.2), signed=0.8, conduct=0.03,
    hotline_complaints=0.3, complaints_per_service=0.02, verified=0.7, unanswered=0.2, late=0.15,
    repeat=0.07, technicians=(1, 4), on_time_days=(6, 15))

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
    "excellent": ("JX101", "JX103", "JX108", "JX112", "JX117", "JX121", "JX126", "JX130", "JX135",
                  "JX139", "JX144", "JX148", "JX153", "JX157", "JX162", "JX166", "JX171", "JX175",
                  "JX180", "JX184", "JX189", "JX193", "JX198", "JX203", "JX210", "JX219"),
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


# ---------------------------------------------------------------- the span of months


@dataclass(frozen=True)
class Span:
    """The 24 months of the demo set and the award year inside them."""

    months: np.ndarray  # datetime64[M]

    @property
    def start(self) -> np.datetime64:
        return self.months[0].astype("datetime64[D]")

    @property
    def end(self) -> np.datetime64:
        """First day after the last month."""
        return (self.months[-1] + 1).astype("datetime64[D]")

    @property
    def award_year(self) -> int:
        last = self.months[-1].astype(object)
        return last.year if last.month == 12 else last.year - 1

    def index(self, when: tuple[str, int]) -> int | None:
        """Span index of ('award', month) or ('span', index); None when outside the span."""
        place, number = when
        if place == "span":
            return number if 0 <= number < len(self.months) else None
        wanted = np.datetime64(f"{self.award_year}-{number:02d}", "M")
        found = np.nonzero(self.months == wanted)[0]
        return int(found[0]) if len(found) else None

    def date(self, when: tuple[str, int, int]) -> np.datetime64:
        """A day given as ('award', month, day) or ('span', month index, day), clipped to the month."""
        place, number, day = when
        month = (np.datetime64(f"{self.award_year}-{number:02d}", "M") if place == "award"
                 else self.months[min(number, len(self.months) - 1)])
        last_day = int(((month + 1).astype("datetime64[D]") - month.astype("datetime64[D]")).astype(int))
        return month.astype("datetime64[D]") + min(day, last_day) - 1


def _default_end_month() -> str:
    """The month before the current one."""
    first = dt.date.today().replace(day=1)
    return (first - dt.timedelta(days=1)).strftime("%Y-%m")


def _span(end_month: str) -> Span:
    last = np.datetime64(end_month, "M")
    return Span(months=np.arange(last - (SPAN_MONTHS - 1), last + 1))


# ---------------------------------------------------------------- dealers


def _role(dealer_id: str) -> str:
    return next((role for role, ids in ROLE_IDS.items() if dealer_id in ids), "ordinary")


def _dealer_places() -> pd.DataFrame:
    """Identity of the 128 dealers: id, name, location, area type (not seeded)."""
    rows = []
    for number, (region, province, city, district, county) in enumerate(LOCATIONS):
        for urban in (True, False):
            index = len(rows)
            place = district if urban else county
            suffix = NAME_SUFFIXES[(number * 3 + (0 if urban else 4)) % len(NAME_SUFFIXES)]
            name = (f"{_short(city)}{_short(place)}{suffix}" if urban
                    else f"{_short(place)}{COUNTY_BRANDS[number % len(COUNTY_BRANDS)]}{suffix}")
            if index == 0:
                name = "杭州西湖家电服务部"  # the spec's example dealer
            rows.append({"dealer_id": f"JX{101 + index}", "dealer_name": name, "region": region,
                         "province": province, "city": city, "place": place,
                         "area_type": "urban" if urban else "county"})
    return pd.DataFrame(rows)


def _short(place: str) -> str:
    """杭州市 -> 杭州, 浦东新区 -> 浦东, 沛县 stays (too short to cut)."""
    for ending in ("新区", "区", "县", "市"):
        if place.endswith(ending) and len(place) - len(ending) >= 2:
            return place[: -len(ending)]
    return place


def _draw(rng: np.random.Generator, bounds: np.ndarray, log: bool = False) -> np.ndarray:
    """One uniform (or log-uniform) draw per row of a (n, 2) array of bounds."""
    low, high = bounds[:, 0].astype(float), bounds[:, 1].astype(float)
    if log:
        return np.exp(np.log(low) + rng.random(len(low)) * (np.log(high) - np.log(low)))
    return low + rng.random(len(low)) * (high - low)


def _dealers(rng: np.random.Generator, span: Span) -> pd.DataFrame:
    """The roster with each dealer's contract, network and drawn behaviour."""
    dealers = _dealer_places()
    dealers["role"] = dealers["dealer_id"].map(_role)
    profiles = [PROFILES[r] for r in dealers["role"]]
    n = len(dealers)

    def bounds(field_name):
        return np.array([getattr(p, field_name) for p in profiles], dtype=float)

    dealers["size"] = _draw(rng, bounds("size"), log=True)
    dealers["units_per_repair"] = _draw(rng, bounds("units_per_repair"))
    dealers["satisfied"] = _draw(rng, bounds("satisfied"))
    dealers["dealer_callback"] = _draw(rng, bounds("dealer_callback"))
    dealers["unit_price"] = rng.uniform(2200, 4200, n).round(-1)
    tech = bounds("technicians")
    dealers["technicians"] = rng.integers(tech[:, 0].astype(int), tech[:, 1].astype(int) + 1)
    dealers["has_service_center"] = True
    for dealer_id, (technicians, center) in NETWORK_GAPS.items():
        row = dealers["dealer_id"] == dealer_id
        dealers.loc[row, "technicians"] = technicians
        dealers.loc[row, "has_service_center"] = center
    for name in ("top_share", "dissatisfied_share", "callback_complaint", "unresolved", "open_rate",
                 "arrival_hours", "arrival_spread", "signed", "conduct", "hotline_complaints",
                 "complaints_per_service", "verified", "unanswered", "late", "repeat"):
        dealers[name] = [getattr(p, name) for p in profiles]
    dealers["on_time_low"] = [p.on_time_days[0] for p in profiles]
    dealers["on_time_high"] = [p.on_time_days[1] for p in profiles]
    dealers["scaled"] = [p.scaled for p in profiles]
    dealers["fake"] = dealers["dealer_id"].map(FAKE_RATE).fillna(0.0)
    _contract_dates(rng, dealers, span)
    dealers["record_style"] = [("dealer" if i % 9 == 4 else "numeric" if i % 9 == 7 else "wx")
                               for i in range(n)]
    dealers["contact"] = _person_names(rng, n)
    dealers["contact_phone"] = _phones(rng, n).astype(np.int64)
    return dealers


def _contract_dates(rng: np.random.Generator, dealers: pd.DataFrame, span: Span) -> None:
    """joined_on years ago for most; a few join or leave inside the span."""
    earliest, latest = np.datetime64("2009-03-01"), span.start - 400
    offsets = rng.integers(0, int((latest - earliest).astype(int)), len(dealers))
    dealers["joined_on"] = earliest + offsets
    dealers["left_on"] = np.full(len(dealers), np.datetime64("NaT", "D"))
    for dealer_id, when in JOINERS.items():
        dealers.loc[dealers["dealer_id"] == dealer_id, "joined_on"] = span.date(when)
    for dealer_id, when in LEAVERS.items():
        dealers.loc[dealers["dealer_id"] == dealer_id, "left_on"] = span.date(when)


# ---------------------------------------------------------------- people and places


def _cat(*parts) -> np.ndarray:
    """Element-wise string concatenation of arrays and scalars."""
    out = np.asarray(parts[0]).astype(str)
    for part in parts[1:]:
        out = np.char.add(out, np.asarray(part).astype(str))
    return out


def _pick(rng: np.random.Generator, options, n: int) -> np.ndarray:
    return np.asarray(options)[rng.integers(0, len(options), n)]


def _person_names(rng: np.random.Generator, n: int, customers: bool = False) -> np.ndarray:
    """Chinese names: a surname and one or two given characters; customers now and then as 王先生 / 李女士."""
    surname = _pick(rng, SURNAMES, n)
    second = np.where(rng.random(n) < 0.6, _pick(rng, GIVEN_CHARS, n), "")
    names = _cat(surname, _pick(rng, GIVEN_CHARS, n), second)
    polite = rng.random(n) if customers else np.ones(n)
    return np.where(polite < 0.04, _cat(surname, "先生"), np.where(polite < 0.07, _cat(surname, "女士"), names))


def _phones(rng: np.random.Generator, n: int) -> np.ndarray:
    """11-digit mainland mobile numbers as text."""
    prefix = np.asarray(MOBILE_PREFIXES, dtype=np.int64)[rng.integers(0, len(MOBILE_PREFIXES), n)]
    return (prefix * 10**8 + rng.integers(0, 10**8, n)).astype(str)


def _addresses(rng: np.random.Generator, city: np.ndarray, place: np.ndarray, urban: np.ndarray) -> np.ndarray:
    """Street addresses in town, village addresses in a county."""
    n = len(city)
    town = _cat(city, place, _pick(rng, STREETS, n), rng.integers(1, 400, n), "号",
                _pick(rng, COMMUNITIES, n), rng.integers(1, 30, n), "幢",
                rng.integers(1, 25, n) * 100 + rng.integers(1, 5, n), "室")
    county = _cat(place, _pick(rng, TOWNS, n), "镇", _pick(rng, VILLAGES, n), "村",
                  rng.integers(1, 12, n), "组", rng.integers(1, 80, n), "号")
    return np.where(urban, town, county)


# ---------------------------------------------------------------- repair records


def _month_frame(dealers: pd.DataFrame, span: Span) -> pd.DataFrame:
    """One row per dealer and span month: days under contract and the expected volume."""
    n_dealers, n_months = len(dealers), len(span.months)
    month_start = span.months.astype("datetime64[D]")
    month_days = ((span.months + 1).astype("datetime64[D]") - month_start).astype(int)
    joined = dealers["joined_on"].to_numpy().astype("datetime64[D]")
    left = dealers["left_on"].to_numpy().astype("datetime64[D]")
    first = np.clip((joined[:, None] - month_start[None, :]).astype(int), 0, month_days[None, :])
    left_days = np.where(np.isnat(left)[:, None], month_days[None, :],
                         (np.where(np.isnat(left), month_start[0], left)[:, None]
                          - month_start[None, :]).astype(int) + 1)
    last = np.clip(left_days, 0, month_days[None, :])
    calendar_month = span.months.astype(int) % 12
    frame = pd.DataFrame({
        "dealer": np.repeat(np.arange(n_dealers), n_months),
        "month": np.tile(np.arange(n_months), n_dealers),
        "first_day": first.ravel(),
        "end_day": last.ravel(),
        "month_days": np.tile(month_days, n_dealers),
        "season": np.tile(SEASON[calendar_month], n_dealers),
    })
    frame["active"] = frame["end_day"] > frame["first_day"]
    frame["share"] = (frame["end_day"] - frame["first_day"]).clip(lower=0) / frame["month_days"]
    return frame


def _scale_sizes(dealers: pd.DataFrame, frame: pd.DataFrame) -> None:
    """Scale the drawn dealer sizes so that the whole set has about TARGET_RECORDS records."""
    dealer = frame["dealer"].to_numpy()
    scaled = dealers["scaled"].to_numpy()
    expected = dealers["size"].to_numpy()[dealer] * frame["season"].to_numpy() * frame["share"].to_numpy()
    fixed = expected[~scaled[dealer]].sum()
    factor = (TARGET_RECORDS - fixed) / expected[scaled[dealer]].sum()
    dealers["size"] = np.where(scaled, dealers["size"] * factor, dealers["size"])


def _record_counts(rng: np.random.Generator, dealers: pd.DataFrame, frame: pd.DataFrame) -> np.ndarray:
    """Records per dealer-month: Poisson around size x season x share of the month under contract."""
    size = dealers["size"].to_numpy()[frame["dealer"].to_numpy()]
    counts = rng.poisson(size * frame["season"].to_numpy() * frame["share"].to_numpy())
    return np.where(frame["active"], np.maximum(counts, 1), 0)


def _crisis_months(rng: np.random.Generator, dealers: pd.DataFrame, n_months: int) -> np.ndarray:
    """(dealer, month) flags: three bad months for each poor dealer."""
    crisis = np.zeros((len(dealers), n_months), dtype=bool)
    for index in np.nonzero(dealers["role"].to_numpy() == "poor")[0]:
        crisis[index, rng.choice(np.arange(1, n_months - 1), 3, replace=False)] = True
    return crisis


def _requested_times(rng: np.random.Generator, frame: pd.DataFrame, counts: np.ndarray,
                     span: Span) -> tuple[np.ndarray, np.ndarray]:
    """Row of the month frame and requested_at (minutes) of every record."""
    rows = np.repeat(np.arange(len(frame)), counts)
    first = frame["first_day"].to_numpy()[rows]
    days = first + (rng.random(len(rows)) * (frame["end_day"].to_numpy()[rows] - first)).astype(int)
    hour_weights = np.array([1, 4, 8, 9, 8, 5, 6, 8, 8, 7, 6, 5, 4, 3, 2], dtype=float)
    hours = 7 + rng.choice(len(hour_weights), len(rows), p=hour_weights / hour_weights.sum())
    month_start = span.months.astype("datetime64[m]")[frame["month"].to_numpy()[rows]]
    requested = month_start + (days * DAY + hours * 60 + rng.integers(0, 60, len(rows))).astype("timedelta64[m]")
    return rows, requested


def _products(rng: np.random.Generator, n: int, summer: np.ndarray) -> dict[str, np.ndarray]:
    """Product family, model, warranty years and fault lists per record."""
    shares = np.array([p[1] for p in PRODUCTS])
    family = rng.choice(len(PRODUCTS), n, p=shares / shares.sum())
    family = np.where(summer & (rng.random(n) < 0.3), 0, family)
    model = np.empty(n, dtype=object)
    warranty = np.zeros(n)
    for index, (_, _, years, models, _, _) in enumerate(PRODUCTS):
        mine = family == index
        model[mine] = _pick(rng, models, int(mine.sum()))
        warranty[mine] = years
    return {"family": family, "product_model": model.astype(str), "warranty": warranty}


def _faults(rng: np.random.Generator, family: np.ndarray, service: np.ndarray) -> np.ndarray:
    """Fault category by product family and service type."""
    n = len(family)
    fault = np.where(rng.random(n) < 0.1, "移机安装", "新机安装").astype(object)
    for index, (_, _, _, _, repairs, jobs) in enumerate(PRODUCTS):
        for kind, options in (("repair", repairs), ("maintenance", jobs)):
            mine = (family == index) & (service == kind)
            fault[mine] = _pick(rng, options, int(mine.sum()))
    return fault.astype(str)


def _visit_times(rng: np.random.Generator, requested: np.ndarray, median_hours: np.ndarray,
                 spread: np.ndarray, status: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """arrived_at and completed_at: a log-normal wait, a short job; blanks for open records."""
    n = len(requested)
    wait = np.maximum(20, median_hours * 60 * np.exp(spread * rng.standard_normal(n))).astype(int)
    job = np.maximum(15, 70 * np.exp(0.5 * rng.standard_normal(n))).astype(int)
    arrived = _working_hours(rng, requested + wait.astype("timedelta64[m]"))
    completed = arrived + job.astype("timedelta64[m]")
    is_open = status == "open"
    not_arrived = is_open & (rng.random(n) < 0.7)
    arrived = np.where(not_arrived, np.datetime64("NaT", "m"), arrived)
    completed = np.where(is_open, np.datetime64("NaT", "m"), completed)
    return arrived, completed


def _working_hours(rng: np.random.Generator, arrived: np.ndarray) -> np.ndarray:
    """Visits between 8:00 and 20:30: a night-time arrival moves to the (next) morning."""
    day = arrived.astype("datetime64[D]")
    minute = (arrived - day).astype("timedelta64[m]").astype(np.int64)
    early, late = minute < 8 * 60, minute > 20 * 60 + 30
    morning = (np.where(late, day + 1, day).astype("datetime64[m]")
               + (8 * 60 + rng.integers(0, 90, len(arrived))).astype("timedelta64[m]"))
    return np.where(early | late, morning, arrived)


def _fees(rng: np.random.Generator, service: np.ndarray, status: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """labor_fee and parts_fee in yuan by service type."""
    n = len(service)
    labor = np.select(
        [service == "install", service == "repair"],
        [np.where(rng.random(n) < 0.8, 0, _pick(rng, (50, 80, 100, 150), n)),
         _pick(rng, (50, 60, 80, 100, 120, 150, 200), n)],
        _pick(rng, (80, 100, 120, 150, 180), n)).astype(float)
    repair_parts = np.round(np.exp(np.log(150) + 0.8 * rng.standard_normal(n)) / 5) * 5
    parts = np.select(
        [service == "install", service == "repair"],
        [np.where(rng.random(n) < 0.85, 0, _pick(rng, (30, 45, 60, 120), n)),
         np.where(rng.random(n) < 0.45, 0, repair_parts)],
        np.where(rng.random(n) < 0.85, 0, _pick(rng, (20, 35, 68.5), n))).astype(float)
    labor = np.where(status == "returned_to_factory", 50.0, labor)
    parts = np.where(status == "returned_to_factory", 0.0, parts)
    blank = status == "open"
    return np.where(blank, 0.0, labor), np.where(blank, 0.0, parts)


def _serials(rng: np.random.Generator, n: int) -> np.ndarray:
    """Unique 'SN' + 8 digits: an affine bijection of the record number."""
    multiplier = int(rng.integers(10**6, 10**7)) * 10 + 3
    offset = int(rng.integers(0, 10**8))
    numbers = (np.arange(n, dtype=np.int64) * multiplier + offset) % 10**8
    return _cat("SN", np.char.zfill(numbers.astype(str), 8))


def _repairs(rng: np.random.Generator, dealers: pd.DataFrame, span: Span,
             frame: pd.DataFrame, counts: np.ndarray, crisis: np.ndarray) -> pd.DataFrame:
    """Every repair record of the span, typed, before any dealer-month is held back."""
    rows, requested = _requested_times(rng, frame, counts, span)
    dealer = frame["dealer"].to_numpy()[rows]
    month = frame["month"].to_numpy()[rows]
    order = np.lexsort((requested, dealer))
    rows, requested, dealer, month = rows[order], requested[order], dealer[order], month[order]
    n = len(rows)
    d = dealers.iloc[dealer]
    urban = d["area_type"].to_numpy() == "urban"
    calendar_month = span.months.astype(int)[month] % 12 + 1
    service = rng.choice(["install", "repair", "maintenance"], n, p=[0.3, 0.55, 0.15])
    is_crisis = crisis[dealer, month]
    status = np.where(rng.random(n) < d["open_rate"].to_numpy() * np.where(is_crisis, 3, 1), "open",
                      np.where((service == "repair") & (rng.random(n) < 0.02), "returned_to_factory",
                               "completed"))
    products = _products(rng, n, np.isin(calendar_month, (6, 7, 8)))
    median = d["arrival_hours"].to_numpy() * np.where(urban, 1, 2) * np.where(is_crisis, 1.6, 1)
    arrived, completed = _visit_times(rng, requested, median, d["arrival_spread"].to_numpy(), status)
    age_days = np.where(service == "install", rng.integers(0, 10, n), rng.gamma(1.6, 500, n).astype(int) + 20)
    purchase = requested.astype("datetime64[D]") - age_days.astype("timedelta64[D]")
    in_warranty = np.where(age_days <= products["warranty"] * 365, 1, 0)
    purchase = np.where(rng.random(n) < 0.05, np.datetime64("NaT", "D"), purchase)
    labor, parts = _fees(rng, service, status)
    callback_share = np.clip(d["dealer_callback"].to_numpy() + 0.05 * rng.standard_normal(n), 0, 1)
    records = pd.DataFrame({
        "dealer": dealer, "month": month, "frame_row": rows,
        "dealer_id": d["dealer_id"].to_numpy(),
        "customer_name": _person_names(rng, n, customers=True), "customer_phone": _phones(rng, n),
        "address": _addresses(rng, d["city"].to_numpy(), d["place"].to_numpy(), urban),
        "product_model": products["product_model"], "family": products["family"],
        "serial_no": np.where(rng.random(n) < 0.02, "", _serials(rng, n)),
        "purchase_date": purchase, "service_type": service,
        "fault_category": _faults(rng, products["family"], service),
        "requested_at": requested, "arrived_at": arrived, "completed_at": completed, "status": status,
        "in_warranty": np.where(np.isnat(purchase) & (rng.random(n) < 0.5), -1, in_warranty),
        "labor_fee": labor, "parts_fee": parts,
        "technician": _technicians(rng, dealers, dealer),
        "customer_signed": np.where(status == "open", 0, (rng.random(n) < d["signed"].to_numpy()).astype(int)),
        "dealer_callback": (rng.random(n) < callback_share).astype(int),
        "hq_ticket_id": "", "urban": urban, "crisis": is_crisis,
    })
    _repeat_repairs(rng, records, dealers)
    records["seq"] = records.groupby("frame_row").cumcount() + 1
    records["record_no"] = _record_numbers(records, dealers, span)
    return records


def _technicians(rng: np.random.Generator, dealers: pd.DataFrame, dealer: np.ndarray) -> np.ndarray:
    """A technician from the dealer's own roster (at least one name, even with 0 on file)."""
    roster_size = np.maximum(dealers["technicians"].to_numpy(), 1)
    offsets = np.concatenate([[0], np.cumsum(roster_size)[:-1]])
    roster = _person_names(rng, int(roster_size.sum()))
    pick = (rng.random(len(dealer)) * roster_size[dealer]).astype(int)
    return roster[offsets[dealer] + pick]


REPEAT_FIELDS = ("serial_no", "product_model", "family", "customer_name", "customer_phone", "address",
                 "purchase_date", "in_warranty")


def _repeat_repairs(rng: np.random.Generator, records: pd.DataFrame, dealers: pd.DataFrame) -> None:
    """Give some repairs the serial (and customer) of a repair of the last 30 days."""
    repair = np.nonzero((records["service_type"] == "repair").to_numpy()
                        & (records["serial_no"] != "").to_numpy())[0]
    dealer = records["dealer"].to_numpy()[repair]
    when = records["requested_at"].to_numpy()[repair]
    chance = dealers["repeat"].to_numpy()[dealer]
    candidate = rng.random(len(repair)) < chance
    source = np.arange(len(repair)) - rng.integers(1, 16, len(repair))
    safe = np.clip(source, 0, None)
    gap = (when - when[safe]).astype("timedelta64[m]").astype(np.int64)
    ok = candidate & (source >= 0) & (dealer[safe] == dealer) & (gap > 0) & (gap <= 30 * DAY) & ~candidate[safe]
    _copy_fields(records, repair[safe[ok]], repair[ok])
    _cross_dealer_repeats(rng, records, repair, candidate | ok)


def _cross_dealer_repeats(rng: np.random.Generator, records: pd.DataFrame, repair: np.ndarray,
                          taken: np.ndarray) -> None:
    """A few county repairs repeat a repair done by the town dealer of the same city weeks before."""
    dealer = records["dealer"].to_numpy()[repair]
    when = records["requested_at"].to_numpy()[repair]
    targets, sources = [], []
    for county in range(1, dealer.max() + 1, 2):
        mine = np.nonzero((dealer == county) & ~taken & (rng.random(len(repair)) < 0.0015))[0]
        town = np.nonzero((dealer == county - 1) & ~taken)[0]
        if len(mine) == 0 or len(town) == 0:
            continue
        before = np.searchsorted(when[town], when[mine], side="left") - 1
        valid = before >= 0
        gap = (when[mine] - when[town[np.clip(before, 0, None)]]).astype("timedelta64[m]").astype(np.int64)
        valid &= (gap > 0) & (gap <= 30 * DAY)
        targets.append(repair[mine[valid]])
        sources.append(repair[town[before[valid]]])
    if targets:
        _copy_fields(records, np.concatenate(sources), np.concatenate(targets))


def _copy_fields(records: pd.DataFrame, source: np.ndarray, target: np.ndarray) -> None:
    """Copy the product and customer of source records onto target records."""
    for name in REPEAT_FIELDS:
        values = records[name].to_numpy().copy()
        values[target] = values[source]
        records[name] = values


def _month_codes(months) -> tuple[np.ndarray, np.ndarray]:
    """'YYYYMM' and 'YYMM' of datetime64 month values."""
    number = np.asarray(months).astype("datetime64[M]").astype(np.int64)
    year, month = number // 12 + 1970, number % 12 + 1
    return _cat(year, _two(month)), _cat(_two(year % 100), _two(month))


def _record_numbers(records: pd.DataFrame, dealers: pd.DataFrame, span: Span) -> np.ndarray:
    """Dealer-style record numbers: WX2503001, JX110-202503-0001 or 2025030001."""
    yyyymm, yymm = _month_codes(span.months[records["month"].to_numpy()])
    seq = records["seq"].to_numpy().astype(str)
    style = dealers["record_style"].to_numpy()[records["dealer"].to_numpy()]
    wx = _cat("WX", yymm, np.char.zfill(seq, 3))
    by_dealer = _cat(records["dealer_id"].to_numpy().astype(str), "-", yyyymm, "-", np.char.zfill(seq, 4))
    numeric = _cat(yyyymm, np.char.zfill(seq, 4))
    return np.select([style == "dealer", style == "numeric"], [by_dealer, numeric], wx)


# ---------------------------------------------------------------- monthly reports


def _reports(rng: np.random.Generator, dealers: pd.DataFrame, span: Span, frame: pd.DataFrame,
             counts: np.ndarray) -> pd.DataFrame:
    """One row per dealer-month with records: how it was delivered and when it was submitted."""
    reports = frame.loc[counts > 0, ["dealer", "month"]].copy()
    reports["frame_row"] = reports.index.to_numpy()
    d = dealers.iloc[reports["dealer"].to_numpy()]
    n = len(reports)
    late = rng.random(n) < d["late"].to_numpy()
    late = _forced_late_months(rng, reports, dealers, span, late)
    on_time_day = rng.integers(d["on_time_low"].to_numpy(), d["on_time_high"].to_numpy() + 1)
    day = np.where(late, rng.integers(16, 29, n), on_time_day)
    next_month = (span.months[reports["month"].to_numpy()] + 1).astype("datetime64[D]")
    # The data set stands as of the first day after its last month: a report cannot have been
    # submitted later than that (the loader rejects a submission date after the load date).
    reports["submitted_on"] = np.minimum(next_month + (day - 1).astype("timedelta64[D]"), span.end)
    reports["layout"] = "consolidated"
    ids = d["dealer_id"].to_numpy()
    for dealer_id, months in MISSING_MONTHS.items():
        for month in months:
            _set_layout(reports, ids, dealer_id, span.index(("award", month)), "missing")
    for layout, entries in (("single_csv", SINGLE_CSV), ("single_xlsx", SINGLE_XLSX),
                            ("bad_file", (BAD_FILE,)), ("resubmitted", (RESUBMISSION,))):
        for dealer_id, when in entries:
            _set_layout(reports, ids, dealer_id, span.index(when), layout)
    return reports.set_index("frame_row")


def _forced_late_months(rng: np.random.Generator, reports: pd.DataFrame, dealers: pd.DataFrame,
                        span: Span, late: np.ndarray) -> np.ndarray:
    """Late dealers: 3-5 late months in the award year, whatever the dice said."""
    ids = dealers["dealer_id"].to_numpy()[reports["dealer"].to_numpy()]
    year = span.months.astype("datetime64[Y]").astype(int)[reports["month"].to_numpy()] + 1970
    late = late.copy()
    for dealer_id in LATE_DEALERS:
        rows = np.nonzero((ids == dealer_id) & (year == span.award_year))[0]
        late[rows] = False
        late[rng.choice(rows, int(rng.integers(3, 6)), replace=False)] = True
    return late


def _set_layout(reports: pd.DataFrame, ids: np.ndarray, dealer_id: str, month: int | None, layout: str) -> None:
    if month is not None:
        reports.loc[(ids == dealer_id) & (reports["month"].to_numpy() == month), "layout"] = layout


# ---------------------------------------------------------------- hotline tickets


def _ticketed(rng: np.random.Generator, records: pd.DataFrame) -> np.ndarray:
    """Records that answer a hotline repair request (about one install/repair in ten)."""
    eligible = records["service_type"].isin(["install", "repair"]).to_numpy()
    return eligible & (rng.random(len(records)) < 0.1)


def _hotline(rng: np.random.Generator, dealers: pd.DataFrame, span: Span, records: pd.DataFrame,
             reports: pd.DataFrame, callbacks: pd.DataFrame, ticketed: np.ndarray,
             frame: pd.DataFrame) -> pd.DataFrame:
    """All hotline tickets, numbered by month; sets hq_ticket_id on the answering records."""
    parts = [
        _answered_requests(rng, records, ticketed),
        _unanswered_requests(rng, dealers, span, records, ticketed, frame),
        _record_complaints(rng, dealers, records, reports),
        _loose_tickets(rng, dealers, span, frame, records),
        _callback_complaints(rng, dealers, records, callbacks),
    ]
    tickets = pd.concat(parts, ignore_index=True)
    tickets = tickets[(tickets["received_at"] >= span.start) & (tickets["received_at"] < span.end)]
    tickets = tickets.iloc[np.lexsort((np.arange(len(tickets)), tickets["received_at"].to_numpy()))]
    tickets = tickets.reset_index(drop=True)
    month_key = tickets["received_at"].to_numpy().astype("datetime64[M]")
    seq = tickets.groupby(month_key).cumcount().to_numpy() + 1
    tickets["ticket_id"] = _cat("RX", _month_codes(month_key)[1], np.char.zfill(seq.astype(str), 5))
    answered = tickets["record"].to_numpy() >= 0
    request = tickets["ticket_type"].to_numpy() == "repair_request"
    hq = records["hq_ticket_id"].to_numpy().copy()
    hq[tickets["record"].to_numpy()[answered & request]] = tickets["ticket_id"].to_numpy()[answered & request]
    records["hq_ticket_id"] = hq
    return tickets


def _ticket_frame(received, dealer, ticket_type, phone, record_no="", verified=-1, record=-1) -> pd.DataFrame:
    n = len(received)
    return pd.DataFrame({
        "received_at": np.asarray(received).astype("datetime64[m]"),
        "dealer": np.asarray(dealer, dtype=int),
        "ticket_type": np.broadcast_to(np.asarray(ticket_type), n).astype(str),
        "customer_phone": np.broadcast_to(np.asarray(phone), n).astype(str),
        "record_no": np.broadcast_to(np.asarray(record_no), n).astype(str),
        "verified": np.broadcast_to(np.asarray(verified), n).astype(int),
        "record": np.broadcast_to(np.asarray(record), n).astype(int),
    })


def _answered_requests(rng: np.random.Generator, records: pd.DataFrame, ticketed: np.ndarray) -> pd.DataFrame:
    """Repair requests that a record answers: received minutes before the request was logged."""
    rows = np.nonzero(ticketed)[0]
    received = records["requested_at"].to_numpy()[rows] - rng.integers(0, 16, len(rows)).astype("timedelta64[m]")
    return _ticket_frame(received, records["dealer"].to_numpy()[rows], "repair_request",
                         records["customer_phone"].to_numpy()[rows], record=rows)


def _random_times(rng: np.random.Generator, frame: pd.DataFrame, rows: np.ndarray, span: Span) -> np.ndarray:
    """Random daytime minutes within the contract days of the given month-frame rows."""
    first = frame["first_day"].to_numpy()[rows]
    days = first + (rng.random(len(rows)) * (frame["end_day"].to_numpy()[rows] - first)).astype(int)
    start = span.months.astype("datetime64[m]")[frame["month"].to_numpy()[rows]]
    return start + (days * DAY + rng.integers(8 * 60, 21 * 60, len(rows))).astype("timedelta64[m]")


def _unanswered_requests(rng, dealers, span, records, ticketed, frame) -> pd.DataFrame:
    """Repair requests nobody answered, more of them at poor dealers."""
    answered = np.bincount(records["frame_row"].to_numpy()[ticketed], minlength=len(frame))
    share = dealers["unanswered"].to_numpy()[frame["dealer"].to_numpy()]
    counts = rng.poisson(answered * share / (1 - share))
    rows = np.repeat(np.arange(len(frame)), counts)
    return _ticket_frame(_random_times(rng, frame, rows, span), frame["dealer"].to_numpy()[rows],
                         "repair_request", _phones(rng, len(rows)))


def _verified(rng: np.random.Generator, chance: np.ndarray) -> np.ndarray:
    """1/0 with the given chance of 1; a few left blank (-1) while HQ still checks."""
    result = (rng.random(len(chance)) < chance).astype(int)
    return np.where(rng.random(len(chance)) < 0.05, -1, result)


def _record_complaints(rng, dealers, records, reports) -> pd.DataFrame:
    """Complaint tickets about a delivered record, days after the visit."""
    delivered = _delivered(records, reports)
    per_service = dealers["complaints_per_service"].to_numpy()[records["dealer"].to_numpy()]
    chance = per_service * np.where(records["crisis"].to_numpy(), 4, 1)
    rows = np.nonzero(delivered & (rng.random(len(records)) < chance))[0]
    received = (records["requested_at"].to_numpy()[rows]
                + rng.integers(DAY, 12 * DAY, len(rows)).astype("timedelta64[m]"))
    dealer = records["dealer"].to_numpy()[rows]
    return _ticket_frame(received, dealer, "complaint", records["customer_phone"].to_numpy()[rows],
                         records["record_no"].to_numpy()[rows],
                         _verified(rng, dealers["verified"].to_numpy()[dealer]), record=rows)


def _loose_tickets(rng, dealers, span, frame, records) -> pd.DataFrame:
    """Complaints without a record number, and inquiries."""
    dealer = frame["dealer"].to_numpy()
    crisis_rows = np.isin(np.arange(len(frame)), records.loc[records["crisis"], "frame_row"].unique())
    services = np.bincount(records["frame_row"].to_numpy(), minlength=len(frame))
    rate = dealers["hotline_complaints"].to_numpy()[dealer] + np.where(crisis_rows, 3, 0)
    complaints = rng.poisson(np.where(frame["active"], rate, 0))
    inquiries = rng.poisson(np.where(frame["active"], 0.3 + 0.03 * services, 0))
    rows_c = np.repeat(np.arange(len(frame)), complaints)
    rows_i = np.repeat(np.arange(len(frame)), inquiries)
    verified = _verified(rng, dealers["verified"].to_numpy()[dealer[rows_c]])
    complaint_tickets = _ticket_frame(_random_times(rng, frame, rows_c, span), dealer[rows_c], "complaint",
                                      _phones(rng, len(rows_c)), verified=verified)
    inquiry_tickets = _ticket_frame(_random_times(rng, frame, rows_i, span), dealer[rows_i], "inquiry",
                                    _phones(rng, len(rows_i)))
    return pd.concat([complaint_tickets, inquiry_tickets], ignore_index=True)


def _callback_complaints(rng, dealers, records, callbacks) -> pd.DataFrame:
    """Some customers who complained in an HQ callback also call the hotline (one complaint, twice)."""
    complained = callbacks[callbacks["complaint"] == 1]
    chosen = complained[rng.random(len(complained)) < 0.35]
    record = chosen["record"].to_numpy()
    shift = rng.integers(-4 * DAY, 6 * DAY, len(chosen)).astype("timedelta64[m]")
    earliest = records["requested_at"].to_numpy()[record] + np.timedelta64(DAY, "m")
    received = np.maximum(chosen["called_at"].to_numpy().astype("datetime64[m]") + shift, earliest)
    dealer = records["dealer"].to_numpy()[record]
    return _ticket_frame(received, dealer, "complaint", records["customer_phone"].to_numpy()[record],
                         records["record_no"].to_numpy()[record], _verified(rng, np.full(len(record), 0.85)),
                         record=record)


# ---------------------------------------------------------------- HQ callbacks


def _delivered(records: pd.DataFrame, reports: pd.DataFrame) -> np.ndarray:
    """Records whose dealer-month reaches the database (not missing, not in the bad file)."""
    layout = reports["layout"].reindex(records["frame_row"].to_numpy()).to_numpy()
    return ~np.isin(layout, ("missing", "bad_file"))


def _callbacks(rng: np.random.Generator, dealers: pd.DataFrame, span: Span, records: pd.DataFrame,
               reports: pd.DataFrame, held_back: np.ndarray) -> pd.DataFrame:
    """HQ callbacks on 10-20 % of every delivered dealer-month, days after the report arrived."""
    eligible = _delivered(records, reports) & ~held_back
    frame_row = records["frame_row"].to_numpy()
    per_month = np.bincount(frame_row[eligible], minlength=frame_row.max() + 1)
    wanted = np.maximum(1, np.round(per_month * rng.uniform(0.10, 0.20, len(per_month))))
    rows = np.nonzero(eligible)[0]
    order = rows[np.lexsort((rng.random(len(rows)), frame_row[rows]))]
    rank = pd.Series(frame_row[order]).groupby(frame_row[order]).cumcount().to_numpy()
    chosen = np.sort(order[rank < wanted[frame_row[order]]])
    submitted = reports["submitted_on"].reindex(frame_row[chosen]).to_numpy().astype("datetime64[m]")
    called = submitted + (rng.integers(1, 9, len(chosen)) * DAY + rng.integers(9 * 60, 20 * 60, len(chosen))
                          ).astype("timedelta64[m]")
    keep = called < span.end
    callbacks = pd.DataFrame({"record": chosen[keep], "called_at": called[keep]})
    callbacks = callbacks.iloc[np.lexsort((callbacks["record"], callbacks["called_at"]))].reset_index(drop=True)
    _answers(rng, dealers, records, callbacks)
    month_key = callbacks["called_at"].to_numpy().astype("datetime64[M]")
    seq = callbacks.groupby(month_key).cumcount().to_numpy() + 1
    callbacks["callback_id"] = _cat("HF", _month_codes(month_key)[1], np.char.zfill(seq.astype(str), 4))
    callbacks["record_no"] = records["record_no"].to_numpy()[callbacks["record"]]
    callbacks["dealer_id"] = records["dealer_id"].to_numpy()[callbacks["record"]]
    return callbacks


def _satisfaction(rng: np.random.Generator, satisfied, top_share, dissatisfied_share) -> np.ndarray:
    """Answers 5..1 from each record's share of 4-5, share of 5 within it, share of 1-2 in the rest."""
    p5 = satisfied * top_share
    p4 = satisfied - p5
    p3 = (1 - satisfied) * (1 - dissatisfied_share)
    p2 = (1 - satisfied) * dissatisfied_share * 0.65
    cumulative = np.cumsum(np.stack([p5, p4, p3, p2], axis=1), axis=1)
    return 5 - (rng.random(len(satisfied))[:, None] > cumulative).sum(axis=1)


def _answers(rng: np.random.Generator, dealers: pd.DataFrame, records: pd.DataFrame,
             callbacks: pd.DataFrame) -> None:
    """Reached, confirmed, resolved, on time, satisfaction, complaint, conduct and comment."""
    record = callbacks["record"].to_numpy()
    d = dealers.iloc[records["dealer"].to_numpy()[record]]
    crisis = records["crisis"].to_numpy()[record]
    status = records["status"].to_numpy()[record]
    n = len(record)
    reached = rng.random(n) < 0.8
    fake = reached & (rng.random(n) < d["fake"].to_numpy())
    answered = reached & ~fake
    unresolved_chance = np.where(status == "open", 0.6, d["unresolved"].to_numpy() * np.where(crisis, 4, 1))
    unresolved = answered & (rng.random(n) < unresolved_chance)
    crisis_hit = np.where(crisis, 0.1, 0.0)
    satisfied = np.clip(d["satisfied"].to_numpy() - crisis_hit, 0, 1)
    dissatisfied = np.clip(d["dissatisfied_share"].to_numpy() + crisis_hit, 0, 1)
    score = _satisfaction(rng, satisfied, d["top_share"].to_numpy(), dissatisfied)
    score = np.where(unresolved, rng.choice([1, 2, 3], n, p=[0.3, 0.4, 0.3]), score)
    conduct = answered & (rng.random(n) < d["conduct"].to_numpy())
    issue = np.where(conduct, _pick(rng, CONDUCT_ISSUES, n), "")
    score = np.where(conduct, np.minimum(score, np.where(issue == "乱收费", 2, 3)), score)
    score = np.where(answered & (rng.random(n) < 0.02), 0, np.where(answered, score, 0))
    complaint_chance = (d["callback_complaint"].to_numpy() * np.where(crisis, 5, 1)
                        + np.where(np.isin(score, (1, 2)), 0.3, 0) + np.where(unresolved, 0.15, 0))
    arrived_in_time = _on_time_truth(records, record)
    callbacks["reached"] = reached.astype(int)
    callbacks["service_confirmed"] = np.where(reached, np.where(fake, 0, 1), -1)
    callbacks["resolved"] = np.where(answered, np.where(unresolved, 0, 1), -1)
    noted_on_time = np.where(rng.random(n) < 0.03, ~arrived_in_time, arrived_in_time)  # memories differ
    callbacks["on_time"] = np.where(answered, noted_on_time, -1)
    callbacks["satisfaction"] = score
    complained = (rng.random(n) < complaint_chance).astype(int)
    callbacks["complaint"] = np.where(answered, complained, np.where(fake, 0, -1))
    callbacks["conduct_issue"] = issue
    callbacks["comment"] = _comments(rng, reached, fake, unresolved, score)


def _on_time_truth(records: pd.DataFrame, record: np.ndarray) -> np.ndarray:
    """Whether the visit was within 24 h (town) or 48 h (county) of the request."""
    requested = records["requested_at"].to_numpy()[record]
    arrived = records["arrived_at"].to_numpy()[record]
    limit = np.where(records["urban"].to_numpy()[record], 24, 48).astype("timedelta64[h]")
    return ~np.isnat(arrived) & (arrived - requested <= limit)


def _comments(rng, reached, fake, unresolved, score) -> np.ndarray:
    """Free-text remarks matching the answers."""
    n = len(score)
    comment = np.empty(n, dtype=object)
    for value, options in COMMENTS.items():
        mine = score == value
        comment[mine] = _pick(rng, options, int(mine.sum()))
    comment[unresolved] = "问题未解决"
    comment[fake] = _pick(rng, ("用户称未报修，无此次服务", "用户表示师傅没有上门", "用户不认可此维修单"), int(fake.sum()))
    comment[~reached] = _pick(rng, UNREACHED_COMMENTS, int((~reached).sum()))
    return comment.astype(str)


# ---------------------------------------------------------------- sales and notices


def _sales(rng: np.random.Generator, dealers: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """Units sold and settlement amount for every dealer-month under contract."""
    active = frame[frame["active"]]
    d = dealers.iloc[active["dealer"].to_numpy()]
    expected = (d["size"].to_numpy() * active["season"].to_numpy() * active["share"].to_numpy()
                * d["units_per_repair"].to_numpy())
    units = np.maximum(1, np.round(expected * np.exp(0.15 * rng.standard_normal(len(active))))).astype(int)
    amount = np.round(units * d["unit_price"].to_numpy() * rng.uniform(0.95, 1.05, len(active)), 2)
    return pd.DataFrame({"dealer": active["dealer"].to_numpy(), "month": active["month"].to_numpy(),
                         "units_sold": units, "sales_amount": amount})


def _notices(dealers: pd.DataFrame, span: Span) -> pd.DataFrame:
    """The media and regulator notices of NOTICE_EVENTS, dated inside the span."""
    rows = []
    for number, (dealer_id, when, source, text) in enumerate(NOTICE_EVENTS, start=1):
        dealer = dealers.loc[dealers["dealer_id"] == dealer_id].iloc[0]
        day = span.date(when)
        rows.append({"notice_id": f"TB{str(day)[:4]}{number:03d}", "dealer_id": dealer_id, "notice_date": day,
                     "source": source.format(province=dealer["province"], city=_short(dealer["city"])),
                     "description": f"{dealer['dealer_name']}{text}"})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- text spellings


@dataclass(frozen=True)
class Style:
    """How one file spells things."""

    chinese_headers: bool = False
    encoding: str = "utf-8"
    datetime: str = "iso"        # iso | seconds | slash
    date: str = "iso"            # iso | slash | cn
    month: str = "iso"           # iso | slash | compact | cn
    booleans: tuple[str, str] = ("Y", "N")
    chinese_values: bool = False
    money_decimals: bool = False
    line_end: str = "\n"


def _parts(values) -> tuple[np.ndarray, ...]:
    """Year, month, day, hour, minute, second of datetime64 values, and their NaT mask."""
    v = np.asarray(values).astype("datetime64[s]")
    missing = np.isnat(v)
    v = np.where(missing, np.datetime64("2000-01-01T00:00:00"), v)
    days = v.astype("datetime64[D]")
    months = days.astype("datetime64[M]")
    seconds = (v - days).astype(np.int64)
    return (months.astype(np.int64) // 12 + 1970, months.astype(np.int64) % 12 + 1,
            (days - months).astype(np.int64) + 1, seconds // 3600, seconds // 60 % 60, seconds % 60, missing)


def _two(values: np.ndarray) -> np.ndarray:
    return np.char.zfill(values.astype(str), 2)


def _fmt_datetime(values, style: str) -> np.ndarray:
    """'2025-03-02 09:15', '2025-03-02 09:15:00' or '2025/3/2 9:15'; '' for NaT."""
    y, m, d, hh, mm, ss, missing = _parts(values)
    if style == "slash":
        text = _cat(y, "/", m, "/", d, " ", hh, ":", _two(mm))
    else:
        text = _cat(y, "-", _two(m), "-", _two(d), " ", _two(hh), ":", _two(mm))
        if style == "seconds":
            text = _cat(text, ":", _two(ss))
    return np.where(missing, "", text)


def _fmt_date(values, style: str) -> np.ndarray:
    """'2025-04-09', '2025/4/9' or '2025年4月9日'; '' for NaT."""
    y, m, d, *_, missing = _parts(values)
    text = {"iso": lambda: _cat(y, "-", _two(m), "-", _two(d)),
            "slash": lambda: _cat(y, "/", m, "/", d),
            "cn": lambda: _cat(y, "年", m, "月", d, "日")}[style]()
    return np.where(missing, "", text)


def _fmt_month(values, style: str) -> np.ndarray:
    """'2025-03', '2025/03', '202503' or '2025年3月'."""
    y, m, *_ = _parts(np.asarray(values).astype("datetime64[M]"))
    return {"iso": lambda: _cat(y, "-", _two(m)), "slash": lambda: _cat(y, "/", _two(m)),
            "compact": lambda: _cat(y, _two(m)), "cn": lambda: _cat(y, "年", m, "月")}[style]()


def _fmt_bool(values, spelling: tuple[str, str]) -> np.ndarray:
    """1/0/-1 as the file's true/false spelling or ''."""
    values = np.asarray(values)
    return np.where(values < 0, "", np.where(values > 0, spelling[0], spelling[1]))


def _fmt_money(values, decimals: bool) -> np.ndarray:
    """'80.00' or '80' ('68.50' keeps its decimals); '' for NaN."""
    values = np.asarray(values, dtype=float)
    text = np.char.mod("%.2f", np.nan_to_num(values))
    if not decimals:
        text = np.where(np.char.endswith(text, ".00"), np.char.replace(text, ".00", ""), text)
    return np.where(np.isnan(values), "", text)


FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _full_width(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Full-width digits where mask is set, as some dealers' input methods type them."""
    out = values.astype(object).copy()
    out[mask] = [str(v).translate(FULL_WIDTH) for v in out[mask]]
    return out.astype(str)


def _headers(kind: Kind, names: list[str], chinese: bool) -> list[str]:
    return [kind.column(n).chinese if chinese else n for n in names]


def _frame_csv(frame: pd.DataFrame, header: list[str], style: Style, title: tuple[str, ...] = ()) -> bytes:
    """A frame of strings as CSV bytes in the style's encoding, with optional title lines above."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=style.line_end)
    writer.writerows([line] + [""] * (len(header) - 1) for line in title)
    writer.writerow(header)
    writer.writerows(frame.to_numpy().tolist())
    return buffer.getvalue().encode(style.encoding)


# ---------------------------------------------------------------- repair files


REPAIR_STYLES = {  # by span month index modulo the cycle lengths
    "datetime": ("iso", "slash", "seconds"),
    "date": ("iso", "slash", "cn"),
    "month": ("iso", "slash", "compact", "cn"),
    "booleans": (("Y", "N"), ("是", "否"), ("1", "0"), ("true", "false"), ("yes", "no")),
}


def _repair_style(index: int) -> Style:
    """The consolidated file of span month `index`: a different mix of spellings each month."""
    return Style(
        chinese_headers=index % 2 == 1,
        encoding="utf-8-sig" if index % 3 == 0 else "utf-8",
        datetime=REPAIR_STYLES["datetime"][index // 2 % 3],
        date=REPAIR_STYLES["date"][(index + 1) % 3],
        month=REPAIR_STYLES["month"][index % 4],
        booleans=REPAIR_STYLES["booleans"][index % 5],
        chinese_values=index % 2 == 1 or index % 6 == 0,
        money_decimals=index // 3 % 2 == 1,
    )


def _repair_text(records: pd.DataFrame, reports: pd.DataFrame, span: Span, style: Style,
                 columns: list[str]) -> pd.DataFrame:
    """Records as the strings a file holds, in the given columns."""
    values = {
        "record_no": records["record_no"].to_numpy().astype(str),
        "dealer_id": records["dealer_id"].to_numpy().astype(str),
        "report_month": _fmt_month(span.months[records["month"].to_numpy()], style.month),
        "submitted_on": _fmt_date(reports["submitted_on"].reindex(records["frame_row"].to_numpy()).to_numpy(),
                                 style.date),
        "purchase_date": _fmt_date(records["purchase_date"].to_numpy(), style.date),
        "service_type": _choice(records["service_type"], SERVICE_ZH, style),
        "status": _choice(records["status"], STATUS_ZH, style),
        "labor_fee": _fmt_money(records["labor_fee"], style.money_decimals),
        "parts_fee": _fmt_money(records["parts_fee"], style.money_decimals),
    }
    for name in ("requested_at", "arrived_at", "completed_at"):
        values[name] = _fmt_datetime(records[name].to_numpy(), style.datetime)
    for name in ("in_warranty", "customer_signed", "dealer_callback"):
        values[name] = _fmt_bool(records[name].to_numpy(), style.booleans)
    out = {name: values[name] if name in values else records[name].to_numpy().astype(str) for name in columns}
    return pd.DataFrame(out, dtype=object)


def _choice(values: pd.Series, chinese: dict[str, str], style: Style) -> np.ndarray:
    values = values.to_numpy().astype(str)
    return np.vectorize(chinese.get)(values) if style.chinese_values else values


def _repair_columns(index: int, rng: np.random.Generator) -> list[str]:
    """Schema order; some months shuffled, some without purchase_date."""
    columns = [c.name for c in REPAIRS.columns]
    if index % 5 == 3:
        columns.remove("purchase_date")
    if index % 4 == 2:
        columns = [columns[i] for i in rng.permutation(len(columns))]
    return columns


@dataclass(frozen=True)
class BadRow:
    """One deliberately broken row in a consolidated repairs file."""

    month: int        # span month index
    dealer_id: str
    problem: str


BAD_REPAIR_ROWS = (
    BadRow(3, "JX120", "unknown_dealer"), BadRow(5, "JX134", "arrived_before_requested"),
    BadRow(8, "JX150", "duplicate_record_no"), BadRow(10, "JX165", "status_choice"),
    BadRow(11, "JX181", "negative_fee"), BadRow(14, "JX192", "unparseable_date"),
    BadRow(16, "JX209", "completed_before_arrived"),
)


def _bad_repair_rows(records: pd.DataFrame, bad: list[BadRow], reports, span, style, columns) -> pd.DataFrame:
    """Broken copies of a dealer's last record (new record numbers, no ticket, no callback)."""
    rows = []
    for item in bad:
        mine = records[(records["dealer_id"] == item.dealer_id)]
        if mine.empty:
            continue
        row = mine.iloc[[-1]].copy()
        if item.problem != "duplicate_record_no":
            row["record_no"] = _bump(row["record_no"].iloc[0])
        row["hq_ticket_id"] = ""
        row["customer_name"] = "赵" + row["customer_name"].iloc[0][1:]
        if item.problem == "arrived_before_requested":
            row["arrived_at"] = row["requested_at"] - np.timedelta64(180, "m")
            row["completed_at"] = row["requested_at"] + np.timedelta64(60, "m")
            row["status"] = "completed"
        if item.problem == "completed_before_arrived":
            row["arrived_at"] = row["requested_at"] + np.timedelta64(300, "m")
            row["completed_at"] = row["arrived_at"] - np.timedelta64(90, "m")
            row["status"] = "completed"
        if item.problem == "negative_fee":
            row["parts_fee"] = -120.0
        text = _repair_text(row, reports, span, style, columns)
        if item.problem == "unknown_dealer":
            text["dealer_id"] = "JX999"
        if item.problem == "status_choice":
            text["status"] = "换机"
        if item.problem == "unparseable_date":
            text["requested_at"] = "上周五下午"
        rows.append(text)
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=columns)


def _bump(record_no: str) -> str:
    """The record number after the last one of a dealer-month (same style)."""
    head = record_no.rstrip("0123456789")
    digits = record_no[len(head):]
    return f"{head}{int(digits) + 1:0{len(digits)}d}"


def _resubmission_changes(rng: np.random.Generator, records: pd.DataFrame, rows: np.ndarray) -> dict:
    """What the first version of the resubmitted report got wrong: 2 rows left out, 2 fees, 1 status."""
    nothing = np.array([], dtype=int)
    if len(rows) < 8:
        return {"left_out": nothing, "wrong_fee": nothing, "wrongly_open": nothing}
    left_out = rng.choice(rows, 2, replace=False)
    rest = records.loc[np.setdiff1d(rows, left_out)]
    charged = rest.index[(rest["labor_fee"] > 0).to_numpy()].to_numpy()
    completed = rest.index[(rest["status"] == "completed").to_numpy()].to_numpy()
    wrong_fee = rng.choice(charged, 2, replace=False)
    wrongly_open = rng.choice(np.setdiff1d(completed, wrong_fee), 1, replace=False)
    return {"left_out": left_out, "wrong_fee": wrong_fee, "wrongly_open": wrongly_open}


def _first_version(records: pd.DataFrame, changes: dict) -> pd.DataFrame:
    """The resubmitted dealer-month as first delivered."""
    first = records.drop(index=changes["left_out"]).copy()
    wrong = first.index.isin(changes["wrong_fee"])
    first.loc[wrong, "labor_fee"] = first.loc[wrong, "labor_fee"] * 10  # a typed extra zero
    opened = first.index.isin(changes["wrongly_open"])
    first.loc[opened, "status"] = "open"
    first.loc[opened, ["arrived_at", "completed_at"]] = pd.NaT
    return first


def _write_consolidated(out_dir, span, records, reports, changes, rng) -> list[pathlib.Path]:
    """repairs_YYYY-MM.csv: every consolidated dealer-month of the month, bad rows included."""
    layout = reports["layout"].reindex(records["frame_row"].to_numpy()).to_numpy()
    paths = []
    for index, month in enumerate(span.months):
        style = _repair_style(index)
        columns = _repair_columns(index, rng)
        in_month = records["month"].to_numpy() == index
        mine = records[in_month & np.isin(layout, ("consolidated", "resubmitted"))]
        resubmitted = layout[in_month & np.isin(layout, ("consolidated", "resubmitted"))] == "resubmitted"
        if resubmitted.any():
            mine = pd.concat([mine[~resubmitted], _first_version(mine[resubmitted], changes)])
            mine = mine.sort_values(["dealer", "seq"], kind="stable")
        text = _repair_text(mine, reports, span, style, columns)
        if index == 7:
            text["labor_fee"] = _full_width(text["labor_fee"].to_numpy(), rng.random(len(text)) < 0.02)
        if index == 9:
            padded = rng.random(len(text)) < 0.03
            text.loc[padded, "dealer_id"] = " " + text.loc[padded, "dealer_id"] + "\u3000"
        bad = [b for b in BAD_REPAIR_ROWS if b.month == index]
        bad_text = _bad_repair_rows(mine, bad, reports, span, style, columns)
        text = pd.concat([text, bad_text], ignore_index=True)
        header = _headers(REPAIRS, columns, style.chinese_headers)
        path = out_dir / f"repairs_{str(month)}.csv"
        path.write_bytes(_frame_csv(text, header, style))
        paths.append(path)
    return paths


SINGLE_COLUMNS = ["record_no", "dealer_id", "submitted_on", "customer_name", "customer_phone", "address",
                  "product_model", "serial_no", "purchase_date", "service_type", "fault_category",
                  "requested_at", "arrived_at", "completed_at", "status", "in_warranty", "labor_fee",
                  "parts_fee", "technician", "customer_signed", "dealer_callback", "hq_ticket_id"]
DEALER_STYLE = Style(chinese_headers=True, encoding="gb18030", datetime="slash", date="slash",
                     booleans=("是", "否"), chinese_values=True, line_end="\r\n")


def _single_report_csv(records, reports, span, dealer_name: str, columns: list[str]) -> bytes:
    """A dealer's own GBK report: title line, Chinese header, rows, 合计 row (like the spec example)."""
    text = _repair_text(records, reports, span, DEALER_STYLE, columns)
    totals = {name: "" for name in columns}
    totals[columns[0]] = "合计"
    for fee in ("labor_fee", "parts_fee"):
        if fee in totals:
            totals[fee] = _fmt_money([records[fee].sum()], False)[0]
    text = pd.concat([text, pd.DataFrame([totals], dtype=object)], ignore_index=True)
    month = span.months[records["month"].iloc[0]].astype(object)
    title = f"{dealer_name} {month.year}年{month.month}月 维修质量信息反馈单"
    header = _headers(REPAIRS, columns, True)
    return _frame_csv(text, header, DEALER_STYLE, title=(title,))


def _write_single_reports(out_dir, span, dealers, records, reports) -> list[pathlib.Path]:
    """The dealer-months delivered alone: GBK CSVs, one Excel report, the resubmission, the bad file."""
    layout = reports["layout"].reindex(records["frame_row"].to_numpy()).to_numpy()
    paths = []
    for layout_name in ("single_csv", "bad_file"):
        for frame_row in reports.index[reports["layout"] == layout_name]:
            mine = records[records["frame_row"] == frame_row]
            dealer = dealers.iloc[mine["dealer"].iloc[0]]
            columns = [c for c in SINGLE_COLUMNS if not (layout_name == "bad_file" and c == "service_type")]
            month = str(span.months[mine["month"].iloc[0]]).replace("-", "")
            path = out_dir / f"维修_{dealer['dealer_id']}_{month}.csv"
            path.write_bytes(_single_report_csv(mine, reports, span, dealer["dealer_name"], columns))
            paths.append(path)
    for frame_row in reports.index[reports["layout"] == "single_xlsx"]:
        mine = records[records["frame_row"] == frame_row]
        paths.append(_single_report_xlsx(out_dir, span, dealers.iloc[mine["dealer"].iloc[0]], mine, reports))
    resubmitted = records[layout == "resubmitted"]
    if len(resubmitted):
        paths.append(_resubmission(out_dir, span, resubmitted, reports))
    return paths


def _resubmission(out_dir, span, records, reports) -> pathlib.Path:
    """The corrected second version of one dealer-month, submitted about three weeks later."""
    frame_row = records["frame_row"].iloc[0]
    later = reports.copy()
    later.loc[frame_row, "submitted_on"] = reports.loc[frame_row, "submitted_on"] + np.timedelta64(18, "D")
    columns = [c.name for c in REPAIRS.columns]
    text = _repair_text(records, later, span, Style(), columns)
    month = str(span.months[records["month"].iloc[0]])
    path = out_dir / f"repairs_{records['dealer_id'].iloc[0]}_{month}_v2.csv"
    path.write_bytes(_frame_csv(text, columns, Style()))
    return path


# ---------------------------------------------------------------- Excel files


def _normalised_zip(data: bytes) -> bytes:
    """The same workbook with fixed zip entry times, so equal content gives equal bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def _cell(sheet, value):
    """A write-only cell; dates and datetimes get a readable number format."""
    if isinstance(value, dt.datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    return value


def _write_xlsx(path: pathlib.Path, sheet_name: str, rows: list[list], stamp: dt.datetime) -> pathlib.Path:
    """One-sheet workbook with fixed document properties and zip times."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name)
    for row in rows:
        sheet.append([_cell(sheet, v) for v in row])
    workbook.properties.creator = "总部售后服务中心"
    workbook.properties.created = stamp
    workbook.properties.modified = stamp
    buffer = io.BytesIO()
    ExcelWriter(workbook, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    path.write_bytes(_normalised_zip(buffer.getvalue()))
    return path


def _py_datetime(value) -> dt.datetime | None:
    return None if pd.isna(value) else pd.Timestamp(value).to_pydatetime()


def _py_date(value) -> dt.date | None:
    return None if pd.isna(value) else pd.Timestamp(value).date()


def _stamp(day: np.datetime64, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(pd.Timestamp(day).date(), dt.time(hour, 0))


def _single_report_xlsx(out_dir, span, dealer, records, reports) -> pathlib.Path:
    """A dealer's Excel report: title block, real dates, phones as numbers, a 合计 row."""
    month = span.months[records["month"].iloc[0]].astype(object)
    submitted = reports.loc[records["frame_row"].iloc[0], "submitted_on"]
    columns = ["report_month"] + SINGLE_COLUMNS
    rows = [[f"{dealer['dealer_name']} 维修质量信息反馈单"],
            [f"报表月份：{month.year}年{month.month}月"],
            [f"经销商编号：{dealer['dealer_id']}    提交日期：{pd.Timestamp(submitted).date().isoformat()}"],
            [],
            _headers(REPAIRS, columns, True)]
    bools = ("是", "否")
    for record in records.itertuples(index=False):
        values = {
            "report_month": f"{month.year}年{month.month}月", "submitted_on": _py_date(submitted),
            "customer_phone": int(record.customer_phone), "purchase_date": _py_date(record.purchase_date),
            "service_type": SERVICE_ZH[record.service_type], "status": STATUS_ZH[record.status],
            "requested_at": _py_datetime(record.requested_at), "arrived_at": _py_datetime(record.arrived_at),
            "completed_at": _py_datetime(record.completed_at),
            "labor_fee": float(record.labor_fee), "parts_fee": float(record.parts_fee),
        }
        for name in ("in_warranty", "customer_signed", "dealer_callback"):
            flag = getattr(record, name)
            values[name] = None if flag < 0 else bools[0] if flag else bools[1]
        rows.append([values[c] if c in values else (getattr(record, c) or None) for c in columns])
    totals = ["合计"] + [None] * (len(columns) - 1)
    totals[columns.index("labor_fee")] = float(records["labor_fee"].sum())
    totals[columns.index("parts_fee")] = float(records["parts_fee"].sum())
    rows.append(totals)
    path = out_dir / f"维修_{dealer['dealer_id']}_{month.year}{month.month:02d}.xlsx"
    return _write_xlsx(path, "维修记录", rows, _stamp(submitted))


CALLBACK_BOOLEANS = (("是", "否"), ("Y", "N"), (True, False), (1, 0))
CALLBACK_BOOLEAN_NAMES = ("reached", "service_confirmed", "resolved", "on_time", "complaint")
EXCEL_EPOCH = np.datetime64("1899-12-30T00:00", "m")


def _callback_rows(callbacks: pd.DataFrame, index: int) -> list[list]:
    """Callback rows of one monthly file; spellings vary with the file's index."""
    booleans = CALLBACK_BOOLEANS[index % 4]
    labels = index % 2 == 0
    called = callbacks["called_at"].to_numpy().astype("datetime64[m]")
    if index == 10:
        called_values = [float(v) for v in ((called - EXCEL_EPOCH).astype(np.int64) / DAY).round(6)]
    elif index == 5:
        called_values = list(_fmt_datetime(called, "slash"))
    else:
        called_values = [_py_datetime(v) for v in called]
    spelled = {None: None, -1: None, 1: booleans[0], 0: booleans[1]}
    flags = [[spelled[v] for v in callbacks[name].tolist()] for name in CALLBACK_BOOLEAN_NAMES]
    answers = [None if v == 0 else SATISFACTION_ZH[v] if labels else v for v in callbacks["satisfaction"].tolist()]
    texts = [[v or None for v in callbacks[name].tolist()] for name in ("conduct_issue", "comment")]
    return [list(row) for row in zip(
        callbacks["callback_id"].tolist(), callbacks["record_no"].tolist(), callbacks["dealer_id"].tolist(),
        called_values, *flags[:4], answers, flags[4], *texts)]


CALLBACK_COLUMNS = ["callback_id", "record_no", "dealer_id", "called_at", "reached", "service_confirmed",
                    "resolved", "on_time", "satisfaction", "complaint", "conduct_issue", "comment"]
BAD_CALLBACK_MONTH = {6: "satisfaction_word", 15: "unknown_record"}  # span month index of called_at


def _write_callbacks(out_dir, span, callbacks: pd.DataFrame, tickets: pd.DataFrame) -> list[pathlib.Path]:
    """callbacks_YYYY-MM.xlsx per month of called_at, title block as in the spec example."""
    month_of = callbacks["called_at"].to_numpy().astype("datetime64[M]")
    paths = []
    for index, month in enumerate(span.months):
        mine = callbacks[month_of == month].reset_index(drop=True)
        if mine.empty:
            continue
        rows = _callback_rows(mine, index)
        problem = BAD_CALLBACK_MONTH.get(index)
        if problem:
            _break_callback(rows, mine, problem, tickets)
        first = month.astype(object)
        english = index % 3 == 0
        title = (f"HQ callback results, {first.strftime('%B %Y')}" if english
                 else f"总部回访结果 {first.year}年{first.month}月")
        header = _headers(CALLBACKS, CALLBACK_COLUMNS, not english)
        end = (month + 1).astype("datetime64[D]")
        path = out_dir / f"callbacks_{str(month)}.xlsx"
        paths.append(_write_xlsx(path, "回访", [[title], [], header, *rows], _stamp(end, 8)))
    return paths


def _break_callback(rows: list[list], callbacks: pd.DataFrame, problem: str, tickets: pd.DataFrame) -> None:
    """One bad callback row: an unknown satisfaction word, or a record that does not exist."""
    if problem == "satisfaction_word":  # on a happy customer without any hotline ticket
        plain = np.nonzero((callbacks["satisfaction"].to_numpy() == 5) & (callbacks["complaint"].to_numpy() == 0)
                           & ~np.isin(callbacks["record"].to_numpy(), tickets["record"].to_numpy()))[0]
        rows[int(plain[0])][CALLBACK_COLUMNS.index("satisfaction")] = "很好"
        return
    extra = list(rows[-1])
    extra[0] = _bump(str(extra[0]))
    extra[1] = str(extra[1])[:-3] + "999"  # no dealer has 999 records in a month
    rows.append(extra)


# ---------------------------------------------------------------- dealers, sales, hotline, notices


def _write_dealers(out_dir, span, dealers: pd.DataFrame) -> pathlib.Path:
    """dealers.xlsx: the roster with a title block, Chinese headers and contact extras."""
    columns = [c.name for c in DEALERS.columns]
    header = _headers(DEALERS, columns, True) + ["联系人", "联系电话"]
    end = span.end - 1
    rows = [[f"经销商档案（截至{pd.Timestamp(end).year}年{pd.Timestamp(end).month}月）"],
            ["制表：总部售后服务中心"], header]
    for number, dealer in enumerate(dealers.itertuples(index=False)):
        joined = _py_date(dealer.joined_on)
        rows.append([dealer.dealer_id, dealer.dealer_name, dealer.region, dealer.province, dealer.city,
                     AREA_ZH[dealer.area_type],
                     "３" if dealer.technicians == 3 and number % 5 == 0 else int(dealer.technicians),
                     "有" if dealer.has_service_center else "无",
                     f"{joined.year}/{joined.month}/{joined.day}" if number % 10 == 3 else joined,
                     _py_date(dealer.left_on), dealer.contact, int(dealer.contact_phone)])
    return _write_xlsx(out_dir / "dealers.xlsx", "经销商", rows, _stamp(span.end))


def _write_sales(out_dir, span, dealers: pd.DataFrame, sales: pd.DataFrame, rng) -> list[pathlib.Path]:
    """sales_YYYY per calendar year: first .xlsx, then UTF-8 CSV, then GBK CSV with Chinese headers."""
    months = span.months[sales["month"].to_numpy()]
    years = months.astype("datetime64[Y]").astype(int) + 1970
    ids = dealers["dealer_id"].to_numpy()[sales["dealer"].to_numpy()]
    paths = []
    for position, year in enumerate(np.unique(years)):
        mine = np.nonzero(years == year)[0]
        mine = mine[np.lexsort((sales["dealer"].to_numpy()[mine], months[mine]))]
        frame = pd.DataFrame({"dealer_id": ids[mine], "month": _fmt_month(months[mine], "iso"),
                              "units_sold": sales["units_sold"].to_numpy()[mine],
                              "sales_amount": sales["sales_amount"].to_numpy()[mine]})
        last_month = months[mine].max()
        if position == 0:
            paths.append(_sales_xlsx(out_dir / f"sales_{year}.xlsx", frame, last_month))
        else:
            paths.append(_sales_csv(out_dir / f"sales_{year}.csv", frame, months[mine], position, rng))
    return paths


def _sales_xlsx(path, frame: pd.DataFrame, last_month: np.datetime64) -> pathlib.Path:
    """First year: an Excel sheet with numeric units and amounts."""
    header = _headers(SALES, list(frame.columns), False)
    rows = [header] + [[r.dealer_id, r.month, int(r.units_sold), float(r.sales_amount)]
                       for r in frame.itertuples(index=False)]
    return _write_xlsx(path, "sales", rows, _stamp((last_month + 1).astype("datetime64[D]") + 9))


def _sales_csv(path, frame: pd.DataFrame, months: np.ndarray, position: int, rng) -> pathlib.Path:
    """Second year: UTF-8, months 202503, some full-width digits and a repeated row; later: GBK, 2026年3月."""
    chinese = position >= 2
    style = Style(chinese_headers=chinese, encoding="gb18030" if chinese else "utf-8",
                  month="cn" if chinese else "compact", money_decimals=True)
    text = pd.DataFrame({
        "dealer_id": frame["dealer_id"].to_numpy(),
        "month": _fmt_month(months, style.month),
        "units_sold": frame["units_sold"].to_numpy().astype(str),
        "sales_amount": _fmt_money(frame["sales_amount"].to_numpy(), True),
    }, dtype=object)
    if not chinese:
        text["units_sold"] = _full_width(text["units_sold"].to_numpy(), rng.random(len(text)) < 0.03)
        middle = len(text) // 2
        repeated = text.iloc[[middle]].copy()
        repeated["units_sold"] = str(int(frame["units_sold"].iloc[middle]) + 37)
        text = pd.concat([text.iloc[:middle + 1], repeated, text.iloc[middle + 1:]], ignore_index=True)
    header = _headers(SALES, list(frame.columns), chinese)
    path.write_bytes(_frame_csv(text, header, style))
    return path


HOTLINE_STYLES = (
    Style(),
    Style(chinese_headers=True, encoding="utf-8-sig", datetime="slash", booleans=("是", "否"), chinese_values=True),
    Style(datetime="seconds", booleans=("true", "false")),
)


def _write_hotline(out_dir, span, dealers: pd.DataFrame, tickets: pd.DataFrame) -> list[pathlib.Path]:
    """hotline_YYYY.csv per calendar year; the last one holds a ticket of an unknown type."""
    years = tickets["received_at"].to_numpy().astype("datetime64[Y]").astype(int) + 1970
    columns = [c.name for c in HOTLINE.columns]
    paths = []
    unique_years = np.unique(years)
    for position, year in enumerate(unique_years):
        style = HOTLINE_STYLES[position % len(HOTLINE_STYLES)]
        mine = tickets[years == year]
        types = mine["ticket_type"].to_numpy()
        text = pd.DataFrame({
            "ticket_id": mine["ticket_id"].to_numpy(),
            "received_at": _fmt_datetime(mine["received_at"].to_numpy(), style.datetime),
            "dealer_id": dealers["dealer_id"].to_numpy()[mine["dealer"].to_numpy()],
            "ticket_type": np.vectorize(TICKET_ZH.get)(types) if style.chinese_values else types,
            "customer_phone": mine["customer_phone"].to_numpy(),
            "record_no": mine["record_no"].to_numpy(),
            "verified": _fmt_bool(mine["verified"].to_numpy(), style.booleans),
        }, dtype=object)
        if year == unique_years[-1]:
            praise = text.iloc[[len(text) // 3]].copy()
            prefix = str(praise["ticket_id"].iloc[0])[:6]
            praise["ticket_id"] = _bump(max(t for t in text["ticket_id"] if t.startswith(prefix)))
            praise["ticket_type"] = "表扬"
            praise[["record_no", "verified"]] = ""
            text = pd.concat([text, praise], ignore_index=True)
        path = out_dir / f"hotline_{year}.csv"
        path.write_bytes(_frame_csv(text, _headers(HOTLINE, columns, style.chinese_headers), style))
        paths.append(path)
    return paths


def _write_notices(out_dir, notices: pd.DataFrame) -> pathlib.Path:
    """notices.csv: UTF-8 with BOM, Chinese headers, mixed date spellings."""
    styles = ("iso", "cn", "slash")
    text = notices.copy().astype(object)
    days = notices["notice_date"].to_numpy()
    text["notice_date"] = [_fmt_date(days[i:i + 1], styles[i % 3])[0] for i in range(len(days))]
    columns = [c.name for c in NOTICES.columns]
    path = out_dir / "notices.csv"
    path.write_bytes(_frame_csv(text[columns], _headers(NOTICES, columns, True), Style(encoding="utf-8-sig")))
    return path


# ---------------------------------------------------------------- entry point


@dataclass(frozen=True)
class DemoData:
    """Everything generated, typed, before it is spelled out into files."""

    dealers: pd.DataFrame
    records: pd.DataFrame
    reports: pd.DataFrame
    changes: dict
    callbacks: pd.DataFrame
    tickets: pd.DataFrame
    sales: pd.DataFrame


def _build(rng: np.random.Generator, span: Span) -> DemoData:
    """Draw the dealers, their records, reports, callbacks, hotline tickets and sales."""
    dealers = _dealers(rng, span)
    frame = _month_frame(dealers, span)
    _scale_sizes(dealers, frame)
    counts = _record_counts(rng, dealers, frame)
    crisis = _crisis_months(rng, dealers, len(span.months))
    records = _repairs(rng, dealers, span, frame, counts, crisis)
    reports = _reports(rng, dealers, span, frame, counts)
    ticketed = _ticketed(rng, records)
    layout = reports["layout"].reindex(records["frame_row"].to_numpy()).to_numpy()
    changes = _resubmission_changes(rng, records, records.index[layout == "resubmitted"].to_numpy())
    held_back = records.index.isin(changes["left_out"])
    callbacks = _callbacks(rng, dealers, span, records, reports, held_back)
    tickets = _hotline(rng, dealers, span, records, reports, callbacks, ticketed, frame)
    return DemoData(dealers, records, reports, changes, callbacks, tickets, _sales(rng, dealers, frame))


def generate(out_dir: pathlib.Path, seed: int = 20260101, end_month: str | None = None) -> list[pathlib.Path]:
    """Write the demo data set into out_dir (flat) and return the written paths.

    The same seed and end_month ('YYYY-MM', default the month before the current one) give
    byte-identical files.
    """
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    span = _span(end_month or _default_end_month())
    rng = np.random.default_rng(seed)
    data = _build(rng, span)
    paths = [_write_dealers(out_dir, span, data.dealers)]
    paths += _write_sales(out_dir, span, data.dealers, data.sales, rng)
    paths += _write_consolidated(out_dir, span, data.records, data.reports, data.changes, rng)
    paths += _write_single_reports(out_dir, span, data.dealers, data.records, data.reports)
    paths += _write_callbacks(out_dir, span, data.callbacks, data.tickets)
    paths += _write_hotline(out_dir, span, data.dealers, data.tickets)
    paths.append(_write_notices(out_dir, _notices(data.dealers, span)))
    return paths
