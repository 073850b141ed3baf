"""The `treffpunkt` command: serve, worker, createadmin, demo, check, spam, manage.

Problems a host can fix (a bad DATABASE_URL, an unwritable data folder, a port in use, a
database that does not answer) end the command with one plain sentence and a non-zero exit
code, never a traceback.
"""

import argparse
import contextlib
import gc
import getpass
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn


class Problem(Exception):
    """A problem the host can fix; its message says how."""


def fail(message: str, code: int = 1) -> NoReturn:
    print(f"treffpunkt: {message}", file=sys.stderr)
    sys.exit(code)


def load_settings() -> Any:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "treffpunkt.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.DATA_DIR  # noqa: B018 - importing the settings validates the environment
    except ImproperlyConfigured as error:
        raise Problem(str(error)) from None
    return settings


def prepare_data_dir(settings: Any) -> None:
    """Create the data folder and the persistent secret key on first start."""
    data_dir = settings.DATA_DIR
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        (data_dir / "media").mkdir(exist_ok=True)
        # A probe of its own (not a fixed name), so processes starting together never
        # remove each other's.
        with tempfile.TemporaryFile(dir=data_dir) as probe:
            probe.write(b"ok")
        if not settings.SECRET_KEY_FROM_ENVIRONMENT and not settings.SECRET_KEY_FILE.exists():
            # Persist the key these settings were loaded with, so every later process agrees.
            fd = os.open(settings.SECRET_KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as key_file:
                key_file.write(settings.SECRET_KEY)
    except FileExistsError:
        pass
    except OSError as error:
        raise Problem(
            f"The data folder {data_dir} cannot be created or written ({error.strerror}). "
            "Fix its permissions or choose another folder with TREFFPUNKT_DATA_DIR."
        ) from None


def setup_django() -> Any:
    import django

    settings = load_settings()
    prepare_data_dir(settings)
    django.setup()
    return settings


def check_database() -> None:
    from django.db import connection
    from django.db.utils import Error as DatabaseError

    try:
        connection.ensure_connection()
    except DatabaseError as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise Problem(
            "The database does not answer"
            + (f" ({first_line})" if first_line else "")
            + ". Check DATABASE_URL and that the database server is running."
        ) from None


def migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    check_database()
    call_command("migrate", interactive=False, verbosity=verbosity)


def check_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise Problem(
                f"Cannot listen on {host}:{port} ({error.strerror}). Another program may be "
                f"using port {port}: stop it or start with --port {port + 1}."
            ) from None


def cmd_serve(args: argparse.Namespace) -> None:
    if not 0 < args.port < 65536:
        raise Problem("The port must be a number between 1 and 65535.")
    if args.workers < 1:
        raise Problem("--workers must be 1 or more.")
    shown_host = f"[{args.host}]" if ":" in args.host else args.host
    # Without a public address configured, links point at the address we serve on.
    os.environ.setdefault("TREFFPUNKT_BASE_URL", f"http://{shown_host}:{args.port}")
    settings = setup_django()
    if args.workers > 1 and not settings.REDIS_URL:
        # Without Redis each process would have its own live updates, cache and rate limits:
        # a post sent to one process would never reach the walls connected to another.
        raise Problem(
            f"--workers {args.workers} needs Redis, so that all server processes share live "
            "updates and the cache: set REDIS_URL (e.g. redis://127.0.0.1:6379/0) or leave "
            "out --workers."
        )
    from django.core.management import call_command

    from treffpunkt.accounts.actions import first_admin_url
    from treffpunkt.accounts.queries import admin_exists

    migrate()
    call_command("collectstatic", interactive=False, verbosity=0)
    check_port_free(args.host, args.port)

    print(f"Treffpunkt is running at http://{shown_host}:{args.port}/")
    if f"http://{shown_host}:{args.port}" != settings.BASE_URL:
        print(f"Public address (TREFFPUNKT_BASE_URL): {settings.BASE_URL}/")
    print(f"Data folder: {settings.DATA_DIR}")
    if not admin_exists():
        print("No admin exists yet. Open this one-time link to create the first admin:")
        print(f"  {first_admin_url()}")
    print("Stop with Ctrl+C.", flush=True)

    worker = None
    if not args.no_worker:
        # In a process group of its own, so that Ctrl+C in the terminal reaches only this
        # process, which then stops the worker with exactly one signal (a second one would
        # make it abandon a running task).
        command = [sys.executable, "-m", "treffpunkt", "worker", "--quiet"]
        worker = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [*command, "--parent", str(os.getpid())],
            stdin=subprocess.DEVNULL,
            process_group=0,
        )

    worker_told = threading.Event()

    def stop_worker() -> None:
        # From the signal handler, so that the worker stops while the server does; once.
        if worker is not None and not worker_told.is_set():
            worker_told.set()
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker.pid, signal.SIGTERM)

    # uvicorn re-raises the signal that stopped it once it has shut down; turning SIGTERM
    # into SystemExit lets the worker be waited for below instead of being left behind.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        import uvicorn

        from treffpunkt import server

        config = uvicorn.Config(
            "treffpunkt.asgi:application",
            host=args.host,
            port=args.port,
            workers=args.workers,
            lifespan="off",
            # X-Forwarded-For and -Proto only from the reverse proxy, and only when there is
            # one: otherwise any client could choose the address the rate limits count.
            proxy_headers=settings.BEHIND_PROXY,
            forwarded_allow_ips=settings.PROXY_ADDRESSES,
            # Live streams are ended as soon as the server is told to stop (server.Server);
            # what else is still running (a slow upload) gets this long to finish.
            timeout_graceful_shutdown=3,
            log_level="warning" if args.quiet else "info",
        )
        server.serve(config, on_stop=stop_worker)
    finally:
        if worker is not None:
            stop_worker()  # if the server ended without a signal
            try:
                worker.wait(timeout=10)  # it finishes the task it is running, if any
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        _skip_final_garbage_collection()


