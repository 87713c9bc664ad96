"""A municipality's resident extract (okuyami-residents/1), kept only until the next import.

One `Extract` per municipality holds the counts and when it came; its `Person` and
`PersonFact` rows are the extract's rows. They are written and erased in bulk by
`okuyami.residents.services`, never one by one, and read through
`okuyami.residents.selectors`, which scope every query to one extract.

On PostgreSQL both tables are partitioned by extract (okuyami.residents.partitions): an
import loads a new partition with COPY and builds its indexes at once, and erasing an
extract drops its partitions, so nothing of it is left in the table files.
"""

from django.db import models

from core.models import municipality_field, verbose_names
from core.personal import Personal, PersonalData
from okuyami.residents.extract import ExtractCounts
from procedures.models import Municipality


def _deleted_with_the_extract(value):
    raise RuntimeError(
        "a resident extract is deleted whole (services.extract_erase), never blanked field by field"
    )


# Every field of a person is personal data. Retention erases an extract by deleting its rows
# (and on PostgreSQL dropping its partitions) when it is replaced, by purge_residents, or after
# OKUYAMI_RECORDS_DAYS; a field is never blanked on its own, so erase_personal_data refuses them.
WITH_THE_EXTRACT = Personal(_deleted_with_the_extract)


class Extract(ExtractCounts, models.Model):
    # Empty while an import loads it; set when it replaces the previous one.
    municipality = municipality_field("resident_extract", one=True, null=True)
    # Read from the admin's upload and shown with its counts, not yet applied (services.extract_apply).
    pending_for = models.OneToOneField(
        Municipality,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="pending_resident_extract",
        verbose_name="確認待ちの市区町村",
    )
    imported_at = models.DateTimeField("取り込み日時")
    imported_by = models.CharField("取り込んだ人", max_length=150, blank=True)
    people = models.PositiveIntegerField("人数")
    households = models.PositiveIntegerField("世帯数")
    deceased = models.PositiveIntegerField("死亡による消除")
    facts = models.PositiveIntegerField("他の台帳の事実")

    # Counts and times only: the extract's personal data is in its Person and PersonFact rows.
    personal_data = PersonalData(staff=("imported_by",))

    class Meta(verbose_names("住民記録")):
        pass

    def __str__(self) -> str:
        return f"住民記録 {self.pk}"


def extract_key() -> models.ForeignKey:
    """The extract a row belongs to, and on PostgreSQL its partition key. No constraint in the
    database: an extract's row goes before its partition is dropped (services._erase_rows); no
    index of its own: every index starts with it."""
    return models.ForeignKey(
        Extract,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
        verbose_name="住民記録",
    )


class Person(models.Model):
    """A person of residents.csv: on the 住民基本台帳, or removed from it (消除)."""

    class Sex(models.IntegerChoices):
        MALE = 1, "男"
        FEMALE = 2, "女"

    class RemovalReason(models.TextChoices):
        DEATH = "死亡", "死亡"
        MOVED_OUT = "転出", "転出"
        STRUCK_OFF = "職権消除", "職権消除"
        OTHER = "その他", "その他"

    pk = models.CompositePrimaryKey("extract_id", "atena_number")
    extract = extract_key()
    atena_number = models.CharField("宛名番号", max_length=15)
    household = models.CharField("世帯番号", max_length=15)
    name = models.CharField("氏名", max_length=100)
    kana = models.CharField("氏名カナ", max_length=100)
    # okuyami.residents.kana.kana_keys: the search finds a prefix in either name order.
    kana_key = models.CharField("検索用カナ（氏名順）", max_length=100)
    kana_key_reversed = models.CharField("検索用カナ（名氏順）", max_length=100)
    birth_date = models.DateField("生年月日")
    sex = models.PositiveSmallIntegerField("性別", choices=Sex.choices)
    relation = models.CharField("続柄", max_length=50)
    address = models.CharField("住所", max_length=200)
    foreign = models.BooleanField("外国人住民")
    removal_date = models.DateField("消除日", null=True, blank=True)
    removal_reason = models.CharField("消除事由", max_length=4, choices=RemovalReason.choices, blank=True)
    # The 消除日 of a removal by death, for the search by 死亡日.
    death_date = models.DateField("死亡日", null=True, blank=True)

    # The search keys are derived from the reading, so they are personal too.
    personal_data = PersonalData(
        fields=dict.fromkeys(
            (
                "atena_number",
                "household",
                "name",
                "kana",
                "kana_key",
                "kana_key_reversed",
                "birth_date",
                "sex",
                "relation",
                "address",
                "foreign",
                "removal_date",
                "removal_reason",
                "death_date",
            ),
            WITH_THE_EXTRACT,
        )
    )

    class Meta(verbose_names("住民")):
        # A search has two criteria, so one of them is always a date or the 宛名番号: those are
        # indexed, with the kana key beside the birth date. Every index is written on import,
        # so there are no more than the search and the case document need.
        indexes = [
            models.Index(fields=["extract", "household"], name="person_household"),
            models.Index(fields=["extract", "birth_date", "kana_key"], name="person_birth_date_kana"),
            # Only the deceased have a death_date: a small index.
            models.Index(
                fields=["extract", "death_date"],
                name="person_death_date",
                condition=models.Q(death_date__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"宛名番号 {self.atena_number}"

    @property
    def deceased(self) -> bool:
        return self.removal_reason == self.RemovalReason.DEATH


class PersonFact(models.Model):
    """A fact of facts.csv: a person's entry in another register (国保, 印鑑, 税 …)."""

    # One row per person and fact (the contract's rule); the key is also the lookup's index.
    pk = models.CompositePrimaryKey("extract_id", "atena_number", "fact")
    extract = extract_key()
    atena_number = models.CharField("宛名番号", max_length=15)
    fact = models.CharField("事実", max_length=70)
    value = models.CharField("値", max_length=200)

    # Whose fact it is and what another register holds about them.
    personal_data = PersonalData(fields=dict.fromkeys(("atena_number", "fact", "value"), WITH_THE_EXTRACT))

    class Meta(verbose_names("他の台帳の事実")):
        pass

    def __str__(self) -> str:
        return f"宛名番号 {self.atena_number} {self.fact}"
