"""Bulk synthetic data for load tests: a million published pledges in minutes.

    manage.py seed_bulk --pledges 1000000 [--campaigns 20] [--batch 10000] [--reset]

It writes one campaign per year (all closed except the latest, which is open), enterprises
with realistic Chinese names in every province and industry division and valid, unique
credit codes, pledges that are mostly approved (about 1 % revoked, each with its public
reason, and a few % in states the public never sees) and a ready certificate row (no file)
for every approved or revoked pledge.

Everything it writes is marked, so ``--reset`` removes exactly that and nothing else:
campaigns whose title starts with ``BULK_TITLE_PREFIX`` and enterprises whose contact e-mail
is at ``BULK_EMAIL_DOMAIN``, with their pledges, certificates and events. Its rows are made
by one inactive system user, kept between runs.

On PostgreSQL rows go in with COPY (psycopg 3), one transaction per --batch rows, written
by --jobs forked worker processes (one per CPU: generating rows is Python work, so processes,
not threads), then the tables are analysed. Other databases, or a run inside a transaction
(tests), get executemany INSERTs in this process, with values adapted by the model fields:
slower, fine for small N. The data depend on --seed only. Nothing is switched off: every
constraint, trigger and index stays in place while loading.
"""

import hashlib
import json
import multiprocessing
import os
import random
import time
from bisect import bisect
from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, connection, connections, models, transaction
from django.utils import timezone
from stdnum.cn import uscc

from accounts.models import Invitation, Membership, User
from pledges.demo_text import PLEDGE_TEXT
from pledges.models import (
    AuditEvent,
    Campaign,
    Certificate,
    DecisionNotice,
    Enterprise,
    Industry,
    Pledge,
    Province,
    ReviewNote,
)
from pledges.search import name_ngrams

BULK_TITLE_PREFIX = "[bulk] "
BULK_EMAIL_DOMAIN = "seed-bulk.invalid"
SYSTEM_USER_EMAIL = f"system@{BULK_EMAIL_DOMAIN}"
NUMBER_PREFIX = "CQ"
CHINA = ZoneInfo("Asia/Shanghai")
# Credit-code alphabet (GB 32100-2015: digits and capitals except I, O, S, V, Z).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

# Province code: (the place as names use it, [(city, first four digits of its region code)]).
PLACES = {
    "11": ("北京", [("北京市", "1101")]),
    "12": ("天津", [("天津市", "1201")]),
    "13": (
        "河北",
        [("石家庄市", "1301"), ("唐山市", "1302"), ("秦皇岛市", "1303"), ("邯郸市", "1304")]
        + [("保定市", "1306"), ("廊坊市", "1310")],
    ),
    "14": (
        "山西",
        [("太原市", "1401"), ("大同市", "1402"), ("长治市", "1404"), ("晋中市", "1407")],
    ),
    "15": ("内蒙古", [("呼和浩特市", "1501"), ("包头市", "1502"), ("鄂尔多斯市", "1506")]),
    "21": ("辽宁", [("沈阳市", "2101"), ("大连市", "2102"), ("鞍山市", "2103")]),
    "22": ("吉林", [("长春市", "2201"), ("吉林市", "2202")]),
    "23": ("黑龙江", [("哈尔滨市", "2301"), ("齐齐哈尔市", "2302"), ("大庆市", "2306")]),
    "31": ("上海", [("上海市", "3101")]),
    "32": (
        "江苏",
        [("南京市", "3201"), ("无锡市", "3202"), ("徐州市", "3203"), ("常州市", "3204")]
        + [("苏州市", "3205"), ("南通市", "3206")],
    ),
    "33": (
        "浙江",
        [("杭州市", "3301"), ("宁波市", "3302"), ("温州市", "3303"), ("嘉兴市", "3304")]
        + [("湖州市", "3305"), ("绍兴市", "3306"), ("金华市", "3307"), ("台州市", "3310")],
    ),
    "34": (
        "安徽",
        [("合肥市", "3401"), ("芜湖市", "3402"), ("蚌埠市", "3403"), ("安庆市", "3408")],
    ),
    "35": (
        "福建",
        [("福州市", "3501"), ("厦门市", "3502"), ("泉州市", "3505"), ("漳州市", "3506")],
    ),
    "36": (
        "江西",
        [("南昌市", "3601"), ("景德镇市", "3602"), ("九江市", "3604"), ("赣州市", "3607")],
    ),
    "37": (
        "山东",
        [("济南市", "3701"), ("青岛市", "3702"), ("淄博市", "3703"), ("烟台市", "3706")]
        + [("潍坊市", "3707"), ("临沂市", "3713")],
    ),
    "41": (
        "河南",
        [("郑州市", "4101"), ("开封市", "4102"), ("洛阳市", "4103"), ("新乡市", "4107")]
        + [("许昌市", "4110")],
    ),
    "42": (
        "湖北",
        [("武汉市", "4201"), ("黄石市", "4202"), ("十堰市", "4203"), ("宜昌市", "4205")]
        + [("襄阳市", "4206")],
    ),
    "43": (
        "湖南",
        [("长沙市", "4301"), ("株洲市", "4302"), ("湘潭市", "4303"), ("岳阳市", "4306")],
    ),
    "44": (
        "广东",
        [("广州市", "4401"), ("深圳市", "4403"), ("珠海市", "4404"), ("汕头市", "4405")]
        + [("佛山市", "4406"), ("东莞市", "4419"), ("中山市", "4420")],
    ),
    "45": ("广西", [("南宁市", "4501"), ("柳州市", "4502"), ("桂林市", "4503")]),
    "46": ("海南", [("海口市", "4601"), ("三亚市", "4602")]),
    "50": ("重庆", [("重庆市", "5001")]),
    "51": (
        "四川",
        [("成都市", "5101"), ("自贡市", "5103"), ("绵阳市", "5107"), ("宜宾市", "5115")],
    ),
    "52": ("贵州", [("贵阳市", "5201"), ("遵义市", "5203")]),
    "53": ("云南", [("昆明市", "5301"), ("曲靖市", "5303"), ("玉溪市", "5304")]),
    "54": ("西藏", [("拉萨市", "5401"), ("日喀则市", "5402")]),
    "61": ("陕西", [("西安市", "6101"), ("宝鸡市", "6103"), ("咸阳市", "6104")]),
    "62": ("甘肃", [("兰州市", "6201"), ("天水市", "6205")]),
    "63": ("青海", [("西宁市", "6301")]),
    "64": ("宁夏", [("银川市", "6401"), ("石嘴山市", "6402")]),
    "65": ("新疆", [("乌鲁木齐市", "6501"), ("克拉玛依市", "6502")]),
    "71": ("台湾", [("台北市", "7100")]),
    "81": ("香港", [("香港", "8100")]),
    "82": ("澳门", [("澳门", "8200")]),
}
# Roughly where enterprises are: the coastal manufacturing provinces lead.
PROVINCE_WEIGHTS = {
    "44": 12, "32": 10, "33": 10, "37": 8, "35": 5, "41": 5, "31": 5, "51": 4, "11": 4,
    "34": 4, "42": 4, "13": 4, "43": 3.5, "36": 3, "21": 2.5, "61": 2.5, "50": 2.5, "12": 2,
    "45": 2, "14": 1.5, "53": 1.5, "52": 1.2, "22": 1, "23": 1, "15": 1, "62": 0.8, "65": 0.8,
    "46": 0.6, "64": 0.4, "63": 0.3, "54": 0.2, "81": 0.1, "71": 0.05, "82": 0.05,
}  # fmt: skip

