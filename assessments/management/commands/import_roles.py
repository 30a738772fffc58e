"""`python manage.py import_roles FILE [--dry-run]`: people's roles on units from a CSV file."""

from assessments.importing import import_roles
from assessments.management.commands.import_units import CsvImportCommand


class Command(CsvImportCommand):
    help = (
        "Give people roles on units from a CSV file with the columns email,unit_code,role "
        "(manager or quality_developer). People missing in Tillit are created with an unusable "
        "password. Nothing is stored if any line is wrong; roles are never removed."
    )
    service = staticmethod(import_roles)
