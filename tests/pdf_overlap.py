"""Printed text that runs over other text, found from the words' boxes in a real PDF.

Reading a PDF's text says what it prints, not whether a person can read it: two paragraphs
positioned on the same spot still extract as clean text. `pdftotext -bbox-layout` (poppler-utils,
installed by scripts/system-deps.sh) gives every word's box per page; two words whose boxes
cross by more than a hair are printed over each other.
"""

import subprocess
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass

XHTML = "{http://www.w3.org/1999/xhtml}"
# Points. A font's box is taller than its glyphs, so words of neighbouring lines in a tight
# paragraph, or a word and the next in a tightly kerned line, may touch by less than this.
TOLERANCE = 1.5


@dataclass(frozen=True)
class Word:
    page: int
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    def crosses(self, other, tolerance=TOLERANCE):
        width = min(self.x1, other.x1) - max(self.x0, other.x0)
        height = min(self.y1, other.y1) - max(self.y0, other.y0)
        return width > tolerance and height > tolerance

    def __str__(self):
        return f"{self.text!r} p.{self.page} ({self.x0:.0f},{self.y0:.0f})-({self.x1:.0f},{self.y1:.0f})"


def words(pdf):
    """Every word of `pdf` (bytes) with its box in points, pages numbered from 1."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(pdf)
        file.flush()
        xhtml = subprocess.run(
            ["pdftotext", "-bbox-layout", file.name, "-"],
            check=True,
            capture_output=True,
        ).stdout
    found = []
    for number, page in enumerate(ET.fromstring(xhtml).iter(f"{XHTML}page"), 1):
        for word in page.iter(f"{XHTML}word"):
            box = [float(word.get(side)) for side in ("xMin", "yMin", "xMax", "yMax")]
            found.append(Word(number, word.text or "", *box))
    return found


def overlaps(pdf, *, ignore=()):
    """Pairs of words of `pdf` printed over each other; words in `ignore` are left out."""
    pairs = []
    by_page = {}
    for word in words(pdf):
        if word.text not in ignore:
            by_page.setdefault(word.page, []).append(word)
    for page_words in by_page.values():
        # Sorted by top edge: a word can only cross those that start above its bottom edge.
        page_words.sort(key=lambda word: word.y0)
        for index, word in enumerate(page_words):
            for other in page_words[index + 1 :]:
                if other.y0 >= word.y1 - TOLERANCE:
                    break
                if word.crosses(other):
                    pairs.append((word, other))
    return pairs


def assert_no_overlap(pdf, *, ignore=()):
    """Fail, naming the first pairs, when any two words of `pdf` are printed over each other."""
    pairs = overlaps(pdf, ignore=ignore)
    assert not pairs, f"{len(pairs)} overlapping word pairs, e.g. " + "; ".join(
        f"{a} over {b}" for a, b in pairs[:5]
    )
