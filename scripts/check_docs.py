#!/usr/bin/env python3
"""Check the numbers printed in the docs against the committed rows they come from.

A table in a Markdown file is checked when an HTML comment right before it says where its rows
are and what each column holds (the comment is invisible in the rendered page):

    <!-- check-docs
    run: bench/results/NAME/results.tar.gz [more archives: cells of the same run or runs on the same bases]
    paired: --baseline "global sparsity=0.9 (finetuned)"      (optional arguments to `paired`)
    columns: label | bytes | smaller | diff | interval | wtl | holm
    rows:
    finegrained sparsity=0.8 (finetuned)
    -
    -->

A column may name its own row: `acc{none (base)}` reads the base's row whatever the table row, and
`acc{* (pruned)}` the row named by the table row's entry followed by " (pruned)".

`rows:` names, for each row of the table in order, the row of `graphsqueeze-cli paired` (method,
setting and stage, as `paired` prints it); `-` leaves a table row unchecked (a figure quoted from
the paper, say). Column kinds (numbers in a cell are compared in order, to the decimals printed):

    label, text   not checked (nor is an empty cell or "—")
    n             number of paired jobs
    acc           mean ± sd of the test metric in points (x100), from results.csv
    ci            the 95 % interval of that mean over independent seeds (t); refused for folds
    mean          mean of the test metric in points
    deployed      mean of the deployed model's metric in points; deployed_sd its sd
    bits          mean weight bits / mean feature bits
    file          the file in deployment form (BatchNorm folded) as % of the base's, per job, mean;
                  optionally followed by its mean size in bytes
    bytes         mean size of the .gsqm on disk; bytes_range its min and max
    nonzeros      mean number of non-zero parameters
    train_s       mean training time in seconds (of this row's own step)
    smaller       the base's file over this row's, per job: min / mean / max, or one number when
                  the three agree to the printed decimals
    smaller_mean  the mean of those ratios only
    worst         the lowest per-job difference from the base, in points
    diff          paired mean difference ± sd, in points (`paired`); dmean the mean alone
    interval      95 % interval of the mean difference (`paired`)
    wtl           wins/ties/losses (`paired`)
    p, holm, sign, wilcoxon    p-values of `paired`

Tables a command prints instead: `command: python3 bench/x.py {bench/results/NAME/results.tar.gz}/f.csv`
(an archive in braces is unpacked; `graphsqueeze-cli` is the --cli given) with columns `vN` or `vN-M`: the Nth (to Mth) number after the
row's label on the first line of the output that starts with it (spaces compared loosely).

A cell holding several figures names them joined by " + ": `acc{none (base)} + acc{* (pruned)}`
for "87.96 ± 2.18 → 74.48 ± 6.19". A part followed by "?" may be left out of a cell, with every
part after it: `dmean + wtl? + wilcoxon?` reads "+0.45" and "+2.34 (7/2/1, p 0.023)".

`paired NAME: ARGS` adds a second `paired` call (e.g. another `--baseline`, `--deployed`, or
archives of another run on the same bases); a column `diff@NAME`
reads it, and a column `diff@*` the call a row names after its label: `LABEL @NAME`. Archives in
a call also serve the results.csv kinds of a column marked `@NAME` or `@*`, so one table can show
rows of several runs (`run:` may then be left out).

Archives are read, never written: `.tar.gz` files are unpacked into a temporary directory and
`.journal.gz` files become a cell's jobs.journal. No training runs.

Exit status: 0 when every checked number agrees, 1 when one does not (each is named with its file,
line, row and column), 2 for a malformed comment or a missing archive.
"""

import argparse
import csv
import gzip
import math
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile

