"""Document numbers never skip or repeat, under concurrent issuers, on the real database."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from ccms_app.core import db
from ccms_app.finance.documents.numbering import take_number
from ccms_app.finance.documents.receipts import issue_receipt
from ccms_app.finance.models import BillingDocument, DocumentSequence
from ccms_app.finance.rules.documents import document_number
from tests.finance.documents.support import World, charge

THREADS = 8
ISSUES_PER_THREAD = 25


class FailedIssueError(Exception):
    """An issue that fails after taking its number (e.g. the PDF could not be drawn)."""


def _issue(organisation_id: int, taken: list[int], fail: bool) -> None:
    """One issuing transaction: take a number, store a document, maybe fail at the end."""
    with db.session_scope() as s:
        number = take_number(s, organisation_id, "invoice")
        s.add(
            BillingDocument(
                organisation_id=organisation_id,
                kind="invoice",
                sequence_no=number,
                number=document_number("invoice", number),
                currency="EUR",
                total_excl_minor=0,
                vat_minor=0,
                total_incl_minor=0,
                content="{}",
            )
        )
        s.flush()
        if fail:
            raise FailedIssueError
    taken.append(number)


def test_concurrent_issuers_get_every_number_once(world: World, session: Session) -> None:
    taken: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def issuer(index: int) -> None:
        start.wait()
        for issue in range(ISSUES_PER_THREAD):
            try:
                if issue % 5 == index % 5:  # some issues fail, giving their number back
                    with pytest.raises(FailedIssueError):
                        _issue(world.organisation_id, taken, fail=True)
                _issue(world.organisation_id, taken, fail=False)
            except BaseException as exc:
                errors.append(exc)

    threads = [threading.Thread(target=issuer, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(taken) == list(range(1, THREADS * ISSUES_PER_THREAD + 1))
    numbers = session.exec(select(BillingDocument.number)).all()
    assert sorted(numbers) == [f"INV-{n:06d}" for n in range(1, 201)]
    sequence = session.get(DocumentSequence, (world.organisation_id, "invoice"))
    assert sequence is not None and sequence.next_number == 201


def test_each_kind_and_organisation_has_its_own_series(world: World) -> None:
    with db.session_scope() as s:
        assert [take_number(s, world.organisation_id, "receipt") for _ in range(3)] == [1, 2, 3]
        assert take_number(s, world.organisation_id, "credit_note") == 1
    with db.session_scope() as s:
        assert take_number(s, world.organisation_id, "receipt") == 4
    with pytest.raises(ValueError, match="unknown document kind"), db.session_scope() as s:
        take_number(s, world.organisation_id, "quote")


def test_a_failed_receipt_gives_its_number_back(world: World, monkeypatch) -> None:
    """A receipt whose issue fails after numbering (here: storing its content) burns nothing."""
    stop = datetime(2026, 2, 10, 10, 0, tzinfo=UTC)
    first, second = charge(world, "CARD-ZOE", stop), charge(world, "CARD-ZOE", stop)

    def broken(_content: dict) -> str:
        raise RuntimeError("disk full")

    monkeypatch.setattr("ccms_app.finance.documents.issuing.dump", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        issue_receipt(first)
    monkeypatch.undo()
    assert issue_receipt(second).number == "R-000001"
    assert issue_receipt(first).number == "R-000002"


def test_number_text() -> None:
    assert document_number("receipt", 42) == "R-000042"
    assert document_number("invoice", 42) == "INV-000042"
    assert document_number("credit_note", 1_000_000) == "CN-1000000"
