import json

import pytest


def write_dataset(directory, *, regions=None, departments=None, communes=None, epcis=None):
    """A small dataset in the exact format of @etalab/decoupage-administratif."""
    data = {
        "regions.json": regions if regions is not None else [
            {"code": "32", "nom": "Hauts-de-France", "zone": "metro"},
            {"code": "76", "nom": "Occitanie", "zone": "metro"},
            {"code": "975", "nom": "Saint-Pierre-et-Miquelon", "zone": "com"},
        ],
        "departements.json": departments if departments is not None else [
            {"code": "60", "nom": "Oise", "region": "32", "zone": "metro"},
            {"code": "34", "nom": "Hérault", "region": "76", "zone": "metro"},
        ],
        "communes.json": communes if communes is not None else [
            {"code": "60057", "nom": "Beauvais", "departement": "60", "region": "32",
             "type": "commune-actuelle", "zone": "metro", "codesPostaux": ["60000"],
             "population": 55550},
            {"code": "60059", "nom": "Beauvoir", "departement": "60", "region": "32",
             "type": "commune-actuelle", "zone": "metro", "codesPostaux": ["60120"],
             "population": 250},
            {"code": "34032", "nom": "Béziers", "departement": "34", "region": "76",
             "type": "commune-actuelle", "zone": "metro", "codesPostaux": ["34500"],
             "population": 81545},
            {"code": "60999", "nom": "Ancienne commune", "departement": "60",
             "type": "commune-deleguee", "zone": "metro"},
        ],
        "epci.json": epcis if epcis is not None else [
            {"code": "200067999", "nom": "CA du Beauvaisis", "type": "CA",
             "populationTotale": 104000,
             "membres": [{"code": "60057"}, {"code": "60059"}]},
        ],
    }
    for name, rows in data.items():
        (directory / name).write_text(json.dumps(rows), encoding="utf-8")
    return directory


@pytest.fixture
def dataset(tmp_path):
    return write_dataset(tmp_path)