NUMBER = re.compile(r"[+\-\u2212]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:e[+\-\u2212]?\d+)?")
PAIRED_ROW = re.compile(
    r"^(?P<label>.*?)\s+(?P<n>\d+)\s+(?P<mean>[+-]?[\d.]+|nan)\s+\+-\s+(?P<sd>[\d.]+|nan)\s+"
    r"\[(?P<lo>[^,]+),\s*(?P<hi>[^\]]+)\]\s+(?P<w>\d+)/(?P<t>\d+)/(?P<l>\d+)\s+"
    r"(?P<p>\S+)\s+(?P<holm>\S+)\s+(?P<sign>\S+)\s+(?P<wilcoxon>\S+)\s*$"
)
PAIRED_KINDS = {"diff", "dmean", "interval", "wtl", "p", "holm", "sign", "wilcoxon"}
CSV_KINDS = {"n", "acc", "ci", "mean", "train_s", "deployed", "deployed_sd", "bits", "bytes", "bytes_range", "nonzeros", "file", "smaller", "smaller_mean", "worst"}
KINDS = {"label", "text"} | PAIRED_KINDS | CSV_KINDS


class Malformed(Exception):
    pass


def is_archive(path):
    return path.endswith(".tar.gz") or path.endswith(".journal.gz")


def numbers(cell):
    """The numbers printed in a table cell, each as (value, decimals, text)."""
    out = []
    for m in NUMBER.finditer(cell.replace("**", "  ")):
        text = m.group(0)
        plain = text.replace("\u2212", "-").replace(",", "")
        mantissa, _, exponent = plain.partition("e")
        decimals = (len(mantissa.split(".")[1]) if "." in mantissa else 0) - int(exponent or 0)
        out.append((float(plain), decimals, text))
    return out


def agrees(expected, value, decimals):
    if expected is None or math.isnan(expected):
        return False
    # Half a unit of the last printed digit, and a hair more for the binary representation.
    return abs(expected - value) <= 0.5 * 10 ** (-decimals) * (1 + 1e-9) + 1e-12 * abs(expected)


def parse_column(text):
    """'kind' or 'kind{label}': the label replaces the row's, '*' in it standing for the row's."""
    m = re.fullmatch(r"\s*([\w-]+)(?:@(\w+|\*))?\s*(?:\{(.*)\})?\s*(\??)\s*", text)
    if not m:
        raise Malformed(f"column '{text.strip()}': expected KIND, KIND@CALL or KIND{{LABEL}}, '?' after an optional part")
    return m.group(1), m.group(2) or "", m.group(3), bool(m.group(4))  # kind, `paired` call, label, optional


def split_row(line):
    cells = line.strip().strip("|").split("|")
    return [c.strip() for c in cells]


