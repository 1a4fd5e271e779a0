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

On PostgreSQL rows go in with COPY (psycopg 3), in one transaction per batch, then the
tables are analysed; other databases get executemany INSERTs with values adapted by the
model fields (slower, fine for tests). Nothing is switched off: every constraint and index
stays in place while loading.
"""

import hashlib
import random
import time
from bisect import bisect
from datetime import datetime, timedelta
from itertools import accumulate, islice
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, connection, models, transaction
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
    "14": ("山西", [("太原市", "1401"), ("大同市", "1402"), ("长治市", "1404"), ("晋中市", "1407")]),
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
    "34": ("安徽", [("合肥市", "3401"), ("芜湖市", "3402"), ("蚌埠市", "3403"), ("安庆市", "3408")]),
    "35": ("福建", [("福州市", "3501"), ("厦门市", "3502"), ("泉州市", "3505"), ("漳州市", "3506")]),
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
    "43": ("湖南", [("长沙市", "4301"), ("株洲市", "4302"), ("湘潭市", "4303"), ("岳阳市", "4306")]),
    "44": (
        "广东",
        [("广州市", "4401"), ("深圳市", "4403"), ("珠海市", "4404"), ("汕头市", "4405")]
        + [("佛山市", "4406"), ("东莞市", "4419"), ("中山市", "4420")],
    ),
    "45": ("广西", [("南宁市", "4501"), ("柳州市", "4502"), ("桂林市", "4503")]),
    "46": ("海南", [("海口市", "4601"), ("三亚市", "4602")]),
    "50": ("重庆", [("重庆市", "5001")]),
    "51": ("四川", [("成都市", "5101"), ("自贡市", "5103"), ("绵阳市", "5107"), ("宜宾市", "5115")]),
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
# How many campaigns an enterprise signs: P(k) ~ 0.75^(k-1), about 4 on average over 20.
YEARS_DECAY = 0.75

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
    """(values, cumulative weights) for rng.choices."""
    values = [value for value, _weight in pairs]
    return values, list(accumulate(weight for _value, weight in pairs))


def _base31(number: int, width: int) -> str:
    digits = []
    for _ in range(width):
        number, digit = divmod(number, 31)
        digits.append(USCC_ALPHABET[digit])
    if number:
        raise CommandError("Too many enterprises for the credit-code serial space.")
    return "".join(reversed(digits))


def bulk_credit_code(region: str, serial: int) -> str:
    """A valid, unique code in region ``region`` (6 digits); seed_bulk's are all "…MAW…"."""
    body = f"91{region}MAW{_base31(serial, 6)}"
    return body + uscc.calc_check_digit(body)


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return start + timedelta(seconds=rng.random() * max((end - start).total_seconds(), 0))