# GB/T 4754-2017 division: words an enterprise of that trade puts in its name.
INDUSTRY_WORDS = {
    "01": ["农业科技", "种植", "生态农业", "农业发展"],
    "02": ["林业", "苗木", "林业发展"],
    "03": ["畜牧", "牧业", "养殖"],
    "04": ["水产", "渔业", "水产养殖"],
    "05": ["农业服务", "农机服务", "植保科技"],
    "06": ["煤业", "煤炭", "矿业"],
    "07": ["石油", "油气", "天然气开发"],
    "08": ["铁矿", "矿业"],
    "09": ["有色矿业", "矿产"],
    "10": ["石材", "矿产", "石英砂"],
    "11": ["矿山工程", "钻探工程", "油田技术服务"],
    "12": ["矿产开发", "采矿"],
    "13": ["粮油", "米业", "肉类食品", "饲料"],
    "14": ["食品", "乳业", "调味品", "食品科技"],
    "15": ["酒业", "饮料", "茶业", "酿造"],
    "16": ["烟草制品", "卷烟材料"],
    "17": ["纺织", "印染", "纺织科技", "丝绸"],
    "18": ["服饰", "服装", "制衣"],
    "19": ["鞋业", "皮革", "羽绒制品"],
    "20": ["木业", "竹木制品", "板材"],
    "21": ["家具", "家居"],
    "22": ["纸业", "包装材料"],
    "23": ["印务", "印刷", "彩印包装"],
    "24": ["文具", "体育用品", "玩具", "工艺品"],
    "25": ["石化", "能源化工", "焦化"],
    "26": ["化工", "新材料", "涂料", "精细化工"],
    "27": ["制药", "药业", "生物医药", "医药科技"],
    "28": ["化纤", "化学纤维"],
    "29": ["塑料制品", "塑业", "橡胶", "塑胶"],
    "30": ["建材", "水泥", "玻璃", "陶瓷"],
    "31": ["钢铁", "特钢", "钢业"],
    "32": ["铝业", "铜业", "有色金属"],
    "33": ["五金", "金属制品", "不锈钢制品", "紧固件"],
    "34": ["机械", "精密机械", "泵业", "阀门", "轴承"],
    "35": ["机械设备", "装备", "智能装备", "医疗器械"],
    "36": ["汽车", "汽车零部件", "汽配"],
    "37": ["船舶", "轨道交通装备", "航空科技", "车业"],
    "38": ["电气", "电器", "电机", "电缆", "家电"],
    "39": ["电子", "通信设备", "光电", "电子科技", "半导体"],
    "40": ["仪器", "仪表", "精密仪器", "检测仪器"],
    "41": ["制品", "日用品"],
    "42": ["再生资源", "环保科技", "资源回收"],
    "43": ["设备维修", "机电维修"],
    "44": ["电力", "热电", "能源", "新能源"],
    "45": ["燃气", "天然气"],
    "46": ["水务", "供水"],
    "47": ["建设", "建筑", "建工"],
    "48": ["路桥", "市政工程", "交通建设"],
    "49": ["安装工程", "机电安装"],
    "50": ["装饰", "装饰工程", "幕墙"],
    "51": ["商贸", "贸易", "供应链", "进出口"],
    "52": ["商业", "超市", "百货", "连锁"],
    "53": ["铁路运输"],
    "54": ["运输", "物流", "客运"],
    "55": ["航运", "海运"],
    "56": ["航空", "通用航空"],
    "57": ["管道运输", "管输"],
    "58": ["国际货运代理", "供应链管理"],
    "59": ["仓储", "冷链物流"],
    "60": ["快递", "速递"],
    "61": ["酒店", "宾馆", "酒店管理"],
    "62": ["餐饮", "餐饮管理", "食府"],
    "63": ["通信", "网络传输", "广电网络"],
    "64": ["网络科技", "互联网科技", "信息科技"],
    "65": ["软件", "信息技术", "数据科技", "智能科技"],
    "66": ["金融服务", "小额贷款"],
    "67": ["投资管理", "资产管理"],
    "68": ["保险代理", "保险经纪"],
    "69": ["融资租赁", "商业保理"],
    "70": ["置业", "房地产开发", "物业管理"],
    "71": ["租赁", "设备租赁"],
    "72": ["企业管理", "咨询", "人力资源", "广告"],
    "73": ["科学技术研究", "技术研究"],
    "74": ["检测", "检验检测", "工程设计", "技术服务", "认证"],
    "75": ["科技", "科技发展", "技术转移"],
    "76": ["水利工程", "水利"],
    "77": ["环境工程", "环保", "生态环境"],
    "78": ["园林绿化", "市政设施管理", "环卫"],
    "79": ["土地整理", "土地开发"],
    "80": ["家政服务", "洗涤", "美容"],
    "81": ["汽车维修", "家电维修"],
    "82": ["服务", "综合服务"],
    "83": ["教育科技", "培训", "职业培训"],
    "84": ["医院", "健康管理"],
    "85": ["养老服务", "康养"],
    "86": ["出版", "文化传媒"],
    "87": ["影视", "传媒", "影视文化"],
    "88": ["文化艺术", "文化发展"],
    "89": ["体育发展", "体育文化"],
    "90": ["娱乐", "文旅"],
    "91": ["机关后勤服务"],
    "92": ["机关事务服务", "后勤服务"],
    "93": ["会务服务"],
    "94": ["社会保障服务"],
    "95": ["协会服务", "会展服务"],
    "96": ["社区服务"],
    "97": ["国际交流服务", "国际合作"],
}
# Names with the term 质量 (about 3.5 % of enterprises, in these trades), so that searching
# for it finds tens of thousands of pledges in the full data set.
QUALITY_SHARE = 0.035
QUALITY_WORDS = ["质量检测", "质量技术服务", "质量认证", "质量检验", "质量管理咨询", "质量安全技术"]
QUALITY_INDUSTRIES = ["74", "74", "74", "72", "75"]
# No 质 or 量 here: the term must only come from QUALITY_WORDS.
BRAND_CHARS = (
    "华信诚达恒瑞鑫盛泰安康宏远昌隆兴旺祥和顺丰源金银天海东南中新博凯德正嘉佳美宝富荣星光明辉"
    "永久长青绿蓝立创力通汇联合众益利发展云峰山川江湖龙凤鹏飞腾越卓润泽万方圆晶诺亿豪威骏锦欣"
    "悦晨阳春秋雅致精良品优泓沃睿智慧英杰振邦民福禄喜乐航宇舜尧汉唐宋明清翔麒麟"
)
LEGAL_FORMS = [("有限公司", 64), ("有限责任公司", 14), ("股份有限公司", 12), ("集团有限公司", 6)]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
)
GIVEN_CHARS = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚华建国志红玲文斌辉鹏飞宇浩然思雨欣婷晨阳"
SIGNER_TITLES = [("法定代表人", 50), ("总经理", 20), ("董事长", 15), ("质量负责人", 10)]
ROADS = [
    "人民路", "解放路", "建设路", "中山路", "工业大道", "科技路", "创业路", "滨江路", "长江路",
    "黄河路", "世纪大道", "发展大道", "新华路", "和平路", "文化路", "学院路", "兴业路", "振兴路",
]  # fmt: skip
ZONES = ["高新技术产业开发区", "经济技术开发区", "工业园区", "开发区", "新区", "", "", ""]
REVOKE_REASONS = [
    "经查，该企业产品在国家监督抽查中被判定为不合格，撤销其承诺公示。",
    "该企业被列入严重违法失信名单，撤销其承诺公示。",
    "该企业提交的承诺材料与实际情况不符，撤销其承诺公示。",
    "该企业发生重大质量安全事故，撤销其承诺公示。",
    "该企业已注销登记，撤销其承诺公示。",
    "该企业因虚假宣传受到行政处罚，撤销其承诺公示。",
]
S = Pledge.State
# Where pledges end: closed campaigns, and the open (latest) one with its review under way.
PAST_STATES = [
    (S.APPROVED, 95.4),
    (S.REVOKED, 1.1),
    (S.REJECTED, 1.5),
    (S.WITHDRAWN, 1.0),
    (S.CHANGES_REQUESTED, 0.5),
    (S.DRAFT, 0.5),
]
LATEST_STATES = [
    (S.APPROVED, 90.0),
    (S.REVOKED, 0.3),
    (S.SUBMITTED, 4.0),
    (S.DRAFT, 2.0),
    (S.CHANGES_REQUESTED, 1.2),
    (S.REJECTED, 1.5),
    (S.WITHDRAWN, 1.0),
]
DECIDED_STATES = (S.APPROVED, S.REVOKED, S.REJECTED, S.CHANGES_REQUESTED)
# How many campaigns an enterprise signs: P(k) ~ 0.75^(k-1), about 4 on average over 20.
YEARS_DECAY = 0.75
# The share of enterprises that signed the latest campaign too.
STILL_SIGNING = 0.45

