from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("endorsements", "0005_application_number"),
    ]

    operations = [
        migrations.AlterField(
            model_name="endorsement",
            name="application_number",
            field=models.CharField(
                max_length=14, unique=True, verbose_name="application number"
            ),
        ),
    ]
