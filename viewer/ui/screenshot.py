"""Render the real window to a PNG, for the documentation (``docs/images/window.png``).

    xvfb-run -s '-screen 0 1920x1080x24' python -m viewer.ui.screenshot [OUT.png] [--zone ID]
        [--mode MODE] [--size 1600x1000] [--present STEP] [--edit LANDMARK]
        [--xray PERCENT [--structure ID]] [--condition ID ...] [--mark ZONE:RADIUS_CM[:NOTE] ...]
        [--quiz QUESTION [--answer ANSWER]]

With ``--present STEP`` the window is in presentation mode (full screen) at lesson step STEP
(1-based), e.g. ``docs/images/presentation.png``; with ``--edit LANDMARK`` in View → Edit landmarks
with that landmark selected (``docs/images/edit-landmarks.png``); with ``--xray PERCENT``
in View → X-ray, the skin at that opacity (``--structure ID`` selects a bone or kidney,
``docs/images/xray-window.png``); with ``--condition ID`` (repeatable) View → Before you start
with those answers ticked, and ``--mark ZONE:RADIUS_CM[:NOTE]`` a mark in the middle of a zone
(``docs/images/screening-window.png``); with ``--quiz QUESTION`` in View → Quiz at that question
of the shipped set (an id such as ``landmark-spinous_T7``), answered with ``--answer``: a choice
(``light``), ``zone:ID`` (a click in the middle of a zone) or ``at:LANDMARK[:LEFT_CM[:UP_CM]]``
(a click on the skin that far from a landmark) (``docs/images/quiz-*.png``).

Uses a throwaway settings file, so the picture never depends on (or changes) the user's own.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QSettings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m viewer.ui.screenshot", description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default="docs/images/window.png")
    parser.add_argument("--zone", default="kidney-left", help="zone to select (default: kidney-left)")
    parser.add_argument("--mode", default="pressure", help="colour mode (default: pressure)")
    parser.add_argument("--size", default="1600x1000", help="window size, WxH")
    parser.add_argument("--tab", choices=("zone", "safety"), default="zone")
    parser.add_argument("--view", default="back", help="camera preset (default: back)")
    parser.add_argument("--palette", default="default", help="colour theme (default: default)")
    parser.add_argument("--present", type=int, metavar="STEP",
                        help="presentation mode at this lesson step (1-based), full screen")
    parser.add_argument("--edit", metavar="LANDMARK",
                        help="View > Edit landmarks, with this landmark selected")
    parser.add_argument("--xray", type=int, metavar="PERCENT",
                        help="View > X-ray on, the skin at this opacity (0-100)")
    parser.add_argument("--structure", metavar="ID",
                        help="with --xray: this bone or kidney selected (e.g. vertebra-L1)")
    parser.add_argument("--condition", action="append", default=[], metavar="ID",
                        help="View > Before you start with this condition ticked (repeatable)")
    parser.add_argument("--mark", action="append", default=[], metavar="ZONE:RADIUS_CM[:NOTE]",
                        help="a mark in the middle of this zone (repeatable)")
    parser.add_argument("--quiz", metavar="QUESTION",
                        help="View > Quiz at this question of the shipped set (its id)")
    parser.add_argument("--answer", metavar="ANSWER",
                        help="with --quiz: a choice, zone:ID or at:LANDMARK[:LEFT_CM[:UP_CM]]")
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.lower().split("x"))

    from viewer.ui.app import application
    from viewer.ui.main_window import MainWindow
    from viewer.ui.screening import zone_point
    from viewer.ui.settings import Settings

    app = application()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(QSettings(str(Path(folder) / "settings.ini"), QSettings.Format.IniFormat))
        window = MainWindow(settings=settings)
        window.resize(width, height)
        window.show()
        window.open_files()
        while window.model is None or window.loader.busy:
            app.processEvents()
            time.sleep(0.01)
        window.state.set_mode(args.mode)
        window.state.set_palette(args.palette)
        window.view.set_view(args.view)
        window.state.select(args.zone or None)
        if args.tab == "safety":
            window.safety_dock.raise_()
        if args.present:
            window.state.select(None)
            window.start_lesson(args.present - 1)
            window.enter_presentation()
        if args.edit:
            window.state.select(None)
            window.landmark_editor.set_active(True)
            window.landmark_editor.select(args.edit)
        if args.xray is not None:
            fitted = []
            window.layers.fitted.connect(fitted.append)
            window.layers.set_opacity(args.xray)
            window.layers.set_xray(True)
            while not fitted and window.layers.anatomy is None:
                app.processEvents()
                time.sleep(0.01)
            if args.structure:
                window.state.select_structure(window.layers.anatomy.get(args.structure))
        if args.condition or args.mark:
            screening = window.screening
            known = {c.id for c in screening.conditions}
            for cid in args.condition:
                if cid not in known:
                    print(f"--condition {cid}: not in the region map (it has: "
                          f"{', '.join(sorted(known)) or 'none'})", file=sys.stderr)
                    return 2
                screening.set_answer(cid, True)
            for text in args.mark:
                zone, radius, *note = text.split(":", 2)
                screening.add_mark(zone_point(window.model, zone), float(radius),
                                   note[0] if note else "")
            screening.show_dock()
            screening.select_mark(None)
        if args.quiz:
            code = _quiz(window, args.quiz, args.answer)
            if code:
                return code
        drawn = []
        window.view.updated.connect(lambda: drawn.append(1))
        window.view.flush()
        end = time.monotonic() + 5
        while (not drawn or time.monotonic() < end - 4.5) and time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        ok = window.grab().save(str(out))
        window.close()
    print(f"{'wrote' if ok else 'could not write'} {out}")
    return 0 if ok else 1


def _quiz(window, question_id: str, answer: str | None) -> int:
    """View > Quiz at one question of the shipped set, answered as ``answer`` says."""
    import numpy as np
    from PySide6.QtCore import QPointF

    from viewer.core.quiz import generate_questions, load_quiz
    from viewer.ui.picking import world_to_display
    from viewer.ui.screening import zone_point

    model = window.model
    quiz = load_quiz(rmap=model.rmap)
    drawn = quiz.questions(model.body.landmarks.keys(), seed=0)
    every = generate_questions(quiz, model.body.landmarks.keys())
    chosen = [q for q in every if q.id == question_id]
    if not chosen:
        print(f"--quiz {question_id}: no such question (there are: "
              f"{', '.join(q.id for q in every)})", file=sys.stderr)
        return 2
    controller = window.quiz
    controller.quiz = quiz
    controller.start(questions=chosen + [q for q in drawn if q.id != question_id][:11])
    if answer is None:
        return 0
    if answer.startswith(("zone:", "at:")):
        kind, name, *offset = answer.split(":")
        if kind == "zone":
            point = zone_point(model, name)
        else:
            frame = model.scene.geometry.frame
            left, up = (float(v) / 100 / model.body.unit for v in (offset + ["0", "0"])[:2])
            point = model.body.landmark(name) + left * frame.left + up * frame.up
        x, y = world_to_display(window.plotter.renderer, np.asarray(point)[None])[0, :2]
        ratio = window.plotter.devicePixelRatioF()
        height = window.plotter.render_window.GetSize()[1]
        controller.answer_at(QPointF(x / ratio - 0.5, (height - y) / ratio - 0.5))
    else:
        values = [c.value for c in chosen[0].choices]
        if answer not in values:
            print(f"--answer {answer}: not a choice of {question_id} ({', '.join(values)})",
                  file=sys.stderr)
            return 2
        controller.choose(values.index(answer))
    return 0


if __name__ == "__main__":
    sys.exit(main())
