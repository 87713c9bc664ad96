"""Fictitious resident extracts: the sample city's demo extract, and large ones for the benchmark.

Every name, number and address is made up. `generate_extract` is deterministic for a seed
and a date, so the committed demo extract can be written again byte for byte:

    python -m okuyami.residents.sample fixtures/residents/sample-city --today 2026-11-29

The demo extract has a few hundred ordinary households and, on top, a dozen people who died
in the weeks before `today`, each a situation the counter meets: an 82-year-old 世帯主 whose
wife remains, someone living alone, a widow with children, a foreign resident, someone
born on 29 February, names with 髙, 﨑 and 𠮷 (outside CP932, so the file is UTF-8).

Each deceased person also has the sample city's own registers' facts (`LOCAL_REGISTERS`) as on
the day of death, so a case started from the records asks only what no register of the city
answers.
"""

import argparse
import csv
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from okuyami.residents.extract import FACT_COLUMNS, RESIDENT_COLUMNS, Era

SAMPLE_EXTRACT = Path(__file__).resolve().parents[2] / "fixtures" / "residents" / "sample-city"
SAMPLE_SEED = 16
SAMPLE_HOUSEHOLDS = 300

FAMILY_NAMES = (
    ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ"), ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"), ("山本", "ヤマモト"), ("中村", "ナカムラ"), ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
    ("吉田", "ヨシダ"), ("山田", "ヤマダ"), ("佐々木", "ササキ"), ("山口", "ヤマグチ"), ("松本", "マツモト"),
    ("井上", "イノウエ"), ("木村", "キムラ"), ("林", "ハヤシ"), ("斎藤", "サイトウ"), ("清水", "シミズ"),
    ("山崎", "ヤマザキ"), ("森", "モリ"), ("池田", "イケダ"), ("橋本", "ハシモト"), ("阿部", "アベ"),
    ("石川", "イシカワ"), ("小川", "オガワ"), ("岡田", "オカダ"), ("長谷川", "ハセガワ"), ("藤田", "フジタ"),
    ("見本", "ミホン"), ("試験", "シケン"), ("例", "タメシ"), ("架空", "カクウ"), ("仮名", "カリナ"),
)  # fmt: skip
MALE_NAMES = (
    ("太郎", "タロウ"), ("一郎", "イチロウ"), ("健一", "ケンイチ"), ("誠", "マコト"), ("茂", "シゲル"),
    ("博", "ヒロシ"), ("翔太", "ショウタ"), ("大輔", "ダイスケ"), ("勇", "イサム"), ("蓮", "レン"),
    ("悠真", "ユウマ"), ("湊", "ミナト"), ("清", "キヨシ"), ("修", "オサム"), ("正雄", "マサオ"),
)  # fmt: skip
FEMALE_NAMES = (
    ("花子", "ハナコ"), ("幸子", "サチコ"), ("恵子", "ケイコ"), ("陽子", "ヨウコ"), ("美咲", "ミサキ"),
    ("結衣", "ユイ"), ("陽菜", "ヒナ"), ("和子", "カズコ"), ("節子", "セツコ"), ("明美", "アケミ"),
    ("さくら", "サクラ"), ("葵", "アオイ"), ("京子", "キョウコ"), ("千代", "チヨ"), ("光子", "ミツコ"),
)  # fmt: skip
TOWNS = ("中央", "本町", "北町", "南町", "東町", "西町", "緑が丘", "桜台", "みなと", "山手")
CITY = "見本県みほん市"
WAREKI = ("M", "T", "S", "H", "R")


@dataclass
class Row:
    number: str
    household: str
    name: str
    kana: str
    birth: date
    sex: int
    relation: str
    address: str
    foreign: bool = False
    removed: date | None = None
    reason: str = ""
    facts: dict[str, str] = field(default_factory=dict)


def wareki_code(day: date) -> str:
    """The 和暦 form of a date (S25.04.02)."""
    from okuyami.residents.extract import ERAS

    era: Era = next(ERAS[i] for i in reversed(WAREKI) if day >= ERAS[i].first)
    return era.code(day)


def age_on(birth: date, day: date) -> int:
    had_birthday = (day.month, day.day) >= (birth.month, birth.day)
    return day.year - birth.year - (0 if had_birthday else 1)


