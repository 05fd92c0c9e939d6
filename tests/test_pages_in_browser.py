"""report.html, profile.html, protocol.html and reports/index.html in a real browser: Debian's headless Chromium.

Each page, of a real dry run and a real profile of the shipped sample (one each for the module)
and of the hand-made switch of tests/test_protocol_render.py, is opened at 1,280 px: nothing may
reach past the window's width (``document.documentElement.scrollWidth``, written into the DOM by
a small script injected into a copy of the page, read back with ``--dump-dom``). protocol.html is
printed to PDF: the page that holds the signatures must also name the run, its period and totals.
Screenshots stay under pytest's tmp folder as artefacts; their paths are printed (``-s``).

Without Chromium (``/usr/bin/chromium``, or ``chromium`` on the PATH) the tests are skipped, saying
how to install it; with ``CUTOVER_REQUIRE_SERVERS=1`` (CI, .ci/run installs it) they fail instead.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest
from support import ROOT, dry_run_into_sqlite, write_project
from test_protocol_render import DATA

from cutover.analysis import profile_project, write_profile_reports
from cutover.config import load_project
from cutover.monthend.protocol_html import write_protocol_html

WIDTH = 1280
SAMPLE = ROOT / "sample_data" / "sample_legacy"
OVERFLOW_SCRIPT = """<script>
addEventListener("load", () => {
  const found = document.createElement("pre");
  found.id = "measured";
  const wide = [...document.querySelectorAll(".wide")].map((box) => box.scrollWidth - box.clientWidth);
  found.textContent = "scrollWidth=" + document.documentElement.scrollWidth + " wideOverflow=" + Math.max(0, ...wide);
  document.body.appendChild(found);
});
</script>"""


def _chromium() -> str:
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if found:
        return found
    why = ("Chromium is missing: install Debian's package (apt-get install -y chromium) to check the pages "
           "in a browser")
    if os.environ.get("CUTOVER_REQUIRE_SERVERS") == "1":
        pytest.fail(f"{why} (CUTOVER_REQUIRE_SERVERS=1: .ci/run installs it)", pytrace=False)
    pytest.skip(why)


@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    """A function running headless Chromium with ``args`` on a page; its stdout."""
    binary = _chromium()
    profile = tmp_path_factory.mktemp("chromium-profile")

    def run(page: Path, *args: str) -> str:
        command = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                   "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
                   f"--user-data-dir={profile}", f"--window-size={WIDTH},2000", *args, page.as_uri()]
        done = subprocess.run(command, capture_output=True, text=True, timeout=90)
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    return run


@pytest.fixture(scope="module")
def report_page(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("dry-run")
    result, _ = dry_run_into_sqlite(folder, "sample_legacy", SAMPLE)
    return result.report_dir / "report.html"


@pytest.fixture(scope="module")
def index_page(report_page) -> Path:
    """reports/index.html, written by the same dry run after its report."""
    return report_page.parent.parent / "index.html"


@pytest.fixture(scope="module")
def profile_page(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("profile")
    _, page = write_profile_reports(profile_project(load_project(write_project(folder, "sample_legacy", SAMPLE))))
    return page


@pytest.fixture(scope="module")
def protocol_page(tmp_path_factory) -> Path:
    page = tmp_path_factory.mktemp("protocol") / "protocol.html"
    write_protocol_html(page, DATA)
    return page


def _measured(chromium, page: Path, *args: str) -> tuple[int, int]:
    """The page's width as laid out at 1,280 px, and how far its widest scrolling table reaches past
    its box, measured in a copy with a script at its end."""
    measured = page.with_name(f"measured-{page.name}")
    measured.write_text(page.read_text(encoding="utf-8").replace("</body>", OVERFLOW_SCRIPT + "</body>"),
                        encoding="utf-8")
    dom = chromium(measured, "--run-all-compositor-stages-before-draw", "--virtual-time-budget=3000", "--dump-dom",
                   *args)
    found = re.search(r"scrollWidth=(\d+) wideOverflow=(\d+)", dom)
    assert found, dom[-500:]
    return int(found.group(1)), int(found.group(2))


def _screenshot(chromium, page: Path) -> Path:
    shot = page.with_suffix(".png")
    chromium(page, f"--screenshot={shot}", "--hide-scrollbars")
    assert shot.stat().st_size > 10_000
    print(f"\nscreenshot of {page.name}: {shot}")
    return shot


@pytest.mark.parametrize("name", ["report_page", "profile_page", "protocol_page", "index_page"])
def test_the_page_fits_1280_px_without_horizontal_overflow(name, request, chromium):
    page = request.getfixturevalue(name)
    width, past_its_box = _measured(chromium, page)
    assert width <= WIDTH
    if name == "index_page":  # its table of runs fits whole, without scrolling sideways
        assert past_its_box == 0
    _screenshot(chromium, page)


PRINTED_WIDTH = round((297 - 2 * 12) / 25.4 * 96)  # A4 landscape less report.html's 12 mm margins, CSS px: 1032


def test_report_html_printed_fits_its_wide_tables_on_the_paper(report_page, chromium):
    """Laid out by its print rules (applied to a copy as rules for every medium, since a headless
    window cannot be told to lay out for print) at the width of the printed page, no wide table
    reaches past its box: it shrinks and wraps instead of being clipped (the records have 13 columns)."""
    printed = report_page.with_name("as-printed.html")
    printed.write_text(report_page.read_text(encoding="utf-8").replace("@media print {", "@media all {"),
                       encoding="utf-8")
    # a second --window-size: Chromium takes the last of a repeated switch (the fixture's is 1,280 px)
    width, past_its_box = _measured(chromium, printed, f"--window-size={PRINTED_WIDTH},2000")
    assert past_its_box == 0 and width <= PRINTED_WIDTH


# ---- the PDF's text, page by page, without a PDF library ----------------------------------

def _objects(pdf: bytes) -> dict[int, tuple[bytes, bytes]]:
    """Every object of the file: number -> (its dictionary, its stream inflated)."""
    found = {}
    for match in re.finditer(rb"(\d+) 0 obj(.*?)endobj", pdf, re.DOTALL):
        body = match.group(2)
        stream = b""
        if b"stream" in body:
            head, _, rest = body.partition(b"stream")
            stream = rest.lstrip(b"\r\n").rsplit(b"endstream", 1)[0]
            if b"/FlateDecode" in head:
                stream = zlib.decompress(stream)
            body = head
        found[int(match.group(1))] = (body, stream)
    return found


def _cmap(stream: bytes) -> dict[bytes, str]:
    """A ToUnicode CMap: glyph code (hex) -> text."""
    codes: dict[bytes, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", stream, re.DOTALL):
        for code, text in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            codes[code.upper()] = bytes.fromhex(text.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", stream, re.DOTALL):
        for first, last, text in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            start, width = int(first, 16), len(first)
            for offset in range(int(last, 16) - start + 1):
                code = f"{start + offset:0{width}X}".encode()
                codes[code] = chr(int(text, 16) + offset)
    return codes


def _refs(body: bytes, key: bytes) -> list[int]:
    found = re.search(rb"/" + key + rb"\s*(\[[^\]]*\]|\d+ 0 R)", body)
    return [int(n) for n in re.findall(rb"(\d+) 0 R", found.group(1))] if found else []


def pdf_pages_text(pdf: bytes) -> list[str]:
    """The text of each page of a PDF Chromium printed (Skia: Type0 fonts with ToUnicode maps),
    without its spaces (Skia places glyphs one by one: where a word ends is not in the text)."""
    objects = _objects(pdf)
    root = next(body for body, _ in objects.values() if re.search(rb"/Type\s*/Pages\b", body)
                and not re.search(rb"/Parent\b", body))
    pages: list[int] = []

    def walk(numbers: list[int]) -> None:
        for number in numbers:
            body = objects[number][0]
            if re.search(rb"/Type\s*/Pages\b", body):
                walk(_refs(body, b"Kids"))
            else:
                pages.append(number)

    walk(_refs(root, b"Kids"))
    texts = []
    for number in pages:
        body = objects[number][0]
        resources = body
        if refs := re.search(rb"/Resources\s+(\d+) 0 R", body):
            resources = objects[int(refs.group(1))][0]
        fonts = {}
        if block := re.search(rb"/Font\s*(<<.*?>>|\d+ 0 R)", resources, re.DOTALL):
            table = block.group(1)
            if table.endswith(b"R"):
                table = objects[int(table.split()[0])][0]
            for name, font in re.findall(rb"/(\w+)\s+(\d+) 0 R", table):
                unicode = _refs(objects[int(font)][0], b"ToUnicode")
                fonts[name] = _cmap(objects[unicode[0]][1]) if unicode else {}
        content = b"".join(objects[ref][1] for ref in _refs(body, b"Contents"))
        codes: dict[bytes, str] = {}
        shown = []
        for token in re.finditer(rb"/(\w+)\s+[\d.]+\s+Tf|<([0-9A-Fa-f]*)>", content):
            if token.group(1):
                codes = fonts.get(token.group(1), {})
            else:
                hexed = token.group(2).upper()
                width = 4 if len(next(iter(codes), b"0000")) == 4 else 2
                shown.append("".join(codes.get(hexed[i:i + width], "") for i in range(0, len(hexed), width)))
        texts.append(re.sub(r"\s+", "", "".join(shown)))
    return texts


def test_the_printed_protocol_signs_on_a_page_that_names_the_run_and_its_totals(chromium, protocol_page):
    pdf = protocol_page.with_suffix(".pdf")
    chromium(protocol_page, f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    pages = pdf_pages_text(pdf.read_bytes())
    assert len(pages) >= 2, pages  # the protocol of the test fills more than one A4 page
    signed = [text for text in pages if "Signature/Подпись" in text]
    assert len(signed) == 1, pages
    assert DATA.run_id in signed[0]
    for fact in (f"Periodclosed/Закрытыйпериод{DATA.period}", "2234,56", "2184,55", "NOTACCEPTED"):
        assert fact in signed[0], signed[0]
    print(f"\nprotocol printed: {pdf}")