ENTERPRISE_COLUMNS = (
    "id", "name", "name_en", "credit_code", "province_id", "city", "industry_id",
    "legal_representative", "address", "website", "contact_name", "contact_phone",
    "contact_email", "search_ngrams", "licence_scan", "created_at", "updated_at",
)  # fmt: skip
PLEDGE_COLUMNS = (
    "id", "enterprise_id", "campaign_id", "state", "text_snapshot", "text_sha256",
    "signer_name", "signer_title", "signer_authorised", "stamped_page", "stamped_page_type",
    "created_by_id", "created_at", "updated_at", "submitted_at", "decided_at",
    "claimed_by_id", "claimed_at",
)  # fmt: skip
CERTIFICATE_COLUMNS = (
    "pledge_id", "campaign_id", "state", "sequence", "number", "file", "sha256", "size",
    "attempts", "error", "created_at", "issued_at", "rendered_at", "emailed_at",
)  # fmt: skip
EVENT_COLUMNS = (
    "action", "actor_id", "enterprise_id", "pledge_id", "campaign_id", "from_state",
    "to_state", "reason", "details", "created_at",
)  # fmt: skip


def _weighted(pairs):
    """(values, cumulative weights) for ``_pick``."""
    pairs = list(pairs)
    values = [value for value, _weight in pairs]
    return values, list(accumulate(weight for _value, weight in pairs))


