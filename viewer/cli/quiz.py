"""``backview quiz``: practice questions generated from the region map and the landmarks.

    backview quiz [--quiz FILE] [--seed N]                  # the set, checked: a summary
    backview quiz [--quiz FILE] --list [--json] [--seed N]  # the questions and their answers
    backview quiz --check FILE                              # validate a quiz set
    backview quiz --export DIR [--size WxH] [--palette NAME] [--seed N]

A quiz set (``region_maps/quiz.toml`` by default) chooses kinds, zones, landmarks, how many
questions and their order; the questions come from the map and the body's landmarks
(:mod:`viewer.core.quiz`), so their answers are what the map says. With ``--mesh``/``--body``
the landmark drills are those of that body (a landmark it lacks is not asked). A mistake prints
one line per problem (``quiz.toml:quiz:zones: unknown zone 'x' ...``) and exits with status 2;
nothing is written then.
"""

from __future__ import annotations

import json

from viewer.cli._common import add_body_options, add_skin_tone_option
from viewer.core.palette import PALETTES


def add_parser(sub) -> None:
    p = sub.add_parser(
        "quiz", help="practice questions from the map and the landmarks: list, check, export",
        description="Practice questions generated from the region map (where each stroke and "
                    "pressure belongs, the order of the strokes, the screening) and from the "
                    "body's landmarks (palpation drills). Without --list, --check or --export: "
                    "check the quiz set and summarise it.")
    p.add_argument("--quiz", metavar="FILE",
                   help="quiz set (TOML); default: the shipped region_maps/quiz.toml")
    p.add_argument("--list", action="store_true",
                   help="list the questions with their choices, answers and the guide's sentences")
    p.add_argument("--json", action="store_true", help="with --list: print JSON")
    p.add_argument("--check", metavar="FILE",
                   help="validate a quiz set: one line per problem, exit status 2")
    p.add_argument("--export", metavar="DIR",
                   help="write a question picture and an answer picture per question "
                        "(DIR/01-<id>-question.png, DIR/01-<id>-answer.png, ...), all or nothing")
    p.add_argument("--seed", metavar="N",
                   help="the shuffle's seed (0 to 2147483647), instead of the set's own")
    p.add_argument("--size", metavar="WxH",
                   help="with --export: pixels of each picture, e.g. 1920x1080 (default), "
                        "3840x2160")
    p.add_argument("--palette", metavar="NAME",
                   help=f"with --export: colour theme: {', '.join(PALETTES)} (default: default)")
    add_body_options(p, map_help="region map (default: the one the quiz set names)")
    add_skin_tone_option(p)
    p.set_defaults(run=run)


def _seed(text: str | None) -> int | None:
    from viewer.core.errors import BackViewError

    if text is None:
        return None
    try:
        seed = int(text)
    except ValueError:
        raise BackViewError(f"'{text}' is not a whole number (0 to 2147483647)",
                            field="seed") from None
    if not 0 <= seed <= 2**31 - 1:
        raise BackViewError(f"{seed} is out of range (0 to 2147483647)", field="seed")
    return seed


def _check_combination(args) -> None:
    """Options that do not go together: one line, before anything is read."""
    from viewer.core.errors import BackViewError

    if args.check is not None:
        others = [o for o, given in (("--quiz", args.quiz), ("--list", args.list),
                                     ("--json", args.json), ("--export", args.export),
                                     ("--seed", args.seed)) if given]
        if others:
            raise BackViewError(f"--check FILE checks one quiz set: leave out {', '.join(others)}",
                                field="check")
    if args.json and not args.list:
        raise BackViewError("--json goes with --list", field="json")
    if args.list and args.export is not None:
        raise BackViewError("--list and --export: one at a time", field="export")
    if args.export is None and (args.size is not None or args.palette is not None
                                or getattr(args, "skin_tone", None) is not None):
        raise BackViewError("--size, --palette and --skin-tone go with --export DIR",
                            field="export")


