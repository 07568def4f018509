"""The ``backview`` command: the window by default, headless sub-commands for everything else.

Each sub-command lives in its own module with ``add_parser(subparsers)`` and ``run(args)``.
A user mistake prints one line on stderr and exits with status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from viewer import __version__
from viewer.cli._common import add_screening_options, add_skin_tone_option, resolve_body
from viewer.core.errors import BackViewError, RegionMapError

#: sub-command modules, in the order ``backview --help`` lists them
COMMANDS = ("info", "bodies", "zones", "validate", "export", "lesson", "quiz", "landmarks",
            "anatomy", "handout", "video", "serve")
#: modules that exist yet (sub-commands land one issue at a time)
EXIT_USAGE = 2


class Parser(argparse.ArgumentParser):
    """argparse with a one-line mistake (no usage block), status 2, like every other error."""

    def error(self, message: str):
        self.exit(EXIT_USAGE, f"backview: error: {message} (`{self.prog} --help` lists the "
                              "options)\n")


def _actions(parser: argparse.ArgumentParser):
    """Every option of ``parser`` and its sub-commands (argparse keeps them in ``_actions``)."""
    for action in parser._actions:
        yield action
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _actions(sub)


def dash_values(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """``--size -100x200`` as ``--size=-100x200``: argparse takes a value starting with '-' for
    an option and stops with "expected one argument"; joined, the option's own check reads the
    value and says what is wrong with it. A value that is itself an option is left alone."""
    actions = list(_actions(parser))
    known = {s for a in actions for s in a.option_strings}
    takes_value = {s for a in actions if a.nargs is None for s in a.option_strings}
    out: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            return out + argv[i:]
        nxt = argv[i + 1] if i + 1 < len(argv) else None
        if (arg in takes_value and nxt is not None and nxt.startswith("-") and nxt != "--"
                and nxt.split("=", 1)[0] not in known):
            out.append(f"{arg}={nxt}")
            i += 2
            continue
        out.append(arg)
        i += 1
    return out


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="backview",
        description="BackView: learn where and how to give a safe, relaxing back massage. "
                    "Without a command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"BackView {__version__}")
    parser.add_argument("--mesh", metavar="FILE", help="body mesh to open in the window")
    parser.add_argument("--map", dest="region_map", metavar="FILE", help="region map to open")
    parser.add_argument("--landmarks", metavar="FILE",
                        help="landmarks of --mesh (default: <mesh>.landmarks.json beside it)")
    parser.add_argument("--body", metavar="ID",
                        help="a shipped body instead of --mesh (`backview bodies` lists them)")
    add_skin_tone_option(parser, top_level=True)
    add_screening_options(parser, top_level=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"viewer.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"viewer.cli.{name}":
                continue
            raise
        module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(dash_values(parser, sys.argv[1:] if argv is None else list(argv)))
    try:
        resolve_body(args)
        if args.command is None:
            # The window lives in viewer.ui; importing it lazily keeps every headless command
            # free of Qt, so it runs on machines without a display.
            kwargs = {}
            if args.condition or args.mark:
                kwargs["screening"] = _window_screening(args)
            # the Body menu (issue 15): passed on only when asked for, so the window's run()
            # needs these keywords only once it offers them
            if args.body is not None:
                kwargs["body"] = args.body
            if args.skin_tone is not None:
                kwargs["skin_tone"] = args.skin_tone
            app = importlib.import_module("viewer.ui.app")
            # --body is already --mesh/--landmarks (resolve_body); a window that knows bodies and
            # skin tones (its Body menu) is told the ids too
            import inspect

            accepted = inspect.signature(app.run).parameters
            kwargs = {k: v for k, v in kwargs.items() if k in accepted}
            return app.run(mesh=args.mesh, region_map=args.region_map, landmarks=args.landmarks,
                           **kwargs)
        return int(args.run(args) or 0)
    except RegionMapError as exc:
        for line in exc.lines():
            print(f"backview: error: {line}", file=sys.stderr)
        return EXIT_USAGE
    except BackViewError as exc:
        print(f"backview: error: {exc.line()}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # e.g. `backview info | head`: the reader left, that is fine
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _window_screening(args):
    """``--condition`` and ``--mark`` for the window, checked before it opens (one line, status
    2, on a mistake)."""
    from viewer.cli._common import conditions_from_args, screening_from_args
    from viewer.core.body import Body
    from viewer.core.regionmap import load_region_map

    rmap = load_region_map(args.region_map)
    conditions_from_args(args, rmap)  # a typo costs no mesh loading
    body = Body.load(args.mesh, args.landmarks)
    return screening_from_args(args, body, rmap)


if __name__ == "__main__":
    sys.exit(main())
