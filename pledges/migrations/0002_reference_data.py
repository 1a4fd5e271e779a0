from django.db import migrations


def load(apps, schema_editor):
    from pledges.reference import load_reference_data

    load_reference_data(apps.get_model("pledges", "Province"), apps.get_model("pledges", "Industry"))


class Migration(migrations.Migration):
    dependencies = [("pledges", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
