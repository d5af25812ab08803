"""Structured address, phone, time zone, and opening hours as rows (data moves in 0004)."""

import django.core.validators
import django.db.models.deletion
import pages.models
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('pages', '0002_seed_locations'),
    ]

    operations = [
        migrations.AddField(
            model_name='location',
            name='city',
            field=models.CharField(blank=True, max_length=80, verbose_name='city'),
        ),
        migrations.AddField(
            model_name='location',
            name='latitude',
            field=models.FloatField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='location',
            name='longitude',
            field=models.FloatField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='location',
            name='postal_code',
            field=models.CharField(blank=True, help_text='5 digits, or ZIP+4 like 68005-1234.', max_length=10, validators=[django.core.validators.RegexValidator('^\\d{5}(-\\d{4})?\\Z', 'Enter a ZIP code of 5 digits, or ZIP+4 like 68005-1234.', code='postal_code')], verbose_name='ZIP code'),
        ),
        migrations.AddField(
            model_name='location',
            name='staff_notes',
            field=models.TextField(blank=True, help_text='Never shown to patients. Holds the old free-text address and hours.', verbose_name='staff notes'),
        ),
        migrations.AddField(
            model_name='location',
            name='state',
            field=models.CharField(blank=True, choices=[('AL', 'Alabama'), ('AK', 'Alaska'), ('AS', 'American Samoa'), ('AZ', 'Arizona'), ('AR', 'Arkansas'), ('CA', 'California'), ('CO', 'Colorado'), ('CT', 'Connecticut'), ('DE', 'Delaware'), ('DC', 'District of Columbia'), ('FL', 'Florida'), ('GA', 'Georgia'), ('GU', 'Guam'), ('HI', 'Hawaii'), ('ID', 'Idaho'), ('IL', 'Illinois'), ('IN', 'Indiana'), ('IA', 'Iowa'), ('KS', 'Kansas'), ('KY', 'Kentucky'), ('LA', 'Louisiana'), ('ME', 'Maine'), ('MD', 'Maryland'), ('MA', 'Massachusetts'), ('MI', 'Michigan'), ('MN', 'Minnesota'), ('MS', 'Mississippi'), ('MO', 'Missouri'), ('MT', 'Montana'), ('NE', 'Nebraska'), ('NV', 'Nevada'), ('NH', 'New Hampshire'), ('NJ', 'New Jersey'), ('NM', 'New Mexico'), ('NY', 'New York'), ('NC', 'North Carolina'), ('ND', 'North Dakota'), ('MP', 'Northern Mariana Islands'), ('OH', 'Ohio'), ('OK', 'Oklahoma'), ('OR', 'Oregon'), ('PA', 'Pennsylvania'), ('PR', 'Puerto Rico'), ('RI', 'Rhode Island'), ('SC', 'South Carolina'), ('SD', 'South Dakota'), ('TN', 'Tennessee'), ('TX', 'Texas'), ('VI', 'U.S. Virgin Islands'), ('UT', 'Utah'), ('VT', 'Vermont'), ('VA', 'Virginia'), ('WA', 'Washington'), ('WV', 'West Virginia'), ('WI', 'Wisconsin'), ('WY', 'Wyoming')], max_length=2, verbose_name='state'),
        ),
        migrations.AddField(
            model_name='location',
            name='street_address',
            field=models.TextField(blank=True, help_text='One or two lines, e.g. “1000 Main Street” and “Suite 200”.', max_length=200, validators=[pages.models.validate_street_address], verbose_name='street address'),
        ),
        migrations.AddField(
            model_name='location',
            name='time_zone',
            field=models.CharField(default=pages.models.default_time_zone, help_text="The clinic's opening hours are in this time zone.", max_length=64, validators=[pages.models.validate_time_zone], verbose_name='time zone'),
        ),
        migrations.CreateModel(
            name='OpeningHours',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('weekday', models.PositiveSmallIntegerField(choices=[(0, 'Monday'), (1, 'Tuesday'), (2, 'Wednesday'), (3, 'Thursday'), (4, 'Friday'), (5, 'Saturday'), (6, 'Sunday')], verbose_name='day')),
                ('opens', models.TimeField(verbose_name='opens')),
                ('closes', models.TimeField(help_text='Earlier than the opening time: open past midnight. 0:00: until midnight.', verbose_name='closes')),
                ('location', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='opening_hours', to='pages.location')),
            ],
            options={
                'verbose_name': 'opening hours',
                'verbose_name_plural': 'opening hours',
                'ordering': ['location', 'weekday', 'opens'],
            },
        ),
        migrations.CreateModel(
            name='ClosureDate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('date', models.DateField(verbose_name='date')),
                ('reason', models.CharField(blank=True, help_text='Shown to patients, e.g. “Holiday”.', max_length=80, verbose_name='reason')),
                ('location', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='closures', to='pages.location')),
            ],
            options={
                'verbose_name': 'closure date',
                'verbose_name_plural': 'closure dates',
                'ordering': ['location', 'date'],
                'constraints': [models.UniqueConstraint(fields=('location', 'date'), name='closure_once_per_day')],
            },
        ),
    ]
