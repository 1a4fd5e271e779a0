"""The certificate font: a reduced copy of Noto Serif CJK SC (Regular), built once at setup.

WeasyPrint subsets embedded fonts with HarfBuzz's RETAIN_GIDS: every glyph id up to the
highest one printed stays in the PDF, empty. Noto Serif CJK has 65,535 glyphs and puts the
full-width punctuation every certificate prints (：，（）) near the very end, so each PDF
carried about 60,000 empty glyphs (780 KB raw, 158 KB compressed) and each render copied and
subset the 26 MB font collection.

The reduced copy keeps what certificates print: ASCII and Latin-1, general and CJK
punctuation, half- and full-width forms and everything GB 2312 encodes (its 6,763 hanzi and
its symbols), with compact glyph ids. ASCII and the common marks come first, then the
3,755 level-1 hanzi, then the 3,008 level-2 ones, then the rarer symbols, so a certificate's
highest glyph id is about 4,000 (7,000 with a level-2 hanzi) instead of 63,000. Only the
``zh-Hans`` layout rules are kept (``locl`` for Chinese quotes and dashes, ``kern`` for
Latin); vertical layout is dropped (certificates are horizontal).

The template names the reduced family first and ``Noto Serif CJK SC`` second, so a rare
character outside this set (堃, 㑇, 𠀾 …) in an enterprise's name still prints, from the
system font.

Build it with ``python -m pledges.certificates.fonts`` (what ``make setup`` runs) or
``manage.py build_certificate_font``; both skip at once when the file is there. This module
needs neither Django settings nor a database.
"""

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

# Bump when the character set or the build changes: the file name carries it, so an old
# build is never mistaken for the current one.
BUILD_VERSION = 2

FAMILY = "Chengxin Serif SC"
POSTSCRIPT_NAME = "ChengxinSerifSC-Regular"
SOURCE_FAMILY = "Noto Serif CJK SC"
SOURCE_STYLE = "Regular"

BASE_DIR = Path(__file__).resolve().parents[2]
FONT_DIR = BASE_DIR / "var" / "fonts"
FONT_FILE = f"{POSTSCRIPT_NAME}.v{BUILD_VERSION}.otf"

# The OpenType language system kept from the source (Simplified Chinese), and the layout
# features only vertical text needs.
LANGUAGE_SYSTEM = "ZHS "
VERTICAL_FEATURES = {"vert", "vrt2", "valt", "vhal", "vkna", "vkrn", "vpal", "vjmo", "vrtr"}
VERTICAL_TABLES = ["vhea", "vmtx", "VORG"]


class CertificateFontError(RuntimeError):
    """The certificate font is missing, or cannot be built."""


def font_path() -> Path:
    """Where the built font lives (var/fonts/, git-ignored); CERTIFICATE_FONT_DIR overrides."""
    folder = os.environ.get("CERTIFICATE_FONT_DIR")
    return (Path(folder) if folder else FONT_DIR) / FONT_FILE


# --- The character set ------------------------------------------------------------------


def gb2312_characters() -> tuple[list[str], list[str], list[str]]:
    """Everything GB 2312 encodes, from Python's codec: (symbols, level-1, level-2 hanzi).

    Rows 1–9 are symbols, rows 16–55 the 3,755 common (level-1) hanzi, rows 56–87 the
    3,008 less common (level-2) ones.
    """
    symbols, level1, level2 = [], [], []
    for row in range(1, 95):
        for cell in range(1, 95):
            try:
                char = bytes([0xA0 + row, 0xA0 + cell]).decode("gb2312")
            except UnicodeDecodeError:
                continue
            (symbols if row < 16 else level1 if row < 56 else level2).append(char)
    return symbols, level1, level2


def _ranges(*pairs: tuple[int, int]) -> set[int]:
    return {code for start, end in pairs for code in range(start, end + 1)}


def certificate_characters() -> set[int]:
    """The code points the reduced font covers."""
    symbols, level1, level2 = gb2312_characters()
    return _ranges(
        (0x20, 0x7E),  # ASCII
        (0xA0, 0xFF),  # Latin-1 (·, ×, é …)
        (0x2000, 0x206F),  # general punctuation (— “ ” …)
        (0x3000, 0x303F),  # CJK symbols and punctuation (、。《》【】 …)
        (0xFF00, 0xFFEF),  # half- and full-width forms (：，（） …)
    ) | {ord(char) for char in symbols + level1 + level2}


