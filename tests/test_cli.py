"""The command line: every subcommand, its exit codes, its formats, and terminal safety.

Runs ``provenance.cli.main([...])`` in-process (fast) and ``python -m provenance`` once as a
subprocess. Media are the generated fixtures; a hostile copy of one of them carries OSC/CSI
escape sequences, a bidi override and a C1 CSI in its make/model/software tags and in its
file name, and no control sequence may reach the terminal from any text, Markdown or CSV view
or error message.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from provenance.cli import main

ROOT = Path(__file__).resolve().parents[1]
MEDIA = ROOT / "fixtures" / "media"
SOURCE = MEDIA / "convoy_a_smolensk_iphone8.mov"      # indexed; has a GPS fix
OTHER = MEDIA / "convoy_b_minsk_android10.mp4"
REUP = MEDIA / "reup_d_crop15.mp4"                     # a cropped re-upload of convoy_d
REUP_SOURCE = MEDIA / "convoy_d_pskov_samsung_android11.mp4"
NOMETA = MEDIA / "convoy_c_village_nometa.mp4"

#: What a terminal obeys: C0 controls but newline and tab, DEL, C1 controls, bidi overrides and isolates.
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
HOSTILE = "\x1b]0;pwned\x07\x1b[2J\u202eevil\x9b31m\r"


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_clean(*texts: str) -> None:
    for t in texts:
        bad = UNSAFE.findall(t)
        assert not bad, f"control sequences reached the terminal: {bad[:5]!r}"
        assert "Traceback" not in t


@pytest.fixture(scope="module")
def index_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index with two known clips, made through the CLI."""
    db = tmp_path_factory.mktemp("idx") / "known.db"
    for path, fid, pub in ((SOURCE, "convoy-a", "2019-06-12T09:30Z"), (REUP_SOURCE, "convoy-d", "2019-07-01T00:00+03:00")):
        assert main(["index", "add", str(db), str(path), "--id", fid, "--published-at", pub, "--title", f"title {fid}",
                     "--location", "54.78,32.05,5"]) == 0
    return db