def _pick(rng: random.Random, values, cum_weights):
    """rng.choices(values, cum_weights=…)[0], without its overhead."""
    return values[bisect(cum_weights, rng.random() * cum_weights[-1])]


LEGAL_FORM_VALUES, LEGAL_FORM_CW = _weighted(LEGAL_FORMS)
SIGNER_TITLE_VALUES, SIGNER_TITLE_CW = _weighted(SIGNER_TITLES)
PROVINCE_VALUES, PROVINCE_CW = _weighted(PROVINCE_WEIGHTS.items())
PEOPLE = [a + b for a in SURNAMES for b in GIVEN_CHARS] + [
    a + b + c for a in SURNAMES[:40] for b in GIVEN_CHARS for c in GIVEN_CHARS[::3]
]


def _base31(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, digit = divmod(number, 31)
        digits.append(USCC_ALPHABET[digit])
    if number:
        raise CommandError("Too many enterprises for the credit-code serial space.")
    return "".join(reversed(digits))


def bulk_credit_code(region: str, serial: int) -> str:
    """A valid code registered in ``region`` (6 digits), unique by ``serial``.

    Every seed_bulk code has "MAW" at characters 9–11; the test factories and seed_demo
    put digits there, so they never collide.
    """
    body = f"91{region}MAW{_base31(serial, 6)}"
    return body + uscc.calc_check_digit(body)


def closes_by_october(year: int) -> datetime:
    """The last moment of October (China time): signing and review happen by then."""
    return datetime(year, 11, 1, tzinfo=CHINA) - timedelta(minutes=1)


# --- Writing rows ------------------------------------------------------------------------

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})
_escaped = {}


def _copy_text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    kind = type(value)
    if kind is str:
        if value.isprintable() and "\\" not in value:
            return value
        escaped = _escaped.get(value)  # the pledge text: escaped once
        if escaped is None:
            escaped = _escaped[value] = value.translate(_COPY_ESCAPES)
        return escaped
    if kind is bool:
        return "t" if value else "f"
    if kind is datetime:
        return value.isoformat()
    if kind in (dict, list):
        return json.dumps(value, ensure_ascii=False).translate(_COPY_ESCAPES)
    return str(value).translate(_COPY_ESCAPES)


class RowWriter:
    """Writes rows of plain values: COPY on PostgreSQL, executemany INSERTs elsewhere.

    Columns are named by attname; the model's other columns (say, a field added later)
    get their field default.
    """

    def __init__(self):
        self.copy = connection.vendor == "postgresql"

    def write(self, model, names, rows) -> int:
        meta = model._meta
        fields = [meta.get_field(name) for name in names]
        given = {field.attname for field in fields}
        rest = [
            field
            for field in meta.concrete_fields
            if field.attname not in given and not field.primary_key
        ]
        table = connection.ops.quote_name(meta.db_table)
        columns = ", ".join(connection.ops.quote_name(field.column) for field in fields + rest)
        with connection.cursor() as cursor:
            if self.copy:
                tail = "".join(
                    "\t" + _copy_text(field.get_prep_value(field.get_default())) for field in rest
                )
                text = "".join("\t".join(map(_copy_text, row)) + tail + "\n" for row in rows)
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    copy.write(text.encode())
                return text.count("\n")
            defaults = tuple(
                field.get_db_prep_save(field.get_default(), connection) for field in rest
            )
            prepared = [
                tuple(
                    field.get_db_prep_save(value, connection)
                    for field, value in zip(fields, row, strict=True)
                )
                + defaults
                for row in rows
            ]
            marks = ", ".join(["%s"] * (len(fields) + len(rest)))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
            cursor.executemany(sql, prepared)
            return len(prepared)

    def allocate_ids(self, model, count: int) -> list[int]:
        """Primary keys for ``count`` new rows.

        On PostgreSQL from the table's sequence (no transaction needed); elsewhere after the
        largest one, which only holds inside the transaction that inserts them.
        """
        table = model._meta.db_table
        pk = model._meta.pk.column
        with connection.cursor() as cursor:
            if self.copy:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [connection.ops.quote_name(table), pk, count],
                )
                return [row[0] for row in cursor.fetchall()]
            quoted = connection.ops.quote_name
            cursor.execute(f"SELECT MAX({quoted(pk)}) FROM {quoted(table)}")  # noqa: S608
            start = (cursor.fetchone()[0] or 0) + 1
            return list(range(start, start + count))


# The command, for the worker processes it forks (they inherit it rather than unpickle it).
_FORKED = None


def _run_in_worker(task):
    try:
        return _FORKED.run_task(task)
    except Exception as error:
        # Plain text crosses the process boundary; psycopg's errors may not pickle.
        raise CommandError(f"{type(error).__name__}: {error}") from None
    finally:
        connection.close()


