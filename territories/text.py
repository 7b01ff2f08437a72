import re
import unicodedata


def normalize_name(text: str) -> str:
    """Lower-case, accent-free, punctuation-free form used for prefix search."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    ascii_text = ascii_text.replace("œ", "oe").replace("æ", "ae")
    return re.sub(r"[^a-z0-9]+", " ", ascii_text).strip()