class Sources:
    """Archives unpacked once, `paired` outputs and results.csv rows cached per block."""

    def __init__(self, cli, root):
        self.cli = cli
        self.root = root
        self.tmp = tempfile.mkdtemp(prefix="check-docs-")
        self.dirs = {}
        self.cache = {}

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def unpack(self, archive):
        if archive in self.dirs:
            return self.dirs[archive]
        path = os.path.join(self.root, archive)
        if not os.path.exists(path):
            raise Malformed(f"{archive}: no such archive")
        out = os.path.join(self.tmp, str(len(self.dirs)))
        os.makedirs(out)
        if archive.endswith(".tar.gz"):
            with tarfile.open(path) as tar:
                tar.extractall(out, filter="data") if hasattr(tarfile, "data_filter") else tar.extractall(out)
        elif archive.endswith(".journal.gz"):
            with gzip.open(path, "rb") as src, open(os.path.join(out, "jobs.journal"), "wb") as dst:
                shutil.copyfileobj(src, dst)
        else:
            raise Malformed(f"{archive}: expected a .tar.gz or a .journal.gz archive")
        entries = os.listdir(out)
        if len(entries) == 1 and os.path.isdir(os.path.join(out, entries[0])):  # archived with its directory
            out = os.path.join(out, entries[0])
        self.dirs[archive] = out
        return out

    def run_cli(self, args):
        proc = subprocess.run([self.cli] + args, capture_output=True, text=True)
        if proc.returncode != 0:
            raise Malformed(f"graphsqueeze-cli {' '.join(args)} failed: {proc.stderr.strip()}")
        return proc.stdout

    def command(self, text):
        """Output of a bench script; '{ARCHIVE}' in it stands for the unpacked archive's directory."""
        key = ("command", text)
        if key not in self.cache:
            args = [re.sub(r"\{([^}]+)\}", lambda m: self.unpack(m.group(1)), a) for a in shlex.split(text)]
            if args and args[0] == "graphsqueeze-cli":
                args[0] = self.cli
            proc = subprocess.run(args, capture_output=True, text=True, cwd=self.root)
            if proc.returncode != 0:
                raise Malformed(f"{text}: failed: {proc.stderr.strip()}")
            self.cache[key] = proc.stdout
        return self.cache[key]

    def paired(self, archives, extra):
        key = ("paired", tuple(archives), tuple(extra))
        if key not in self.cache:
            more = [a for a in extra if is_archive(a)]  # another run's cells, paired on the same bases
            options = [a for a in extra if not is_archive(a)]
            dirs = [self.unpack(a) for a in archives + more]
            rows = {}
            for line in self.run_cli(["paired"] + dirs + options).splitlines():
                m = PAIRED_ROW.match(line)
                if m and m.group("label") != "rows":
                    rows[m.group("label").strip()] = m.groupdict()
            self.cache[key] = rows
        return self.cache[key]

    def results(self, archives):
        """results.csv rows: each archive's own, or the merge of the cells kept in one directory
        (one run); a row that several runs share (their common bases) is kept once."""
        key = ("results", tuple(archives))
        if key not in self.cache:
            runs = {}
            for a in archives:
                runs.setdefault(os.path.dirname(a), []).append(self.unpack(a))
            rows, seen = [], {}
            for dirs in runs.values():
                csvs = [os.path.join(d, "results.csv") for d in dirs]
                if not all(os.path.exists(c) for c in csvs):
                    merged = os.path.join(self.tmp, f"merged{len(self.cache)}-{len(rows)}")
                    self.run_cli(["merge", merged] + dirs)
                    csvs = [os.path.join(merged, "results.csv")]
                for c in csvs:
                    with open(c, newline="") as f:
                        for r in csv.DictReader(f):
                            k = (row_label(r), r["seed"], r["fold"])
                            if k not in seen:
                                seen[k] = r
                                rows.append(r)
                            elif any(seen[k][c] != r[c] for c in ("test_value", "deployed_value", "size_disk_bytes")):
                                raise Malformed(f"{' '.join(archives)}: two runs hold '{k[0]}' of seed {k[1]}, fold "
                                                f"{k[2]} with different values; only shared bases may repeat")
            self.cache[key] = rows
        return self.cache[key]


def command_values(output, label, kind):
    """Numbers vN (or vN-M) after the label on the first output line that starts with it."""
    key = " ".join(label.split())
    for line in output.splitlines():
        plain = " ".join(line.split())
        if plain == key or plain.startswith(key + " "):
            values = [float(t.replace(",", "")) for t in NUMBER.findall(plain[len(key):])]
            first, _, last = kind[1:].partition("-")
            return values[int(first) - 1 : int(last or first)]
    return None


