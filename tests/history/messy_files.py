"""Lists of signatories as they come from the association's earlier years: a title above the
header, merged cells, full-width codes, duplicates, Excel's scientific notation."""

import io

from openpyxl import Workbook

from tests.factories import credit_code

# Valid codes registered in Jiangsu (32), Zhejiang (33), Beijing (11) and Guangdong (44).
JIANGSU = [credit_code("32", serial) for serial in (101, 102, 103)]
ZHEJIANG = credit_code("33", 201)
BEIJING = credit_code("11", 301)
GUANGDONG = credit_code("44", 401)


def full_width(text: str) -> str:
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text)


def wrong_check(code: str) -> str:
    last = "0" if code[-1] != "0" else "1"
    return code[:-1] + last


# (row in the file, what the test expects)
MESSY_CSV_ROWS = [
    # 3: a clean row
    ("1", "苏州华质精密机械有限公司", JIANGSU[0], "江苏省"),
    # 4: full-width code with spaces, full-width brackets and letters in the name
    (
        "2",
        "无锡恒泰（ＡＢＣ）电子科技有限公司",
        " " + full_width(JIANGSU[1][:9]) + " " + JIANGSU[1][9:],
        "江苏",
    ),
    # 5: lower case code
    ("3", "杭州鑫盛食品有限公司", ZHEJIANG.lower(), "浙江"),
    # 6: the same code as row 3 again
    ("4", "苏州华质精密机械有限公司", JIANGSU[0], "江苏省"),
    # 7: Excel's scientific notation
    ("5", "北京宏远新材料有限公司", "9.11101E+17", "北京"),
    # 8: a wrong check character
    ("6", "南京瑞祥化工有限公司", wrong_check(JIANGSU[2]), "江苏"),
    # 9: the province column disagrees with the code (a Beijing code, "上海")
    ("7", "北京德正光电有限公司", BEIJING, "上海"),
    # 10: no name
    ("8", "", GUANGDONG, "广东"),
]


def messy_csv() -> bytes:
    lines = [
        "2010年全国“质量月”企业质量诚信倡议签署企业名单,,,",
        "序号,企业名称,统一社会信用代码（18位）,省份",
    ]
    for serial, name, code, province in MESSY_CSV_ROWS:
        lines.append(",".join((serial, name, code, province)))
    # A blank line at the end, as spreadsheets leave.
    return ("\ufeff" + "\r\n".join(lines) + "\r\n,,,\r\n").encode("utf-8")


def messy_xlsx() -> bytes:
    """English headers under a merged title; the industry merged down two rows; one code
    typed as a number."""
    book = Workbook()
    sheet = book.active
    sheet.append(["Signatories 2011"])
    sheet.merge_cells("A1:D1")
    sheet.append(["Province", "Enterprise name", "Credit code", "Industry"])
    sheet.append(["Jiangsu", "Suzhou Huazhi Precision Co., Ltd.", JIANGSU[0], "通用设备制造业"])
    sheet.append(["Jiangsu", "无锡恒泰电子科技有限公司", JIANGSU[1], None])
    sheet.merge_cells("D3:D4")
    sheet.append(["Zhejiang", "杭州鑫盛食品有限公司", 913301000000000000, "34"])
    sheet.append(["Guangdong", "广州卓越包装有限公司", GUANGDONG, "34"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