class _Town:
    """Numbers, names and addresses for one generated extract."""

    def __init__(self, seed: int, today: date, *, number_base: int = 300_000_000_000):
        self.rng = random.Random(seed)
        self.today = today
        self.next_number = number_base
        self.next_household = 7000

    def number(self) -> str:
        self.next_number += 1
        return str(self.next_number)

    def household(self) -> str:
        self.next_household += 1
        return str(self.next_household)

    def address(self) -> str:
        rng = self.rng
        street = (
            f"{CITY}{rng.choice(TOWNS)}{rng.randint(1, 5)}丁目{rng.randint(1, 30)}番{rng.randint(1, 20)}号"
        )
        if rng.random() < 0.2:
            street += f" みほんハイツ{rng.randint(1, 5)}{rng.randint(1, 9):02d}号"
        return street

    def birth(self, age: int) -> date:
        """A birth date making the person `age` today and a month ago (their birthday is past)."""
        anchor = self.today - timedelta(days=self.rng.randint(30, 340))
        if (anchor.month, anchor.day) == (2, 29):
            anchor -= timedelta(days=1)
        return anchor.replace(year=anchor.year - age)

    def given(self, sex: int) -> tuple[str, str]:
        return self.rng.choice(MALE_NAMES if sex == 1 else FEMALE_NAMES)

    def person(self, family, household, address, relation, sex, age, **kw) -> Row:
        given, given_kana = kw.pop("given", None) or self.given(sex)
        return Row(
            self.number(),
            household,
            f"{family[0]}\u3000{given}" if kw.pop("wide_space", False) else f"{family[0]} {given}",
            f"{family[1]} {given_kana}",
            kw.pop("birth", None) or self.birth(age),
            sex,
            relation,
            address,
            **kw,
        )


def _ordinary(town: _Town) -> list[Row]:
    """One household of the usual shapes, with the facts other registers hold about them."""
    rng = town.rng
    family = rng.choice(FAMILY_NAMES)
    household, address = town.household(), town.address()
    shape = rng.choices(("single", "couple", "family", "parent", "three"), (30, 25, 25, 8, 12))[0]
    head_sex = rng.choice((1, 1, 1, 2)) if shape != "parent" else 2
    head_age = {"single": rng.randint(20, 95), "couple": rng.randint(60, 90)}.get(shape, rng.randint(32, 55))
    if shape == "three":
        head_age = rng.randint(40, 60)
    people = [town.person(family, household, address, "世帯主", head_sex, head_age)]
    if shape in ("couple", "family", "three"):
        people.append(
            town.person(
                family, household, address, "妻" if head_sex == 1 else "夫", 3 - head_sex, head_age - 2
            )
        )
    if shape in ("family", "parent", "three"):
        for _ in range(rng.randint(1, 3)):
            child_age = rng.randint(0, min(24, head_age - 22))
            people.append(town.person(family, household, address, "子", rng.choice((1, 2)), child_age))
    if shape == "three":
        people.append(town.person(family, household, address, "母", 2, head_age + rng.randint(24, 32)))
    for person in people:
        _facts(town, person)
    if rng.random() < 0.05:  # moved out earlier this year
        leaver = people[-1]
        leaver.removed, leaver.reason = town.today - timedelta(days=rng.randint(30, 300)), "転出"
        leaver.removed = max(leaver.removed, leaver.birth)
    return people


def _facts(town: _Town, person: Row) -> None:
    rng, age = town.rng, age_on(person.birth, town.today)
    insurance = "koki" if age >= 75 else rng.choice(("kokuho", "none", "none"))
    person.facts["health.insurance"] = insurance
    if age >= 65:
        person.facts["kaigo.certified"] = "true" if rng.random() < 0.25 else "false"
    if age >= 18:
        person.facts["seal.registered"] = "true" if rng.random() < 0.6 else "false"
    if person.relation == "世帯主":
        person.facts["tax.fixed_asset"] = "true" if rng.random() < 0.55 else "false"
        person.facts["local.water_contract"] = "true"
    if age >= 18 and rng.random() < 0.2:
        person.facts["tax.light_vehicle"] = "true"


# The sample city's own registers behind its `local.` facts (fixtures/catalogs/sample-city.json
# reads each in a question's `prefill`; fixtures/README.md names the register): every deceased
# person has each of them, as on the day of death, except the two 障害福祉 ones, written only
# for a holder of a 障害者手帳.
LOCAL_REGISTERS = tuple(
    f"local.{key}"
    for key in (
        "high_medical_costs", "elderly_services", "severe_medical", "disability_allowance",
        "salary_withholding", "mynumber_card", "child_benefits", "resident_tax", "tax_debit",
        "unregistered_house", "forest", "municipal_housing", "cemetery", "farmland", "dog",
    )
)  # fmt: skip
DISABILITY_REGISTERS = ("local.severe_medical", "local.disability_allowance")