def mean_interval(values):
    """95 % t-interval of the mean of independent values (seeds)."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))
    from robustness_summary import t_quantile

    half = t_quantile(len(values) - 1) * math.sqrt(statistics.variance(values) / len(values))
    m = statistics.mean(values)
    return [m - half, m + half]


def row_label(r):
    setting = r["setting"]
    return f"{r['method']} {setting} ({r['stage']})" if setting else f"{r['method']} ({r['stage']})"


def csv_values(rows, label, kind):
    mine = [r for r in rows if row_label(r) == label]
    if not mine:
        return None
    if kind == "n":
        return [len(mine)]
    if kind == "ci":
        if len({r["fold"] for r in mine}) > 1:
            # The corrected test needs the design's k, which results.csv does not hold.
            raise Malformed(f"'ci' of '{label}': folds of a cross-validation; only seeds are supported")
        return mean_interval([100 * float(r["test_value"]) for r in mine])
    if kind in ("acc", "mean"):
        v = [100 * float(r["test_value"]) for r in mine]
        return [statistics.mean(v), statistics.stdev(v) if len(v) > 1 else 0.0][: 2 if kind == "acc" else 1]
    if kind in ("deployed", "deployed_sd"):
        v = [100 * float(r["deployed_value"]) for r in mine]
        return [statistics.mean(v) if kind == "deployed" else statistics.stdev(v) if len(v) > 1 else 0.0]
    if kind == "bits":
        return [statistics.mean(float(r["bits"]) for r in mine), statistics.mean(float(r["feature_bits"]) for r in mine)]
    if kind == "train_s":
        return [statistics.mean(float(r["train_seconds"]) for r in mine)]
    if kind == "nonzeros":
        return [statistics.mean(float(r["nonzero_params"]) for r in mine)]
    if kind == "bytes_range":
        return [min(float(r["size_disk_bytes"]) for r in mine), max(float(r["size_disk_bytes"]) for r in mine)]
    if kind == "bytes":
        return [statistics.mean(float(r["size_disk_bytes"]) for r in mine)]
    base = {(r["seed"], r["fold"]): r for r in rows if r["stage"] == "base"}
    if kind in ("smaller", "smaller_mean"):
        ratios = [float(base[(r["seed"], r["fold"])]["size_disk_bytes"]) / float(r["size_disk_bytes"]) for r in mine]
        return [statistics.mean(ratios)] if kind == "smaller_mean" else [min(ratios), statistics.mean(ratios), max(ratios)]
    if kind == "file":
        ratios = [float(r["size_folded_bytes"]) / float(base[(r["seed"], r["fold"])]["size_folded_bytes"]) for r in mine]
        return [100 * statistics.mean(ratios), statistics.mean(float(r["size_folded_bytes"]) for r in mine)]
    if kind == "worst":
        return [min(100 * (float(r["test_value"]) - float(base[(r["seed"], r["fold"])]["test_value"])) for r in mine)]
    raise AssertionError(kind)


def paired_values(row, kind):
    f = lambda k: float(row[k])
    return {
        "diff": lambda: [f("mean"), f("sd")],
        "dmean": lambda: [f("mean")],
        "interval": lambda: [f("lo"), f("hi")],
        "wtl": lambda: [f("w"), f("t"), f("l")],
        "p": lambda: [f("p")],
        "holm": lambda: [f("holm")],
        "sign": lambda: [f("sign")],
        "wilcoxon": lambda: [f("wilcoxon")],
    }[kind]()


def parse_comment(lines, start, path):
    """The block's settings from the comment starting at lines[start]; returns (spec, next line)."""
    spec = {"run": [], "paired": {"": []}, "command": "", "columns": [], "rows": []}
    i = start + 1
    in_rows = False
    while i < len(lines) and "-->" not in lines[i]:
        line = lines[i].strip()
        i += 1
        if not line:
            continue
        if in_rows:
            spec["rows"].append(line)
            continue
        key, sep, value = line.partition(":")
        key, _, name = key.partition(" ")
        if not sep or key not in ("run", "paired", "command", "columns", "rows") or (name and key != "paired"):
            raise Malformed(f"{path}:{i}: expected 'run:', 'paired:', 'command:', 'columns:' or 'rows:', got '{line}'")
        if key == "rows":
            in_rows = True
        elif key == "columns":
            try:
                spec["columns"] = [[parse_column(p) for p in c.split(" + ")] for c in value.split("|")]
            except Malformed as e:
                raise Malformed(f"{path}:{i}: {e}")
            bad = [p[0] for c in spec["columns"] for p in c if p[0] not in KINDS and not re.fullmatch(r"v\d+(-\d+)?", p[0])]
            if bad:
                raise Malformed(f"{path}:{i}: unknown column kind '{bad[0]}' (known: {', '.join(sorted(KINDS))})")
        elif key == "run":
            spec["run"] = value.split()
        elif key == "command":
            spec["command"] = value.strip()
        else:
            spec["paired"][name] = shlex.split(value)
    if i >= len(lines):
        raise Malformed(f"{path}:{start + 1}: check-docs comment is not closed with '-->'")
    has_runs = spec["run"] or any(is_archive(a) for args in spec["paired"].values() for a in args)
    if not (has_runs or spec["command"]) or not spec["columns"] or not spec["rows"]:
        raise Malformed(f"{path}:{start + 1}: a check-docs comment needs 'run:' (or archives in 'paired NAME:') "
                        f"or 'command:', and 'columns:' and 'rows:'")
    named = [p[1] for c in spec["columns"] for p in c] + [r.rpartition(" @")[2] for r in spec["rows"] if " @" in r]
    unknown = [b for b in named if b != "*" and b not in spec["paired"]]
    if unknown:
        raise Malformed(f"{path}:{start + 1}: column baseline '@{unknown[0]}' has no 'paired {unknown[0]}:' line")
    return spec, i + 1


