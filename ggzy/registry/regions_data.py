"""Loads Shandong's regions and trading centers from data/shandong_regions.json (idempotent)."""

import json
from pathlib import Path

DATA_FILE = Path(__file__).parent / "data" / "shandong_regions.json"


def regions_load(Region, Center) -> None:
    """Create or update the province, its cities and counties, and one center per province/city."""
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    prov = data["province"]
    province, _ = Region.objects.update_or_create(
        code=prov["code"], defaults={"name": prov["name"], "name_en": prov["name_en"], "level": "province"})
    Center.objects.update_or_create(code=prov["code"], defaults={
        "name": prov["center"], "name_en": "Shandong Public Resource Trading Center", "region": province})
    for city in data["cities"]:
        region, _ = Region.objects.update_or_create(code=city["code"], defaults={
            "name": city["name"], "name_en": city["name_en"], "level": "city", "parent": province})
        Center.objects.update_or_create(code=city["code"], defaults={
            "name": city["center"], "name_en": f"{city['name_en']} Public Resource Trading Center", "region": region})
        for county in city["counties"]:
            Region.objects.update_or_create(code=county["code"], defaults={
                "name": county["name"], "level": "county", "parent": region})
