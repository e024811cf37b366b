"""Kits render correctly in parallel: reportlab's process-wide state is not shared unguarded.

The public kit once failed with ``KeyError`` inside reportlab's font subsetting because two
PDFs were drawn at once in the kit's thread pool. Twenty kits rendered concurrently (each
with its own pool, as ``PARTNER_KIT_THREADS`` does) must equal, byte for byte, the same kits
rendered one at a time. A very short thread switch interval makes the interpreter change
threads often, so an unguarded race shows up on every run instead of now and then.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from publishing.partners.kit import build_kit
from tests.publishing.partners.conftest import kit_inputs, png_bytes, sample_logo

KITS = 20


def _render(index: int, logo: bytes) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    inputs = kit_inputs(slot=f"p{index}", ref_code=f"partner-{index:02d}", languages=("de",))
    build_kit(inputs, logo_png=logo, write=files.__setitem__, threads=2)
    return files


@pytest.fixture
def frequent_thread_switches() -> Iterator[None]:
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-4)
    yield
    sys.setswitchinterval(previous)


@pytest.mark.usefixtures("frequent_thread_switches")
def test_twenty_kits_rendered_concurrently_equal_kits_rendered_one_at_a_time() -> None:
    logo = png_bytes(sample_logo())
    with ThreadPoolExecutor(max_workers=KITS) as pool:
        concurrent = list(pool.map(lambda i: _render(i, logo), range(KITS)))
    one_by_one = [_render(i, logo) for i in range(KITS)]

    for index, (parallel, serial) in enumerate(zip(concurrent, one_by_one, strict=True)):
        assert parallel.keys() == serial.keys(), index
        differing = [path for path in serial if parallel[path] != serial[path]]
        assert differing == [], f"kit {index}: {differing}"
    # Different inputs give different files (the comparison above is not trivially true).
    flyer = "de/druck/zm-flyer-a5-de.pdf"
    assert concurrent[0][flyer] != concurrent[1][flyer]


def test_the_same_pdf_inputs_give_the_same_bytes() -> None:
    logo = png_bytes(sample_logo())
    first, second = _render(0, logo), _render(0, logo)
    assert [p for p in first if p.endswith(".pdf")]
    assert first == second
