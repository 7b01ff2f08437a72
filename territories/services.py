"""Import of the administrative geography from @etalab/decoupage-administratif."""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from .models import Commune, Department, Epci, Region
from .text import normalize_name

# Mainland France and the five overseas départements/régions; overseas collectivities
# (Saint-Martin, Polynésie…) are not départements and stay out of scope.
IMPORTED_ZONES = {"metro", "drom"}


class TerritoryDataError(Exception):
    """The data files are missing or unreadable: nothing was imported."""


@dataclass
class ImportReport:
    created: dict = field(default_factory=dict)
    updated: dict = field(default_factory=dict)
    unchanged: dict = field(default_factory=dict)
    rejected: list = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values())


def load_json(path: Path):
    if not path.is_file():
        raise TerritoryDataError(f"Fichier introuvable : {path}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise TerritoryDataError(f"Fichier illisible ({path.name}) : {error}") from error
    if not isinstance(data, list):
        raise TerritoryDataError(f"Fichier illisible ({path.name}) : une liste était attendue.")
    return data


def _sync(model, key, rows: dict, fields: list[str], label: str, report: ImportReport):
    """Create or update ``rows`` (key value -> field dict); returns key -> instance."""
    existing = {getattr(obj, key): obj for obj in model.objects.all()}
    # Compare foreign keys by id so that no related row is fetched per record.
    compared = [
        (name, model._meta.get_field(name).attname, model._meta.get_field(name).is_relation)
        for name in fields
    ]
    to_create, to_update = [], []
    for key_value, values in rows.items():
        obj = existing.get(key_value)
        if obj is None:
            to_create.append(model(**{key: key_value}, **values))
            continue
        if any(
            getattr(obj, attname) != (values[name].pk if is_fk and values[name] else values[name])
            for name, attname, is_fk in compared
        ):
            for name in fields:
                setattr(obj, name, values[name])
            to_update.append(obj)
    model.objects.bulk_create(to_create, batch_size=2000)
    if to_update:
        model.objects.bulk_update(to_update, fields, batch_size=2000)
    report.created[label] = len(to_create)
    report.updated[label] = len(to_update)
    report.unchanged[label] = len(rows) - len(to_create) - len(to_update)
    return {getattr(obj, key): obj for obj in model.objects.all()}


def import_territories(data_dir: Path, progress: Callable[[str], None] = lambda _: None):
    regions = load_json(data_dir / "regions.json")
    departments = load_json(data_dir / "departements.json")
    communes = load_json(data_dir / "communes.json")
    epcis = load_json(data_dir / "epci.json")
    report = ImportReport()

    def reject(kind, index, record, reason):
        ident = record.get("code") if isinstance(record, dict) else None
        report.rejected.append(f"{kind} n° {index + 1} ({ident or 'sans code'}) : {reason}")

    with transaction.atomic():
        region_rows = {}
        for i, rec in enumerate(regions):
            if not isinstance(rec, dict) or not rec.get("code") or not rec.get("nom"):
                reject("région", i, rec, "code ou nom manquant")
                continue
            if rec.get("zone", "metro") in IMPORTED_ZONES:
                region_rows[rec["code"]] = {"name": rec["nom"]}
        progress("Régions…")
        region_by_code = _sync(Region, "code", region_rows, ["name"], "régions", report)

        dept_rows = {}
        for i, rec in enumerate(departments):
            if not isinstance(rec, dict) or not rec.get("code") or not rec.get("nom"):
                reject("département", i, rec, "code ou nom manquant")
                continue
            if rec.get("zone", "metro") not in IMPORTED_ZONES:
                continue
            region = region_by_code.get(rec.get("region"))
            if region is None:
                reject("département", i, rec, f"région inconnue {rec.get('region')!r}")
                continue
            dept_rows[rec["code"]] = {"name": rec["nom"], "region": region}
        progress("Départements…")
        dept_by_code = _sync(
            Department, "code", dept_rows, ["name", "region"], "départements", report
        )

        epci_rows, epci_of_commune = {}, {}
        for i, rec in enumerate(epcis):
            if not isinstance(rec, dict) or not rec.get("code") or not rec.get("nom"):
                reject("EPCI", i, rec, "SIREN ou nom manquant")
                continue
            epci_rows[rec["code"]] = {
                "name": rec["nom"],
                "kind": rec.get("type") or "",
                "population": rec.get("populationTotale"),
                "search_name": normalize_name(rec["nom"]),
            }
            for member in rec.get("membres") or []:
                if isinstance(member, dict) and member.get("code"):
                    epci_of_commune[member["code"]] = rec["code"]
        progress("EPCI…")
        epci_by_siren = _sync(
            Epci, "siren", epci_rows, ["name", "kind", "population", "search_name"], "EPCI",
            report,
        )

        commune_rows = {}
        total = len(communes)
        for i, rec in enumerate(communes):
            if i % 5000 == 0:
                progress(f"Communes… {100 * i // max(total, 1)} %")
            if not isinstance(rec, dict):
                reject("commune", i, rec, "enregistrement illisible")
                continue
            in_scope = rec.get("zone", "metro") in IMPORTED_ZONES
            if rec.get("type") != "commune-actuelle" or not in_scope:
                continue
            if not rec.get("code") or not rec.get("nom"):
                reject("commune", i, rec, "code ou nom manquant")
                continue
            department = dept_by_code.get(rec.get("departement"))
            if department is None:
                reject("commune", i, rec, f"département inconnu {rec.get('departement')!r}")
                continue
            postal_codes = sorted(rec.get("codesPostaux") or [])
            epci_siren = epci_of_commune.get(rec["code"])
            commune_rows[rec["code"]] = {
                "name": rec["nom"],
                "postal_codes": postal_codes,
                "postal_codes_text": "".join(f" {code}" for code in postal_codes) + " ",
                "population": rec.get("population"),
                "department": department,
                "epci": epci_by_siren.get(epci_siren) if epci_siren else None,
                "search_name": normalize_name(rec["nom"]),
            }
        progress("Communes… 100 %")
        _sync(
            Commune, "insee_code", commune_rows,
            ["name", "postal_codes", "postal_codes_text", "population", "department", "epci",
             "search_name"],
            "communes", report,
        )
    if report.changed:
        from .signals import geography_imported

        transaction.on_commit(lambda: geography_imported.send(sender=None))
    return report