class RowWriter:
    """Writes rows of plain values: COPY on PostgreSQL, executemany INSERTs elsewhere.

    Columns are named by attname; the model's other columns get their field default.
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
        fields += rest
        defaults = tuple(field.get_db_prep_save(field.get_default(), connection) for field in rest)
        table = connection.ops.quote_name(meta.db_table)
        columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        count = 0
        with connection.cursor() as cursor:
            if self.copy:
                # Plain Python values adapt themselves; JSON needs the field's wrapper.
                json = [i for i, field in enumerate(fields[: len(names)]) if field.get_internal_type() == "JSONField"]  # fmt: skip
                with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        if json:
                            row = list(row)
                            for i in json:
                                row[i] = fields[i].get_db_prep_save(row[i], connection)
                        copy.write_row((*row, *defaults))
                        count += 1
            else:
                prepared = [
                    tuple(
                        field.get_db_prep_save(value, connection)
                        for field, value in zip(fields, row, strict=False)
                    )
                    + defaults
                    for row in rows
                ]
                marks = ", ".join(["%s"] * len(fields))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", prepared)
                count = len(prepared)
        return count

    def allocate_ids(self, model, count: int) -> list[int]:
        """Primary keys for ``count`` new rows (inside the caller's transaction)."""
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
        self.rng = random.Random(options["seed"])
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
        self._load(pledges, years, batch)
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
        campaigns = self._bulk_campaigns()
        events = AuditEvent.objects.filter(
            models.Q(enterprise__in=enterprises)
            | models.Q(pledge__in=pledges)
            | models.Q(campaign__in=campaigns.values("pk"), pledge=None, enterprise=None)
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
            # A campaign someone else's pledge joined since stays (with that pledge).
            kept = campaigns.filter(
                models.Exists(Pledge.objects.filter(campaign=models.OuterRef("pk")))
            )
            if kept.exists():
                self.stdout.write(
                    self.style.WARNING(
                        "Kept campaigns other enterprises signed: "
                        + ", ".join(str(year) for year in kept.values_list("year", flat=True))
                    )
                )
            deleted["campaigns"] = self._delete(campaigns.exclude(pk__in=kept.values("pk")))
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

    def _load(self, n_pledges: int, years: list[int], batch: int):
        write = self.stdout.write
        rng = self.rng
        tick = time.monotonic()
        self.user = self._system_user()
        self.campaigns = self._campaigns(years)
        members, first_campaign = self._plan(n_pledges, len(years))
        n_enterprises = len(first_campaign)
        write(
            f"Loading {n_pledges} pledges of {n_enterprises} enterprises over {len(years)} "
            f"campaigns ({years[0]}–{years[-1]}) on {connection.vendor}, {batch} rows a batch"
        )

        # Enterprises.
        tick = time.monotonic()
        provinces = set(Province.objects.values_list("code", flat=True))
        divisions = list(
            Industry.objects.filter(level=Industry.Level.DIVISION)
            .order_by("position")
            .values_list("code", flat=True)
        )
        missing = set(PLACES) - provinces or set(divisions) - set(INDUSTRY_WORDS)
        if missing:
            raise CommandError(f"Reference data does not match seed_bulk's tables: {missing}")
        self.enterprise_ids = []
        self.names = set()
        province_codes, province_cw = _weighted(PROVINCE_WEIGHTS.items())
        industry_codes, industry_cw = _weighted((code, _industry_weight(code)) for code in divisions)
        people = [a + b for a in SURNAMES for b in GIVEN_CHARS] + [
            a + b + c for a in SURNAMES[:40] for b in GIVEN_CHARS for c in GIVEN_CHARS[::3]
        ]
        self.people = people
        serial = 0
        written = 0
        while written < n_enterprises:
            size = min(batch, n_enterprises - written)
            rows = []
            for index in range(written, written + size):
                serial += 1
                if index < len(province_codes):  # every province and division at least once
                    province = sorted(PLACES)[index]
                else:
                    province = rng.choices(province_codes, cum_weights=province_cw)[0]
                if index < len(divisions):
                    division = divisions[index]
                else:
                    division = rng.choices(industry_codes, cum_weights=industry_cw)[0]
                opens = self.campaigns[first_campaign[index]].opens_at
                rows.append(
                    self._enterprise_row(
                        serial, province, division, index >= len(divisions), opens
                    )
                )
            try:
                with transaction.atomic():
                    ids = self.writer.allocate_ids(Enterprise, size)
                    self.writer.write(
                        Enterprise,
                        ENTERPRISE_COLUMNS,
                        ((pk, *row) for pk, row in zip(ids, rows, strict=True)),
                    )
            except IntegrityError as error:
                raise CommandError(
                    f"A generated credit code is already taken by another enterprise: {error}"
                ) from error
            self.enterprise_ids += ids
            written += size
        elapsed = time.monotonic() - tick
        write(f"  enterprises:  {n_enterprises:>9} in {elapsed:6.1f} s")

        # Pledges, certificates and revocation events, campaign by campaign.
        tick = time.monotonic()
        counts = {"pledges": 0, "certificates": 0, "events": 0}
        by_state = {}
        stream = self._pledge_stream(members)
        reported = 0
        while chunk := list(islice(stream, batch)):
            with transaction.atomic():
                ids = self.writer.allocate_ids(Pledge, len(chunk))
                pledge_rows, certificate_rows, event_rows = [], [], []
                for pk, record in zip(ids, chunk, strict=True):
                    self._pledge_rows(pk, record, pledge_rows, certificate_rows, event_rows)
                    by_state[record[2]] = by_state.get(record[2], 0) + 1
                counts["pledges"] += self.writer.write(Pledge, PLEDGE_COLUMNS, pledge_rows)
                counts["certificates"] += self.writer.write(
                    Certificate, CERTIFICATE_COLUMNS, certificate_rows
                )
                counts["events"] += self.writer.write(AuditEvent, EVENT_COLUMNS, event_rows)
                for campaign in self.campaigns:
                    if campaign.counter_dirty:
                        Campaign.objects.filter(pk=campaign.pk).update(
                            certificate_counter=campaign.counter
                        )
                        campaign.counter_dirty = False
            if counts["pledges"] - reported >= 100_000:
                reported = counts["pledges"]
                rate = reported / (time.monotonic() - tick)
                write(f"    … {reported} pledges ({rate:,.0f}/s)")
        elapsed = time.monotonic() - tick
        write(
            f"  pledges:      {counts['pledges']:>9} in {elapsed:6.1f} s "
            f"({counts['pledges'] / max(elapsed, 1e-9):,.0f}/s), with "
            f"{counts['certificates']} certificates and {counts['events']} revocation events"
        )
        write("  states:       " + ", ".join(f"{k} {v}" for k, v in sorted(by_state.items())))

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
            if year == years[-1]:
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
            # When things happened: inside the window, never in the future.
            campaign.window = (opens, min(closes, self.now - timedelta(hours=1)))
            campaign.text_sha256 = hashlib.sha256(PLEDGE_TEXT.encode()).hexdigest()
            campaign.counter, campaign.counter_dirty = 0, False
            campaign.latest = year == years[-1]
            made.append(campaign)
        return made

    def _plan(self, n_pledges: int, n_campaigns: int):
        """Which campaigns each enterprise signs: runs of consecutive years, more lately."""
        rng = self.rng
        k_values, k_cw = _weighted(
            (k, YEARS_DECAY ** (k - 1)) for k in range(1, n_campaigns + 1)
        )
        members = [[] for _ in range(n_campaigns)]
        first_campaign = []
        total = 0
        while total < n_pledges:
            k = min(rng.choices(k_values, cum_weights=k_cw)[0], n_pledges - total)
            starts = n_campaigns - k + 1
            # Participation grows over the years: later starts are likelier.
            start = min(int(starts * rng.random() ** 0.6), starts - 1)
            years = list(range(start, start + k))
            if k > 1 and start + k < n_campaigns and rng.random() < 0.15:
                years[rng.randrange(1, k)] = start + k  # one year missed, one more signed
                years.sort()
            enterprise = len(first_campaign)
            first_campaign.append(years[0])
            for index in years:
                members[index].append(enterprise)
            total += k
        return members, first_campaign

    def _enterprise_row(self, serial, province, division, may_be_quality, opens) -> tuple:
        rng = self.rng
        place, cities = PLACES[province]
        city, city_code = rng.choice(cities)
        if province in ("71", "81", "82"):
            region = f"{city_code}00"
        else:
            region = f"{city_code}{rng.randint(1, 12 if len(cities) == 1 else 9):02d}"
        quality = may_be_quality and rng.random() < QUALITY_SHARE
        if quality:
            division = rng.choice(QUALITY_INDUSTRIES)
        for _attempt in range(50):
            name = self._name(place, city, division, quality)
            if name not in self.names:
                break
        self.names.add(name)
        created = opens - timedelta(days=rng.uniform(30, 1500))
        legal_representative = rng.choice(self.people)
        contact = rng.choice(self.people)
        if rng.random() < 0.5:
            phone = f"0{rng.randint(10, 999)}-{rng.randint(20_000_000, 89_999_999)}"
        else:
            phone = f"1{rng.choice('356789')}{rng.randint(0, 999_999_999):09d}"
        email = f"qa{serial:07d}@{BULK_EMAIL_DOMAIN}"
        website = f"https://e{serial:07d}.{BULK_EMAIL_DOMAIN}/" if rng.random() < 0.2 else ""
        address = (
            f"{city}{rng.choice(ZONES)}{rng.choice(ROADS)}{rng.randint(1, 2999)}号"
            if province not in ("81", "82", "71")
            else f"{city}{rng.choice(ROADS)}{rng.randint(1, 299)}号"
        )
        return (
            name,
            "",
            bulk_credit_code(region, serial),
            province,
            city,
            division,
            legal_representative,
            address,
            website,
            contact,
            phone,
            email,
            name_ngrams(name),
            "",
            created,
            created + timedelta(days=rng.uniform(0, 20)),
        )

    def _name(self, place: str, city: str, division: str, quality: bool) -> str:
        rng = self.rng
        brand = "".join(rng.choices(BRAND_CHARS, k=3 if rng.random() < 0.2 else 2))
        word = rng.choice(QUALITY_WORDS if quality else INDUSTRY_WORDS[division])
        form = rng.choices(*_weighted(LEGAL_FORMS))[0]
        manufacturing = "13" <= division <= "43"
        city = city.removesuffix("市")
        shape = rng.random()
        if shape < 0.15:  # 华信精密机械（杭州）有限公司
            return f"{brand}{word}（{city}）{form}"
        if manufacturing and not quality and shape > 0.96:
            form = "厂"
        prefix = place if shape < 0.55 else city
        return f"{prefix}{brand}{word}{form}"

    def _pledge_stream(self, members):
        """(campaign, enterprise index, state, created, submitted, decided, updated,
        sequence, revoked at, reason) per pledge, campaign by campaign, oldest first."""
        rng = self.rng
        for campaign, enterprises in zip(self.campaigns, members, strict=True):
            states, cw = _weighted(LATEST_STATES if campaign.latest else PAST_STATES)
            start, end = campaign.window
            span = (end - start).total_seconds()
            records = []
            for enterprise in enterprises:
                state = states[bisect(cw, rng.random() * cw[-1])]
                # More signatures early: September is Quality Month.
                submitted = start + timedelta(seconds=span * 0.97 * rng.random() ** 1.4)
                created = submitted - timedelta(seconds=rng.uniform(600, 3 * 86400))
                created = max(created, start)
                decided = revoked = None
                if state in (S.APPROVED, S.REVOKED, S.REJECTED, S.CHANGES_REQUESTED):
                    decided = min(submitted + timedelta(seconds=rng.uniform(7200, 6 * 86400)), end)
                updated = decided or submitted
                if state == S.REVOKED:
                    revoked = min(
                        decided + timedelta(days=rng.uniform(20, 400)),
                        _between(rng, decided, self.now - timedelta(minutes=5)),
                    )
                    updated = revoked
                elif state == S.DRAFT:
                    submitted, updated = None, created + timedelta(seconds=rng.uniform(60, 7200))
                elif state == S.WITHDRAWN:
                    updated = submitted + timedelta(seconds=rng.uniform(3600, 5 * 86400))
                    updated = min(updated, end)
                records.append([campaign, enterprise, state, created, submitted, decided, updated])
            # Certificates are numbered in the order of approval.
            published = sorted(
                (r for r in records if r[2] in (S.APPROVED, S.REVOKED)), key=lambda r: r[5]
            )
            sequence = {}
            for number, record in enumerate(published, start=campaign.counter + 1):
                sequence[id(record)] = number
            records.sort(key=lambda r: r[3])  # ids follow creation time
            for record in records:
                revoked_at = reason = None
                if record[2] == S.REVOKED:
                    revoked_at = record[6]
                    reason = rng.choice(REVOKE_REASONS)
                yield (*record, sequence.get(id(record)), revoked_at, reason)

    def _pledge_rows(self, pk, record, pledges, certificates, events):
        rng = self.rng
        (campaign, enterprise, state, created, submitted, decided, updated, sequence,
         revoked_at, reason) = record  # fmt: skip
        enterprise_id = self.enterprise_ids[enterprise]
        signer = rng.choice(self.people)
        title = rng.choices(*_weighted(SIGNER_TITLES))[0]
        pledges.append(
            (
                pk,
                enterprise_id,
                campaign.pk,
                state,
                PLEDGE_TEXT,
                campaign.text_sha256,
                signer,
                title,
                state != S.DRAFT or rng.random() < 0.5,
                "",
                "",
                self.user.pk,
                created,
                updated,
                submitted,
                decided,
                None,
                None,
            )
        )
        if sequence is not None:
            issued = decided + timedelta(seconds=rng.uniform(5, 120))
            rendered = issued + timedelta(seconds=rng.uniform(1, 6))
            certificates.append(
                (
                    pk,
                    campaign.pk,
                    Certificate.State.READY,
                    sequence,
                    f"{campaign.number_prefix}-{campaign.year}-{sequence:06d}",
                    "",
                    f"{rng.getrandbits(256):064x}",
                    None,
                    1,
                    "",
                    decided,
                    issued,
                    rendered,
                    rendered + timedelta(seconds=rng.uniform(1, 30)),
                )
            )
            campaign.counter = max(campaign.counter, sequence)
            campaign.counter_dirty = True
        if revoked_at is not None:
            events.append(
                (
                    AuditEvent.Action.PLEDGE_REVOKED,
                    self.user.pk,
                    enterprise_id,
                    pk,
                    campaign.pk,
                    S.APPROVED,
                    S.REVOKED,
                    reason,
                    {},
                    revoked_at,
                )
            )

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