def run(args) -> int:
    from viewer.core.options import check_palette, parse_size
    from viewer.core.quiz import load_quiz
    from viewer.core.regionmap import load_region_map

    _check_combination(args)
    seed = _seed(args.seed)
    if args.check is not None:
        from viewer.core.quiz import generate_questions

        quiz = load_quiz(args.check)
        every = generate_questions(quiz)
        asked = len(every) if quiz.info.count is None else min(quiz.info.count, len(every))
        print(f"ok: {args.check}: schema, map, zones, landmarks and guide citations check out; "
              f"{asked} of {_kinds_line(every)} asked per run")
        return 0
    map_path = getattr(args, "region_map", None)
    rmap = load_region_map(map_path) if map_path else None
    quiz = load_quiz(args.quiz, rmap=rmap)
    size = None
    if args.export is not None:
        if args.palette is not None:
            check_palette(args.palette)
        size = parse_size(args.size) if args.size else (1920, 1080, None)
        from viewer.render.picture import check_export_dir

        check_export_dir(args.export)
    body = None
    if args.export is not None or getattr(args, "mesh", None) or getattr(args, "landmarks", None):
        from viewer.core.body import Body

        body = Body.load(getattr(args, "mesh", None), getattr(args, "landmarks", None))
    questions = quiz.questions(None if body is None else list(body.landmarks), seed=seed)
    if args.list:
        if args.json:
            print(json.dumps({"questions": [q.to_json() for q in questions]}, indent=2,
                             ensure_ascii=False))
        else:
            _print_list(quiz, questions)
        return 0
    if args.export is None:
        _print_summary(quiz, questions, body)
        return 0
    return _export(args, quiz, questions, body, size)


def _export(args, quiz, questions, body, size) -> int:
    from viewer.render import picture as ex
    from viewer.render.picture.quiz import export_quiz
    from viewer.render.scene import BodyScene

    width, height, dpi = size
    scene = BodyScene(body, quiz.rmap)
    ex.quiet_vtk()
    pictures = export_quiz(scene, questions, args.export, title=quiz.title,
                           size=(width, height), palette=args.palette or "default", dpi=dpi,
                           skin_tone=getattr(args, "skin_tone", None) or "default",
                           body_entry=getattr(args, "body_entry", None))
    for pic in pictures:
        print(f"wrote {pic.path} ({width}x{height}, {pic.question.kind}, {pic.which})")
    return 0


def _kinds_line(questions) -> str:
    from viewer.core.quiz import KINDS

    counts = {k: sum(q.kind == k for q in questions) for k in KINDS}
    parts = [f"{n} {k}" for k, n in counts.items() if n]
    return f"{len(questions)} question{'s' if len(questions) != 1 else ''} ({', '.join(parts)})"


def _print_summary(quiz, questions, body) -> None:
    info = quiz.info
    on = f" on {body.mesh_path.name}" if body is not None and body.mesh_path else ""
    order = ("shuffled" + (f", seed {info.seed}" if info.seed is not None else ", a new draw "
                           "each time")) if info.order == "shuffled" else "as written"
    print(f"{info.title} (quiz {info.id} v{info.version}, {quiz.path.name}) from "
          f"{quiz.rmap.label}{on}")
    print(f"  {_kinds_line(questions)}; order {order}; landmarks found within "
          f"{info.radius_cm:g} cm")
    print("ok: schema, map, zones, landmarks and guide citations all check out "
          "(`backview quiz --list` lists the questions)")


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip(" ,;:") + "\u2026"


def _print_list(quiz, questions) -> None:
    from viewer.core.quiz import KIND_LABELS

    print(f"{quiz.title}: {_kinds_line(questions)}")
    for k, q in enumerate(questions, start=1):
        print(f"{k:2d}. [{KIND_LABELS[q.kind]}] {q.prompt}  ({q.id})")
        if q.choices:
            print(f"    choices: {', '.join(c.label for c in q.choices)}")
        if "choice" in q.answer:
            print(f"    answer: {q.answer_label}")
        elif "zones" in q.answer:
            print(f"    answer: {q.explanation}")
        else:
            count = (f" (count {len(q.count_from)} spinous processes from C7)"
                     if q.count_from else "")
            print(f"    answer: {q.target} ({q.answer['landmark']}), "
                  f"within {q.radius * 100:g} cm{count}")
        if q.citations:
            print(f"    guide: \u201c{_short(q.citations[0])}\u201d")