def part_values(spec, part, row, row_call, sources, where):
    """Expected numbers of one column part for a table row."""
    kind, call, template, _ = part
    label = template.replace("*", row) if template else row
    if call == "*":
        if not row_call:
            raise Malformed(f"{where}: the column reads the row's call ('@*'), the row names none (' @NAME')")
        call = row_call
    if kind.startswith("v"):
        expected = command_values(sources.command(spec["command"]), label, kind)
        if expected is None:
            raise Malformed(f"{where}: `{spec['command']}` prints no line starting '{label}'")
        return expected
    args = spec["paired"][call]
    if kind in PAIRED_KINDS:
        paired = sources.paired(spec["run"], args)
        if label not in paired:
            raise Malformed(f"{where}: `paired` prints no row '{label}' (it prints: {'; '.join(sorted(paired))})")
        return paired_values(paired[label], kind)
    archives = spec["run"] + [a for a in args if is_archive(a)]
    expected = csv_values(sources.results(archives), label, kind)
    if expected is None:
        raise Malformed(f"{where}: results.csv has no row '{label}'")
    return expected


def cell_agrees(kind, parts, values, printed):
    """Whether the printed numbers are the parts' values, and the values they were compared with."""
    # The cell may stop before an optional part (and every part after it).
    required = max([k + 1 for k, part in enumerate(parts) if not part[3]], default=0)
    shown = [[e for v in values[:k] for e in v] for k in range(required, len(parts) + 1)]
    expected = next((e for e in shown if len(e) == len(printed)), shown[-1])
    if kind == "smaller" and len(printed) == 1:  # one number: min, mean and max agree
        return all(agrees(e, printed[0][0], printed[0][1]) for e in expected), expected
    if kind == "file" and len(printed) == 1:  # the share alone, without the bytes
        return agrees(expected[0], printed[0][0], printed[0][1]), expected
    ok = len(printed) == len(expected) and all(agrees(e, v, d) for e, (v, d, _) in zip(expected, printed))
    return ok, expected


def change_digit(cell, k):
    """The cell with the last digit of its k-th number changed (9 becomes 8, others go up by one)."""
    m = list(NUMBER.finditer(cell.replace("**", "  ")))[k]
    text = m.group(0)
    mantissa_end = text.find("e") if "e" in text else len(text)
    last = max(i for i in range(mantissa_end) if text[i].isdigit())
    digit = "8" if text[last] == "9" else str(int(text[last]) + 1)
    changed = text[:last] + digit + text[last + 1 :]
    return cell[: m.start()] + changed + cell[m.end() :]


