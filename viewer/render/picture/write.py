"""Writing the picture: its metadata (PNG text chunks, or PDF info), its bytes, and the file,
written atomically (:func:`viewer.core.atomic.atomic_write_bytes`)."""

from __future__ import annotations

import io
import json
from pathlib import Path

from PIL import Image
from PIL.PngImagePlugin import PngInfo

from viewer import __version__
from viewer.core.atomic import atomic_write_bytes
from viewer.core.errors import BackViewError
from viewer.render.picture.framing import Framing
from viewer.render.picture.options import ExportOptions
from viewer.render.picture.wording import view_subtitle
from viewer.render.scene import BodyScene


def export_metadata(scene: BodyScene, opts: ExportOptions, framing: Framing) -> dict[str, str]:
    info = scene.rmap.info
    cam = framing.camera
    return {
        "Title": opts.title or info.name,
        "Software": f"BackView {__version__}",
        "Description": f"{view_subtitle(opts)}; {info.name} v{info.version}",
        "backview:map": info.name,
        "backview:map-id": info.id,
        "backview:map-version": info.version,
        "backview:view": "camera" if opts.camera is not None else opts.view,
        "backview:colour-mode": opts.mode,
        "backview:palette": opts.palette,
        "backview:skin-tone": opts.skin_tone,
        "backview:zone": opts.zone or "none",
        "backview:highlight": ",".join(opts.highlight) or "none",
        "backview:labels": opts.labels,
        "backview:pins": json.dumps([p.model_dump(exclude_none=True) for p in opts.pins]),
        "backview:camera": cam.model_dump_json(),
        "backview:layers": ",".join(opts.layers),
        "backview:skin-opacity": f"{opts.skin_opacity:g}",
        **opts.metadata,
    }


def encode(image: Image.Image, fmt: str, metadata: dict[str, str], dpi: int | None,
           transparent: bool, optimize: bool = False) -> bytes:
    """The file's bytes; ``optimize`` makes a PNG smaller (and slower to write)."""
    buf = io.BytesIO()
    if fmt == "PNG":
        info = PngInfo()
        for key, value in metadata.items():
            info.add_text(key, value)
        img = image if transparent else image.convert("RGB")
        kwargs = {"pnginfo": info, "optimize": optimize}
        if dpi:
            kwargs["dpi"] = (dpi, dpi)
        img.save(buf, "PNG", **kwargs)
    else:  # PDF: no alpha; flatten on white
        flat = Image.new("RGB", image.size, (255, 255, 255))
        flat.paste(image, mask=image.getchannel("A"))
        flat.save(buf, "PDF", resolution=float(dpi or 150), title=metadata["Title"],
                  subject=metadata["Description"], creator=metadata["Software"],
                  keywords=", ".join(f"{k}={v}" for k, v in metadata.items()
                                     if k.startswith("backview:") and k != "backview:camera"))
    return buf.getvalue()


def write_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: on any error the old file is left as it was."""
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        raise BackViewError(f"cannot be written: {exc.strerror or exc}", path, "out") from None
