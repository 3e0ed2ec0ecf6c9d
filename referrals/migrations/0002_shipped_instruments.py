from django.db import migrations


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    from referrals.instruments import PARAPHRASE_NOTE, SHIPPED, as_questions

    RiskInstrument = apps.get_model("referrals", "RiskInstrument")
    for code, title, texts in SHIPPED:
        RiskInstrument.objects.get_or_create(
            code=code,
            version=1,
            defaults={"title": title, "wording_note": PARAPHRASE_NOTE, "questions": as_questions(texts)},
        )


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
