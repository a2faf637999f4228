"""City names in tweet text, found with geotext (its city list ships with the package)."""

from __future__ import annotations

from typing import List


class CityFinder:
    """Finds the cities a text mentions: each city once per text, in order of appearance.

    geotext matches capitalised names against GeoNames' list of cities, so 'London'
    is found and 'london' is not; some ordinary words are also city names ('Nice').
    """

    def __init__(self) -> None:
        try:
            from geotext import GeoText
        except ImportError:
            raise ImportError(
                "the city counter needs geotext: it is listed in requirements.txt (which the "
                "worker installs); for a local run with --venv self, run 'pip install geotext'"
            ) from None
        self._geotext = GeoText

    def cities(self, text: str) -> List[str]:
        """The distinct city names in ``text``."""
        found: List[str] = []
        for city in self._geotext(text).cities:
            if city not in found:
                found.append(city)
        return found
