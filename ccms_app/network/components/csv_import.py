"""The CSV import of the Assets lists: an "Import CSV" button per list and one dialog.

    import_button("stations")       # in the stations list's toolbar
    import_button("charge_points")  # in the charge points list's toolbar
    import_dialog()                 # once on the page

The dialog: template downloads, a drop zone (choosing a file checks it at once), then either
the errors (file, line, column, message) or the summary, and "Import" only when it is clean.
On a phone the error table becomes one small card per error. Test ids start with `import-`.
"""

from __future__ import annotations

import reflex as rx
from reflex.vars import ObjectVar

from ccms_app.network.rules.csv_import import CHARGE_POINTS, MAX_BYTES, STATIONS
from ccms_app.network.state.csv_import import (
    KIND_LABELS,
    MAX_FILES,
    UPLOAD_ID,
    AssetImportState,
    ErrorRow,
    SummaryRow,
)
from ccms_app.ui.i18n import Text, t, t_var, t_with
from ccms_app.ui.permissions import when_allowed
from ccms_app.ui.viewport import phone_or_wide

ACCEPT = {
    "text/csv": [".csv"],
    "text/plain": [".csv", ".txt", ".tsv"],
    "application/vnd.ms-excel": [".csv"],
}


def _tid(value: str | rx.Var) -> dict[str, str | rx.Var]:
    return {"data-testid": value}


def import_button(kind: str) -> rx.Component:
    """Opens the import dialog for this list (stations or charge_points); shown to roles
    that may import (assets:edit)."""
    return when_allowed(
        AssetImportState.run_import,
        rx.button(
            rx.icon("upload", size=14),
            t("Import CSV"),
            variant="soft",
            color_scheme="gray",
            on_click=AssetImportState.open_for(kind),
            custom_attrs=_tid(f"import-open-{kind}"),
        ),
    )


def _templates() -> rx.Component:
    return rx.flex(
        rx.text(t("Templates:"), size="2", color=rx.color("gray", 11)),
        *[
            rx.button(
                rx.icon("file-down", size=14),
                t(KIND_LABELS[kind]),
                size="1",
                variant="ghost",
                on_click=AssetImportState.download_template(kind),
                custom_attrs=_tid(f"import-template-{kind}"),
            )
            for kind in (STATIONS, CHARGE_POINTS)
        ],
        gap="8px",
        align="center",
        wrap="wrap",
    )


def _dropzone() -> rx.Component:
    return rx.upload(
        rx.vstack(
            rx.icon("file-spreadsheet", size=22, color=rx.color("gray", 10)),
            rx.text(t("Drop a CSV file here, or click to choose"), size="2", weight="medium"),
            rx.text(
                t_with(
                    "Stations and charge points may be imported together (two files). "
                    "UTF-8, comma or semicolon, at most {size} MB.",
                    size=MAX_BYTES // 1024 // 1024,
                ),
                size="1",
                color=rx.color("gray", 11),
                text_align="center",
            ),
            align="center",
            spacing="1",
        ),
        id=UPLOAD_ID,
        multiple=True,
        max_files=MAX_FILES,
        max_size=MAX_BYTES,
        accept=ACCEPT,
        on_drop=AssetImportState.check_files(rx.upload_files(upload_id=UPLOAD_ID)),
        on_drop_rejected=AssetImportState.files_rejected,
        border=f"1px dashed {rx.color('gray', 7)}",
        border_radius="8px",
        padding="16px",
        width="100%",
        cursor="pointer",
        custom_attrs=_tid("import-dropzone"),
    )


def _files_line() -> rx.Component:
    return rx.flex(
        rx.foreach(
            AssetImportState.file_names,
            lambda name: rx.badge(rx.icon("file-text", size=12), name, variant="surface"),
        ),
        rx.cond(
            AssetImportState.phase == "checking",
            rx.hstack(rx.spinner(size="1"), rx.text(t("Checking every row…"), size="2")),
        ),
        gap="8px",
        wrap="wrap",
        align="center",
    )


# --- errors ------------------------------------------------------------------------------


def _error_table_row(error: ObjectVar[ErrorRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(error.file, white_space="nowrap"),
        rx.table.cell(error.line, white_space="nowrap"),
        rx.table.cell(rx.code(error.column, size="1"), white_space="nowrap"),
        rx.table.cell(error.message),
        custom_attrs=_tid("import-error-row"),
    )


def _error_card(error: ObjectVar[ErrorRow]) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text(t_with("Line {line}", line=error.line), size="1", weight="bold"),
            rx.code(error.column, size="1"),
            rx.text(error.file, size="1", color=rx.color("gray", 11), truncate=True),
            spacing="2",
            align="center",
        ),
        rx.text(error.message, size="2"),
        padding="8px",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        width="100%",
        custom_attrs=_tid("import-error-card"),
    )


