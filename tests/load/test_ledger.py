from __future__ import annotations

from mockgenesys.load import Ledger, judge, stored_texts
from mockgenesys.load.ledger import guest_text


def _ledger() -> Ledger:
    ledger = Ledger()
    for index in range(3):
        ledger.ask("load aa g1", index)
    ledger.ask("load aa g2", 0)
    ledger.count_reauth("get_jwt")
    return ledger


def test_ledger_judges_every_asked_text_stored_once() -> None:
    ledger = _ledger()
    texts = [guest_text("load aa g1", i) for i in range(3)] + ["load aa g2 m0", "unrelated", "load zz g1 m0"]
    verdict = judge(ledger, texts)
    assert verdict.passed and (verdict.guests, verdict.asked, verdict.stored_once) == (2, 4, 4)
    assert verdict.reauth == {"get_jwt": 1} and verdict.lines()[0].startswith("PASS")


def test_ledger_finds_lost_and_duplicated_texts() -> None:
    verdict = judge(_ledger(), ["load aa g1 m0", "load aa g1 m0", "load aa g1 m2", "load aa g2 m0"])
    assert not verdict.passed and (verdict.lost, verdict.duplicated) == (1, 1)
    assert "duplicated: 'load aa g1 m0' is stored 2 times" in verdict.examples
    assert "lost: 'load aa g1 m1' was confirmed but is not stored" in verdict.examples
    assert verdict.to_dict()["passed"] is False


def test_ledger_abandoned_texts_may_be_missing_but_never_doubled() -> None:
    ledger = _ledger()
    ledger.abandon("load aa g1", 1)
    assert judge(ledger, ["load aa g1 m0", "load aa g1 m2", "load aa g2 m0"]).passed
    doubled = judge(ledger, ["load aa g1 m0", "load aa g1 m1", "load aa g1 m1", "load aa g1 m2", "load aa g2 m0"])
    assert doubled.duplicated == 1 and doubled.abandoned == 1


def test_ledger_merges_what_workers_send() -> None:
    master, worker = Ledger(), _ledger()
    worker.abandon("load aa g2", 0)
    master.merge(worker.to_dict())
    master.merge({"asked": {"load bb g1": 2}, "reauth": {"get_jwt": 2, "resume": 1}})
    assert master.asked == {"load aa g1": 3, "load aa g2": 1, "load bb g1": 2}
    assert master.abandoned == {"load aa g2": [0]} and master.reauth == {"get_jwt": 3, "resume": 1}


def test_ledger_reads_inbound_texts_of_one_world_or_of_every_worker() -> None:
    world = {
        "conversations": [{"messages": [{"direction": "inbound", "text": "a"}, {"direction": "outbound", "text": "b"}]}]
    }
    assert stored_texts(world) == ["a"]
    assert stored_texts({"workers": [world, world]}) == ["a", "a"]