# --- Finding the source -----------------------------------------------------------------


@dataclass(frozen=True)
class SourceFont:
    path: Path
    index: int


def find_source_font() -> SourceFont:
    """Noto Serif CJK SC Regular as fontconfig knows it (a face of a .ttc collection)."""
    pattern = f"{SOURCE_FAMILY}:style={SOURCE_STYLE}"
    try:
        result = subprocess.run(  # noqa: S603 - fixed arguments
            ["fc-list", "-f", "%{file}|%{index}|%{family}\n", pattern],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise CertificateFontError(f"fc-list failed: {error}") from error
    for line in result.stdout.splitlines():
        file, index, families = line.split("|", 2)
        if SOURCE_FAMILY in families.split(","):
            return SourceFont(Path(file), int(index))
    raise CertificateFontError(
        f"The font {SOURCE_FAMILY!r} ({SOURCE_STYLE}) is not installed: "
        "apt-get install fonts-noto-cjk (make setup does)."
    )


# --- Building ---------------------------------------------------------------------------


def _keep_only_chinese_layout(font) -> None:
    """Drop the Japanese, Korean and Traditional Chinese language systems: their ``locl``
    rules would pull in thousands of alternate glyphs certificates never print."""
    for tag in ("GSUB", "GPOS"):
        if tag not in font:
            continue
        for record in font[tag].table.ScriptList.ScriptRecord:
            script = record.Script
            script.LangSysRecord = [
                langsys for langsys in script.LangSysRecord if langsys.LangSysTag == LANGUAGE_SYSTEM
            ]
            script.LangSysCount = len(script.LangSysRecord)


def _rename(font) -> None:
    """Give the copy its own family name, so it is never confused with the system font."""
    name = font["name"]
    version = f"Version {font['head'].fontRevision:.3f}; Chengxin reduced build {BUILD_VERSION}"
    for record in list(name.names):
        if record.nameID in (1, 16, 21):
            name.setName(FAMILY, record.nameID, record.platformID, record.platEncID, record.langID)
        elif record.nameID in (2, 17, 22):
            name.setName(
                "Regular", record.nameID, record.platformID, record.platEncID, record.langID
            )
        elif record.nameID in (3, 4):
            value = FAMILY if record.nameID == 4 else f"{POSTSCRIPT_NAME};{BUILD_VERSION}"
            name.setName(value, record.nameID, record.platformID, record.platEncID, record.langID)
        elif record.nameID == 5:
            name.setName(version, 5, record.platformID, record.platEncID, record.langID)
        elif record.nameID == 6:
            name.setName(POSTSCRIPT_NAME, 6, record.platformID, record.platEncID, record.langID)
    top = font["CFF "].cff.topDictIndex[0]
    font["CFF "].cff.fontNames = [POSTSCRIPT_NAME]
    for key in ("FullName", "FamilyName"):
        if hasattr(top, key):
            setattr(top, key, FAMILY)
    if hasattr(top, "CIDFontName"):
        top.CIDFontName = POSTSCRIPT_NAME


# Marks nearly every certificate prints, given the lowest glyph ids with Latin letters and
# digits: CJK punctuation, full-width forms, dashes, quotes, the ellipsis, ·, ×.
COMMON_MARKS = _ranges((0x3000, 0x303F), (0xFF00, 0xFFEF), (0x2010, 0x2027), (0xB7, 0xB7))
COMMON_MARKS |= {0xD7}


def _compact_order(font) -> list[str]:
    """The glyph order that keeps a certificate's highest glyph id low.

    WeasyPrint embeds every glyph id up to the highest one printed, so the glyphs most
    certificates print come first: .notdef; ASCII, common marks and the layout alternates
    (the zh-Hans forms of quotes and dashes); the 3,755 level-1 hanzi; the 3,008 level-2
    hanzi; then the rest (other symbols, Latin-1, Greek, Cyrillic, kana, box drawing).
    """
    _symbols, level1, level2 = gb2312_characters()
    rank_of_code = (
        dict.fromkeys(range(0x20, 0x7F), 1)
        | dict.fromkeys(COMMON_MARKS, 1)
        | dict.fromkeys(map(ord, level1), 2)
        | dict.fromkeys(map(ord, level2), 3)
    )
    rank = {}
    for code, glyph in font.getBestCmap().items():
        rank[glyph] = min(rank.get(glyph, 4), rank_of_code.get(code, 4))
    order = font.getGlyphOrder()
    position = {glyph: i for i, glyph in enumerate(order)}
    # Glyphs outside the cmap are layout alternates: rank 1.
    rest = sorted(order[1:], key=lambda glyph: (rank.get(glyph, 1), position[glyph]))
    return [order[0], *rest]


def _reorder(font, new_order: list[str]) -> None:
    """fontTools' reorderGlyphs, plus the CID font's FDSelect (which it leaves alone): each
    glyph must keep its font dictionary (its private hints and local subroutines)."""
    from fontTools.ttLib.reorderGlyphs import reorderGlyphs

    top = font["CFF "].cff.topDictIndex[0]
    fd_of = None
    if hasattr(top, "FDSelect"):
        fd_of = {name: top.CharStrings.getItemAndSelector(name)[1] for name in top.charset}
    reorderGlyphs(font, new_order)
    if fd_of is not None:
        top.FDSelect.gidArray = [fd_of[name] for name in new_order]


def build_font(source: SourceFont, destination: Path) -> Path:
    """Subset, rename and reorder the source into ``destination`` (written atomically).

    The output depends only on the source font and this code (the source's timestamps are
    kept), so two builds from the same source are identical.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(source.path, fontNumber=source.index, recalcTimestamp=False)
    _keep_only_chinese_layout(font)
    options = subset.Options()
    options.layout_features = [
        feature for feature in options.layout_features if feature not in VERTICAL_FEATURES
    ]
    options.drop_tables += VERTICAL_TABLES
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.glyph_names = False
    options.hinting = False  # WeasyPrint drops hints from what it embeds anyway
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=certificate_characters())
    subsetter.subset(font)
    _rename(font)
    _reorder(font, _compact_order(font))

    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        dir=destination.parent, prefix=f".{destination.name}.", suffix=".tmp"
    )
    os.close(handle)
    try:
        font.save(temporary)
        os.chmod(temporary, 0o644)  # noqa: S103 - a font, readable by the worker's user
        os.replace(temporary, destination)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return destination


def ensure_font(*, force: bool = False, log=None) -> Path:
    """Build the certificate font unless it is already there; returns its path.

    Idempotent and quick when the file exists. Earlier builds (other versions) are removed.
    """
    path = font_path()
    if path.exists() and not force:
        return path
    source = find_source_font()
    if log:
        log(f"Building {path} from {source.path} (face {source.index}); about half a minute…")
    started = time.monotonic()
    build_font(source, path)
    for old in path.parent.glob(f"{POSTSCRIPT_NAME}.v*.otf"):
        if old != path:
            old.unlink(missing_ok=True)
    if log:
        size = path.stat().st_size
        log(f"Built {path.name}: {size / 1e6:.1f} MB in {time.monotonic() - started:.0f} s.")
    return path


# Characters every certificate prints: a usable build covers them all.
PROBE_TEXT = "企业质量诚信倡议证书统一社会信用代码：（），。年月日0123456789ABCXYZ-/:"


def font_problem(path: Path | None = None) -> str:
    """Why the built font cannot be used ('' when it can): a quick look, for the check."""
    from fontTools.ttLib import TTFont

    path = path or font_path()
    try:
        with TTFont(path, lazy=True) as font:
            family = font["name"].getDebugName(1)
            cmap = font.getBestCmap()
            glyphs = font["maxp"].numGlyphs
    except Exception as error:  # any parse error makes it unusable
        return f"it cannot be read ({type(error).__name__}: {error})"
    if family != FAMILY:
        return f"its family is {family!r}, not {FAMILY!r}"
    missing = "".join(char for char in PROBE_TEXT if ord(char) not in cmap)
    if missing:
        return f"it lacks {missing!r}"
    if glyphs > 20_000:
        return f"it has {glyphs} glyphs: not a reduced build"
    return ""


if __name__ == "__main__":  # make setup: python -m pledges.certificates.fonts [--force]
    try:
        ensure_font(force="--force" in sys.argv[1:], log=print)
    except CertificateFontError as error:
        sys.exit(f"error: {error}")
