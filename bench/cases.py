"""The cases the benchmarks measure, which the tests check too: each is defined here once.

Pure data (no Django): bench/result_page.py imports it outside any Django process.
"""

import json
from pathlib import Path

from okuyami.guide import AdjustmentAction, ManualChange

ROOT = Path(__file__).resolve().parent.parent

# A long day at the counter, the heavy end of what gets printed: with the national template (or
# みほん市, its copy) these answers make 38 procedures apply at 19 counters and 2 need checking
# (renunciation, tax_debit); the staff add 2 more: 40 in all.
FORTY_CASE = json.loads((ROOT / "fixtures/cases/forty-procedures.json").read_text(encoding="utf-8"))
STAFF_NOTE = "勤務先の健康保険組合へ、ご家族から連絡してください。"
FORTY_ADJUSTMENTS = (
    ManualChange("kenpo_loss", AdjustmentAction.ADD, STAFF_NOTE),
    ManualChange("kenpo_maisoryo", AdjustmentAction.ADD),
)
# The family printed on the documents: two addresses, so that each can be found printed once.
PEOPLE = {
    "deceased": {
        "name": "見本 太郎",
        "kana": "みほん たろう",
        "birth_date": "1950-04-02",
        "death_date": "2026-11-20",
        "address": "見本県みほん市中央一丁目2番3号",
    },
    "visitor": {
        "name": "見本 花子",
        "kana": "みほん はなこ",
        "relation": "妻",
        "phone": "000-000-1234",
        "address": "見本県みほん市北町四丁目5番6号",
    },
}

# In みほん市 these answers make 17 procedures apply at 11 counters (4 of them offices that are
# not the city's: 法務局, 軽自動車検査協会, banks, utilities) and 2 need checking.
SEVENTEEN_ANSWERS = {
    "insurance": "koki",
    "head_of_household": True,
    "household_remaining": 2,
    "household_adults": 2,
    "vehicles": ["kei"],
    "pension": "kokumin",
    "seal_registration": True,
    "mynumber_card": True,
    "real_estate": True,
    "bank_accounts": True,
    "utilities": ["denki", "gas"],
    "funeral_held": True,
    "funeral_date": "2026-11-23",
    "water_contract": True,
    "resident_tax": True,
}
