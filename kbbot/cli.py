"""The `kbbot` console script: builds the app and runs one of its commands."""

from flask.cli import ScriptInfo

from . import create_app


def main():
    app = create_app()
    app.cli.help = "kbbot: a self-hosted knowledge-base chatbot for customer support."
    app.cli.main(prog_name="kbbot", obj=ScriptInfo(create_app=lambda: app))
