"""``backview serve``: the lesson in the browser, for a class taught online.

    backview serve [--host 127.0.0.1] [--port 8080] [--lesson FILE] [--body ID]

Prints the viewers' address and the instructor's (with a random token), then serves until
Ctrl+C. A bad port, a port in use or a bad lesson or body is one line and exit status 2.
"""

from __future__ import annotations

import errno
import socket
import sys

from viewer.cli._common import add_body_options
from viewer.core.errors import BackViewError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
#: names that reach this machine only
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def add_parser(sub) -> None:
    p = sub.add_parser(
        "serve", help="teach the lesson in the browser: viewers follow the instructor",
        description="Serve the guided lesson as a web page (trame): the 3D back with its zones, "
                    "the colour modes, the legend, the zone panel on a click and the lesson's "
                    "steps. The instructor's link (with a token printed at start) drives the "
                    "step, the colour mode and the camera for every viewer; viewers turn their "
                    "own view. Everything the page needs comes from the installed packages.")
    p.add_argument("--host", default=DEFAULT_HOST, metavar="HOST",
                   help="address to listen on (default: 127.0.0.1, this machine only; "
                        "0.0.0.0 lets anyone on the network watch)")
    p.add_argument("--port", default=str(DEFAULT_PORT), metavar="PORT",
                   help="TCP port, 1-65535 (default: 8080)")
    p.add_argument("--lesson", metavar="FILE",
                   help="lesson file (TOML); default: the shipped lesson")
    add_body_options(p, map_help="region map (default: the one the lesson names)")
    p.set_defaults(run=run)


def check_port(value: str) -> int:
    try:
        port = int(str(value).strip())
    except ValueError:
        raise BackViewError(f"{value!r} is not a port number (1-65535)", field="port") from None
    if not 1 <= port <= 65535:
        raise BackViewError(f"{port} is not a port number (1-65535)", field="port")
    return port


def check_free(host: str, port: int) -> None:
    """One line when ``host:port`` cannot be listened on (in use, or not this machine's)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        raise BackViewError(f"{host!r} is not an address of this machine ({exc})",
                            field="host") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        if sys.platform != "win32":
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise BackViewError(f"{port} is in use on {host}: stop what uses it or "
                                    "give another --port", field="port") from None
            raise BackViewError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                                field="host") from None


def urls(host: str, port: int, token: str) -> tuple[str, str]:
    """(the viewers' address, the instructor's)."""
    from viewer.web.gate import TOKEN_PARAMETER

    shown = socket.gethostname() if host in ("0.0.0.0", "::", "") else host
    if ":" in shown:
        shown = f"[{shown}]"
    base = f"http://{shown}:{port}/"
    return base, f"{base}?{TOKEN_PARAMETER}={token}"


def run(args) -> int:
    from viewer.core.lesson import load_lesson
    from viewer.core.regionmap import load_region_map

    port = check_port(args.port)
    host = (args.host or "").strip()
    if not host:
        raise BackViewError("give an address to listen on (e.g. 127.0.0.1)", field="host")
    # --body is already --mesh/--landmarks here (viewer.cli.main resolves it)
    map_path = getattr(args, "region_map", None)
    lesson = load_lesson(args.lesson, rmap=load_region_map(map_path) if map_path else None)
    check_free(host, port)

    from viewer.core.body import Body

    body = Body.load(getattr(args, "mesh", None), getattr(args, "landmarks", None))
    if host not in LOOPBACK:
        print(f"backview: warning: --host {host}: anyone who can reach this machine on port "
              f"{port} can watch the class; only the token in the instructor's link protects "
              "the controls, and the connection is not encrypted (plain http)", file=sys.stderr,
              flush=True)

    import os

    # trame reads its own options from the command line: give it none of ours
    os.environ["TRAME_ARGS"] = "--server"
    from viewer.web.app import ClassroomApp
    from viewer.web.classroom import Classroom
    from viewer.web.gate import new_token

    # the scene's render window is never drawn on the server: without a display, VTK's note
    # that it falls back from X to an off-screen window is noise
    from vtkmodules.vtkCommonCore import vtkLogger

    vtkLogger.SetStderrVerbosity(vtkLogger.VERBOSITY_ERROR)
    token = new_token()
    app = ClassroomApp(Classroom(body, lesson.rmap, lesson), token)

    def ready(bound_port: int) -> None:
        viewers, instructor = urls(host, bound_port, token)
        entry = getattr(args, "body_entry", None)
        on = entry.id if entry is not None else (body.mesh_path.name if body.mesh_path
                                                 else "the torso")
        print(f"BackView is serving \"{lesson.title}\" ({lesson.path.name}, "
              f"{len(lesson.steps)} steps) on {on}", flush=True)
        print(f"  viewers:    {viewers}", flush=True)
        print(f"  instructor: {instructor}", flush=True)
        print("Only the instructor's link opens the controls: keep it to yourself (the page "
              "removes the token from the address bar once it has loaded). Ctrl+C stops.",
              flush=True)

    try:
        app.start(host, port, ready=ready)
    except OSError as exc:  # lost the port between the check and the start
        raise BackViewError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                            field="port") from None
    return 0
