"""The click classes of every kbbot command, so that core errors are turned into CLI errors in one place:
a `KbbotError` a command raises is printed as `Error: <message>` with exit code 1, like click's own
errors, instead of a traceback."""

import click

from ..errors import KbbotError


class Command(click.Command):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except KbbotError as e:
            raise click.ClickException(str(e)) from e


class Group(click.Group):
    """A group of commands whose subcommands are `Command`s."""

    command_class = Command
