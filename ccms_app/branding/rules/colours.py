"""Brand colours: reading "#RGB" / "#RRGGBB", WCAG 2.1 contrast, a 12-step palette, warnings.

Pages use Radix Themes with the accent colour teal, so a brand's primary colour becomes the
twelve `--teal-*` steps (and their alpha twins) that buttons, links and `rx.color("teal", n)`
read: steps 1-8 are the colour mixed towards white (backgrounds, borders), 9 is the colour
itself (solid buttons), 10-12 darker (hover, text, high-contrast text). Step 11 is darkened
until it reads as text on white (4.5:1), whatever colour was chosen, so links stay readable.

Contrast follows WCAG 2.1 (relative luminance, (L1 + 0.05) / (L2 + 0.05)); a ratio is shown
with two decimals, but 4.4996 never reads as a passing "4.50". Colours are floats between 0
and 1 here: they are not money.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ccms_app.core.i18n import Message, _

RGB = tuple[int, int, int]

DEFAULT_PRIMARY = "#0d9488"
MIN_TEXT_CONTRAST = 4.5  # WCAG 2.1 AA, normal text
WHITE: RGB = (255, 255, 255)
BLACK: RGB = (0, 0, 0)
DARK_TEXT: RGB = (17, 17, 17)
# How much of the colour each light step keeps (the rest is white): steps 1-8.
LIGHT_STEPS = (0.03, 0.07, 0.13, 0.2, 0.28, 0.38, 0.52, 0.72)
DARKER_10 = 0.1  # step 10: this much black mixed in
DARKER_11 = 0.3  # step 11: at least this much, more until it reads on white
DARKER_12 = 0.65  # step 12: at least this much
DARKEN_STEP = 0.05
MAX_BLACK = 0.95
_HEX = re.compile(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


class ColourError(ValueError):
    """Not a colour CCMS reads; `message` says what to type instead."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


def parse_colour(text: str) -> RGB:
    """ "#0d9488", "0D9488" or "#0a8" -> (r, g, b); ColourError for anything else."""
    found = _HEX.fullmatch(text.strip())
    if found is None:
        raise ColourError(
            _("{value} is not a colour: type it as #RRGGBB, e.g. #0d9488.", value=text.strip())
        )
    digits = found.group(1)
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return (int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16))


