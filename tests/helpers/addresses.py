"""Small street and address files in the layout OpenData.HRO publishes (not in the offline
mirror), written by the tests under the host/path of their official URLs.

``strassen.json``: a GeoJSON FeatureCollection of street lines with the properties the city's
geocoder reads (``strasse_name`` abbreviated as the city writes it, ``strasse_schluessel``,
Gemeinde/Kreis keys). ``adressenliste.json``: a JSON array of address records without
coordinates, or (``with_positions``) a FeatureCollection of points with the same properties.
The positions are test data near the real streets, chosen inside the districts named below.
"""

from __future__ import annotations

import json
from pathlib import Path

HOST = "geo.sv.rostock.de/download/opendata"
MUNICIPALITY = {
    "gemeinde_name": "Rostock, Hanse- und Universitätsstadt",
    "gemeinde_schluessel": "130030000000",
    "gemeindeverband_name": "Rostock, Hanse- und Universitätsstadt",
    "gemeindeverband_schluessel": "130030000",
    "kreis_name": "Rostock",
    "kreis_schluessel": "13003",
}
# name, key, lines (lon/lat), the Stadtbereich its middle lies in
STREETS = [
    ("Lange Str.", "01010", [[(12.1300, 54.0915), (12.1370, 54.0912)]], "N"),
    ("Kröpeliner Str.", "01020", [[(12.1315, 54.0878), (12.1395, 54.0888)]], "N"),
    ("Seestr.", "02010", [[(12.0820, 54.1788), (12.0850, 54.1783)]], "A"),
    ("Am Strom", "02020", [[(12.0875, 54.1770), (12.0880, 54.1755)],
                           [(12.0882, 54.1750), (12.0890, 54.1735)]], "A"),
    # runs from the Kröpeliner-Tor-Vorstadt into Stadtmitte
    ("Doberaner Str.", "03010", [[(12.1140, 54.0905), (12.1250, 54.0900),
                                  (12.1300, 54.0915)]], "K"),
]
# street, number, letter, postcode, Ortsteil as the list names it, lon/lat, Stadtbereich
ADDRESSES = [
    ("Lange Str.", 12, None, "18055", "Stadtmitte", (12.1340, 54.0913), "N"),
    ("Lange Str.", 14, None, "18055", "Stadtmitte", (12.1345, 54.0913), "N"),
    ("Kröpeliner Str.", 1, "a", "18055", "Stadtmitte", (12.1318, 54.0879), "N"),
    ("Kröpeliner Str.", 1, None, "18055", "Stadtmitte", (12.1316, 54.0879), "N"),
    ("Seestr.", 1, None, "18119", "Seebad Warnemünde", (12.0825, 54.1787), "A"),
    ("Am Strom", 59, None, "18119", "Seebad Warnemünde", (12.0880, 54.1752), "A"),
    ("Doberaner Str.", 44, "b", "18057", "Kröpeliner-Tor-Vorstadt", (12.1160, 54.0904), "K"),
]


def _street_features() -> list[dict]:
    features = []
    for i, (name, key, lines, _code) in enumerate(STREETS):
        geometry = ({"type": "LineString", "coordinates": lines[0]} if len(lines) == 1
                    else {"type": "MultiLineString", "coordinates": lines})
        features.append({"type": "Feature", "geometry": geometry, "properties": {
            "uuid": f"00000000-0000-0000-0000-{i:012d}", "strasse_name": name,
            "strasse_schluessel": key, **MUNICIPALITY}})
    return features


def _address_records() -> list[dict]:
    keys = {name: key for name, key, _lines, _code in STREETS}
    return [{"uuid": f"10000000-0000-0000-0000-{i:012d}", **MUNICIPALITY,
             "gemeindeteil_name": quarter, "gemeindeteil_schluessel": f"13003000{i:04d}",
             "strasse_name": street, "strasse_schluessel": keys[street],
             "hausnummer": number, "hausnummer_zusatz": letter, "postleitzahl": postcode,
             "vergabedatum": "2004-01-01"}
            for i, (street, number, letter, postcode, quarter, _ll, _c) in enumerate(ADDRESSES)]


def write_official_files(root: Path, with_positions: bool = False) -> Path:
    """Both files under ``root`` laid out like the mirror (host/path); returns ``root``."""
    streets = root / HOST / "strassen" / "strassen.json"
    streets.parent.mkdir(parents=True, exist_ok=True)
    streets.write_text(json.dumps({"type": "FeatureCollection",
                                   "features": _street_features()}, ensure_ascii=False),
                       encoding="utf-8")
    records = _address_records()
    if with_positions:
        body: object = {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": record,
             "geometry": {"type": "Point", "coordinates": list(address[5])}}
            for record, address in zip(records, ADDRESSES, strict=True)]}
    else:
        body = records
    addresses = root / HOST / "adressenliste" / "adressenliste.json"
    addresses.parent.mkdir(parents=True, exist_ok=True)
    addresses.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return root
