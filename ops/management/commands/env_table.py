from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ops.envvars import BEGIN, DESCRIPTIONS, END, markdown_table, settings_variables

DEPLOY_DOC = Path(__file__).resolve().parents[3] / "docs" / "deploy.md"


class Command(BaseCommand):
    help = "Prints (or writes into docs/deploy.md) the table of environment variables."

    def add_arguments(self, parser):
        parser.add_argument("--write", action="store_true")

    def handle(self, *args, write=False, **options):
        undocumented = sorted(set(settings_variables()) - set(DESCRIPTIONS))
        if undocumented:
            raise CommandError(f"Sans description dans ops/envvars.py : {', '.join(undocumented)}")
        table = markdown_table()
        if not write:
            self.stdout.write(table)
            return
        text = DEPLOY_DOC.read_text()
        start, end = text.index(BEGIN), text.index(END) + len(END)
        DEPLOY_DOC.write_text(text[:start] + table + text[end:])
