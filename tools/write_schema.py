"""Regenerate the JSON Schemas in region_maps/ from the pydantic models (run after schema changes)."""

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # this checkout's models, not an installed copy's

from viewer.core import lesson, quiz, regionmap  # noqa: E402

if __name__ == "__main__":
    folder = REPO / "region_maps"
    regionmap.write_json_schema(folder / "region-map.schema.json")
    lesson.write_json_schema(folder / "lesson.schema.json")
    quiz.write_json_schema(folder / "quiz.schema.json")
    print(f"wrote the schemas in {folder}")
