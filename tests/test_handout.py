"""``backview handout``: the printable PDF (issue 17), checked as a reader gets it.

The handout is built once per module (in-process, off-screen) and read back with pypdf: its
page count, the text a reader can select and search (every sentence from the map and the
lesson), the embedded fonts, the footer on every page, and the screening banner. The mistakes
a user can make run as the command does (a child process): one line naming the file or the
option, exit status 2, no file written.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from conftest import assert_one_line_error
from viewer.core.lesson import load_lesson
from viewer.core.regionmap import Stroke, normalise_text

pypdf = pytest.importorskip("pypdf")

DATE = dt.date(2026, 12, 1)


def _text(pdf_path: Path) -> list[str]:
    """Each page's text, whitespace folded (lines of a wrapped sentence joined)."""
    reader = pypdf.PdfReader(str(pdf_path))
    return [normalise_text(page.extract_text()) for page in reader.pages]


@pytest.fixture(scope="module")
def lesson():
    return load_lesson()


@pytest.fixture(scope="module")
def scene(lesson):
    from viewer.core.body import Body
    from viewer.render.scene import BodyScene

    return BodyScene(Body.load(), lesson.rmap)


@pytest.fixture(scope="module")
def handout(scene, lesson, tmp_path_factory):
    from viewer.render.handout import export_handout
    from viewer.render.picture import quiet_vtk

    quiet_vtk()
    out = tmp_path_factory.mktemp("handout") / "handout.pdf"
    seen = []
    result = export_handout(scene, lesson, out, date=DATE,
                            progress=lambda done, total, what: seen.append((done, total, what)))
    return result, _text(out), seen


@pytest.fixture(scope="module")
def postponed(scene, lesson, tmp_path_factory):
    """A screened handout on US letter: a fever (postpone) and a bruise marked on the back."""
    from viewer.core.screening import Screening, parse_mark
    from viewer.render.handout import export_handout

    mark = parse_mark("inferior_angle_left:5:Bruise, 3 days old", scene.body, "bruising")
    screening = Screening(("fever", "bruising"), (mark,))
    out = tmp_path_factory.mktemp("handout-screened") / "screened.pdf"
    result = export_handout(scene, lesson, out, page="letter", screening=screening, date=DATE)
    return result, _text(out)


def _joined(pages: list[str]) -> str:
    return normalise_text(" ".join(pages))


def _has(text: str, sentence: str) -> bool:
    """``sentence`` in ``text``, ignoring where lines broke (a hyphen-free wrap may leave or
    drop a space) and typographic quotes."""
    squash = lambda s: re.sub(r"\s+", "", normalise_text(s))  # noqa: E731
    return squash(sentence) in squash(text)


def test_page_count_and_sections(handout, lesson):
    result, pages, _ = handout
    # the cover, two pages per stroke (its map, then its zone table), the safety rules and
    # four pages of lesson steps
    assert result.pages == len(pages) == 13
    titles = [t for t, _ in result.sections]
    assert titles[0] == lesson.rmap.info.name
    assert [step.title for step in lesson.steps if step.colour_by.startswith("stroke:")
            and step.arrows][:3] == titles[1:4]
    assert "Safety rules" in titles and lesson.title in titles
    # a section starts on the page it says
    for title, page in result.sections:
        assert _has(pages[page - 1], title)
    assert result.pictures == 1 + len(Stroke) + len(lesson.steps)


def test_every_page_has_its_footer(handout, lesson):
    result, pages, _ = handout
    info = lesson.rmap.info
    for k, text in enumerate(pages, start=1):
        assert f"page {k} of {result.pages}" in text
        assert f"{info.name}, version {info.version}" in text
        assert DATE.isoformat() in text


def test_the_text_is_the_maps_and_the_lessons(handout, lesson):
    """Every zone's technique and cautions, every avoid/postpone/limit rule with its guide
    sentences, every screening question, and every step's caption and quotes are in the PDF
    as text."""
    _, pages, _ = handout
    text = _joined(pages)
    rmap = lesson.rmap
    for spec in rmap.data.zones:
        assert _has(text, spec.technique), spec.id
        for caution in spec.cautions:
            assert _has(text, caution), spec.id
    for rule in rmap.rules:
        if rule.kind in ("avoid", "postpone", "limit"):
            assert _has(text, rule.title) and _has(text, rule.text)
            for quote in rule.citations:
                assert _has(text, quote), rule.id
    for cond in rmap.conditions:
        assert _has(text, cond.question)
    for step in lesson.steps:
        assert _has(text, step.caption), step.id
        for quote in step.citations:
            assert _has(text, quote), step.id


def test_each_stroke_section_says_where_it_belongs(handout, lesson):
    """A stroke's first page lists the zones under each status, as the map has them; its
    table gives each zone's status for that stroke."""
    result, pages, _ = handout
    rmap = lesson.rmap
    first = dict(result.sections)
    for stroke in Stroke:
        step = next(s for s in lesson.steps if s.colour_by == f"stroke:{stroke.value}" and s.arrows)
        page = pages[first[step.title] - 1]
        avoided = [z.name for z in rmap.data.zones if z.strokes[stroke].value == "avoid"]
        if avoided:
            assert _has(page, "Avoid") and all(_has(page, n) for n in avoided)
        table = pages[first[step.title]]
        assert _has(table, "Zone by zone") and _has(table, f"{stroke.label} Pressure")