def check_block(spec, table, path, sources, problems, mutate=False):
    """Compare one table (list of (line number, text)) with its rows; returns numbers checked."""
    body = [t for t in table if not re.match(r"^\|\s*:?-", t[1])][1:]  # drop header and rule
    if len(body) != len(spec["rows"]):
        raise Malformed(f"{path}:{table[0][0]}: the table has {len(body)} rows, its comment names {len(spec['rows'])}")
    checked = 0
    for (lineno, text), row in zip(body, spec["rows"]):
        if row == "-":
            continue
        row, _, row_call = row.partition(" @")
        cells = split_row(text)
        if len(cells) != len(spec["columns"]):
            raise Malformed(f"{path}:{lineno}: {len(cells)} cells, the comment names {len(spec['columns'])} columns")
        name = ", ".join(c for parts, c in zip(spec["columns"], cells) if parts[0][0] in ("label", "text") and c)
        for col, (parts, cell) in enumerate(zip(spec["columns"], cells), start=1):
            if parts[0][0] in ("label", "text") or cell in ("", "—"):
                continue
            where = f"{path}:{lineno}: column {col}"
            values = [part_values(spec, part, row, row_call, sources, where) for part in parts]
            kind = "+".join(p[0] for p in parts)
            ok, expected = cell_agrees(kind, parts, values, numbers(cell))
            checked += len(numbers(cell))
            if ok and mutate:  # every printed number must fail the check once its last digit changes
                for k in range(len(numbers(cell))):
                    if cell_agrees(kind, parts, values, numbers(change_digit(cell, k)))[0]:
                        problems.append(f"{path}:{lineno}: column {col}: '{change_digit(cell, k)}' still passes")
            if not ok:
                printed = numbers(cell)
                decimals = printed[0][1] if printed else 2
                want = " / ".join(f"{e:.{max(decimals, 0)}f}" for e in expected)
                archives = spec["run"] + [a for args in spec["paired"].values() for a in args if is_archive(a)]
                runs = sorted({os.path.dirname(a) for a in archives}) or [spec["command"]]
                problems.append(f"{path}:{lineno}: row '{name}', column {col} ({kind}): printed "
                                f"'{cell}', the rows give {want} ({', '.join(runs)})")
    return checked


def check_file(path, sources, problems, mutate=False):
    """Checks every commented table of a file; returns (checked tables, numbers, unchecked tables)."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    blocks = checked = unchecked = 0
    i = 0
    while i < len(lines):
        if "check-docs" in lines[i] and lines[i].lstrip().startswith("<!--") and lines[i].strip() != "<!-- check-docs":
            raise Malformed(f"{path}:{i + 1}: a check-docs comment starts with a line of its own, '<!-- check-docs'")
        if lines[i].strip() == "<!-- check-docs":
            spec, i = parse_comment(lines, i, path)
            while i < len(lines) and not lines[i].strip():
                i += 1
            table = []
            while i < len(lines) and lines[i].startswith("|"):
                table.append((i + 1, lines[i]))
                i += 1
            if not table:
                raise Malformed(f"{path}:{i}: a check-docs comment must be followed by a table")
            checked += check_block(spec, table, path, sources, problems, mutate)
            blocks += 1
        elif lines[i].startswith("|"):
            unchecked += 1
            while i < len(lines) and lines[i].startswith("|"):
                i += 1
        else:
            i += 1
    return blocks, checked, unchecked


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--cli", default="build/graphsqueeze-cli")
    ap.add_argument("--root", default=".", help="directory the archive paths are relative to")
    ap.add_argument("--mutate", action="store_true",
                    help="also check that each checked number fails once its last digit is changed")
    args = ap.parse_args()
    if not os.access(args.cli, os.X_OK):
        print(f"check-docs: {args.cli}: not an executable (build first: scripts/build.sh)", file=sys.stderr)
        return 2
    sources = Sources(os.path.abspath(args.cli), args.root)
    problems = []
    try:
        for path in args.files:
            blocks, checked, unchecked = check_file(path, sources, problems, args.mutate)
            if blocks or unchecked:
                print(f"{path}: {blocks} table(s), {checked} number(s) checked against committed rows"
                      f"{' (each also changed once, --mutate)' if args.mutate else ''}; "
                      f"{unchecked} table(s) without a check-docs comment")
    except Malformed as e:
        print(f"check-docs: {e}", file=sys.stderr)
        return 2
    finally:
        sources.close()
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"check-docs: {len(problems)} cell(s) differ from the rows", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