def _registers(person: Row, **found: bool) -> None:
    """The sample city's registers as on the day of death: `found` names those that hold him
    (`dog=True` for local.dog); every other register does not."""
    unknown = set(found) - {name.removeprefix("local.") for name in LOCAL_REGISTERS}
    if unknown:
        raise ValueError(f"not a register of the sample city: {', '.join(sorted(unknown))}")
    for name in LOCAL_REGISTERS:
        if name in DISABILITY_REGISTERS and person.facts.get("disability.certificate") != "true":
            continue
        person.facts[name] = "true" if found.get(name.removeprefix("local."), False) else "false"


def _ordinary_death(seed: int, person: Row, household: list[Row], today: date) -> None:
    """An ordinary household's death: the city's registers on him, drawn apart from the households'
    own draws (the same people for a seed whatever this draws)."""
    rng = random.Random(f"{seed}:{person.number}")
    age = age_on(person.birth, today)
    owner = person.facts.get("tax.fixed_asset") == "true"
    children = any(
        age_on(other.birth, today) < 18
        for other in household
        if other is not person and other.removed is None
    )
    _registers(
        person,
        high_medical_costs=person.facts["health.insurance"] != "none" and rng.random() < 0.3,
        elderly_services=age >= 65 and rng.random() < 0.2,
        salary_withholding=age < 70 and person.facts["health.insurance"] == "none" and rng.random() < 0.8,
        mynumber_card=rng.random() < 0.75,
        child_benefits=children and rng.random() < 0.6,
        resident_tax=rng.random() < 0.6,
        tax_debit=rng.random() < 0.4,
        unregistered_house=owner and rng.random() < 0.1,
        forest=owner and rng.random() < 0.05,
        municipal_housing=not owner and rng.random() < 0.1,
        cemetery=rng.random() < 0.15,
        farmland=owner and rng.random() < 0.1,
        dog=rng.random() < 0.1,
    )