def _errors() -> rx.Component:
    s = AssetImportState
    return rx.vstack(
        rx.callout(
            rx.text(
                rx.cond(
                    s.error_count == 1,
                    t(
                        "1 problem found: nothing has been imported. Fix the file and choose it "
                        "again."
                    ),
                    t_with(
                        "{count} problems found: nothing has been imported. Fix the file and "
                        "choose it again.",
                        count=s.error_count,
                    ),
                )
            ),
            icon="circle-alert",
            color_scheme="red",
            size="1",
            width="100%",
            custom_attrs=_tid("import-error-summary"),
        ),
        phone_or_wide(
            rx.box(
                rx.foreach(s.errors, _error_card),
                max_height="360px",
                overflow_y="auto",
                width="100%",
                custom_attrs=_tid("import-errors-mobile"),
            ),
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(
                            rx.table.column_header_cell(t("File")),
                            rx.table.column_header_cell(t("Line")),
                            rx.table.column_header_cell(t("Column")),
                            rx.table.column_header_cell(t("Problem")),
                        )
                    ),
                    rx.table.body(rx.foreach(s.errors, _error_table_row)),
                    size="1",
                    variant="surface",
                    width="100%",
                ),
                max_height="320px",
                overflow="auto",
                width="100%",
                custom_attrs=_tid("import-errors"),
            ),
        ),
        rx.cond(
            s.more_errors > 0,
            rx.text(
                t_with("… and {count} more.", count=s.more_errors),
                size="1",
                color=rx.color("gray", 11),
            ),
        ),
        spacing="2",
        width="100%",
    )


# --- summary -----------------------------------------------------------------------------


def _count(label: Text, value: rx.Var, testid: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.text(value, size="4", weight="bold", custom_attrs=_tid(testid)),
        rx.text(label, size="1", color=rx.color("gray", 11)),
        spacing="0",
        align="center",
        min_width="64px",
    )


def _summary_card(summary: ObjectVar[SummaryRow]) -> rx.Component:
    prefix = "import-summary-" + summary.kind.to(str)
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(t_var(summary.label), weight="bold", size="2"),
                rx.text(summary.file, size="1", color=rx.color("gray", 11), truncate=True),
                rx.text(
                    t_with("{count} rows", count=summary.rows), size="1", color=rx.color("gray", 11)
                ),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            rx.hstack(
                _count(t("new"), summary.created, prefix + "-created"),
                _count(t("changed"), summary.updated, prefix + "-updated"),
                _count(t("unchanged"), summary.unchanged, prefix + "-unchanged"),
                spacing="4",
                justify="center",
                width="100%",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _summary() -> rx.Component:
    s = AssetImportState
    return rx.vstack(
        rx.cond(
            s.phase == "done",
            rx.callout(
                s.message,
                icon="circle-check",
                color_scheme="green",
                size="1",
                width="100%",
                custom_attrs=_tid("import-done"),
            ),
            rx.callout(
                t("Every row is valid. Nothing is written until you import."),
                icon="circle-check",
                color_scheme="green",
                size="1",
                width="100%",
                custom_attrs=_tid("import-valid"),
            ),
        ),
        rx.foreach(s.summaries, _summary_card),
        spacing="2",
        width="100%",
    )


# --- the dialog --------------------------------------------------------------------------


def _buttons() -> rx.Component:
    s = AssetImportState
    return rx.flex(
        rx.cond(
            s.phase != "choose",
            rx.button(
                t("Choose another file"),
                variant="ghost",
                on_click=s.start_over,
                disabled=(s.phase == "checking") | (s.phase == "importing"),
                custom_attrs=_tid("import-again"),
            ),
        ),
        rx.spacer(),
        rx.dialog.close(
            rx.button(
                rx.cond(s.phase == "done", t("Close"), t("Cancel")),
                variant="soft",
                color_scheme="gray",
                custom_attrs=_tid("import-close"),
            )
        ),
        rx.cond(
            s.phase != "done",
            rx.button(
                rx.icon("database", size=14),
                t("Import"),
                on_click=s.run_import,
                disabled=~s.ok,
                loading=s.phase == "importing",
                custom_attrs=_tid("import-run"),
            ),
        ),
        gap="8px",
        align="center",
        wrap="wrap",
        width="100%",
    )


def import_dialog() -> rx.Component:
    s = AssetImportState
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(
                rx.cond(
                    s.kind == CHARGE_POINTS,
                    t("Import charge points from CSV"),
                    t("Import stations from CSV"),
                )
            ),
            rx.vstack(
                _templates(),
                rx.cond((s.phase == "choose") | (s.phase == "checked"), _dropzone()),
                _files_line(),
                rx.cond(
                    s.message != "",
                    rx.cond(
                        s.phase != "done",
                        rx.callout(s.message, icon="info", size="1", width="100%"),
                    ),
                ),
                rx.cond(
                    (s.phase == "checked") & (s.error_count > 0),
                    _errors(),
                ),
                rx.cond(
                    ((s.phase == "checked") & (s.error_count == 0)) | (s.phase == "done"),
                    _summary(),
                ),
                _buttons(),
                spacing="3",
                width="100%",
            ),
            max_width="820px",
            width="calc(100vw - 24px)",
            max_height="calc(100vh - 32px)",
            overflow_y="auto",
            custom_attrs=_tid("import-dialog"),
        ),
        open=s.is_open,
        on_open_change=s.set_is_open,
    )


def with_import(kind: str, listing: rx.Component) -> rx.Component:
    """A list with its "Import CSV" button above it (for pages that cannot reach the toolbar)."""
    return rx.vstack(
        rx.flex(rx.spacer(), import_button(kind), width="100%"),
        listing,
        spacing="2",
        width="100%",
    )
