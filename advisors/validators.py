"""Field validators with French messages."""

import re

from django.core.exceptions import ValidationError
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.fr import siret as stdnum_siret

# A French number: 10 digits starting with 0 then 1-9, or the same after a country code —
# +33 (metropolitan France), +262/+590/+594/+596 (overseas départements, 9 digits),
# +508/+681/+687 (6 digits) and +689 (8 digits) for the overseas collectivities.
PHONE_PATTERN = re.compile(
    r"^(?:0[1-9]\d{8}|\+(?:33|262|590|594|596)[1-9]\d{8}|\+(?:508|681|687)\d{6}"
    r"|\+689\d{8})$")


def normalize_siret(value: str) -> str:
    """Digits only: "732 829 320 00074" → "73282932000074"."""
    return stdnum_siret.compact(value or "")


def validate_siret(value: str) -> None:
    """14 digits with a valid Luhn key (La Poste's establishments use their own rule, which
    python-stdnum knows)."""
    try:
        stdnum_siret.validate(value)
    except InvalidLength as error:  # before InvalidFormat, its parent class
        raise ValidationError("Le SIRET doit comporter 14 chiffres.",
                              code="siret_length") from error
    except InvalidFormat as error:
        raise ValidationError("Le SIRET ne doit contenir que des chiffres.",
                              code="siret_format") from error
    except (InvalidChecksum, InvalidComponent) as error:
        raise ValidationError(
            "Ce SIRET n'est pas valide : vérifiez les chiffres saisis (clé de contrôle).",
            code="siret_checksum",
        ) from error
    if meaningless_siret(value):
        raise ValidationError(
            "Ce SIRET ne correspond à aucun établissement possible (numéro factice) : "
            "saisissez celui de votre structure, indiqué sur l'avis de situation SIRENE.",
            code="siret_meaningless")


def meaningless_siret(value: str) -> bool:
    """Numbers that pass the Luhn key but name no establishment: all zeros, one digit
    repeated, a SIREN of zeros, an establishment number (NIC) of zeros, or a counting run
    such as 12345678901234."""
    value = value or ""
    if len(value) != 14 or not value.isdigit():
        return False
    siren, nic = value[:9], value[9:]
    return (len(set(value)) == 1 or siren == "000000000" or nic == "00000"
            or value in "0123456789012345678901234" or value in "9876543210987654321098765")


def normalize_phone(value: str) -> str:
    return re.sub(r"[\s.\-()]", "", value or "")


def validate_phone(value: str) -> None:
    """A French number: 10 digits starting with 01 to 09, or +33 (or an overseas code such
    as +262) followed by 9 digits."""
    if value and not PHONE_PATTERN.match(normalize_phone(value)):
        raise ValidationError(
            "Saisissez un numéro de téléphone français valide : 10 chiffres commençant par 01 "
            "à 09 (par exemple 01 23 45 67 89), ou +33 suivi de 9 chiffres "
            "(+33 1 23 45 67 89).",
            code="phone",
        )