def _demo_deaths(town: _Town) -> list[Row]:
    """A dozen deaths in the last weeks, each a situation the counter meets."""
    today = town.today
    rows: list[Row] = []

    def died(person: Row, days_ago: int) -> Row:
        person.removed, person.reason = today - timedelta(days=days_ago), "死亡"
        return person

    def home() -> tuple[str, str]:
        return town.household(), town.address()

    # 1. The typical case: an 82-year-old 世帯主, wife remaining; 後期, 印鑑, 介護, a house; the
    # city's registers as tests/okuyami/test_counter_effort.py's family answers (住民税 課税, a
    # マイナンバーカード, nothing else).
    h, a = home()
    family = ("見本", "ミホン")
    husband = town.person(family, h, a, "世帯主", 1, 82, given=("太郎", "タロウ"))
    husband.facts.update(
        {
            "health.insurance": "koki",
            "seal.registered": "true",
            "kaigo.certified": "true",
            "disability.certificate": "false",
            "tax.fixed_asset": "true",
            "local.water_contract": "true",
        }
    )
    _registers(husband, resident_tax=True, mynumber_card=True)
    wife = town.person(family, h, a, "妻", 2, 79, given=("花子", "ハナコ"))
    wife.facts.update({"health.insurance": "koki", "seal.registered": "true"})
    son = town.person(family, h, a, "子", 1, 50, given=("一郎", "イチロウ"))
    son.removed, son.reason = date(2024, 4, 1), "転出"
    rows += [died(husband, 9), wife, son]

    # 2. Living alone: a woman of 91, 後期, 介護; 配食 and an 緊急通報 device, a 高額療養費 to claim.
    h, a = home()
    alone = town.person(("長谷川", "ハセガワ"), h, a, "世帯主", 2, 91, given=("千代", "チヨ"))
    alone.facts.update({"health.insurance": "koki", "kaigo.certified": "true", "seal.registered": "false"})
    _registers(alone, elderly_services=True, high_medical_costs=True)
    rows.append(died(alone, 4))

    # 3. A widow with children: he was 46 and 世帯主; she, a girl of 16 and a boy of 12 remain. A
    # farmer (国保): 農地, 住民税 paid by 口座振替, 児童手当 and こども医療費助成.
    h, a = home()
    family = ("試験", "シケン")
    father = town.person(family, h, a, "世帯主", 1, 46, given=("大輔", "ダイスケ"))
    father.facts.update(
        {"health.insurance": "kokuho", "seal.registered": "true", "child_allowance.recipient": "true"}
    )
    _registers(
        father, resident_tax=True, tax_debit=True, mynumber_card=True, child_benefits=True, farmland=True
    )
    rows += [
        died(father, 12),
        town.person(family, h, a, "妻", 2, 44, given=("陽子", "ヨウコ")),
        town.person(family, h, a, "子", 2, 16, given=("陽菜", "ヒナ")),
        town.person(family, h, a, "子", 1, 12, given=("湊", "ミナト")),
    ]

    # 4. A foreign resident living alone: the reading has ヴ (found as ブ too). A factory worker
    # (給与から住民税) in a 市営住宅.
    h, a = home()
    foreigner = Row(
        town.number(), h, "NGUYEN VAN AN", "グエン ヴァン アン", town.birth(67), 1, "世帯主", a, foreign=True
    )
    foreigner.facts.update({"health.insurance": "kokuho", "seal.registered": "false"})
    _registers(
        foreigner, salary_withholding=True, resident_tax=True, mynumber_card=True, municipal_housing=True
    )
    rows.append(died(foreigner, 6))

    # 5. Born on 29 February 1948 (S23.02.29); her husband remains.
    h, a = home()
    family = ("架空", "カクウ")
    leap = town.person(family, h, a, "妻", 2, 78, given=("節子", "セツコ"), birth=date(1948, 2, 29))
    leap.facts.update({"health.insurance": "koki", "seal.registered": "true"})
    _registers(leap, mynumber_card=True)
    head = town.person(family, h, a, "世帯主", 1, 80, given=("茂", "シゲル"))
    head.facts.update({"health.insurance": "koki", "tax.fixed_asset": "true"})
    rows += [died(leap, 15), head]

    # 6-8. Names with 髙, 﨑 and 𠮷 (𠮷 is outside CP932); each on some of the city's registers.
    for family, given, sex, age, days_ago, registers in (
        (
            ("髙橋", "タカハシ"), ("正雄", "マサオ"), 1, 77, 3,
            {"resident_tax": True, "tax_debit": True, "mynumber_card": True, "dog": True, "cemetery": True},
        ),
        (
            ("山﨑", "ヤマザキ"), ("光子", "ミツコ"), 2, 88, 7,
            {"elderly_services": True, "high_medical_costs": True},
        ),
        (
            ("𠮷田", "ヨシダ"), ("修", "オサム"), 1, 71, 19,
            {"resident_tax": True, "tax_debit": True, "mynumber_card": True, "forest": True},
        ),
    ):  # fmt: skip
        h, a = home()
        person = town.person(family, h, a, "世帯主", sex, age, given=given)
        person.facts.update(
            {"health.insurance": "koki" if age >= 75 else "kokuho", "seal.registered": "true"}
        )
        _registers(person, **registers)
        partner = town.person(family, h, a, "妻" if sex == 1 else "夫", 3 - sex, age - 3)
        rows += [died(person, days_ago), partner]

    # 9. Not the 世帯主: a wife of 69 dies; her husband (世帯主) and his mother remain.
    h, a = home()
    family = ("仮名", "カリナ")
    rows += [
        town.person(family, h, a, "世帯主", 1, 71, given=("博", "ヒロシ")),
        died(town.person(family, h, a, "妻", 2, 69, given=("和子", "カズコ")), 5),
        town.person(family, h, a, "母", 2, 94, given=("京子", "キョウコ")),
    ]
    rows[-2].facts.update(
        {"health.insurance": "kokuho", "seal.registered": "true", "kaigo.certified": "false"}
    )
    _registers(rows[-2], mynumber_card=True)

    # 10. The ages on the day: a son turns 18 and a daughter 15 on the day of the death.
    h, a = home()
    family = ("例", "タメシ")
    days_ago = 11 if ((today - timedelta(days=10)).month, (today - timedelta(days=10)).day) == (2, 29) else 10
    death_day = today - timedelta(days=days_ago)
    mother = town.person(family, h, a, "世帯主", 2, 47, given=("明美", "アケミ"))
    mother.facts.update(
        {"health.insurance": "none", "seal.registered": "true", "child_allowance.recipient": "true"}
    )
    # An employee (給与から住民税); 児童手当 and こども医療費助成 for the children.
    _registers(mother, salary_withholding=True, resident_tax=True, mynumber_card=True, child_benefits=True)
    eighteen = date(death_day.year - 18, death_day.month, death_day.day)
    fifteen = date(death_day.year - 15, death_day.month, death_day.day)
    rows += [
        died(mother, days_ago),
        town.person(family, h, a, "子", 1, 18, given=("蓮", "レン"), birth=eighteen),
        town.person(family, h, a, "子", 2, 15, given=("葵", "アオイ"), birth=fifteen),
        town.person(family, h, a, "子", 2, 14, given=("さくら", "サクラ"), birth=fifteen + timedelta(days=1)),
    ]

    # 11. 生活保護: a man of 63 living alone in a 市営住宅, with a 障害者手帳 and 特別障害者手当
    # (生活保護's 医療扶助 pays his care, so no 重度心身障害者医療費助成).
    h, a = home()
    welfare = town.person(("林", "ハヤシ"), h, a, "世帯主", 1, 63, given=("勇", "イサム"))
    welfare.facts.update(
        {
            "health.insurance": "none",
            "welfare.public_assistance": "true",
            "disability.certificate": "true",
            "seal.registered": "false",
        }
    )
    _registers(welfare, disability_allowance=True, municipal_housing=True)
    rows.append(died(welfare, 2))

    # 12. Three generations: the grandfather of 85 (not 世帯主) dies; a full-width space in his name.
    # He owned the family's 農地 and a grave in the 市営霊園.
    h, a = home()
    family = ("佐々木", "ササキ")
    grandfather = town.person(family, h, a, "父", 1, 85, given=("清", "キヨシ"), wide_space=True)
    grandfather.facts.update(
        {"health.insurance": "koki", "kaigo.certified": "true", "tax.light_vehicle": "true"}
    )
    _registers(
        grandfather, resident_tax=True, tax_debit=True, mynumber_card=True, farmland=True, cemetery=True
    )
    rows += [
        town.person(family, h, a, "世帯主", 1, 55, given=("誠", "マコト")),
        died(grandfather, 21),
        town.person(family, h, a, "妻", 2, 53, given=("恵子", "ケイコ")),
        town.person(family, h, a, "子", 1, 19, given=("悠真", "ユウマ")),
    ]
    return rows


