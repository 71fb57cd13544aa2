"""Serve the QA summary dashboard as an app: Voilà on 127.0.0.1, nothing loaded from elsewhere.

``python -m record_audit.app [--port 8866] [--db out/audit.sqlite]`` (``make app``)
runs ``notebooks/app_dashboard.ipynb`` with Voilà, which shows the widgets and hides the
code, from whichever folder it is started. ``--db`` sets ``RECORD_AUDIT_DB``, which the
notebook reads to choose the audit store; the model it audits the samples with when that
store is missing is the one ``record-audit audit`` would use here (``choose_model``), passed
on in ``RECORD_AUDIT_MODEL``.

Voilà's page template links icon stylesheets from a public CDN. Case data tools must not
call out, so every page is sent with a Content-Security-Policy that lets the browser load
only from this server (the dashboard uses no icons).
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

from .errors import InputError
from .model.registry import choose_model
from .resources import app_notebook

DB_ENV = "RECORD_AUDIT_DB"
MODEL_ENV = "RECORD_AUDIT_MODEL"
CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'self'; "
       "form-action 'self'")


def voila_argv(notebook: str | Path, port: int) -> list[str]:
    """Voilà's command line for the app: this machine only, no browser opened."""
    return [str(notebook), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1"]


def main(argv: list[str] | None = None) -> None:
    """Serve the dashboard until interrupted (Ctrl-C)."""
    parser = argparse.ArgumentParser(prog="python -m record_audit.app", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8866, help="port on 127.0.0.1 (default 8866)")
    parser.add_argument("--db", help=f"audit store to show (sets {DB_ENV}; default out/audit.sqlite)")
    parser.add_argument("--notebook", default=str(app_notebook()), help="the app notebook (default %(default)s)")
    args = parser.parse_args(argv)
    if args.db:
        os.environ[DB_ENV] = str(Path(args.db).resolve())  # the kernel runs in the notebook's folder
    try:
        model = choose_model()
    except InputError as err:
        parser.exit(2, f"{parser.prog}: error: {err}\n")
    if model is not None:
        os.environ[MODEL_ENV] = str(model.resolve())
    from voila.app import Voila
    Voila.launch_instance(argv=voila_argv(Path(args.notebook).resolve(), args.port),
                          tornado_settings={"headers": {"Content-Security-Policy": CSP}})


if __name__ == "__main__":
    main()
