import re
import unicodedata


def normalize_name(text: str) -> str:
    """Lower-case, accent-free, punctuation-free form used for prefix search."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    ascii_text = ascii_text.replace("œ", "oe").replace("æ", "ae")
    return re.sub(r"[^a-z0-9]+", " ", ascii_text).strip()


_ARTICLES = {"le ": "du ", "les ": "des ", "la ": "de la ", "l'": "de l'"}
_VOWELS = "aeiouyhâàéèêëîïôöûüœ"


def of_place(name: str) -> str:
    """French "de" before a place name: "de Brest", "d'Aurillac", "des Abymes", "du Havre"."""
    lowered = name.lower()
    for article, contracted in _ARTICLES.items():
        if lowered.startswith(article):
            return contracted + name[len(article):]
    if lowered[:1] in _VOWELS:
        return "d'" + name
    return "de " + name