def households(*, seed: int, today: date, count: int, demo: bool) -> Iterator[list[Row]]:
    """`count` ordinary households (some with a death in the last year), then the demo's deaths."""
    town = _Town(seed, today)
    for _ in range(count):
        people = _ordinary(town)
        if town.rng.random() < 0.02:  # a death in the last year, for the search's long tail
            old = min(people, key=lambda p: p.birth)
            old.removed, old.reason = today - timedelta(days=town.rng.randint(30, 365)), "死亡"
            _ordinary_death(seed, old, people, today)
        yield people
    if demo:
        yield _demo_deaths(town)


def generate_extract(
    folder: Path,
    *,
    seed: int = SAMPLE_SEED,
    today: date,
    households_count: int = SAMPLE_HOUSEHOLDS,
    demo: bool = True,
    encoding: str = "utf-8",
) -> dict[str, int]:
    """Write residents.csv and facts.csv (CRLF, like the municipality's Windows systems); the counts."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed + 1)
    counts = {"people": 0, "households": 0, "deceased": 0, "facts": 0}
    seen_households: set[str] = set()
    with (
        (folder / "residents.csv").open("w", encoding=encoding, newline="") as people_file,
        (folder / "facts.csv").open("w", encoding=encoding, newline="") as facts_file,
    ):
        people_csv, facts_csv = (
            csv.writer(people_file, lineterminator="\r\n"),
            csv.writer(facts_file, lineterminator="\r\n"),
        )
        people_csv.writerow(RESIDENT_COLUMNS)
        facts_csv.writerow(FACT_COLUMNS)
        for household in households(seed=seed, today=today, count=households_count, demo=demo):
            for p in household:
                seen_households.add(p.household)
                name = p.name if encoding == "utf-8" else p.name.replace("𠮷", "吉")
                people_csv.writerow(
                    (
                        p.number,
                        p.household,
                        name,
                        p.kana,
                        _date_text(rng, p.birth),
                        p.sex,
                        p.relation,
                        p.address,
                        int(p.foreign),
                        _date_text(rng, p.removed) if p.removed else "",
                        p.reason,
                    )
                )
                counts["people"] += 1
                counts["deceased"] += p.reason == "死亡"
                for fact, value in p.facts.items():
                    facts_csv.writerow((p.number, fact, value))
                    counts["facts"] += 1
    counts["households"] = len(seen_households)
    return counts


def _date_text(rng: random.Random, day: date) -> str:
    """Systems write either form: about half the dates in 和暦."""
    return wareki_code(day) if rng.random() < 0.5 else day.isoformat()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a fictitious resident extract (okuyami-residents/1).")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--today", type=date.fromisoformat, default=date.today())
    parser.add_argument("--households", type=int, default=SAMPLE_HOUSEHOLDS)
    parser.add_argument("--seed", type=int, default=SAMPLE_SEED)
    args = parser.parse_args(argv)
    counts = generate_extract(args.folder, seed=args.seed, today=args.today, households_count=args.households)
    print(", ".join(f"{value} {name}" for name, value in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
