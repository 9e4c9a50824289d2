"""Every string the dashboard shows, in Chinese and English: one dictionary, key -> {"zh": ..., "en": ...}.

Rate names come from etl.metrics.definitions.RATES (their one home), so a rate reads the same
on the dashboard, in the views' comments and in reports. No Streamlit here: charts and Excel
files use it too.
"""
from __future__ import annotations

from etl.metrics.definitions import RATES

LANGUAGES = ("zh", "en")
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}

_TEXT: dict[str, tuple[str, str]] = {  # key: (zh, en)
    # shell
    "language": ("语言", "Language"),
    "language.name": ("中文", "English"),
    "overview.title": ("概览", "Overview"),
    "dealers.title": ("经销商", "Dealers"),
    "award.title": ("优秀售后服务单位评选", "Service award"),
    "settlement.title": ("维修费结算", "Maintenance fee settlement"),
    "loading": ("正在读取数据…", "Reading the data…"),
    "empty": ("暂无数据：请先导入文件（python -m etl load 路径），或运行演示数据（python -m etl demo），然后刷新本页。",
              "No data yet: load files first (python -m etl load PATH, or run the demo: python -m etl demo), "
              "then reload this page."),
    "busy": ("数据库正被另一个导入任务占用，请稍候片刻后刷新本页。",
             "The database is busy with a load in another process; wait a moment, then reload this page."),
    "rules_error": ("规则文件无法使用：{error}", "The rules file cannot be used: {error}"),
    "no_data_in_scope": ("所选月份和范围内没有数据：请在侧栏放宽筛选条件。",
                         "No data for the chosen months and scope: widen the filters in the sidebar."),
    "no_dealers_in_scope": ("所选范围内没有经销商：请在侧栏放宽筛选条件。",
                            "No dealer in the chosen scope: widen the filters in the sidebar."),
    "sidebar.footer": ("数据更新于 {loaded} · 规则：{rules}。地址栏包含当前筛选条件，复制链接即可分享此视图。",
                       "Data loaded {loaded} · rules: {rules}. The address bar holds these filters: "
                       "copy it to share this view."),
    "download": ("下载 Excel", "Download Excel"),
    "total": ("合计", "Total"),
    "year": ("年度", "Year"),
    "year_help": ("按自然年评估；侧栏的月份筛选不适用于本页，大区、省份和区域类型筛选仍然有效。",
                  "A calendar year is judged: the sidebar's months filter does not apply on this page; "
                  "regions, provinces and area types still do."),
    "as_of": ("截至日期", "As of"),
    "as_of_help": ("决定哪些月份的报表已到期（次月 15 日为截止日）。",
                   "Decides which months' reports are due (each is due on the 15th of the next month)."),
    # filters
    "filters.title": ("筛选", "Filters"),
    "filters.months": ("月份", "Months"),
    "filters.months_help": ("所有数字按所选月份汇总（分子、分母分别求和）；对比期为紧邻的相同月数。",
                            "Every figure sums numerators and denominators over these months; the previous "
                            "period is the same number of months just before."),
    "filters.one_month": ("数据只有一个月：{month}", "Data covers one month: {month}"),
    "filters.regions": ("大区", "Regions"),
    "filters.provinces": ("省份", "Provinces"),
    "filters.area_types": ("区域类型", "Area types"),
    "filters.all": ("全部", "all"),
    # tiles
    "tile.vs_previous": ("对比期 {previous}", "previous period {previous}"),
    "tile.help": ("{definition}。本期 {numerator} / {denominator}；对比期 {previous}。",
                  "{definition}. This period {numerator} / {denominator}; previous period {previous}."),
    "tile.meets": ("达标 {rule}", "meets {rule}"),
    "tile.misses": ("未达标 {rule}", "misses {rule}"),
    "tile.no_data": ("无数据 · 标准 {rule}", "no data · rule {rule}"),
    "tile.no_threshold": ("无考核标准", "no threshold"),
    # overview
    "overview.trends": ("月度趋势", "Monthly trends"),
    "overview.breaches": ("突破三个控制的经销商", "Dealers breaching the three controls"),
    "overview.breaches_help": ("三个控制：服务投诉率、服务遗漏率、不满意率均须低于规则值（默认 10 %），按所选月份汇总。",
                               "Three controls: complaint rate per service, miss rate and dissatisfaction must "
                               "each stay below the rule (default 10 %), over the chosen months."),
    "overview.no_breaches": ("所选范围内没有经销商突破三个控制。", "No dealer in the scope breaches the three controls."),
    # dealers
    "dealers.search": ("查找经销商", "Find a dealer"),
    "dealers.search_hint": ("编号或名称", "id or name"),
    "dealers.rank_by": ("排名指标", "Rank by"),
    "dealers.table_help": ("点击列标题排序；红色为未达标，绿色为达标。",
                           "Click a column header to sort; red misses its threshold, green meets it."),
    "dealers.drilldown": ("经销商明细", "Dealer drill-down"),
    "dealers.pick": ("经销商", "Dealer"),
    "dealers.trends": ("月度趋势", "Monthly trends"),
    "dealers.timeliness": ("月报及时性", "Report timeliness"),
    "dealers.records": ("数字背后的记录", "The records behind the numbers"),
    "dealers.records_help": ("个人信息已脱敏：电话仅显示前三位和后四位，姓名仅显示姓。",
                             "Personal data is masked: phones show the first three and last four digits, "
                             "names only their first character."),
    "records.open_records": ("未完成", "Open records"),
    "records.misses": ("遗漏", "Misses"),
    "records.complaints": ("投诉", "Complaints"),
    "records.fake_records": ("虚假记录", "Fake records"),
    "records.late_arrivals": ("超时上门", "Late arrivals"),
    "records.repeat_repairs": ("重复维修", "Repeat repairs"),
    "records.none": ("所选月份内没有此类记录。", "No such records in the chosen months."),
    # award
    "award.eligible": ("入选经销商", "Eligible dealers"),
    "award.eligible_help": ("{year} 年，截至 {as_of}：所有条件均达标的经销商数 / 当年签约经销商数。",
                            "{year}, as of {as_of}: dealers passing every criterion / dealers under contract "
                            "in the year."),
    "award.order_help": ("入选经销商排在最前，其后按未达标条件数排序。",
                         "Eligible dealers first, then by the number of failed criteria."),
    "award.criterion.complaints": ("千台投诉率", "Complaints per 1,000 sold"),
    "award.criterion.satisfaction": ("满意率", "Satisfaction"),
    "award.criterion.evidence": ("回访样本", "Callback evidence"),
    "award.criterion.reports": ("按时报表", "Reports on time"),
    "award.criterion.network": ("服务网络", "Service network"),
    "award.criterion.notices": ("曝光/通报", "Notices"),
    # what-if
    "what_if.title": ("假设分析：调整评选标准", "What-if: change the award thresholds"),
    "what_if.help": ("这里的修改只影响本页（及其链接），不会改动规则文件。",
                     "Changes here apply to this page (and its link) only; the rules file is not touched."),
    "what_if.input_help": ("规则文件：{value}", "Rules file: {value}"),
    "what_if.active": ("假设分析中，结果与规则文件不同：{changes}", "What-if active, results differ from the rules file: {changes}"),
    "what_if.change": ("{label} {value}（规则文件：{rules}）", "{label} {value} (rules file: {rules})"),
    "what_if.change_short": ("{value}（规则文件：{rules}）", "{value} (rules file: {rules})"),
    "what_if.none": ("无，按规则文件", "none, as in the rules file"),
    "what_if.reset": ("恢复规则文件的标准", "Back to the rules file"),
    "what_if.award.max_complaints_per_1000_sales": ("千台投诉率上限（‰）", "Max complaints per 1,000 sold (‰)"),
    "what_if.award.min_satisfaction_rate": ("满意率下限（%）", "Min satisfaction (%)"),
    "what_if.award.min_answered_callbacks": ("最少有效回访数", "Min answered callbacks"),
    "what_if.award.min_report_rate": ("按时报表率下限（%）", "Min reports on time (%)"),
    "what_if.award.min_technicians": ("最少维修人员", "Min technicians"),
    "what_if.award.max_notices": ("最多曝光/通报次数", "Max notices"),
    "what_if.award.require_service_center": ("须有服务网点", "Service center required"),
    # settlement
    "settlement.no_deductions": ("所选范围内没有经销商被扣款。", "No dealer in the scope has any deduction."),
    "settlement.dealers": ("经销商数", "Dealers"),
    "settlement.caption": ("{dealers} 家经销商 · {year} 年 · 截至 {as_of}",
                           "{dealers} dealers · {year} · as of {as_of}"),
    "settlement.help.fee_base": ("结算金额 × 维修费比例（规则，默认 1 %）。", "Sales amount × fee rate (rules, default 1 %)."),
    "settlement.help.missing_deduction": ("连续 3 个应报月未按时报表，扣维修费基数的 10 %（规则）。",
                                          "3 consecutive months due without an on-time report deduct 10 % of "
                                          "the fee base (rules)."),
    "settlement.help.fake_penalty": ("假一罚十：总部回访证实不属实的记录，按其人工费与配件费的 10 倍罚款。",
                                     "Ten times the labour and parts fees of every record an HQ callback "
                                     "proved false."),
    "settlement.help.complaint_deduction": ("每次投诉扣款（规则，默认 0 元）。",
                                            "A set amount per complaint (rules, default 0 yuan)."),
    "settlement.help.net_fee": ("维修费基数减去各项扣款，不低于 0。", "Fee base less every deduction, not below 0."),
    # excel
    "excel.filters_sheet": ("筛选条件", "Filters"),
    "excel.filter": ("条件", "Filter"),
    "excel.value": ("取值", "Value"),
    "excel.generated_at": ("生成时间", "Generated at"),
    # charts
    "chart.limit": ("标准 {limit}", "limit {limit}"),
    "chart.ranking_title": ("{rate}：最需关注的 {top} 家", "{rate}: the {top} dealers needing most attention"),
    "chart.days": ("天", "days"),
    "chart.days_vs_deadline": ("首次提交距截止日（天）", "First submission vs deadline (days)"),
    "chart.award_failures": ("各条件未达标经销商数（共 {dealers} 家）", "Dealers failing each criterion (of {dealers})"),
    "chart.dealers": ("经销商数", "Dealers"),
    "chart.yuan": ("金额（元）", "Amount (yuan)"),
    "chart.deductions": ("各经销商扣款（共 {dealers} 家有扣款）", "Deductions per dealer ({dealers} dealers with any)"),
    # codes stored in the data
    "code.urban": ("市区", "urban"),
    "code.county": ("郊县", "county"),
    "code.install": ("安装", "install"),
    "code.repair": ("维修", "repair"),
    "code.maintenance": ("保养", "maintenance"),
    "code.completed": ("已完成", "completed"),
    "code.returned_to_factory": ("返厂", "returned to factory"),
    "code.open": ("未完成", "open"),
    "code.on_time": ("按时", "on time"),
    "code.late": ("逾期", "late"),
    "code.missing": ("缺报", "missing"),
    "code.not_due": ("未到期", "not due yet"),
    "code.no_contract": ("未签约", "not under contract"),
    "code.repair_record": ("维修记录", "repair record"),
    "code.hotline_ticket": ("热线工单", "hotline ticket"),
    # rate definitions (tooltips)
    "definition.complaints_per_1000_sales": ("投诉数 × 1000 ÷ 销量", "complaints × 1,000 ÷ units sold"),
    "definition.complaint_rate": ("投诉数 ÷ 服务量（维修记录数）", "complaints ÷ services (repair records)"),
    "definition.miss_rate": ("遗漏的服务需求 ÷ 服务需求（维修记录 + 无记录的热线报修）",
                             "missed requests ÷ requests (repair records + unanswered hotline repair requests)"),
    "definition.satisfaction_rate": ("总部回访中答 4 或 5 分的 ÷ 有答复的接通回访",
                                     "reached HQ callbacks answering 4 or 5 ÷ reached callbacks with an answer"),
    "definition.dissatisfaction_rate": ("总部回访中答 1 或 2 分的 ÷ 有答复的接通回访",
                                        "reached HQ callbacks answering 1 or 2 ÷ reached callbacks with an answer"),
    "definition.fake_rate": ("用户称服务未发生的接通回访 ÷ 接通回访",
                             "reached callbacks where the customer says the service never happened ÷ reached callbacks"),
    "definition.on_time_rate": ("时限内上门（市区 24 小时、郊县 48 小时）÷ 已上门或未完成的记录",
                                "records on site within the SLA (24 h urban, 48 h county) ÷ records with an "
                                "arrival or still open"),
    "definition.dealer_callback_rate": ("经销商已回访的记录 ÷ 服务量", "records the dealer called back ÷ services"),
    "definition.hq_callback_coverage": ("总部回访数 ÷ 服务量", "HQ callbacks ÷ services"),
    "definition.repeat_repair_rate": ("30 天内同一机身再次维修 ÷ 有机身编号的维修记录",
                                      "repairs of a serial repaired in the 30 days before ÷ repair records with a serial"),
    # table columns
    "col.dealer_id": ("经销商编号", "Dealer id"),
    "col.dealer_name": ("经销商名称", "Dealer"),
    "col.region": ("大区", "Region"),
    "col.province": ("省份", "Province"),
    "col.area_type": ("区域类型", "Area type"),
    "col.services": ("服务量", "Services"),
    "col.complaints": ("投诉数", "Complaints"),
    "col.units_sold": ("销量", "Units sold"),
    "col.requests": ("服务需求", "Requests"),
    "col.misses": ("遗漏", "Misses"),
    "col.callbacks": ("总部回访", "HQ callbacks"),
    "col.callbacks_answered": ("有效回访", "Answered callbacks"),
    "col.dissatisfied": ("不满意回访", "Dissatisfied answers"),
    "col.breach_months": ("单月突破次数", "Months in breach"),
    "col.month": ("月份", "Month"),
    "col.report_due_on": ("截止日期", "Due on"),
    "col.first_submitted_on": ("首次提交", "First submitted"),
    "col.last_submitted_on": ("最近提交", "Last submitted"),
    "col.submissions": ("提交次数", "Submissions"),
    "col.days_late": ("距截止（天）", "Days after deadline"),
    "col.status": ("状态", "Status"),
    "col.record_no": ("维修单号", "Record no."),
    "col.report_month": ("报表月份", "Report month"),
    "col.requested_at": ("报修时间", "Requested at"),
    "col.service_type": ("服务类型", "Service type"),
    "col.product_model": ("产品型号", "Product model"),
    "col.fault_category": ("故障类别", "Fault"),
    "col.technician": ("维修人员", "Technician"),
    "col.hq_ticket_id": ("总部工单号", "HQ ticket"),
    "col.customer_name": ("用户姓名", "Customer"),
    "col.customer_phone": ("联系电话", "Phone"),
    "col.request_source": ("需求来源", "Request source"),
    "col.request_id": ("单号", "Request id"),
    "col.is_open": ("未完成", "Still open"),
    "col.found_unresolved": ("回访未解决", "Unresolved at callback"),
    "col.first_event_at": ("首次投诉时间", "First complaint at"),
    "col.events": ("投诉事件数", "Events"),
    "col.via_callback": ("回访投诉", "Via HQ callback"),
    "col.via_hotline": ("热线投诉", "Via hotline"),
    "col.event_ids": ("事件编号", "Event ids"),
    "col.called_at": ("回访时间", "Called at"),
    "col.callback_id": ("回访编号", "Callback id"),
    "col.labor_fee": ("人工费", "Labour fee"),
    "col.parts_fee": ("配件费", "Parts fee"),
    "col.comment": ("意见", "Comment"),
    "col.arrived_at": ("上门时间", "Arrived at"),
    "col.hours_to_arrive": ("上门用时（小时）", "Hours to arrive"),
    "col.sla_hours": ("时限（小时）", "SLA hours"),
    "col.serial_no": ("机身编号", "Serial no."),
    "col.earlier_dealer_id": ("前次经销商", "Earlier dealer"),
    "col.earlier_record_no": ("前次维修单号", "Earlier record"),
    "col.earlier_requested_at": ("前次报修时间", "Earlier requested at"),
    "col.eligible": ("入选", "Eligible"),
    "col.complaints_threshold": ("投诉率标准（低于）", "Complaints limit (below)"),
    "col.pass_complaints": ("投诉达标", "Complaints pass"),
    "col.satisfaction_threshold": ("满意率标准（不低于）", "Satisfaction limit (at least)"),
    "col.pass_satisfaction": ("满意达标", "Satisfaction pass"),
    "col.evidence_threshold": ("回访样本标准", "Callbacks needed"),
    "col.pass_evidence": ("样本达标", "Evidence pass"),
    "col.report_rate": ("按时报表率", "Reports on time"),
    "col.report_threshold": ("报表标准（不低于）", "Reports limit (at least)"),
    "col.pass_reports": ("报表达标", "Reports pass"),
    "col.technicians": ("维修人员数", "Technicians"),
    "col.has_service_center": ("服务网点", "Service center"),
    "col.pass_network": ("网络达标", "Network pass"),
    "col.notices": ("曝光/通报", "Notices"),
    "col.pass_notices": ("通报达标", "Notices pass"),
    "col.reasons": ("未入选原因", "Reasons"),
    "col.sales_amount": ("结算金额", "Sales amount"),
    "col.fee_base": ("维修费基数", "Fee base"),
    "col.max_consecutive_missing": ("最长连续缺报（月）", "Longest run missing (months)"),
    "col.missing_deduction": ("缺报扣款", "Missing-report deduction"),
    "col.fake_records": ("虚假记录", "Fake records"),
    "col.fake_penalty": ("假一罚十", "Fake-record penalty"),
    "col.complaint_deduction": ("投诉扣款", "Complaint deduction"),
    "col.net_fee": ("应付维修费", "Net fee"),
}
for _rate in RATES:
    _TEXT[f"rate.{_rate.name}"] = (_rate.label_zh, _rate.label_en)
    _TEXT[f"col.{_rate.name}"] = (_rate.label_zh, _rate.label_en)

STRINGS: dict[str, dict[str, str]] = {key: dict(zip(LANGUAGES, texts)) for key, texts in _TEXT.items()}


def t(key: str, lang: str, **values) -> str:
    """The string `key` in `lang` (zh or en), with {placeholders} filled in."""
    text = STRINGS[key][lang if lang in LANGUAGES else LANGUAGES[0]]
    return text.format(**values) if values else text


def code(value, lang: str) -> str:
    """A value stored in the data (urban, completed, on_time ...) in words; an unknown one as it is."""
    key = f"code.{value}"
    return t(key, lang) if key in STRINGS else str(value)
