import os
import subprocess
import sys

import pytest

from treffpunkt import cli
from treffpunkt.moderation.corpus import Example
from treffpunkt.moderation.evaluation import evaluate
from treffpunkt.moderation.models import CheckedItem, Decision
from treffpunkt.moderation.textmodel import TextModel

FIXTURE = (
    "ham\tVielen Dank für den spannenden Vortrag!\n"
    "spam\tOnline Casino Bonus, 200 Freispiele gratis http://casino.example http://a.example "
    "http://b.example\n"
    "ham\tWo findet der zweite Workshop statt?\n"
    "spam\tCheck out my channel and subscribe please!!! http://x.example\n"
    "\n"
    "HAM\tGrüße aus Leipzig, wir schauen per Stream zu.\n"
    "spam\tVerdiene 5000 Euro pro Woche von zu Hause, jetzt klicken www.reich.example\n"
)


@pytest.fixture
def fixture_file(tmp_path):
    path = tmp_path / "labeled.tsv"
    path.write_text(FIXTURE, encoding="utf-8")
    return path


def test_evaluate_prints_the_shares_for_spam_and_ham(tmp_path, fixture_file):
    data_dir = tmp_path / "site"
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["TREFFPUNKT_DATA_DIR"] = str(data_dir)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "treffpunkt",
            "spam",
            "evaluate",
            "--input",
            str(fixture_file),
            "--learn",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "6 messages" in lines[1]
    assert any(
        line.strip().startswith("spam (    3 messages): published   0.0 %") for line in lines
    )
    assert any(
        line.strip().startswith("ham  (    3 messages): published 100.0 %") for line in lines
    )
    assert "Last half of the file:" in lines
    assert sum("time per item: median" in line for line in lines) == 2
    assert not data_dir.exists()  # the site's folder, database and model stay as they were


@pytest.mark.django_db
def test_evaluate_leaves_the_sites_database_and_model_unchanged(
    fixture_file, settings, capsys, guest, check
):
    check("Hallo", guest, object_id=1)
    model_bytes = settings.SPAM_MODEL_PATH.read_bytes()
    model_mtime = settings.SPAM_MODEL_PATH.stat().st_mtime_ns

    cli.main(["spam", "evaluate", "--input", str(fixture_file), "--learn"])

    assert "published" in capsys.readouterr().out
    assert settings.SPAM_MODEL_PATH.read_bytes() == model_bytes
    assert settings.SPAM_MODEL_PATH.stat().st_mtime_ns == model_mtime
    assert CheckedItem.objects.count() == 1
    assert not Decision.objects.exists()


def test_learning_in_evaluation_improves_on_a_repeated_pattern(settings):
    model = TextModel.load(settings.SPAM_MODEL_PATH)
    # Advertising the filter holds for a moderator every time; with the moderator's spam
    # decisions it learns to put the later ones straight into spam.
    pattern = (
        "Brötchen-Lieferdienst Hansen: jetzt bestellen und 20 % Rabatt sichern, "
        "Angebot Nummer {n}, nur heute"
    )
    examples = [Example(pattern.format(n=n), True) for n in range(30)]
    plain = evaluate(examples, model).whole
    assert plain.share("spam", "spam") == 0
    learned = evaluate(examples, model, learn=True)
    assert learned.last_half.share("spam", "spam") > 0
    assert learned.last_half.share("spam", "publish") == 0
    assert model.info["learned"] == 0  # the site's model object is not changed either


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"ham\tHallo\n\tohne Label\n", "line 2 has no label; it must start with spam or ham."),
        (b"ham\tHallo\nvielleicht\tText\n", "line 2 has the unknown label 'vielleicht'"),
        (b"ham\tHallo\nham\tGr\xfc\xdfe\n", "line 2 is not UTF-8 text; save the file as UTF-8."),
        (b"ham Hallo ohne Tab\n", "line 1 has no tab"),
        (b"ham\tok\nspam\t\x00\x01\x02\n", "line 2 contains binary data, not text."),
        (b"\n\n", "holds no labeled messages."),
    ],
)
def test_bad_input_files_get_a_clear_message_naming_the_line(tmp_path, capsys, content, message):
    path = tmp_path / "bad.tsv"
    path.write_bytes(content)

    with pytest.raises(SystemExit) as exit_info:
        cli.main(["spam", "evaluate", "--input", str(path)])

    assert exit_info.value.code == 1
    error = capsys.readouterr().err
    assert error.startswith(f"treffpunkt: {path}")
    assert message in error
    assert "Traceback" not in error


def test_csv_files_with_a_text_and_a_label_column_are_read(tmp_path, capsys):
    path = tmp_path / "labeled.csv"
    path.write_text('text,label\n"Hallo, zusammen",ham\n"Buy now http://x.example",1\n')
    cli.main(["spam", "evaluate", "--input", str(path)])
    assert "2 messages" in capsys.readouterr().out

    path.write_text("body,label\nHallo,ham\n")
    with pytest.raises(SystemExit):
        cli.main(["spam", "evaluate", "--input", str(path)])
    assert "line 1 must name a text column" in capsys.readouterr().err


def test_a_missing_input_file_is_one_sentence(tmp_path, capsys):
    with pytest.raises(SystemExit):
        cli.main(["spam", "evaluate", "--input", str(tmp_path / "nope.tsv")])
    assert "cannot be read (No such file or directory)." in capsys.readouterr().err


def test_a_corrupt_model_is_evaluated_as_rules_alone(fixture_file, settings, capsys):
    settings.SPAM_MODEL_PATH.write_bytes(b"broken")
    cli.main(["spam", "evaluate", "--input", str(fixture_file)])
    captured = capsys.readouterr()
    assert "Evaluating the rules alone." in captured.err
    assert "ham  (    3 messages): published   0.0 %" in captured.out  # held, not lost


@pytest.mark.django_db(transaction=True)
def test_spam_train_command_rebuilds_the_model(settings, capsys, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.SECRET_KEY_FILE = tmp_path / "secret_key"
    settings.SPAM_MODEL_PATH.unlink()

    cli.main(["spam", "train"])

    out = capsys.readouterr().out
    assert out.startswith("Trained the spam model on ")
    assert "(0 of them moderator decisions)" in out
    assert TextModel.load(settings.SPAM_MODEL_PATH).info["examples"] > 1800
