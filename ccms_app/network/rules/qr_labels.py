"""QR labels for connectors: what a label says, where it opens, how labels sit on A4.

A label is stuck on a connector; its QR code opens the driver app's start page for that
connector (`driver_app.rules.paths.connector_path`: /app/c/<identity>/<n>) on the address
CCMS is reached at (CCMS_PUBLIC_URL). The same address is printed under the code, so a
driver whose camera does not read it can type it. Labels are 90 x 90 mm, six to an A4 page
(two columns, three rows), each with a thin cut line.

The QR code is drawn as filled squares (vector: sharp at any print size): `dark_runs` merges
the dark modules of each row into runs, so a label is a few hundred rectangles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from ccms_app.core.i18n import tr
from ccms_app.driver_app.rules.paths import connector_path

PREFIX = "/qr-labels"  # not under a page's route (the single-port app serves pages first)
PAGE_W, PAGE_H = 210.0, 297.0  # A4, mm
LABEL_W, LABEL_H = 90.0, 90.0
COLUMNS, ROWS = 2, 3
GAP_X, GAP_Y = 10.0, 3.5
MARGIN_X = (PAGE_W - COLUMNS * LABEL_W - (COLUMNS - 1) * GAP_X) / 2
MARGIN_Y = (PAGE_H - ROWS * LABEL_H - (ROWS - 1) * GAP_Y) / 2
QR_SIZE = 46.0  # mm, quiet zone included
QUIET_ZONE = 4  # modules of white around the code (ISO/IEC 18004)


def charge_point_labels_path(charge_point_id: int) -> str:
    return f"{PREFIX}/charge-points/{charge_point_id}.pdf"


def station_labels_path(station_id: int) -> str:
    return f"{PREFIX}/stations/{station_id}.pdf"


def label_url(base_url: str, identity: str, connector_id: int) -> str:
    """What the QR code encodes: the public address + the connector's page."""
    return base_url.rstrip("/") + connector_path(identity, connector_id)


@dataclass(frozen=True)
class Label:
    product_name: str
    station_name: str
    identity: str
    connector_id: int
    connector_type: str
    max_power_w: int | None
    url: str


def power_words(watts: int | None) -> str:
    if not watts:
        return ""
    kw = (Decimal(watts) / 1000).normalize()
    return tr("{power} kW", power=f"{kw:f}")


def label_lines(label: Label) -> tuple[str, str, str]:
    """The call to act, which connector, and what it offers, in the reader's words."""
    where = tr(
        "Charge point {identity} · connector {connector}",
        identity=label.identity,
        connector=label.connector_id,
    )
    facts = " · ".join(p for p in (label.connector_type, power_words(label.max_power_w)) if p)
    return tr("Scan to charge"), where, facts


def position(index: int) -> tuple[int, float, float]:
    """(page from 0, left, top) in mm of the label with this index."""
    page, slot = divmod(index, COLUMNS * ROWS)
    row, column = divmod(slot, COLUMNS)
    return (
        page,
        MARGIN_X + column * (LABEL_W + GAP_X),
        MARGIN_Y + row * (LABEL_H + GAP_Y),
    )


def dark_runs(matrix: Sequence[Sequence[int]]) -> list[tuple[int, int, int]]:
    """(row, first column, length) of each horizontal run of dark modules."""
    runs: list[tuple[int, int, int]] = []
    for r, row in enumerate(matrix):
        start = None
        for c, value in enumerate([*row, 0]):
            if value and start is None:
                start = c
            elif not value and start is not None:
                runs.append((r, start, c - start))
                start = None
    return runs


def file_name(what: str) -> str:
    """ "qr-labels-CP-1.pdf": the name made safe for a download header."""
    safe = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "-" for ch in what)
    return f"qr-labels-{safe.strip('-.') or 'connectors'}.pdf"
