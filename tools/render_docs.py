"""Regenerate every picture of the README from the committed code and data.

    python tools/render_docs.py             # model pictures, export gallery, lesson steps
    python tools/render_docs.py --window    # and the window screenshots (needs an X server:
                                            # run it under xvfb-run -s '-screen 0 1920x1080x24')
    python tools/render_docs.py --handout   # only the sample handout and its page pictures

The handout's pages are rasterised with pypdfium2 (`pip install '.[docs]'`).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyvista as pv

from viewer.core import anatomy
from viewer.core.body import Body
from viewer.core.camera import preset_camera
from viewer.core.palette import BACKGROUND
from viewer.core.regionmap import load_region_map
from viewer.render.actors import SceneActors
from viewer.render.camera import apply_camera
from viewer.render.scene import BodyScene

OUT = Path(__file__).resolve().parents[1] / "docs" / "images"
SHORT = {
    anatomy.EOP: "EOP",
    "superior_angle": "sup. angle",
    "scapular_spine_root": "spine root",
    "medial_border_mid": "medial border",
    "inferior_angle": "inf. angle",
    "iliac_crest_top": "iliac crest",
    "rib12_tip": "rib 12",
    "rib11_tip": "rib 11",
    "psis": "PSIS",
}


def landmarks_image(scene: BodyScene, path: Path) -> None:
    body = scene.body
    p = pv.Plotter(off_screen=True, window_size=(1400, 1600))
    p.set_background(BACKGROUND)
    p.add_mesh(scene.surface, color="#d8c3b0", smooth_shading=True, specular=0.15)
    names = list(body.landmarks)
    pts = np.array([body.landmarks[n] for n in names])
    spinous = [i for i, n in enumerate(names) if n.startswith("spinous_")]
    other = [i for i in range(len(names)) if i not in spinous]
    p.add_points(pts[spinous], color="#c0392b", point_size=16, render_points_as_spheres=True)
    p.add_points(pts[other], color="#1f5fa8", point_size=16, render_points_as_spheres=True)
    labels, where = [], []
    for i, n in enumerate(names):
        if n.endswith("_right"):
            continue  # label one side only; the other mirrors it
        short = SHORT.get(n.replace("_left", ""), n.removeprefix("spinous_").replace("_", " "))
        labels.append(short)
        where.append(pts[i] + scene.geometry.frame.back * 0.01)
    p.add_point_labels(np.array(where), labels, font_size=19, point_size=1, shape_opacity=0.75,
                       shape_color="white", text_color="#222222", always_visible=True,
                       show_points=False)
    camera = preset_camera(body, "back", 1400 / 1600)
    apply_camera(p, camera.with_scale(camera.parallel_scale * 1.02))
    p.screenshot(path)
    p.close()


def zones_image(scene: BodyScene, view: str, path: Path, mode: str = "pressure") -> None:
    p = pv.Plotter(off_screen=True, window_size=(1000, 1200))
    actors = SceneActors(p, scene, mode)
    actors.set_view(view, 1000 / 1200)
    p.screenshot(path)
    p.close()


#: the README's screened pictures ("Before you start")
SCREENED_DVT_BRUISE = ["--condition", "dvt", "--condition", "bruising",
                       "--mark", "inferior_angle_left:5:Bruise, 3 days old",
                       "--title", "Before you start: a history of DVT and a bruise"]
SCREENED_FEVER = ["--condition", "fever", "--title", "Before you start: a fever"]

GALLERY = {
    "pressure": ["--colour-by", "pressure"],
    "stroke-effleurage": ["--colour-by", "stroke:effleurage"],
    "stroke-petrissage": ["--colour-by", "stroke:petrissage"],
    "stroke-friction": ["--colour-by", "stroke:friction"],
    "selected-zone-with-pins": [
        "--colour-by", "stroke:petrissage", "--zone", "upper-trapezius-left",
        "--title", "Kneading the upper trapezius",
        "--pin", "acromion_left:Stop short of the bony tip",
        "--pin", "spinous_C7:Stay off the spine"],
    # under the skin (x-ray): the bones and kidneys through a translucent skin
    "xray-back": ["--layers", "skin,bones,kidneys", "--skin-opacity", "0.3",
                  "--title", "Under the skin: the bones and the kidneys"],
    "xray-oblique": ["--layers", "skin,bones,kidneys", "--skin-opacity", "0.3",
                     "--view", "oblique-left", "--colour-by", "stroke:friction",
                     "--title", "Under the skin: friction around the bones"],
    # "Before you start" (issue 14): beside the plain pressure picture, the same screened
    "screened-dvt-bruise": SCREENED_DVT_BRUISE,
    "screened-fever": SCREENED_FEVER,
}


#: bodies from another generator (tests/data/bodies, anny) whose landmarks `backview landmarks`
#: finds: (body, variant of tests/bodies.py, what the caption says)
FITTED = {
    "heavy-man-mm-z-up": ("heavy_man", "remeshed_mm_zup"),
    "older-slim-woman-torso": ("older_slim_woman", "torso_cut"),
}


def fitted_images() -> None:
    """`backview landmarks` on bodies that are not ours, then `backview export` of each."""
    import tempfile

    sys.path.insert(0, str(OUT.parents[1] / "tests"))
    import bodies

    with tempfile.TemporaryDirectory() as tmp:
        for name, (body, variant) in FITTED.items():
            mesh_path = Path(tmp) / f"{name}.ply"
            bodies.variant(body, variant)[0].export(mesh_path)
            backview("landmarks", "--mesh", str(mesh_path))
            backview("export", "--mesh", str(mesh_path), "--out",
                     f"docs/images/fitted/{name}.png", "--size", "1280x720")


def body_images() -> None:
    """Each body of the catalogue with the pressure map; the prone one on its table, from the
    table camera; one body on each end of the skin-tone scale."""
    from viewer.core.bodies import catalogue

    for entry in catalogue():
        if entry.id == "torso":
            continue
        view = ["--view", "table"] if entry.pose == "prone" else []
        backview("export", "--body", entry.id, *view, "--size", "1280x720",
                 "--out", f"docs/images/bodies/{entry.id}.png")
    for tone in ("mst-1", "mst-10"):
        backview("export", "--body", "average-woman", "--skin-tone", tone, "--size", "1280x720",
                 "--out", f"docs/images/bodies/average-woman-{tone}.png")


#: the sample handout's pages shown in the README (1-based): the cover, a stroke's page, its
#: zone table, the safety rules, a page of the lesson's steps
HANDOUT_PAGES = (1, 2, 3, 8, 10)
HANDOUT = OUT.parent / "handout-sample.pdf"


def handout_pages() -> None:
    """``docs/handout-sample.pdf`` and ``docs/images/handout-page-N.png`` (about 110 dpi)."""
    import pypdfium2 as pdfium

    backview("handout", "--out", str(HANDOUT))
    pdf = pdfium.PdfDocument(str(HANDOUT))
    for n in HANDOUT_PAGES:
        image = pdf[n - 1].render(scale=110 / 72).to_pil().convert("RGB")
        image = image.quantize(colors=256, method=2, dither=0)
        image.save(OUT / f"handout-page-{n}.png", optimize=True)
    pdf.close()


def backview(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "viewer", *args], check=True, cwd=OUT.parents[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--window", action="store_true", help="also the window screenshots")
    parser.add_argument("--handout", action="store_true",
                        help="only the sample handout and its page pictures")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.handout:
        handout_pages()
        print(f"wrote {HANDOUT} and its pages to {OUT}")
        return
    scene = BodyScene(Body.load(), load_region_map())
    landmarks_image(scene, OUT / "landmarks.png")
    for view in ("back", "left", "right"):
        zones_image(scene, view, OUT / f"zones-{view}.png")
    for name, options in GALLERY.items():
        backview("export", "--out", f"docs/images/gallery/{name}.png", *options)
    backview("lesson", "--export", "docs/images/lesson")
    handout_pages()
    fitted_images()
    body_images()
    if args.window:
        shot = [sys.executable, "-m", "viewer.ui.screenshot"]
        subprocess.run([*shot, "docs/images/window.png"], check=True, cwd=OUT.parents[1])
        subprocess.run([*shot, "docs/images/presentation.png", "--present", "2", "--zone", ""],
                       check=True, cwd=OUT.parents[1])
        subprocess.run([*shot, "docs/images/xray-window.png", "--xray", "35", "--zone", "",
                        "--structure", "kidney-left"], check=True, cwd=OUT.parents[1])
        subprocess.run([*shot, "docs/images/edit-landmarks.png", "--edit", "inferior_angle_left",
                        "--zone", ""], check=True, cwd=OUT.parents[1])
        subprocess.run([*shot, "docs/images/screening-window.png", "--zone", "lower-back",
                        "--condition", "dvt", "--condition", "bruising",
                        "--mark", "middle-trapezius-left:4:Bruise"], check=True, cwd=OUT.parents[1])
        # View > Quiz: a question open (only its zone shown), and a drill's feedback
        subprocess.run([*shot, "docs/images/quiz-question.png", "--zone", "",
                        "--quiz", "what-pressure-kidney-left"], check=True, cwd=OUT.parents[1])
        subprocess.run([*shot, "docs/images/quiz-feedback.png", "--zone", "",
                        "--quiz", "landmark-spinous_T7", "--answer", "at:spinous_T7:2.5:-2"],
                       check=True, cwd=OUT.parents[1])
    print(f"wrote pictures to {OUT}")


if __name__ == "__main__":
    main()
