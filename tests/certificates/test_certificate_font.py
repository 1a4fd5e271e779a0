"""The reduced certificate font: built once at setup, used by every certificate, checked.

These tests read the font `make setup` built (var/fonts/); they do not build it again.
"""

import io
import os
import subprocess
import sys
import time

import pytest
from django.core.management import call_command
from django.utils import timezone
from fontTools.pens.recordingPen import RecordingPen
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from pledges.certificates import fonts, rendering
from pledges.certificates.checks import certificate_font
from tests.pdf import pdf_qr_codes, pdf_text

# Outside GB 2312 (a BMP hanzi, one from extension A, one from extension B beyond the BMP):
# names with such characters must still print, from the system font.
RARE = "堃㑇𠀾"


def certificate(name="华质精密机械（苏州）有限公司"):
    return rendering.CertificateData(
        number="CQ-2025-000042",
        enterprise_name=name,
        credit_code="91110108MA00000425",
        campaign_title="2025年“质量月”企业质量诚信倡议",
        campaign_year=2025,
        issued_at=timezone.now(),
    )


def embedded_fonts(data: bytes) -> dict[str, int]:
    """Base font name (without the subset tag) → size of the embedded font program."""
    found = {}
    for font in PdfReader(io.BytesIO(data)).pages[0]["/Resources"]["/Font"].values():
        font = font.get_object()
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        program = next(descriptor[key] for key in ("/FontFile2", "/FontFile3") if key in descriptor)
        found[str(font["/BaseFont"]).split("+", 1)[1]] = len(program.get_object().get_data())
    return found


@pytest.fixture(scope="module")
def built():
    return TTFont(fonts.font_path())


def test_the_character_set_is_gb2312_plus_ascii_and_punctuation():
    symbols, level1, level2 = fonts.gb2312_characters()
    assert (len(level1), len(level2)) == (3755, 3008)  # the 6,763 hanzi
    covered = fonts.certificate_characters()
    assert {ord(char) for char in level1 + level2 + symbols} <= covered
    assert all(ord(char) in covered for char in "Az09：，（）。、“”—·")
    assert not any(ord(char) in covered for char in RARE)
    for char in RARE:
        with pytest.raises(UnicodeEncodeError):
            char.encode("gb2312")


def test_the_build_is_skipped_at_once_when_present():
    path = fonts.font_path()
    modified = path.stat().st_mtime_ns
    started = time.monotonic()
    assert fonts.ensure_font() == path
    result = subprocess.run(
        [sys.executable, "-m", "pledges.certificates.fonts"],
        cwd=fonts.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout == ""  # nothing to do, nothing said
    call_command("build_certificate_font", stdout=io.StringIO())
    assert time.monotonic() - started < 10
    assert path.stat().st_mtime_ns == modified
    assert path.parent.name == "fonts" and path.name.endswith(f".v{fonts.BUILD_VERSION}.otf")


def test_the_built_font_is_reduced_with_compact_glyph_ids(built):
    assert fonts.font_problem() == ""
    assert built["name"].getDebugName(1) == fonts.FAMILY
    cmap = built.getBestCmap()
    _symbols, level1, level2 = fonts.gb2312_characters()
    assert set(cmap) >= {ord(char) for char in level1 + level2}
    assert built["maxp"].numGlyphs < 8000  # the source has 65,535
    assert "vmtx" not in built and "CFF " in built
    # Punctuation and Latin come first, the hanzi after: full-width marks are no longer
    # the font's last glyphs (they were ~63,000 in the source).
    for char in "：，（）":
        assert built.getGlyphID(cmap[ord(char)]) < 1200


def test_the_built_glyphs_are_the_source_glyphs(built):
    source_font = fonts.find_source_font()
    source = TTFont(source_font.path, fontNumber=source_font.index, lazy=True)
    source_cmap, cmap = source.getBestCmap(), built.getBestCmap()
    source_glyphs, glyphs = source.getGlyphSet(), built.getGlyphSet()
    symbols, level1, level2 = fonts.gb2312_characters()
    sample = set(
        fonts.PROBE_TEXT + "“”—…·鑫淼" + "".join(symbols[::7] + level1[::37] + level2[::31])
    )
    for char in sorted(sample):
        name, source_name = cmap[ord(char)], source_cmap[ord(char)]
        drawn, source_drawn = RecordingPen(), RecordingPen()
        glyphs[name].draw(drawn)
        source_glyphs[source_name].draw(source_drawn)
        assert drawn.value == source_drawn.value, char
        assert built["hmtx"][name] == source["hmtx"][source_name], char


def test_a_certificate_uses_only_the_reduced_font_and_stays_small():
    data = rendering.render_pdf(certificate())
    assert list(embedded_fonts(data)) == ["Chengxin-Serif-SC"]
    assert len(data) < 80_000  # it was 163 KB with the system font
    assert "华质精密机械（苏州）有限公司" in pdf_text(data).replace(" ", "")
    assert pdf_qr_codes(data) == [rendering.verify_url("CQ-2025-000042")]
    # The QR code is a small image drawn without smoothing: modules stay sharp squares.
    [qr] = PdfReader(io.BytesIO(data)).pages[0]["/Resources"]["/XObject"].values()
    assert qr.get_object()["/Interpolate"].value is False


def test_a_name_outside_gb2312_still_prints_from_the_system_font():
    name = f"{RARE}鑫科技有限公司"
    data = rendering.render_pdf(certificate(name))
    assert name in pdf_text(data).replace(" ", "")
    assert set(embedded_fonts(data)) == {"Chengxin-Serif-SC", "Noto-Serif-CJK-SC"}


def test_weasyprint_copies_the_font_into_a_folder_of_this_process():
    rendering.render_pdf(certificate())
    folder = rendering.font_config()._folder
    assert folder == rendering.font_folders_root() / f"pid-{os.getpid()}"
    assert [path.stat().st_size for path in folder.iterdir()] == [fonts.font_path().stat().st_size]


def test_font_folders_of_processes_that_are_gone_are_removed():
    root = rendering.font_folders_root()
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    stale = root / f"pid-{gone.pid}"
    stale.mkdir(parents=True)
    (stale / "copy").write_bytes(b"font")
    mine = root / f"pid-{os.getpid()}"
    mine.mkdir(exist_ok=True)
    rendering.remove_font_folders_of_dead_processes(root)
    assert not stale.exists()
    assert mine.exists()


def test_the_check_passes_here():
    assert certificate_font() == []


def test_a_missing_font_fails_loudly(monkeypatch, tmp_path):
    monkeypatch.setenv("CERTIFICATE_FONT_DIR", str(tmp_path))
    [error] = certificate_font()
    assert error.id == "pledges.E004" and "has not been built" in error.msg
    with pytest.raises(rendering.CertificateFontMissing, match="has not been built"):
        rendering.render_pdf(certificate())
    with pytest.raises(rendering.CertificateFontMissing):
        rendering.url_fetcher()


def test_an_unusable_font_is_reported(monkeypatch, tmp_path):
    monkeypatch.setenv("CERTIFICATE_FONT_DIR", str(tmp_path))
    fonts.font_path().write_bytes(b"OTTO but not a font")
    [error] = certificate_font()
    assert error.id == "pledges.E004" and "cannot be read" in error.msg
