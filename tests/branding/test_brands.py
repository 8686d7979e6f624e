"""The brand use cases on a real database: inheritance, saving (checked, audited), images,
the cache and its invalidation."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from ccms_app.accounts.models import AuditEntry
from ccms_app.accounts.roles import RefusedError
from ccms_app.accounts.rules.permissions import ALL_PERMISSIONS, Action, Module, permission
from ccms_app.branding import brands
from ccms_app.branding.models import Brand
from ccms_app.branding.rules.uploads import ImageKind, UploadError
from ccms_app.core import db
from tests.branding.support import Network, caller, form, network, png


@pytest.fixture
def net(engine) -> Network:
    return network()


def audit_entries(session: Session, action_prefix: str) -> list[AuditEntry]:
    session.rollback()
    return list(
        session.exec(
            select(AuditEntry)
            .where(col(AuditEntry.action).startswith(action_prefix))
            .order_by(col(AuditEntry.id))
        ).all()
    )


def test_without_any_brand_everyone_gets_the_defaults(net: Network) -> None:
    for organisation in (net.root, net.sub, net.sub_sub):
        brand = brands.effective_brand(organisation)
        assert brand.product_name == "CCMS"
        assert (brand.logo_url, brand.css, brand.login_text) == ("", "", "")
        assert brand.favicon_url == "/favicon.svg"
        assert brand.email_sender_name == ""  # no display name until someone names the brand
    assert brands.root_brand().organisation_id == net.root


def test_no_organisation_at_all_still_has_a_brand(engine) -> None:
    brands.forget()
    assert brands.root_brand().product_name == "CCMS"


def test_fields_inherit_from_the_parent_then_the_defaults(net: Network) -> None:
    brands.save_brand(
        caller(net.root),
        form(product_name="Voltaris", primary_colour="#1D4ED8", login_text="Welcome"),
    )
    brands.save_brand(caller(net.sub), form(product_name="City Charge", accent_colour="#b45309"))
    root = brands.effective_brand(net.root)
    sub = brands.effective_brand(net.sub)
    sub_sub = brands.effective_brand(net.sub_sub)
    assert (root.product_name, root.primary_colour, root.accent_colour) == (
        "Voltaris",
        "#1d4ed8",
        "",
    )
    # The sub-operator: its own name and accent, the root's colour and login text.
    assert (sub.product_name, sub.primary_colour, sub.accent_colour, sub.login_text) == (
        "City Charge",
        "#1d4ed8",
        "#b45309",
        "Welcome",
    )
    # Its own sub-operator sets nothing: everything from the nearest ancestor that has it.
    assert (sub_sub.product_name, sub_sub.accent_colour) == ("City Charge", "#b45309")
    assert sub.email_sender_name == "City Charge"  # the product name when no sender name
    assert "--teal-9: #1d4ed8;" in sub.css and "--brand-accent-9: #b45309;" in sub.css
    assert root.document_header == ""  # still the default


def test_saving_checks_every_field_at_once_and_stores_nothing_then(
    net: Network, session: Session
) -> None:
    with pytest.raises(brands.BrandInputError) as refused:
        brands.save_brand(
            caller(net.root),
            form(product_name="x" * 61, primary_colour="teal", email_sender_name="A\nB"),
        )
    assert set(refused.value.errors) == {"product_name", "primary_colour", "email_sender_name"}
    assert str(refused.value.errors["product_name"]) == "At most 60 characters (61 now)."
    assert session.exec(select(Brand)).first() is None
    assert brands.effective_brand(net.root).product_name == "CCMS"


def test_a_save_is_audited_with_what_changed_and_clears_the_cache(
    net: Network, session: Session
) -> None:
    assert brands.effective_brand(net.sub).product_name == "CCMS"  # cached now
    brands.save_brand(caller(net.root), form(product_name="Voltaris", document_header="Voltaris"))
    # The sub-operator inherits the new name at once, not after the cache's 5 s.
    assert brands.effective_brand(net.sub).product_name == "Voltaris"
    (entry,) = audit_entries(session, "brand.")
    assert (entry.action, entry.object_type, entry.object_id) == (
        "brand.save",
        "brand",
        str(net.root),
    )
    assert entry.organisation_id == net.root and entry.remote_address == "192.0.2.7"
    assert "product_name='Voltaris'" in entry.detail and "document_header" in entry.detail
    # Saving the same again changes nothing and writes no entry.
    brands.save_brand(caller(net.root), form(product_name="Voltaris", document_header="Voltaris"))
    assert len(audit_entries(session, "brand.")) == 1
    stored = session.exec(select(Brand)).one()
    assert stored.version == 1 and stored.updated_by == f"admin-{net.root}@example.com"


def test_the_cache_serves_within_its_time_and_rereads_after(
    net: Network, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process's change (here: written behind the cache's back) shows within
    CACHE_SECONDS."""
    clock = [1000.0]
    monkeypatch.setattr(brands.time, "monotonic", lambda: clock[0])
    assert brands.effective_brand(net.root).product_name == "CCMS"
    with db.session_scope() as s:
        s.add(Brand(organisation_id=net.root, product_name="Elsewhere"))
    clock[0] += brands.CACHE_SECONDS - 1
    assert brands.effective_brand(net.root).product_name == "CCMS"
    clock[0] += 2
    assert brands.effective_brand(net.root).product_name == "Elsewhere"