def _skip_final_garbage_collection() -> None:
    """Exit without walking the whole heap once more: the collections at interpreter exit
    took about half a second of a stopping server's time (everything it needs to close is
    closed by then; files and sockets go with the process)."""
    gc.freeze()


def _exit_on_signal(signum: int, frame: Any) -> None:
    sys.exit(0)


def _stop_when_parent_goes(parent: int) -> None:
    """The worker that `serve` started ends when `serve` is gone, even after a `kill -9`
    (which leaves no chance to stop it): it looks once a second whether its parent changed
    and then stops as on SIGTERM (the task it runs is finished or run again later)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="treffpunkt-parent-watch", daemon=True).start()


def cmd_worker(args: argparse.Namespace) -> None:
    setup_django()
    from django.core.management import call_command

    from treffpunkt.core import recovery, schedule

    check_database()
    # The worker names itself and says it is alive, so tasks it was running when it died
    # are queued again by the next worker that looks (core.recovery).
    worker_id = recovery.new_worker_id()
    if args.parent:
        _stop_when_parent_goes(args.parent)
    schedule.every(recovery.HEARTBEAT_SECONDS, "heartbeat", lambda: recovery.beat(worker_id))
    stop = threading.Event()
    threading.Thread(
        target=schedule.run_forever, args=(stop,), name="treffpunkt-schedule", daemon=True
    ).start()
    try:
        call_command(
            "db_worker",
            interval=args.interval,
            batch=args.batch,
            reload=False,
            worker_id=worker_id,
            verbosity=0 if args.quiet else 1,
        )
    finally:
        stop.set()
        recovery.forget_worker(worker_id)
        _skip_final_garbage_collection()


def cmd_createadmin(args: argparse.Namespace) -> None:
    setup_django()
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    from treffpunkt.accounts.actions import create_admin
    from treffpunkt.accounts.models import User

    migrate()
    email = (args.email or _ask("Email address: ")).strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise Problem(f"{email!r} is not an email address.") from None
    if User.objects.filter(email__iexact=email).exists():
        raise Problem(f"A member with the address {email} exists already.")
    name = (args.name or _ask("Display name: ")).strip()
    if not name:
        raise Problem("The display name must not be empty.")
    password = args.password or _ask_password()
    from django.contrib.auth import password_validation

    try:
        password_validation.validate_password(password, User(email=email, display_name=name))
    except ValidationError as error:
        raise Problem(" ".join(error.messages)) from None
    create_admin(email, name, password)
    print(f"Admin {email} created. Log in at {_login_url()}")


def _login_url() -> str:
    from django.urls import reverse

    from treffpunkt.core.links import absolute_url

    return absolute_url(reverse("accounts:login"))


def _ask(prompt: str) -> str:
    if not sys.stdin.isatty():
        raise Problem("Give --email, --name and --password when not running in a terminal.")
    return input(prompt)


def _ask_password() -> str:
    if not sys.stdin.isatty():
        raise Problem("Give --password when not running in a terminal.")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password again: "):
        raise Problem("The two passwords are not the same.")
    return first


def cmd_demo(args: argparse.Namespace) -> None:
    setup_django()
    from treffpunkt.core.demo import load_demo

    migrate()
    for line in load_demo():
        print(line)


def cmd_check(args: argparse.Namespace) -> None:
    settings = setup_django()
    from treffpunkt.core.checks import configuration_problems

    problems = configuration_problems(settings)
    for level, message in problems:
        print(f"{level}: {message}")
    if any(level == "error" for level, _message in problems):
        sys.exit(1)
    if not problems:
        print("Everything looks fine.")


def _progress_bar(label: str) -> Any:
    """A one-line progress bar in a terminal; nothing when the output goes to a file."""
    shown = {"step": ""}

    def report(step: str, done: int, total: int) -> None:
        if not sys.stderr.isatty():
            return
        width = 30
        filled = width * done // max(total, 1)
        bar = "#" * filled + "-" * (width - filled)
        print(f"\r{label} {step:<9} [{bar}] {done}/{total}", end="", file=sys.stderr, flush=True)
        if done >= total and shown["step"] != step:
            print(file=sys.stderr)
        if done >= total:
            shown["step"] = step

    return report


def cmd_spam_train(args: argparse.Namespace) -> None:

    settings = setup_django()
    from treffpunkt.moderation.actions import train_site_model

    check_database()
    started = time.perf_counter()
    try:
        model = train_site_model(progress=_progress_bar("Spam model"))
    except OSError as error:
        raise Problem(
            f"The spam model cannot be saved to {settings.SPAM_MODEL_PATH} ({error.strerror})."
        ) from None
    print(
        f"Trained the spam model on {model.info['examples']} messages "
        f"({model.info.get('decisions', 0)} of them moderator decisions) in "
        f"{time.perf_counter() - started:.1f} s. Saved to {settings.SPAM_MODEL_PATH}."
    )


def cmd_spam_evaluate(args: argparse.Namespace) -> None:
    from pathlib import Path

    settings = load_settings()
    import django

    django.setup()
    from treffpunkt.moderation.corpus import LabeledFileError, read_labeled_file
    from treffpunkt.moderation.evaluation import evaluate
    from treffpunkt.moderation.models import FilterSettings
    from treffpunkt.moderation.scoring import Rules
    from treffpunkt.moderation.textmodel import ModelFileError, TextModel, default_model

    try:
        examples = read_labeled_file(Path(args.input))
    except LabeledFileError as error:
        raise Problem(str(error)) from None
    model: TextModel | None
    # Read the site's model but never write it: evaluation leaves the site as it was.
    if not settings.SPAM_MODEL_PATH.exists():
        print("No spam model yet: evaluating the default model built from the shipped corpus.")
        model = default_model()
    else:
        try:
            model = TextModel.load(settings.SPAM_MODEL_PATH)
        except ModelFileError as error:
            print(f"Warning: {error} Evaluating the rules alone.", file=sys.stderr)
            model = None
    # The default lists: the site's own word list and blocklist live in its database.
    rules = Rules(
        links_to_hold=settings.MODERATION_LINKS_TO_HOLD,
        blocked_domains=tuple(FilterSettings().domain_list()),
    )
    bar = _progress_bar("Evaluating")
    result = evaluate(
        examples, model, learn=args.learn, rules=rules, progress=lambda d, t: bar("", d, t)
    )
    mode = " with --learn (a simulated moderator decides held and spam items)" if args.learn else ""
    print(f"{len(examples)} messages from {args.input}{mode}:")
    for line in result.whole.lines():
        print(f"  {line}")
    if args.learn:
        print("Last half of the file:")
        for line in result.last_half.lines():
            print(f"  {line}")


def cmd_federation(args: argparse.Namespace) -> None:
    setup_django()
    from django.core.exceptions import ValidationError

    from treffpunkt.federation import actions, status

    check_database()
    action = args.federation_command
    try:
        if action == "status":
            print("\n".join(status.status_lines()))
        elif action == "block":
            server = actions.block_domain(args.domain, reason=args.reason or "")
            print(f"Blocked {server.host}: nothing is taken from or sent there any more.")
        elif action == "unblock":
            actions.unblock_domain(args.domain)
            print(f"Unblocked {args.domain}.")
        elif action == "import-blocks":
            try:
                text = Path(args.file).read_text(encoding="utf-8-sig")
            except OSError as error:
                raise Problem(f"Cannot read {args.file}: {error.strerror}.") from None
            blocked = actions.import_blocks(text)
            print(f"Blocked {len(blocked)} servers from {args.file}.")
        elif action == "rotate-keys":
            from treffpunkt.blog.models import Blog
            from treffpunkt.federation.actors import actor_for_blog, instance_actor, rotate_keys

            if args.blog:
                blog = Blog.objects.filter(slug=args.blog).first()
                if blog is None:
                    raise Problem(f"There is no blog with the address {args.blog!r}.")
                actor = actor_for_blog(blog)
            else:
                actor = instance_actor()
            rotate_keys(actor)
            actions.send_actor_update(actor)
            print(f"New keys for {actor.username}; its followers' servers are told.")
    except ValidationError as error:
        raise Problem(" ".join(error.messages)) from None


def cmd_manage(args: argparse.Namespace) -> None:
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["treffpunkt manage", *args.rest])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="treffpunkt",
        description="Treffpunkt: event hashtag walls and blogs for your organization.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="set up on first run, then serve the site")
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    serve.add_argument("--workers", type=int, default=1, help="server processes (default 1)")
    serve.add_argument("--no-worker", action="store_true", help="do not run background tasks here")
    serve.add_argument("--quiet", action="store_true", help="log only warnings and errors")
    serve.set_defaults(func=cmd_serve)

    worker = commands.add_parser("worker", help="run background tasks")
    worker.add_argument("--interval", type=float, default=1.0, help="seconds between polls")
    worker.add_argument("--batch", action="store_true", help="run what is queued, then exit")
    worker.add_argument("--quiet", action="store_true", help=argparse.SUPPRESS)
    # The process id of the `serve` that started this worker: it stops when that one is gone.
    worker.add_argument("--parent", type=int, default=0, help=argparse.SUPPRESS)
    worker.set_defaults(func=cmd_worker)

    createadmin = commands.add_parser("createadmin", help="create an admin account")
    createadmin.add_argument("--email")
    createadmin.add_argument("--name")
    createadmin.add_argument("--password")
    createadmin.set_defaults(func=cmd_createadmin)

    demo = commands.add_parser("demo", help="load German demo content (safe to run again)")
    demo.set_defaults(func=cmd_demo)

    check = commands.add_parser("check", help="look for configuration problems")
    check.set_defaults(func=cmd_check)

    spam = commands.add_parser("spam", help="train or evaluate the spam filter")
    spam_commands = spam.add_subparsers(dest="spam_command", required=True, metavar="ACTION")
    spam_train = spam_commands.add_parser(
        "train", help="rebuild the model from the shipped corpus and all moderator decisions"
    )
    spam_train.set_defaults(func=cmd_spam_train)
    spam_evaluate = spam_commands.add_parser(
        "evaluate",
        help="measure the filter on labeled messages (changes nothing on the site)",
        description="Reads lines of 'spam<TAB>text' or 'ham<TAB>text', or a .csv file with a "
        "text and a label column, and prints how the current model judges them.",
    )
    spam_evaluate.add_argument("--input", required=True, metavar="FILE", help="labeled messages")
    spam_evaluate.add_argument(
        "--learn",
        action="store_true",
        help="learn from a simulated moderator after each held or spam item, as a live site",
    )
    spam_evaluate.set_defaults(func=cmd_spam_evaluate)

    federation = commands.add_parser("federation", help="the fediverse: status, blocks, keys")
    federation_commands = federation.add_subparsers(
        dest="federation_command", required=True, metavar="ACTION"
    )
    federation_commands.add_parser(
        "status", help="followers and servers per blog, deliveries queued and failed"
    ).set_defaults(func=cmd_federation)
    block = federation_commands.add_parser("block", help="block a server (and its subdomains)")
    block.add_argument("domain", help="for example spam.example")
    block.add_argument("--reason", help="a note for the other moderators")
    block.set_defaults(func=cmd_federation)
    unblock = federation_commands.add_parser("unblock", help="lift a server's block")
    unblock.add_argument("domain")
    unblock.set_defaults(func=cmd_federation)
    import_blocks = federation_commands.add_parser(
        "import-blocks", help="block every server of a Mastodon domain-block CSV export"
    )
    import_blocks.add_argument("file", metavar="FILE")
    import_blocks.set_defaults(func=cmd_federation)
    rotate = federation_commands.add_parser(
        "rotate-keys", help="give a blog's actor (or the instance's) new keys"
    )
    rotate.add_argument("--blog", help="the blog's address; without it the instance actor")
    rotate.set_defaults(func=cmd_federation)

    manage = commands.add_parser("manage", help="run a Django management command", add_help=False)
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except Problem as problem:
        fail(str(problem))
    except KeyboardInterrupt:
        sys.exit(130)
