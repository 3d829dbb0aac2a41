"""The commands of the `kbbot` command line, by what they work on: the knowledge base (`content`),
staff accounts (`accounts`) and running an instance (`operations`)."""

from . import accounts, content, operations


def init_app(app):
    for module in (content, accounts, operations):
        for command in module.COMMANDS:
            app.cli.add_command(command)
