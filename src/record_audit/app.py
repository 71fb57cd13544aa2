"""Serve the apps: the QA summary dashboard and the review queue, with Voilà on 127.0.0.1 behind a token.

``python -m record_audit.app [--app dashboard|review] [--port N] [--db out/audit.sqlite]``
(``make app``, ``make review``; ``record-audit review serve`` calls ``serve``) runs the app's
notebook (``notebooks/app_dashboard.ipynb`` or ``notebooks/app_review.ipynb``) with Voilà,
which shows the widgets and hides the code, from whichever folder it is started. ``--db``
sets ``RECORD_AUDIT_DB``, which the notebook reads to choose the audit store; the model it
audits the samples with when that store is missing is the one ``record-audit audit`` would
use here (``choose_model``), passed on in ``RECORD_AUDIT_MODEL``.

The apps show case data, so they listen on 127.0.0.1 only and, as JupyterLab does, ask for a
random token: the printed URL carries it (``?token=...``, after which a cookie keeps the
browser in); a request without it is sent to a login page and gets no page, no widget and
no kernel. The token is made here and handed to Voilà in this process, never on a command
line another user could read.

Voilà's page template links icon stylesheets from a public CDN. Case data tools must not
call out, so every page is sent with a Content-Security-Policy that lets the browser load
only from this server (``blob:`` scripts are the widgets' own code, which anywidget loads
from the page itself).
"""
from __future__ import annotations

import argparse
import os
import secrets
from pathlib import Path

from .errors import InputError
from .model.registry import choose_model
from .resources import app_notebook, review_notebook

DB_ENV = "RECORD_AUDIT_DB"
MODEL_ENV = "RECORD_AUDIT_MODEL"
REVIEWER_ENV = "RECORD_AUDIT_REVIEWER"
APPS = {"dashboard": app_notebook, "review": review_notebook}
PORTS = {"dashboard": 8866, "review": 8867}
CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'self'; "
       "form-action 'self'")


def voila_argv(notebook: str | Path, port: int) -> list[str]:
    """Voilà's command line for the app: this machine only, no browser opened."""
    return [str(notebook), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1"]


def new_token() -> str:
    """A random token for one run of an app (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def _voila_with_token():
    """Voilà's application, printing its URL with the token (Voilà shows '...' for a token it did not make)."""
    from voila.app import Voila

    class TokenVoila(Voila):  # logs as "TokenVoila"
        @property
        def display_url(self):
            return f"{self.connection_url}?token={self.identity_provider.token}"

    return TokenVoila


def serve(app: str = "dashboard", *, db: str | Path | None = None, port: int | None = None,
          reviewer: str | None = None, notebook: str | Path | None = None, token: str | None = None) -> None:
    """Serve ``app`` until interrupted (Ctrl-C); Voilà prints the URL with its token when it listens.

    Raises ``InputError`` when the model to audit with cannot be chosen.
    """
    if db:
        os.environ[DB_ENV] = str(Path(db).resolve())  # the kernel runs in the notebook's folder
    if reviewer:
        os.environ[REVIEWER_ENV] = reviewer
    model = choose_model()
    if model is not None:
        os.environ[MODEL_ENV] = str(model.resolve())
    notebook = Path(notebook or APPS[app]()).resolve()
    _voila_with_token().launch_instance(
        argv=voila_argv(notebook, port or PORTS[app]), token=token or new_token(),
        tornado_settings={"headers": {"Content-Security-Policy": CSP}})


def main(argv: list[str] | None = None) -> None:
    """Serve an app until interrupted (Ctrl-C)."""
    parser = argparse.ArgumentParser(prog="python -m record_audit.app", description=__doc__.splitlines()[0])
    parser.add_argument("--app", choices=sorted(APPS), default="dashboard", help="which app (default dashboard)")
    parser.add_argument("--port", type=int, default=None,
                        help="port on 127.0.0.1 (default 8866 for the dashboard, 8867 for the review app)")
    parser.add_argument("--db", help=f"audit store to show (sets {DB_ENV}; default out/audit.sqlite)")
    parser.add_argument("--reviewer", help="the review app's reviewer name, filled in (default: typed in the app)")
    parser.add_argument("--notebook", default=None, help="the app's notebook (default: the shipped one)")
    args = parser.parse_args(argv)
    try:
        serve(args.app, db=args.db, port=args.port, reviewer=args.reviewer, notebook=args.notebook)
    except InputError as err:
        parser.exit(2, f"{parser.prog}: error: {err}\n")


if __name__ == "__main__":
    main()
