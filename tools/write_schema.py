"""Regenerate the JSON Schemas in region_maps/ from the pydantic models (run after schema changes)."""

from pathlib import Path

from viewer.core import lesson, regionmap

if __name__ == "__main__":
    folder = Path(__file__).resolve().parents[1] / "region_maps"
    regionmap.write_json_schema(folder / "region-map.schema.json")
    lesson.write_json_schema(folder / "lesson.schema.json")
    print(f"wrote the schemas in {folder}")