def test_fonts_are_embedded_and_the_document_is_described(handout):
    result, _, _ = handout
    reader = pypdf.PdfReader(str(result.path))
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            desc = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            fonts[str(font["/BaseFont"])] = "/FontFile2" in desc
    assert fonts and all(fonts.values()), fonts
    assert any("DejaVuSansBold" in name for name in fonts) and len(fonts) == 2
    assert reader.metadata.title and "Relaxing back massage" in reader.metadata.title
    assert str(reader.trailer["/Root"]["/Lang"]) == "en"
    assert reader.outline, "no bookmarks"


def test_pictures_are_300_dpi_at_their_printed_size(handout):
    """Each picture's pixels over its printed width (from the page's drawing commands)."""
    result, _, _ = handout
    reader = pypdf.PdfReader(str(result.path))
    checked = 0
    for page in reader.pages:
        sizes = {}

        def visit(op, args, cm, tm):
            if op == b"Do":
                sizes[str(args[0])] = (abs(cm[0]), abs(cm[3]))

        page.extract_text(visitor_operand_before=visit)
        xobjects = page["/Resources"].get("/XObject", {})
        for name, (w_pt, h_pt) in sizes.items():
            img = xobjects[name].get_object()
            dpi = img["/Width"] / (w_pt / 72)
            assert dpi >= 295, (name, dpi)
            checked += 1
    assert checked == result.pictures


def test_progress_is_reported_for_every_picture(handout):
    result, _, seen = handout
    assert [d for d, _, _ in seen] == list(range(1, result.pictures + 1))
    assert {t for _, t, _ in seen} == {result.pictures}


def test_a_screening_is_on_every_page(postponed, lesson):
    result, pages = postponed
    sentence = next(c for c in lesson.rmap.conditions if c.id == "fever").citations[0]
    for text in pages:
        assert "Postpone the massage:" in text and _has(text, sentence)
    # answered questions are ticked
    assert _has(_joined(pages), "Does the recipient have an acute fever? \u2014 yes")
    reader = pypdf.PdfReader(str(result.path))
    w, h = (float(v) for v in reader.pages[0].mediabox[2:])
    assert (round(w), round(h)) == (612, 792)        # US letter, in points


def test_the_back_fills_the_step_pictures(scene, lesson):
    """A lesson step's picture frames the back (neck to sacrum) large: the camera shows at
    most 80 % of the height the whole-body framing (to the top of the head) did, so the back
    is drawn at least 1.25 times as large (1.37 times when this was written)."""
    from viewer.render.picture import annotated_image, step_options

    step = lesson.steps[1]
    opts = step_options(lesson, step, 2, scene, size=(960, 540))
    back = annotated_image(scene, opts)
    opts = step_options(lesson, step, 2, scene, size=(960, 540))
    opts.frame = "body"
    whole = annotated_image(scene, opts)
    assert back.render_camera.parallel_scale <= 0.8 * whole.render_camera.parallel_scale
    assert back.labels, "the step's zones are still labelled"


# --------------------------------------------------------------------------- mistakes
@pytest.mark.parametrize("args, field", [
    (["--size", "a5"], "size"),
    (["--lesson", "no-such-lesson.toml"], "no-such-lesson.toml"),
    (["--condition", "flu"], "condition"),
])
def test_bad_options_are_one_line(cli, tmp_path, args, field):
    out = tmp_path / "h.pdf"
    result = cli("handout", "--out", out, *args)
    assert result.returncode == 2
    line = assert_one_line_error(result, field)
    assert "Traceback" not in line
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_out_must_be_a_pdf(cli, tmp_path):
    out = tmp_path / "handout.png"
    result = cli("handout", "--out", out)
    assert result.returncode == 2
    assert_one_line_error(result, "handout.png", "out", ".pdf")
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_cannot_be_written(cli, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file")
    result = cli("handout", "--out", blocker / "h.pdf")
    assert result.returncode == 2
    assert_one_line_error(result, "h.pdf", "out", "not a folder")
    missing = cli("handout", "--out", tmp_path / "missing" / "h.pdf")
    assert missing.returncode == 2
    assert_one_line_error(missing, "h.pdf", "does not exist")
    if Path("/proc").is_dir():       # even root cannot make a file there
        proc = cli("handout", "--out", "/proc/backview-handout.pdf")
        assert proc.returncode == 2
        assert_one_line_error(proc, "/proc/backview-handout.pdf", "out")
    assert [p.name for p in tmp_path.iterdir()] == ["not-a-folder"]


def test_an_existing_file_is_replaced_whole(scene, lesson, tmp_path, monkeypatch):
    """A failure while making the handout leaves an existing file as it was, and no
    temporary file beside it."""
    from viewer.render import handout as mod

    out = tmp_path / "h.pdf"
    out.write_bytes(b"the old handout")

    def broken(*a, **k):
        raise RuntimeError("the renderer failed")

    monkeypatch.setattr(mod, "_lesson_pages", broken)
    with pytest.raises(RuntimeError):
        mod.export_handout(scene, lesson, out, date=DATE)
    assert out.read_bytes() == b"the old handout"
    assert [p.name for p in tmp_path.iterdir()] == ["h.pdf"]
