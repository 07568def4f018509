"""Regenerate region_maps/region-map.schema.json from the pydantic model (run after schema changes)."""

from pathlib import Path

from viewer.core.regionmap import write_json_schema

if __name__ == "__main__":
    target = Path(__file__).resolve().parents[1] / "region_maps" / "region-map.schema.json"
    write_json_schema(target)
    print(f"wrote {target}")
