"""Brand colours: parsing, WCAG 2.1 contrast against known pairs, the palette, the warnings."""

from __future__ import annotations

import pytest

from ccms_app.branding.rules.colours import (
    WHITE,
    ColourError,
    contrast_ratio,
    contrast_text,
    css_variables,
    normalise_colour,
    palette,
    parse_colour,
    relative_luminance,
    shown_ratio,
    to_hex,
    warnings,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("#0d9488", "#0d9488"), ("#0D9488", "#0d9488"), ("0d9488", "#0d9488"), ("#0a8", "#00aa88")],
)
def test_colours_are_read_in_both_spellings(text: str, expected: str) -> None:
    assert normalise_colour(text) == expected


def test_an_empty_colour_is_inherited() -> None:
    assert normalise_colour("  ") == ""


@pytest.mark.parametrize("text", ["teal", "#12345", "#ggg", "rgb(0,0,0)", "#0d94889"])
def test_anything_else_is_refused_with_how_to_type_it(text: str) -> None:
    with pytest.raises(ColourError) as refused:
        parse_colour(text)
    assert "#RRGGBB" in str(refused.value)


def test_luminance_ends() -> None:
    assert relative_luminance((0, 0, 0)) == 0
    assert relative_luminance(WHITE) == pytest.approx(1)


@pytest.mark.parametrize(
    ("foreground", "background", "expected"),
    [
        ("#ffffff", "#000000", "21.00"),
        ("#ffffff", "#777777", "4.48"),  # the classic "just fails AA" grey
        ("#767676", "#ffffff", "4.54"),  # the lightest grey that passes on white
        ("#ffffff", "#0000ff", "8.59"),
        ("#ff0000", "#ffffff", "4.00"),  # WebAIM: 4:1
        ("#ffffff", "#ffffff", "1.00"),
    ],
)
def test_contrast_matches_known_wcag_pairs(foreground: str, background: str, expected: str) -> None:
    ratio = contrast_ratio(parse_colour(foreground), parse_colour(background))
    assert shown_ratio(ratio) == expected
    assert contrast_ratio(parse_colour(background), parse_colour(foreground)) == ratio


def test_a_failing_ratio_never_shows_as_passing() -> None:
    assert shown_ratio(4.4996) == "4.49"
    assert shown_ratio(4.5) == "4.50"


def test_the_palette_runs_from_light_to_dark_around_the_colour() -> None:
    colour = parse_colour("#0d9488")
    steps = palette(colour)
    assert len(steps) == 12
    assert steps[8] == colour  # step 9 is the colour itself
    lightness = [relative_luminance(step) for step in steps]
    assert lightness == sorted(lightness, reverse=True)  # each step darker than the one before
    assert contrast_ratio(steps[0], WHITE) < 1.1  # step 1: nearly white (a page background)
    assert contrast_ratio(steps[10], WHITE) >= 4.5  # step 11: readable text on white


@pytest.mark.parametrize("colour", ["#facc15", "#a5f3fc", "#ffffff", "#000000", "#777777"])
def test_step_11_reads_as_text_whatever_the_colour(colour: str) -> None:
    assert contrast_ratio(palette(parse_colour(colour))[10], WHITE) >= 4.5


def test_button_text_is_white_only_where_it_reads() -> None:
    assert contrast_text(parse_colour("#1d4ed8")) == WHITE
    assert contrast_text(parse_colour("#facc15")) != WHITE


def test_no_warning_for_readable_colours_or_none_chosen() -> None:
    assert warnings("#1d4ed8", "#7c2d12") == []
    assert warnings("", "") == []
    assert warnings("not a colour", "") == []  # the form's error, not a warning


def test_a_light_primary_warns_about_buttons_and_text_with_the_ratio() -> None:
    found = warnings("#facc15", "")
    assert [w.field for w in found] == ["primary_colour", "primary_colour"]
    buttons, text = (str(w.message) for w in found)
    assert "White text on the primary colour #facc15 has a contrast of 1.53:1" in buttons
    assert "Choose a darker colour" in buttons
    assert "as text on white has a contrast of 1.53:1" in text


def test_a_light_accent_warns_as_text() -> None:
    (found,) = warnings("", "#aaaaaa")
    assert found.field == "accent_colour"
    assert "The accent colour #aaaaaa as text on white has a contrast of 2.32:1" in str(
        found.message
    )


def test_the_css_overrides_teal_accent_and_brand_accent() -> None:
    css = css_variables("#1d4ed8", "#b45309")
    assert "--teal-9: #1d4ed8;" in css
    assert "--accent-9: #1d4ed8;" in css
    assert "--teal-a9:" in css and "--teal-contrast: #ffffff;" in css
    assert f"--brand-accent-9: {to_hex(parse_colour('#b45309'))};" in css
    assert css.startswith(":root, .light, .light-theme, .radix-themes {")


def test_no_colours_no_css_and_an_accent_alone_follows_the_theme() -> None:
    assert css_variables("", "") == ""
    only_accent = css_variables("", "#b45309")
    assert "--teal-" not in only_accent.replace("var(--teal-", "")
    assert "--brand-accent-1: #" in only_accent