def to_hex(rgb: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def normalise_colour(text: str) -> str:
    """The stored spelling ("#rrggbb", lower case); "" stays "" (the colour is inherited)."""
    return to_hex(parse_colour(text)) if text.strip() else ""


def _linear(channel: int) -> float:
    value = channel / 255
    return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4


def relative_luminance(rgb: RGB) -> float:
    """WCAG 2.1 relative luminance: 0 for black, 1 for white."""
    r, g, b = (_linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: RGB, second: RGB) -> float:
    """WCAG 2.1 contrast ratio, 1 (none) to 21 (black on white); the order does not matter."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def shown_ratio(ratio: float) -> str:
    """4.4780 -> "4.48" (as contrast checkers show it), but never a passing "4.50" for a
    ratio below 4.5: 4.4996 -> "4.49"."""
    shown = round(ratio, 2)
    if ratio < MIN_TEXT_CONTRAST <= shown:
        shown = math.floor(ratio * 100) / 100
    return f"{shown:.2f}"


def mix(colour: RGB, other: RGB, share_of_other: float) -> RGB:
    """`colour` with `share_of_other` (0..1) of `other` mixed in, channel by channel."""
    keep = 1 - share_of_other
    r, g, b = (round(c * keep + o * share_of_other) for c, o in zip(colour, other, strict=True))
    return (r, g, b)


def _darkened(colour: RGB, start: float, readable: bool) -> tuple[RGB, float]:
    """`colour` with at least `start` black mixed in; with `readable`, more until it reads as
    text on white. Returns the colour and the share of black used."""
    share = start
    shade = mix(colour, BLACK, share)
    while readable and contrast_ratio(shade, WHITE) < MIN_TEXT_CONTRAST and share < MAX_BLACK:
        share = min(MAX_BLACK, share + DARKEN_STEP)
        shade = mix(colour, BLACK, share)
    return shade, share


def palette(colour: RGB) -> tuple[RGB, ...]:
    """Twelve steps, lightest first; step 9 (index 8) is `colour` itself."""
    light = [mix(colour, WHITE, 1 - share) for share in LIGHT_STEPS]
    step_10 = mix(colour, BLACK, DARKER_10)
    step_11, share_11 = _darkened(colour, DARKER_11, readable=True)
    step_12, _share = _darkened(colour, max(DARKER_12, min(MAX_BLACK, share_11 + 0.2)), False)
    return (*light, colour, step_10, step_11, step_12)


def alpha_over_white(colour: RGB) -> tuple[RGB, float]:
    """The most transparent colour that shows as `colour` over white (Radix's alpha steps):
    (rgb, alpha). White itself is fully transparent."""
    alpha = max((255 - c) / 255 for c in colour)
    if alpha == 0:
        return (0, 0, 0), 0.0
    r, g, b = (max(0, min(255, round(255 - (255 - c) / alpha))) for c in colour)
    return (r, g, b), alpha


def _hex_alpha(colour: RGB) -> str:
    rgb, alpha = alpha_over_white(colour)
    return f"{to_hex(rgb)}{round(alpha * 255):02x}"


def contrast_text(colour: RGB) -> RGB:
    """The text colour for a solid button in `colour`: white when it reads (4.5:1), else
    whichever of white and near-black reads better."""
    on_white = contrast_ratio(WHITE, colour)
    if on_white >= MIN_TEXT_CONTRAST or on_white >= contrast_ratio(DARK_TEXT, colour):
        return WHITE
    return DARK_TEXT


@dataclass(frozen=True)
class ColourWarning:
    field: str  # "primary_colour" | "accent_colour"
    message: Message


def warnings(primary: str, accent: str) -> list[ColourWarning]:
    """What reads badly with these colours (each "" = not chosen, no warning); a colour that
    does not parse is the form's error, not a warning."""
    found: list[ColourWarning] = []
    for field, text, is_primary in (
        ("primary_colour", primary, True),
        ("accent_colour", accent, False),
    ):
        try:
            colour = parse_colour(text) if text.strip() else None
        except ColourError:
            colour = None
        if colour is not None:
            found.extend(_colour_warnings(field, to_hex(colour), colour, is_primary))
    return found


def _colour_warnings(field: str, shown: str, colour: RGB, is_primary: bool) -> list[ColourWarning]:
    found: list[ColourWarning] = []
    if is_primary:
        on_buttons = contrast_ratio(WHITE, colour)
        if on_buttons < MIN_TEXT_CONTRAST:
            message = _(
                "White text on the primary colour {colour} has a contrast of {ratio}:1, below "
                "4.5:1: buttons use dark text instead. Choose a darker colour for white text.",
                colour=shown,
                ratio=shown_ratio(on_buttons),
            )
            found.append(ColourWarning(field, message))
    as_text = contrast_ratio(colour, WHITE)
    if as_text < MIN_TEXT_CONTRAST:
        ratio = shown_ratio(as_text)
        message = (
            _(
                "The primary colour {colour} as text on white has a contrast of {ratio}:1, "
                "below 4.5:1: links and highlighted text use a darker shade of it. Choose a "
                "darker colour to see it as it is.",
                colour=shown,
                ratio=ratio,
            )
            if is_primary
            else _(
                "The accent colour {colour} as text on white has a contrast of {ratio}:1, "
                "below 4.5:1: text in it is hard to read. Choose a darker colour.",
                colour=shown,
                ratio=ratio,
            )
        )
        found.append(ColourWarning(field, message))
    return found


def css_variables(primary: str, accent: str) -> str:
    """The CSS that makes pages follow the brand: `--teal-*` (and so Radix's `--accent-*`)
    from the primary colour, `--brand-accent-*` from the accent colour (the primary's when
    none). "" when neither is chosen: the theme's own teal stays."""
    if not primary.strip() and not accent.strip():
        return ""
    lines: list[str] = []
    if primary.strip():
        colour = parse_colour(primary)
        lines += _scale("teal", colour)
        lines += _scale("accent", colour)
    accent_colour = parse_colour(accent) if accent.strip() else None
    for step in range(1, 13):
        value = f"var(--teal-{step})"
        if accent_colour is not None:
            value = to_hex(palette(accent_colour)[step - 1])
        lines.append(f"--brand-accent-{step}: {value};")
    body = " ".join(lines)
    # Radix sets its scales on :root / .light / .radix-themes; this comes later in the page,
    # with the same selectors, so it wins; portals (dialogs, menus) are .radix-themes too.
    return f":root, .light, .light-theme, .radix-themes {{ {body} }}"


def _scale(name: str, colour: RGB) -> list[str]:
    steps = palette(colour)
    lines = [f"--{name}-{n}: {to_hex(c)};" for n, c in enumerate(steps, start=1)]
    lines += [f"--{name}-a{n}: {_hex_alpha(c)};" for n, c in enumerate(steps, start=1)]
    surface = f"{to_hex(steps[1])}cc"
    lines += [
        f"--{name}-contrast: {to_hex(contrast_text(colour))};",
        f"--{name}-surface: {surface};",
        f"--{name}-indicator: {to_hex(colour)};",
        f"--{name}-track: {to_hex(colour)};",
    ]
    return lines