class Command(BaseCommand):
    help = (
        "Load bulk synthetic enterprises, campaigns, pledges and certificates for load tests "
        "(--reset removes what an earlier run loaded, and only that)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--pledges", type=int, required=True, help="pledges to create (0 with --reset: remove)"
        )
        parser.add_argument("--campaigns", type=int, default=20, help="one per year (default 20)")
        parser.add_argument(
            "--batch", type=int, default=10_000, help="rows per transaction (default 10000)"
        )
        parser.add_argument(
            "--jobs",
            type=int,
            default=os.cpu_count() or 1,
            help="worker processes, each with its own connection (PostgreSQL only; "
            "default: one per CPU)",
        )
        parser.add_argument(
            "--last-year",
            type=int,
            default=None,
            help="year of the latest (open) campaign; default: this year",
        )
        parser.add_argument("--seed", type=int, default=2007, help="random seed (default 2007)")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="first remove everything an earlier seed_bulk created",
        )

    def handle(self, *args, **options):
        pledges, campaigns, batch = options["pledges"], options["campaigns"], options["batch"]
        if pledges < 0 or batch < 1 or not 1 <= campaigns <= 200:
            raise CommandError("--pledges ≥ 0, --batch ≥ 1 and 1 ≤ --campaigns ≤ 200, please.")
        self.seed = options["seed"]
        self.batch = batch
        self.writer = RowWriter()
        self.now = timezone.now()
        last_year = options["last_year"] or self.now.astimezone(CHINA).year
        years = list(range(last_year - campaigns + 1, last_year + 1))
        started = time.monotonic()

        existing = self._existing()
        if any(existing.values()):
            if not options["reset"]:
                raise CommandError(
                    "Bulk data from an earlier seed_bulk is already loaded "
                    f"({existing['campaigns']} campaigns, {existing['enterprises']} enterprises)."
                    " Run again with --reset to replace it."
                )
            self._reset()
        if pledges == 0:
            return
        taken = list(
            Campaign.objects.filter(year__in=years)
            .exclude(title__startswith=BULK_TITLE_PREFIX)
            .values_list("year", flat=True)
        )
        if taken:
            raise CommandError(
                f"Campaign years {sorted(taken)} already exist and were not made by seed_bulk; "
                "choose other years with --last-year."
            )
        self._load(pledges, years, options["jobs"])
        if connection.vendor == "postgresql":
            tick = time.monotonic()
            self._analyse()
            self.stdout.write(f"  ANALYZE: {time.monotonic() - tick:.1f} s")
        self.stdout.write(
            self.style.SUCCESS(f"seed_bulk finished in {time.monotonic() - started:.1f} s")
        )

    # --- What exists -------------------------------------------------------------------

    def _bulk_enterprises(self):
        return Enterprise.objects.filter(contact_email__endswith=f"@{BULK_EMAIL_DOMAIN}")

    def _bulk_campaigns(self):
        return Campaign.objects.filter(title__startswith=BULK_TITLE_PREFIX)

    def _existing(self) -> dict:
        return {
            "campaigns": self._bulk_campaigns().count(),
            "enterprises": self._bulk_enterprises().count(),
        }

    def _reset(self):
        """Delete seed_bulk's rows and what hangs off them, in a few set-wise DELETEs.

        (QuerySet.delete() would load a million pledges to follow PROTECT relations.)
        """
        tick = time.monotonic()
        enterprises = self._bulk_enterprises().values("pk")
        pledges = Pledge.objects.filter(enterprise__in=enterprises).values("pk")
        # A campaign that other enterprises have signed since stays, with their pledges.
        kept = list(
            self._bulk_campaigns()
            .filter(
                models.Exists(
                    Pledge.objects.filter(campaign=models.OuterRef("pk")).exclude(
                        enterprise__in=enterprises
                    )
                )
            )
            .values_list("year", flat=True)
        )
        campaigns = self._bulk_campaigns().exclude(year__in=kept).values("pk")
        events = AuditEvent.objects.filter(
            models.Q(enterprise__in=enterprises)
            | models.Q(pledge__in=pledges)
            | models.Q(campaign__in=campaigns, pledge=None, enterprise=None)
        ).values("pk")
        deleted = {}
        with transaction.atomic():
            for label, rows in [
                ("decision notices", DecisionNotice.objects.filter(event__in=events)),
                ("audit events", AuditEvent.objects.filter(pk__in=events)),
                ("review notes", ReviewNote.objects.filter(pledge__in=pledges)),
                ("certificates", Certificate.objects.filter(pledge__in=pledges)),
                ("pledges", Pledge.objects.filter(pk__in=pledges)),
                ("memberships", Membership.objects.filter(enterprise__in=enterprises)),
                ("invitations", Invitation.objects.filter(enterprise__in=enterprises)),
                ("enterprises", Enterprise.objects.filter(pk__in=enterprises)),
            ]:
                deleted[label] = self._delete(rows)
            deleted["campaigns"] = self._delete(Campaign.objects.filter(pk__in=campaigns))
        if kept:
            self.stdout.write(
                self.style.WARNING(f"Kept the campaigns other enterprises signed: {kept}")
            )
        summary = ", ".join(f"{count} {label}" for label, count in deleted.items() if count)
        self.stdout.write(
            f"Removed earlier bulk data ({summary or 'nothing'}) in {time.monotonic() - tick:.1f} s"
        )

    def _delete(self, queryset) -> int:
        """One DELETE … WHERE pk IN (subquery) statement, with no rows loaded into Python."""
        model = queryset.model
        inner, params = queryset.values("pk").query.sql_with_params()
        table = connection.ops.quote_name(model._meta.db_table)
        pk = connection.ops.quote_name(model._meta.pk.column)
        with connection.cursor() as cursor:
            # SQLite and PostgreSQL both take the subquery; MySQL would need a derived table.
            cursor.execute(f"DELETE FROM {table} WHERE {pk} IN ({inner})", params)  # noqa: S608
            return cursor.rowcount

    # --- Loading -----------------------------------------------------------------------

    def _load(self, n_pledges: int, years: list[int], jobs: int):
        """Plan here, then write in tasks: slices of enterprises, then one task a campaign.

        Each task draws from its own random generator, so the data depend on --seed only,
        not on how the tasks are spread over processes.
        """
        write = self.stdout.write
        self.user = self._system_user()
        self.campaigns = self._campaigns(years)
        self._check_reference_data()
        self.members, self.first_campaign = self._plan(n_pledges, len(years))
        n_enterprises = len(self.first_campaign)
        # Worker processes need connections of their own, and rows committed by others
        # would not be visible inside a caller's transaction (tests): then all runs here.
        forked = jobs > 1 and connection.vendor == "postgresql" and not connection.in_atomic_block
        how = f"{jobs} worker processes" if forked else "in this process"
        write(
            f"Loading {n_pledges} pledges of {n_enterprises} enterprises over {len(years)} "
            f"campaigns ({years[0]}–{years[-1]}) on {connection.vendor}: "
            f"{self.batch} rows a transaction, {how}"
        )
        # Sequences hand out keys outside transactions: take them all now, in order.
        self.preallocated = forked
        if forked:
            self.enterprise_ids = self.writer.allocate_ids(Enterprise, n_enterprises)
            self.pledge_ids = [self.writer.allocate_ids(Pledge, len(m)) for m in self.members]
        else:
            self.enterprise_ids = []

        tick = time.monotonic()
        tasks = [("enterprises", begin) for begin in range(0, n_enterprises, self.batch)]
        for _result in self._run(tasks, forked, jobs):
            pass
        write(f"  enterprises:  {n_enterprises:>9} in {time.monotonic() - tick:6.1f} s")

        tick = time.monotonic()
        # The biggest campaigns first, so that the workers finish together.
        order = sorted(range(len(years)), key=lambda i: -len(self.members[i]))
        totals = Counter()
        counters = {}
        for result in self._run([("pledges", index) for index in order], forked, jobs):
            campaign = self.campaigns[result.pop("campaign")]
            counters[campaign.pk] = result["certificates"]
            totals.update(result)
            rate = totals["pledges"] / (time.monotonic() - tick)
            write(f"    {campaign.year}: {result['pledges']:>7} pledges ({rate:,.0f}/s so far)")
        # After the workers are gone: none may inherit this process's connection.
        for pk, counter in counters.items():
            Campaign.objects.filter(pk=pk).update(certificate_counter=counter)
        elapsed = time.monotonic() - tick
        write(
            f"  pledges:      {totals['pledges']:>9} in {elapsed:6.1f} s "
            f"({totals['pledges'] / max(elapsed, 1e-9):,.0f}/s), with "
            f"{totals['certificates']} certificates and {totals['events']} revocation events"
        )
        states = ", ".join(f"{state} {totals[state]}" for state in S.values if totals[state])
        write(f"  states:       {states}")

    def _run(self, tasks, forked: bool, jobs: int):
        """Each task's result, as tasks finish."""
        if not forked:
            for task in tasks:
                yield self.run_task(task)
            return
        global _FORKED  # what the forked workers inherit
        _FORKED = self
        connections.close_all()  # each worker opens its own
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            yield from pool.imap_unordered(_run_in_worker, tasks)

    def run_task(self, task):
        kind, argument = task
        if kind == "enterprises":
            return self._write_enterprises(argument)
        return self._write_campaign(argument)

    def _in_batches(self, model, rows_for, items, preallocated) -> None:
        """Write ``items`` in transactions of --batch; ``rows_for(ids, chunk)`` writes one."""
        for begin in range(0, len(items), self.batch):
            chunk = items[begin : begin + self.batch]
            with transaction.atomic():
                if preallocated is None:
                    ids = self.writer.allocate_ids(model, len(chunk))
                else:
                    ids = preallocated[begin : begin + len(chunk)]
                rows_for(ids, chunk)

    def _system_user(self) -> User:
        user = User.objects.filter(email=SYSTEM_USER_EMAIL).first()
        if user is None:
            user = User.objects.create_user(
                email=SYSTEM_USER_EMAIL, password=None, full_name="批量样例数据", is_active=False
            )
        return user

    def _campaigns(self, years: list[int]) -> list[Campaign]:
        """One campaign a year, signing in September–October; the latest is open now."""
        made = []
        for year in years:
            opens = datetime(year, 9, 1, tzinfo=CHINA)
            closes = datetime(year, 11, 1, tzinfo=CHINA)
            latest = year == years[-1]
            if latest:
                if opens >= self.now:
                    opens = self.now - timedelta(days=30)
                closes = max(closes, self.now + timedelta(days=60))
            campaign = Campaign.objects.create(
                year=year,
                title=f"{BULK_TITLE_PREFIX}{year}年企业质量诚信倡议",
                pledge_text=PLEDGE_TEXT,
                opens_at=opens,
                closes_at=closes,
                number_prefix=NUMBER_PREFIX,
            )
            # When things happened: September–October (for a campaign opened later, since it
            # opened), never in the future. In UTC: arithmetic and comparisons stay cheap.
            end = min(closes_by_october(year), self.now - timedelta(hours=1))
            campaign.window = (opens.astimezone(UTC), end.astimezone(UTC))
            campaign.text_sha256 = hashlib.sha256(PLEDGE_TEXT.encode()).hexdigest()
            campaign.latest = latest
            made.append(campaign)
        return made

    def _check_reference_data(self):
        provinces = set(Province.objects.values_list("code", flat=True))
        self.divisions = list(
            Industry.objects.filter(level=Industry.Level.DIVISION)
            .order_by("position")
            .values_list("code", flat=True)
        )
        missing = (set(PLACES) ^ provinces) | (set(self.divisions) ^ set(INDUSTRY_WORDS))
        if missing:
            raise CommandError(f"Reference data does not match seed_bulk's tables: {missing}")

    def _plan(self, n_pledges: int, n_campaigns: int):
        """Which campaigns each enterprise signs: a run of years, mostly up to the latest.

        Almost half the enterprises still sign (their run ends with the latest campaign);
        the others stopped some year, later years likelier. So each year has more
        signatories than the one before, as participation grew.
        """
        rng = random.Random(f"{self.seed}-plan")
        k_values, k_cw = _weighted((k, YEARS_DECAY ** (k - 1)) for k in range(1, n_campaigns + 1))
        end_values, end_cw = _weighted((end, end + 1) for end in range(n_campaigns - 1))
        members = [[] for _ in range(n_campaigns)]
        first_campaign = []
        total = 0
        while total < n_pledges:
            if n_campaigns == 1 or rng.random() < STILL_SIGNING:
                end = n_campaigns - 1
            else:
                end = _pick(rng, end_values, end_cw)
            k = min(_pick(rng, k_values, k_cw), end + 1, n_pledges - total)
            years = list(range(end - k + 1, end + 1))
            if k > 1 and years[0] > 0 and rng.random() < 0.15:
                years[rng.randrange(0, k - 1)] = years[0] - 1  # one year missed
                years.sort()
            enterprise = len(first_campaign)
            first_campaign.append(years[0])
            for index in years:
                members[index].append(enterprise)
            total += k
        return members, first_campaign

    # --- Enterprises -------------------------------------------------------------------

    def _write_enterprises(self, begin: int) -> dict:
        rng = random.Random(f"{self.seed}-enterprises-{begin}")
        divisions = self.divisions
        every_province = sorted(PLACES)
        industry_values, industry_cw = _weighted(
            (code, _industry_weight(code)) for code in divisions
        )
        names = set()
        rows = []
        for index in range(begin, min(begin + self.batch, len(self.first_campaign))):
            # Every province and every division at least once, then as they are common.
            if index < len(every_province):
                province = every_province[index]
            else:
                province = _pick(rng, PROVINCE_VALUES, PROVINCE_CW)
            if index < len(divisions):
                division = divisions[index]
            else:
                division = _pick(rng, industry_values, industry_cw)
            quality = index >= len(divisions) and rng.random() < QUALITY_SHARE
            opens = self.campaigns[self.first_campaign[index]].window[0]
            rows.append(
                self._enterprise_row(rng, names, index + 1, province, division, quality, opens)
            )

        def write(ids, chunk):
            try:
                self.writer.write(
                    Enterprise,
                    ENTERPRISE_COLUMNS,
                    ((pk, *row) for pk, row in zip(ids, chunk, strict=True)),
                )
            except IntegrityError as error:
                raise CommandError(
                    f"A generated credit code is already taken by another enterprise: {error}"
                ) from error
            if not self.preallocated:  # keys taken a batch at a time, in this process
                self.enterprise_ids += ids

        preallocated = self.enterprise_ids[begin : begin + len(rows)] if self.preallocated else None
        self._in_batches(Enterprise, write, rows, preallocated)
        return {"enterprises": len(rows)}

    def _enterprise_row(self, rng, names, serial, province, division, quality, opens) -> tuple:
        place, cities = PLACES[province]
        city, city_code = rng.choice(cities)
        if province in ("71", "81", "82"):
            region = f"{city_code}00"
        else:
            region = f"{city_code}{rng.randint(1, 12 if len(cities) == 1 else 9):02d}"
        if quality:
            division = rng.choice(QUALITY_INDUSTRIES)
        for _attempt in range(20):  # unique within the task; across tasks, very nearly
            name = self._name(rng, place, city, division, quality)
            if name not in names:
                break
        names.add(name)
        created = opens - timedelta(days=rng.uniform(30, 1500))
        if rng.random() < 0.5:
            phone = f"0{rng.randint(10, 999)}-{rng.randint(20_000_000, 89_999_999)}"
        else:
            phone = f"1{rng.choice('356789')}{rng.randint(0, 999_999_999):09d}"
        website = f"https://e{serial:07d}.{BULK_EMAIL_DOMAIN}/" if rng.random() < 0.2 else ""
        if province in ("71", "81", "82"):
            address = f"{city}{rng.choice(ROADS)}{rng.randint(1, 299)}号"
        else:
            address = f"{city}{rng.choice(ZONES)}{rng.choice(ROADS)}{rng.randint(1, 2999)}号"
        return (
            name,
            "",
            bulk_credit_code(region, serial),
            province,
            city,
            division,
            rng.choice(PEOPLE),  # legal representative
            address,
            website,
            rng.choice(PEOPLE),  # contact
            phone,
            f"qa{serial:07d}@{BULK_EMAIL_DOMAIN}",  # the marker --reset looks for
            name_ngrams(name),
            "",
            created,
            created + timedelta(days=rng.uniform(0, 20)),
        )

    def _name(self, rng, place: str, city: str, division: str, quality: bool) -> str:
        brand = "".join(rng.choices(BRAND_CHARS, k=3 if rng.random() < 0.2 else 2))
        word = rng.choice(QUALITY_WORDS if quality else INDUSTRY_WORDS[division])
        form = _pick(rng, LEGAL_FORM_VALUES, LEGAL_FORM_CW)
        manufacturing = "13" <= division <= "43"
        city = city.removesuffix("市")
        shape = rng.random()
        if shape < 0.15:  # 华信精密机械（杭州）有限公司
            return f"{brand}{word}（{city}）{form}"
        if manufacturing and not quality and shape > 0.96:
            form = "厂"
        prefix = place if shape < 0.55 else city
        return f"{prefix}{brand}{word}{form}"

    # --- Pledges -----------------------------------------------------------------------

    def _write_campaign(self, index: int) -> dict:
        campaign = self.campaigns[index]
        records = self._campaign_pledges(campaign, self.members[index])
        enterprise_ids = self.enterprise_ids
        user = self.user.pk

        def write(ids, chunk):
            pledges, certificates, events = [], [], []
            for pk, record in zip(ids, chunk, strict=True):
                (enterprise, state, created, submitted, decided, updated, sequence, certificate,
                 (signer, title, authorised), revoked, reason) = record  # fmt: skip
                enterprise_id = enterprise_ids[enterprise]
                pledges.append(
                    (pk, enterprise_id, campaign.pk, state, PLEDGE_TEXT, campaign.text_sha256,
                     signer, title, authorised, "", "", user, created, updated, submitted,
                     decided, None, None)
                )  # fmt: skip
                if sequence is not None:
                    to_number, to_render, to_mail, sha256 = certificate
                    issued = decided + timedelta(seconds=to_number)
                    rendered = issued + timedelta(seconds=to_render)
                    number = f"{campaign.number_prefix}-{campaign.year}-{sequence:06d}"
                    certificates.append(
                        (pk, campaign.pk, Certificate.State.READY, sequence, number, "", sha256,
                         None, 1, "", decided, issued, rendered,
                         rendered + timedelta(seconds=to_mail))
                    )  # fmt: skip
                if revoked is not None:
                    events.append(
                        (AuditEvent.Action.PLEDGE_REVOKED, user, enterprise_id, pk, campaign.pk,
                         S.APPROVED, S.REVOKED, reason, {}, revoked)
                    )  # fmt: skip
            self.writer.write(Pledge, PLEDGE_COLUMNS, pledges)
            self.writer.write(Certificate, CERTIFICATE_COLUMNS, certificates)
            self.writer.write(AuditEvent, EVENT_COLUMNS, events)

        preallocated = self.pledge_ids[index] if self.preallocated else None
        self._in_batches(Pledge, write, records, preallocated)
        result = Counter(record[1] for record in records)
        result.update(
            campaign=index,
            pledges=len(records),
            certificates=sum(record[6] is not None for record in records),
            events=result[S.REVOKED],
        )
        return dict(result)

    def _campaign_pledges(self, campaign, enterprises) -> list:
        """The campaign's pledges in the order they were started, everything random drawn:
        (enterprise index, state, created, submitted, decided, updated, certificate number,
        certificate details, signer, revoked at, reason)."""
        rng = random.Random(f"{self.seed}-campaign-{campaign.year}")
        now = self.now.astimezone(UTC)
        states, cw = _weighted(LATEST_STATES if campaign.latest else PAST_STATES)
        start, end = campaign.window
        span = (end - start).total_seconds()
        until_now = (now - timedelta(minutes=5) - start).total_seconds()
        random_ = rng.random
        records = []
        for enterprise in enterprises:
            state = states[bisect(cw, random_() * cw[-1])]
            # More signatures early: September is Quality Month.
            submitted = start + timedelta(seconds=span * 0.97 * random_() ** 1.4)
            created = max(submitted - timedelta(seconds=600 + 258_600 * random_()), start)
            decided = revoked = reason = certificate = None
            if state in DECIDED_STATES:
                decided = min(submitted + timedelta(seconds=7200 + 511_200 * random_()), end)
            updated = decided or submitted
            if state == S.REVOKED:
                # Some weeks or months later, never in the future.
                after = (decided - start).total_seconds()
                revoked = min(
                    decided + timedelta(days=20 + 380 * random_()),
                    start + timedelta(seconds=after + (until_now - after) * random_()),
                )
                updated = revoked
                reason = rng.choice(REVOKE_REASONS)
            elif state == S.DRAFT:
                submitted, updated = None, created + timedelta(seconds=60 + 7140 * random_())
            elif state == S.WITHDRAWN:
                updated = min(submitted + timedelta(seconds=3600 + 428_400 * random_()), end)
            if state in (S.APPROVED, S.REVOKED):
                certificate = (
                    5 + 115 * random_(),  # seconds from the approval to the number
                    1 + 5 * random_(),  # … to the rendering
                    1 + 29 * random_(),  # … to the e-mail
                    f"{rng.getrandbits(256):064x}",  # stands in for the file's SHA-256
                )
            signer = (
                rng.choice(PEOPLE),
                _pick(rng, SIGNER_TITLE_VALUES, SIGNER_TITLE_CW),
                state != S.DRAFT or random_() < 0.5,
            )
            records.append(
                [enterprise, state, created, submitted, decided, updated, None, certificate,
                 signer, revoked, reason]
            )  # fmt: skip
        # Certificates are numbered in the order of approval.
        published = sorted((r for r in records if r[7] is not None), key=lambda r: r[4])
        for sequence, record in enumerate(published, start=1):
            record[6] = sequence
        records.sort(key=lambda r: r[2])  # keys follow the creation time
        return records

    def _analyse(self):
        tables = ", ".join(
            connection.ops.quote_name(model._meta.db_table)
            for model in (Enterprise, Campaign, Pledge, Certificate, AuditEvent)
        )
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {tables}")


def _industry_weight(code: str) -> float:
    """How common each division is among signatories: manufacturing first."""
    number = int(code)
    if 13 <= number <= 43:
        return {16: 0.3, 25: 0.8}.get(number, 3.0)
    if number == 74:
        return 2.5
    for low, high, weight in [
        (1, 5, 1.0), (6, 12, 0.5), (44, 46, 0.8), (47, 50, 2.0), (51, 52, 2.5),
        (53, 60, 0.8), (61, 62, 1.0), (63, 65, 1.5), (66, 69, 0.5), (70, 70, 1.0),
        (71, 75, 1.5), (76, 79, 0.4), (80, 82, 0.8), (83, 89, 0.6), (90, 90, 0.5),
    ]:  # fmt: skip
        if low <= number <= high:
            return weight
    return 0.03  # 91–97: public bodies and organisations, rare among signatories