@pytest.fixture(scope="module")
def hostile_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real clip remuxed with escape sequences in its tags and in its file name."""
    av = pytest.importorskip("av")
    out = tmp_path_factory.mktemp("hostile") / ("clip" + HOSTILE.replace("\r", "") + ".mp4")
    with av.open(str(NOMETA)) as src, av.open(str(out), "w", format="mp4", options={"movflags": "use_metadata_tags"}) as dst:
        dst.metadata.update({"com.apple.quicktime.make": "Apple" + HOSTILE, "com.apple.quicktime.model": "iPhone" + HOSTILE,
                             "com.apple.quicktime.software": "17.1" + HOSTILE, "title": "title" + HOSTILE})
        vs = src.streams.video[0]
        ovs = dst.add_stream_from_template(vs) if hasattr(dst, "add_stream_from_template") else dst.add_stream(template=vs)
        for pkt in src.demux(vs):
            if pkt.dts is None:
                continue
            pkt.stream = ovs
            dst.mux(pkt)
    return out


# ---------------------------------------------------------------- help

SUBCOMMANDS = [["analyze"], ["metadata"], ["index"], ["demo"], ["index", "add"], ["index", "import"],
               ["index", "search"], ["index", "stats"], ["index", "list"], ["index", "show"], ["index", "remove"],
               ["index", "export"]]


@pytest.mark.parametrize("cmd", SUBCOMMANDS, ids=" ".join)
def test_every_help_has_examples_exit_codes_and_documented_positionals(cmd, capsys):
    with pytest.raises(SystemExit) as exc:
        main([*cmd, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "examples:" in out and "provenance " + " ".join(cmd) in out
    assert "exit codes:" in out
    # every positional argument has a help text
    positional = re.search(r"positional arguments:\n(.*?)\n\n", out, re.S)
    if positional:
        for line in positional.group(1).splitlines():
            if line.startswith("  ") and not line.startswith("    "):
                name, _, desc = line.strip().partition(" ")
                assert desc.strip() or name in ("{", "COMMAND", "ACTION"), line


def test_python_dash_m_runs_and_usage_error_exits_2():
    ok = subprocess.run([sys.executable, "-m", "provenance", "--version"], capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and ok.stdout.startswith("provenance ")
    bad = subprocess.run([sys.executable, "-m", "provenance", "analyze"], capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "usage:" in bad.stderr and "Traceback" not in bad.stderr


# ---------------------------------------------------------------- analyze

def test_analyze_text_json_markdown(capsys):
    code, out, err = run(["analyze", SOURCE, "--quiet"], capsys)
    assert code == 0 and "provenance report:" in out and "When filmed:" in out
    code, out, _ = run(["analyze", SOURCE, "--json"], capsys)
    d = json.loads(out)
    assert code == 0 and d["path"] == str(SOURCE) and d["verdict"]["status"] == "unverifiable"
    code, out, _ = run(["analyze", SOURCE, "--markdown", "--quiet"], capsys)
    assert code == 0 and out.startswith("## Provenance check:")


def test_analyze_dir_csv_and_jsonl(tmp_path, index_db, capsys):
    folder = tmp_path / "batch"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(REUP, folder / "reup.mp4")
    shutil.copy(OTHER, folder / "sub" / "other.MP4")
    (folder / "notes.txt").write_text("not media")
    code, out, err = run(["analyze", folder, "--index", index_db, "--csv", "--quiet"], capsys)
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [Path(r["path"]).name for r in rows] == ["reup.mp4", "other.MP4"]
    assert rows[0]["best_match"] == "convoy-d" and float(rows[0]["best_score"]) > 0.65
    assert rows[0]["best_first_published"].startswith("2019-06-30T21:00")
    assert rows[1]["status"] == "ok" and rows[1]["n_matches"] == "0"
    code, out, _ = run(["analyze", folder / "reup.mp4", folder / "sub" / "other.MP4", "--jsonl", "--quiet"], capsys)
    lines = [json.loads(x) for x in out.splitlines()]
    assert code == 0 and len(lines) == 2 and {Path(x["path"]).name for x in lines} == {"reup.mp4", "other.MP4"}


def test_analyze_several_files_with_one_missing_reports_and_exits_1(tmp_path, capsys):
    code, out, err = run(["analyze", SOURCE, tmp_path / "missing.mp4", "--csv", "--quiet"], capsys)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 1 and [r["status"] for r in rows] == ["ok", "error"]
    assert rows[1]["error_type"] == "MediaNotFoundError" and "missing.mp4" in err


def test_mistyped_index_is_an_error_and_never_created(tmp_path, capsys):
    missing = tmp_path / "nosuch.db"
    code, out, err = run(["analyze", SOURCE, "--index", missing], capsys)
    assert code == 1 and "no index at" in err and not missing.exists()
    for sub in (["stats"], ["list"], ["search"], ["show"], ["remove"], ["export"]):
        extra = {"search": [SOURCE], "show": ["x"], "remove": ["x"], "export": [tmp_path / "o.jsonl"]}.get(sub[0], [])
        code, _, err = run(["index", *sub, missing, *extra], capsys)
        assert code == 1 and "no index at" in err, sub
    assert not missing.exists()


def test_url_arguments_are_refused_saying_nothing_is_fetched(capsys):
    for argv in (["analyze", "https://t.me/c/123/456"], ["metadata", "http://example.org/clip.mp4"],
                 ["analyze", SOURCE, "--index", "https://example.org/known.db"]):
        code, _, err = run(argv, capsys)
        assert code == 2 and "never fetches" in err, argv
        assert_clean(err)


@pytest.mark.parametrize("argv, words", [
    (["--claim-time", "2020-08-16T10:00"], "has no time zone"),
    (["--claim-time", "yesterday"], "--claim-time must be"),
    (["--claim-place", "Xyzzyville Qwertistan"], "Xyzzyville"),
    (["--claim-time", "2020-08-16", "--claim-radius-km", "-5"], "radius_km"),
])
def test_claim_mistakes_are_usage_errors_without_traceback(argv, words, capsys):
    code, out, err = run(["analyze", SOURCE, *argv, "--quiet"], capsys)
    assert code == 2 and words in err and out == ""
    assert_clean(err)


def test_progress_lines_without_a_terminal(tmp_path, capsys, monkeypatch):
    # without tqdm: one plain stderr line per file of a batch
    monkeypatch.setitem(sys.modules, "tqdm", None)
    code, out, err = run(["analyze", SOURCE, OTHER, "--progress"], capsys)
    assert code == 0 and "Summary:" in out
    assert re.search(r"\[1/2\] .*convoy_a_smolensk_iphone8\.mov: \w+", err)
    assert re.search(r"\[2/2\] .*convoy_b_minsk_android10\.mp4: \w+", err)
    code, out, err = run(["analyze", SOURCE, OTHER, "--quiet"], capsys)
    assert code == 0 and err == ""


# ---------------------------------------------------------------- metadata

def test_metadata_text_json_and_raw(capsys):
    code, out, _ = run(["metadata", SOURCE], capsys)
    assert code == 0 and "[mov]" in out and "place   54." in out and "writer" in out
    code, out, _ = run(["metadata", SOURCE, "--json"], capsys)
    d = json.loads(out)
    assert code == 0 and "raw" not in d and d["location"]["lat"] == pytest.approx(54.78, abs=0.01)
    code, out, _ = run(["metadata", SOURCE, "--raw"], capsys)
    assert code == 0 and json.loads(out)["raw"]


def test_metadata_gpx_and_kml_of_a_fix(tmp_path, capsys):
    gpx, kml = tmp_path / "t.gpx", tmp_path / "t.kml"
    code, out, err = run(["metadata", SOURCE, "--gpx", gpx, "--kml", kml], capsys)
    assert code == 0 and out == "" and "wrote" in err
    ns = {"g": "http://www.topografix.com/GPX/1/1"}
    wpt = ET.parse(gpx).getroot().find("g:wpt", ns)
    assert wpt is not None and float(wpt.get("lat")) == pytest.approx(54.78, abs=0.01)
    coords = ET.parse(kml).getroot().find(".//{http://www.opengis.net/kml/2.2}coordinates").text
    lon, lat = (float(x) for x in coords.split(",")[:2])
    assert lat == pytest.approx(54.78, abs=0.01) and lon == pytest.approx(32.04, abs=0.02)


def test_metadata_gpx_without_gps_is_a_problem(tmp_path, capsys):
    code, _, err = run(["metadata", NOMETA, "--gpx", tmp_path / "t.gpx"], capsys)
    assert code == 1 and "no GPS" in err and not (tmp_path / "t.gpx").exists()


def test_missing_media_exits_1(tmp_path, capsys):
    code, _, err = run(["metadata", tmp_path / "nope.mov"], capsys)
    assert code == 1 and "nope.mov" in err and "Traceback" not in err


# ---------------------------------------------------------------- index

def test_index_add_list_show_search_stats(index_db, capsys):
    code, out, _ = run(["index", "list", index_db], capsys)
    assert code == 0 and "convoy-a" in out and "convoy-d" in out and "title convoy-a" in out
    code, out, _ = run(["index", "list", index_db, "--csv"], capsys)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["footage_id"] for r in rows] == ["convoy-a", "convoy-d"]
    code, out, _ = run(["index", "show", index_db, "convoy-d", "--json"], capsys)
    rec = json.loads(out)
    assert code == 0 and rec["published_at"].startswith("2019-06-30T21:00") and rec["lat"] == 54.78
    code, out, _ = run(["index", "show", index_db, "convoy-a"], capsys)
    assert code == 0 and "title convoy-a" in out
    code, _, err = run(["index", "show", index_db, "nope"], capsys)
    assert code == 1 and "no footage 'nope'" in err
    code, out, _ = run(["index", "search", index_db, REUP, "--json"], capsys)
    assert code == 0 and json.loads(out)[0]["footage_id"] == "convoy-d"
    code, out, _ = run(["index", "search", index_db, REUP], capsys)
    assert code == 0 and out.startswith("convoy-d: score")
    code, out, _ = run(["index", "stats", index_db, "--json"], capsys)
    assert code == 0 and json.loads(out)["n_footage"] == 2
    code, out, _ = run(["index", "stats", index_db], capsys)
    assert code == 0 and re.search(r"n_footage\s+2", out)


def test_index_add_a_day_keeps_its_precision(tmp_path, capsys):
    db = tmp_path / "day.db"
    code, out, err = run(["index", "add", db, SOURCE, "--id", "d", "--published-at", "2019-06-12",
                          "--filmed-at", "2019-06-11", "--json"], capsys)
    rec = json.loads(out)
    assert code == 0, err
    assert rec["published_precision"] == "day" and rec["published_at"].startswith("2019-06-12")
    # the filming day as the interval it covers in any zone: 2019-06-10 10:00 UTC .. 2019-06-12 11:59:59 UTC
    assert rec["filmed_at_start"].startswith("2019-06-10T10:00") and rec["filmed_at_end"].startswith("2019-06-12T11:59:59")


def test_index_add_bad_times_are_usage_errors_and_create_nothing(tmp_path, capsys):
    db = tmp_path / "new.db"
    for bad, words in (("yesterday", "must be an ISO 8601 time"), ("2019-06-12T09:30", "has no time zone")):
        code, out, err = run(["index", "add", db, SOURCE, "--id", "x", "--published-at", bad], capsys)
        assert code == 2 and words in err
        assert_clean(err)
    code, _, err = run(["index", "add", db, SOURCE, "--id", "x", "--published-at", "2019-06-12Z", "--location", "north"],
                       capsys)
    assert code == 2 and not db.exists()


def test_index_export_import_remove(index_db, tmp_path, capsys):
    out_file = tmp_path / "export.jsonl"
    code, _, err = run(["index", "export", index_db, out_file], capsys)
    assert code == 0 and "wrote 2 record(s)" in err
    lines = [json.loads(x) for x in out_file.read_text().splitlines()]
    assert [x["footage_id"] for x in lines] == ["convoy-a", "convoy-d"] and lines[0]["fingerprint"]["hashes"]
    copy = tmp_path / "copy.db"
    code, out, _ = run(["index", "import", copy, out_file, "--quiet"], capsys)
    assert code == 0 and out.startswith("added 2,")
    code, out, _ = run(["index", "search", copy, REUP, "--json"], capsys)
    assert json.loads(out)[0]["footage_id"] == "convoy-d"
    code, _, err = run(["index", "remove", copy, "convoy-a", "nope"], capsys)
    assert code == 1 and "nope" in err
    code, out, _ = run(["index", "remove", copy, "convoy-a"], capsys)
    assert code == 0 and out.strip() == "removed convoy-a"
    code, out, _ = run(["index", "list", copy, "--json"], capsys)
    assert [r["footage_id"] for r in json.loads(out)] == ["convoy-d"]


def test_index_import_bad_rows_exit_1(tmp_path, capsys):
    cat = tmp_path / "cat.csv"
    shutil.copy(SOURCE, tmp_path / "a.mov")
    cat.write_text("footage_id,published_at,path\nok,2019-06-12T00:00Z,a.mov\nbad,yesterday,a.mov\n")
    code, out, _ = run(["index", "import", tmp_path / "c.db", cat, "--quiet"], capsys)
    assert code == 1 and out.startswith("added 1,") and "line 3" in out


# ---------------------------------------------------------------- terminal safety

def test_no_control_sequence_reaches_the_terminal(hostile_clip, tmp_path, capsys):
    outputs = []
    for argv in (["metadata", hostile_clip], ["analyze", hostile_clip, "--quiet"],
                 ["analyze", hostile_clip, "--markdown", "--quiet"], ["analyze", hostile_clip, "--csv", "--quiet"],
                 ["analyze", hostile_clip, NOMETA, "--progress"],
                 ["metadata", str(hostile_clip) + ".missing"]):
        code, out, err = run(argv, capsys)
        outputs += [out, err]
        if "--progress" in argv and "tqdm" in sys.modules:
            err = err.replace("\r", "")  # tqdm's own carriage returns redraw its bar; its description is escaped
        assert_clean(out, err)
    text = "".join(outputs)
    # the hostile strings are shown, escaped, not dropped
    assert "Apple\\x1b]0;pwned\\x07\\x1b[2J\\u202eevil\\x9b31m" in text
    assert "clip\\x1b]0;pwned" in text
    # JSON stays exact
    code, out, _ = run(["metadata", hostile_clip, "--json"], capsys)
    assert json.loads(out)["device"]["make"] == "Apple" + HOSTILE.rstrip()  # the parser strips trailing whitespace


def test_hostile_index_strings_and_arguments_are_escaped(tmp_path, hostile_clip, capsys):
    db = tmp_path / "h.db"
    code, out, err = run(["index", "add", db, hostile_clip, "--id", "id" + HOSTILE, "--published-at", "2019-06-12T00:00Z",
                          "--title", "title" + HOSTILE], capsys)
    assert_clean(out, err)
    if code == 0:  # the index kept the strings: every view of them must be escaped
        for argv in (["index", "list", db], ["index", "list", db, "--csv"], ["index", "show", db, "id" + HOSTILE],
                     ["index", "search", db, hostile_clip], ["analyze", hostile_clip, "--index", db, "--quiet"]):
            code, out, err = run(argv, capsys)
            assert_clean(out, err)
    else:  # refused: the error message quoting them is escaped
        assert code in (1, 2) and "\\x1b" in err
    code, out, err = run(["analyze", SOURCE, "--claim-place", "Smolensk" + HOSTILE, "--quiet"], capsys)
    assert code == 2
    assert_clean(out, err)


# ---------------------------------------------------------------- demo

def test_demo_runs_from_any_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["demo", "--out", "demo", "--quiet"], capsys)
    assert code == 0, err
    assert "Verdict:  CONTRADICTED" in out and "convoy_a_smolensk_iphone8" in out
    d = json.loads((tmp_path / "demo" / "demo_report.json").read_text())
    assert d["verdict"]["status"] == "contradicted" and d["matches"][0]["footage_id"] == "convoy_a_smolensk_iphone8"
    assert (tmp_path / "demo" / "demo_report.html").stat().st_size > 10_000
    code, _, err = run(["demo", "--out", "demo", "--corpus", tmp_path / "nocorpus"], capsys)
    assert code == 1 and "footage/" in err


def test_analyze_no_ocr_drops_on_screen_clock_evidence(capsys):
    """The corpus traffic-camera clip's burned-in clock is read by default and not with --no-ocr."""
    pytest.importorskip("rapidocr", reason="needs the 'ocr' extra (CI installs it)")
    clip = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "footage" / "trafficcam_burned-in-timestamp.avi"
    if not clip.is_file():
        pytest.skip("the shared corpus is not present")

    def ocr_sources(args):
        code, out, _ = run(["analyze", str(clip), "--json", "--quiet", *args], capsys)
        assert code == 0
        return [e["source"] for e in json.loads(out)["evidence"] if str(e["source"]).startswith("ocr:")]

    assert ocr_sources([])
    assert ocr_sources(["--no-ocr"]) == []