def test_only_the_callers_own_organisation_changes_and_only_with_system_edit(
    net: Network, session: Session
) -> None:
    brands.save_brand(caller(net.sub), form(product_name="City Charge"))
    assert brands.effective_brand(net.root).product_name == "CCMS"  # the parent is untouched
    viewer = caller(net.root, frozenset({permission(Module.SYSTEM, Action.VIEW)}))
    with pytest.raises(RefusedError):
        brands.save_brand(viewer, form(product_name="Hijacked"))
    with pytest.raises(RefusedError):
        brands.store_image(viewer, ImageKind.LOGO, png())
    refused = [e for e in audit_entries(session, "brand.") if e.outcome == "refused"]
    assert [e.action for e in refused] == ["brand.save", "brand.logo"]
    assert brands.effective_brand(net.root).product_name == "CCMS"


def test_a_logo_is_stored_inherited_versioned_and_removed(net: Network, session: Session) -> None:
    admin = caller(net.root)
    data = png()
    view = brands.store_image(admin, ImageKind.LOGO, data)
    assert view.has_logo
    root = brands.effective_brand(net.root)
    assert root.logo_url == f"/brand/{net.root}/logo?v=1"
    # The sub-operator shows the root's logo, by the root's URL.
    assert brands.effective_brand(net.sub_sub).logo_url == root.logo_url
    stored = brands.stored_image(net.root, ImageKind.LOGO)
    assert stored is not None and stored.data == data and stored.content_type == "image/png"
    assert brands.stored_image(net.sub, ImageKind.LOGO) is None  # only its own
    brands.save_brand(admin, form(product_name="Voltaris"))
    assert brands.effective_brand(net.root).logo_url.endswith("?v=2")  # a new URL per change
    brands.remove_image(admin, ImageKind.LOGO)
    assert brands.effective_brand(net.sub).logo_url == ""
    actions = [e.action for e in audit_entries(session, "brand.")]
    assert actions == ["brand.logo", "brand.save", "brand.remove_logo"]
    assert "image/png 200x50 px" in audit_entries(session, "brand.logo")[0].detail


def test_a_bad_upload_is_refused_and_nothing_changes(net: Network) -> None:
    with pytest.raises(UploadError) as refused:
        brands.store_image(caller(net.root), ImageKind.LOGO, b"<svg onload='x()'/>")
    assert "SVG" in str(refused.value)
    assert brands.stored_image(net.root, ImageKind.LOGO) is None


def test_favicons_and_the_root_favicon(net: Network) -> None:
    assert brands.root_favicon() is None
    brands.store_image(caller(net.root), ImageKind.FAVICON, png(64, 64))
    favicon = brands.root_favicon()
    assert favicon is not None and favicon.content_type == "image/png"
    assert brands.effective_brand(net.sub).favicon_url == f"/brand/{net.root}/favicon?v=1"


def test_the_editor_shows_own_values_and_what_they_inherit(net: Network) -> None:
    brands.save_brand(caller(net.root), form(product_name="Voltaris", login_text="Hello"))
    brands.save_brand(caller(net.sub), form(login_text="Hi, City"))
    view = brands.brand_form(net.sub)
    assert view.values["product_name"] == "" and view.values["login_text"] == "Hi, City"
    assert view.inherited.product_name == "Voltaris" and view.inherited.login_text == "Hello"
    assert view.effective.login_text == "Hi, City"
    root_view = brands.brand_form(net.root)
    assert root_view.inherited.product_name == "CCMS"  # the root inherits the defaults


def test_documents_get_the_header_and_the_nearest_logo(net: Network) -> None:
    data = png()
    brands.store_image(caller(net.root), ImageKind.LOGO, data)
    brands.save_brand(caller(net.sub), form(document_header="City Parking GmbH · Musterstr. 1"))
    document = brands.document_brand(net.sub_sub)
    assert document.header == "City Parking GmbH · Musterstr. 1"
    assert document.logo == data and document.product_name == "CCMS"
    assert brands.sender_name(None) == ""
    assert set(ALL_PERMISSIONS) >= {permission(Module.SYSTEM, Action.EDIT)}
