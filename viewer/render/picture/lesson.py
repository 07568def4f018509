"""The guided lesson as pictures: one annotated export per step, written all together.

Each step is an ordinary annotated export, through the same stages as any picture
(:func:`viewer.render.picture.pipeline.annotated_image`), with the step's view and colour mode,
its zones highlighted and labelled, its stroke arrows drawn on the skin in the same render, and
the step's panel (caption, the global rules it recalls, the guide's sentences it cites) where a
zone's callout would go::

    scene = BodyScene(body, lesson.rmap)
    export_lesson(scene, lesson, "pictures/", size=(1920, 1080))
    # pictures/01-prepare.png, pictures/02-effleurage.png, ...

Each picture is written into a hidden temporary folder inside the target folder, and all are
renamed into place at the end: a failure leaves no picture half-written and, but for a failure
between two renames, none of them new.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from viewer.core.errors import BackViewError
from viewer.core.lesson import Lesson, Step
from viewer.core.wording import step_text
from viewer.render.arrows import SkinProjector, arrow_meshes
from viewer.render.props import PROPS_COLOUR, read_props
from viewer.render.picture.options import ExportOptions
from viewer.render.picture.pipeline import ExportResult, annotated_image
from viewer.render.picture.step_page import StepSpec
from viewer.render.picture.write import encode
from viewer.render.scene import BodyScene


def step_file_name(number: int, step: Step) -> str:
    """``01-prepare.png``: numbered so a folder lists the steps in order."""
    return f"{number:02d}-{step.id}.png"


def step_spec(lesson: Lesson, step: Step, number: int) -> StepSpec:
    """The panel text of a step, the window's lesson panel's (:func:`~viewer.core.wording.
    step_text`): heading, caption, the rules it recalls and the guide sentences it cites."""
    text = step_text(lesson, step, number)
    return StepSpec(kicker=text.heading, caption=text.caption, rules=list(text.rules),
                    quotes=list(text.quotes))


def step_options(lesson: Lesson, step: Step, number: int, scene: BodyScene, *,
                 size: tuple[int, int] = (1920, 1080), palette: str = "default",
                 dpi: int | None = None, projector: SkinProjector | None = None) -> ExportOptions:
    """The export options of one step (arrows projected onto ``scene``'s skin)."""
    info = lesson.data.lesson
    rmap = lesson.rmap.info
    try:
        meshes = arrow_meshes(scene, lesson.arrows_of(step), projector)
    except KeyError as exc:  # an anchor on a landmark this body lacks
        raise BackViewError(f"the body has no landmark {exc}", lesson.path,
                            f"steps:{step.id}:arrows") from None
    total = len(lesson.steps)
    return ExportOptions(
        size=size, mode=step.colour_by, palette=palette, view=step.view, title=step.title,
        labels="highlighted", highlight=list(step.highlight), extra_meshes=meshes,
        step=step_spec(lesson, step, number), dpi=dpi, layers=tuple(step.layers),
        skin_opacity=step.skin_opacity, frame="back",
        footer=f"{info.title} · step {number} of {total} · region map: {rmap.name}, "
               f"version {rmap.version} · made with BackView",
        metadata={
            "backview:lesson": info.id,
            "backview:lesson-version": info.version,
            "backview:step": step.id,
            "backview:step-number": f"{number}/{total}",
            "backview:arrows": ",".join(step.arrows) or "none",
        })


@dataclass
class LessonPicture:
    step: Step
    path: Path
    result: ExportResult


def check_export_dir(folder: str | Path) -> Path:
    """The folder the pictures go to, created if missing; one-line errors before any render."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise BackViewError("is not a folder", folder, "export")
    if not folder.exists():
        parent = next((p for p in folder.absolute().parents if p.exists()), None)
        if parent is None or not parent.is_dir():
            raise BackViewError(f"cannot create the folder: '{parent}' is not a folder", folder,
                                "export")
        if not os.access(parent, os.W_OK | os.X_OK):
            raise BackViewError(f"cannot create the folder (permission denied in '{parent}')",
                                folder, "export")
        return folder
    if not os.access(folder, os.W_OK | os.X_OK):
        raise BackViewError("cannot write in this folder (permission denied)", folder, "export")
    return folder


def export_lesson(scene: BodyScene, lesson: Lesson, folder: str | Path, *,
                  size: tuple[int, int] = (1920, 1080), palette: str = "default",
                  dpi: int | None = None, optimize: bool = True,
                  progress=None, screening=None, skin_tone: str = "default"
                  ) -> list[LessonPicture]:
    """Render every step and write ``folder/NN-<step>.png``, all or nothing: each picture goes
    into a hidden temporary folder inside ``folder`` (made first, so a folder that cannot be
    written fails before any rendering), and they are renamed into place once all are done.
    ``screening`` ("Before you start"): every step shows the screened map (its marks, its
    limits, the postpone banner)."""
    folder = check_export_dir(folder)
    scenes = _step_scenes(lesson, scene)
    unique = list({id(s): s for s in scenes}.values())      # one per body
    projectors = {id(s): SkinProjector(s) for s in unique}
    options = [step_options(lesson, step, k, s, size=size, palette=palette, dpi=dpi,
                            projector=projectors[id(s)])
               for k, (step, s) in enumerate(zip(lesson.steps, scenes), start=1)]
    _body_steps(lesson, options)
    screened = {}
    if screening is not None and not screening.empty:
        from viewer.core.screening import Screening, apply_screening

        # a step on another body keeps the answers but not the marks (they lie on this body)
        other = Screening(screening.conditions, ())
        for s in unique:                                       # once for every body
            mine = screening if s is scene else other
            screened[id(s)] = (mine, None if mine.empty else apply_screening(s.assignment, mine))
    for opts, s in zip(options, scenes):
        opts.screening, opts.screened = screened.get(id(s), (None, None))
        opts.skin_tone = skin_tone
        opts.validate(s)
    anatomy = {}
    for opts, s in zip(options, scenes):   # fitted once for every body a step shows them on
        if opts.xray:
            from viewer.core.structures import fit_structures

            if id(s) not in anatomy:
                anatomy[id(s)] = fit_structures(s.body)
            opts.anatomy = anatomy[id(s)]
    pictures = []
    with _Staging(folder) as staging:
        for k, (step, opts, s) in enumerate(zip(lesson.steps, options, scenes), start=1):
            result = annotated_image(s, opts)
            data = encode(result.image, "PNG", result.metadata, dpi, False, optimize=optimize)
            path = folder / step_file_name(k, step)
            staging.write(path.name, data)
            pictures.append(LessonPicture(step, path, result))
            if progress is not None:
                progress(k, step)
        staging.commit()
    return pictures


#: the massage table, face cradle, bolster and towel around a body on the table: a neutral
#: light grey-beige that no zone colour and no skin tone is mistaken for


def _step_scenes(lesson: Lesson, scene: BodyScene) -> list[BodyScene]:
    """The scene each step is drawn on: ``scene``, or the body the step names (one scene per
    body, built once)."""
    from viewer.core.bodies import load_body
    from viewer.core.lesson import step_bodies

    entries = step_bodies(lesson)
    built: dict[str, BodyScene] = {}
    out = []
    for step in lesson.steps:
        entry = entries.get(step.id)
        if entry is None:
            out.append(scene)
            continue
        if entry.id not in built:
            built[entry.id] = BodyScene(load_body(entry.id), lesson.rmap)
        out.append(built[entry.id])
    return out


def _body_steps(lesson: Lesson, options: list[ExportOptions]) -> None:
    """A step on a body lying on the table: seen from the table camera, with the table, face
    cradle, bolster and towel drawn around it."""
    from viewer.core.lesson import step_bodies

    entries = step_bodies(lesson)
    props: dict = {}
    for step, opts in zip(lesson.steps, options):
        entry = entries.get(step.id)
        if entry is None:
            continue
        if entry.pose == "prone":
            opts.view, opts.camera = "table", None
        if entry.id not in props:
            props[entry.id] = read_props(entry)
        if props[entry.id] is not None:
            opts.extra_meshes = [*opts.extra_meshes, (props[entry.id], PROPS_COLOUR)]
        opts.metadata = {**opts.metadata, "backview:body": entry.id}


class _Staging:
    """A hidden temporary folder inside ``folder`` (created if missing) for files that are
    renamed into ``folder`` together by :meth:`commit`; on leaving, the temporary folder is
    removed, and ``folder`` too if it was made here and holds nothing."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.names: list[str] = []

    def __enter__(self) -> "_Staging":
        self.created = not self.folder.exists()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.path = Path(tempfile.mkdtemp(dir=self.folder, prefix=".backview-lesson-"))
        except OSError as exc:
            self._clean()
            raise BackViewError(f"cannot be written: {exc.strerror or exc}", self.folder,
                                "export") from None
        return self

    def write(self, name: str, data: bytes) -> None:
        try:
            with open(self.path / name, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(self.path / name, 0o666 & ~_umask())
        except OSError as exc:
            raise BackViewError(f"cannot be written: {exc.strerror or exc}", self.folder / name,
                                "export") from None
        self.names.append(name)

    def commit(self) -> None:
        try:
            for name in self.names:
                os.replace(self.path / name, self.folder / name)
        except OSError as exc:
            raise BackViewError(f"cannot be written: {exc.strerror or exc}", self.folder,
                                "export") from None

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        self._clean()

    def _clean(self) -> None:
        if self.created:
            try:
                self.folder.rmdir()  # only if empty
            except OSError:
                pass


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


__all__ = ["LessonPicture", "check_export_dir", "export_lesson", "step_file_name", "step_options",
           "step_spec"]
